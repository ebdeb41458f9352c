//! The `paydesk` command (all of it lives in the library, which the desktop app's
//! binary also runs when started as `paydesk`).

fn main() -> std::process::ExitCode {
    paydesk_cli::main()
}
