//! The `paydesk` command (all of it lives in the library, which the desktop app's
//! binary also runs when started as `paydesk`).
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

fn main() -> std::process::ExitCode {
    paydesk_cli::main()
}
