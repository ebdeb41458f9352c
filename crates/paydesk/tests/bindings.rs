//! The window's TypeScript types are generated from the engine's own definitions
//! (ts-rs), never kept by hand: `ui/src/lib/bindings.ts` must be exactly what this
//! test generates. After changing a shape the window sees, write the file anew with
//! `PAYDESK_WRITE_BINDINGS=1 cargo test -p paydesk --test bindings` (or `./x bindings`).

use std::path::PathBuf;

use paydesk::core::{
    Capabilities, DeliveryState, InputCode, InputError, InvoiceKind, Lang, MessageKind,
    ProviderKind, SortBy, Source, Status, TimelineEvent,
};
use paydesk::{
    AccountForm, AccountView, Actions, Attention, BankOption, ChannelForm, ChannelView,
    CustomerMatch, CustomerTotals, CustomerView, DashboardView, DayCount, DeliveryView, ErrorView,
    Forms, InvoiceView, LinkCopy, ListQuery, ListTotals, MessagePreview, MoneyTotal, NewAccount,
    NewChannel, NewCustomer, NewLink, OutboxReport, PeriodTotals, PrintOutcome, PrintTo,
    PrinterView, RefundInput, SecretState, SendRequest, SharedStoreInput, SlipPreview, SmsClass,
    SortOption, StoreLocation, StoreView, SyncError, SyncErrorKind, SyncReport, TimelineView,
};
use paydesk_notify::{ChannelKind, Via};
use ts_rs::TS;

fn declaration<T: TS + ?Sized>() -> String {
    let mut out = String::new();
    if let Some(docs) = T::docs() {
        out.push_str(&docs);
    }
    out.push_str("export ");
    out.push_str(&T::decl());
    out.push('\n');
    out
}

/// Every type the window sends or receives, each once, in one file (no imports).
fn bindings() -> String {
    let parts = [
        declaration::<Status>(),
        declaration::<SortBy>(),
        declaration::<Source>(),
        declaration::<ProviderKind>(),
        declaration::<InvoiceKind>(),
        declaration::<TimelineEvent>(),
        declaration::<DeliveryState>(),
        declaration::<Capabilities>(),
        declaration::<InputCode>(),
        declaration::<InputError>(),
        declaration::<Lang>(),
        declaration::<ChannelKind>(),
        declaration::<Via>(),
        declaration::<MessageKind>(),
        declaration::<SmsClass>(),
        declaration::<SecretState>(),
        declaration::<CustomerView>(),
        declaration::<CustomerMatch>(),
        declaration::<CustomerTotals>(),
        declaration::<TimelineView>(),
        declaration::<Actions>(),
        declaration::<InvoiceView>(),
        declaration::<AccountView>(),
        declaration::<ListQuery>(),
        declaration::<NewLink>(),
        declaration::<NewCustomer>(),
        declaration::<NewAccount>(),
        declaration::<NewChannel>(),
        declaration::<ChannelView>(),
        declaration::<SendRequest>(),
        declaration::<RefundInput>(),
        declaration::<DeliveryView>(),
        declaration::<MessagePreview>(),
        declaration::<OutboxReport>(),
        declaration::<SyncErrorKind>(),
        declaration::<SyncError>(),
        declaration::<SyncReport>(),
        declaration::<MoneyTotal>(),
        declaration::<PeriodTotals>(),
        declaration::<DayCount>(),
        declaration::<Attention>(),
        declaration::<DashboardView>(),
        declaration::<AccountForm>(),
        declaration::<ChannelForm>(),
        declaration::<BankOption>(),
        declaration::<SortOption>(),
        declaration::<Forms>(),
        declaration::<SlipPreview>(),
        declaration::<ListTotals>(),
        declaration::<StoreLocation>(),
        declaration::<SharedStoreInput>(),
        declaration::<StoreView>(),
        declaration::<LinkCopy>(),
        declaration::<PrintTo>(),
        declaration::<PrintOutcome>(),
        declaration::<PrinterView>(),
        declaration::<ErrorView>(),
    ];
    let mut out = String::from(
        "// Generated from the engine's Rust types by crates/paydesk/tests/bindings.rs (ts-rs).\n\
         // Do not edit: change the Rust type, then run `./x bindings`.\n\n",
    );
    out.push_str(&parts.join("\n"));
    out
}

#[test]
fn the_window_s_types_are_the_engine_s() {
    let path = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("../../ui/src/lib/bindings.ts");
    let wanted = bindings();
    if std::env::var_os("PAYDESK_WRITE_BINDINGS").is_some() {
        std::fs::write(&path, &wanted).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == wanted,
        "ui/src/lib/bindings.ts is not what the engine's types generate: run ./x bindings\n\
         --- generated ---\n{wanted}"
    );
}

/// Every setting a form asks for is a field the engine reads (so a typed value is never
/// dropped on the way), and the channel forms name the channel's own secrets.
#[test]
fn the_forms_ask_for_fields_the_engine_reads() {
    // The declared field names (a field may follow its doc comment on a new line).
    let fields = |decl: String| -> Vec<String> {
        decl.split(|c: char| c.is_whitespace() || c == '{' || c == ',')
            .filter_map(|w| w.strip_suffix("?:"))
            .map(str::to_string)
            .collect()
    };
    let account = fields(NewAccount::decl());
    let channel = fields(NewChannel::decl());
    let forms = Forms::all();
    assert_eq!(forms.accounts.len(), 5);
    for f in &forms.accounts {
        for s in &f.settings {
            assert!(account.iter().any(|a| a == s), "{s} not in {account:?}");
        }
        assert!(!f.secrets.is_empty(), "{:?}", f.provider);
    }
    for f in &forms.channels {
        for s in &f.settings {
            assert!(channel.iter().any(|c| c == s), "{s} not in {channel:?}");
        }
    }
}

fn repo() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../..")
}

/// Every code the engine can put on a field error has a text in each of the window's
/// languages, and every `error.input.*` text belongs to a code.
#[test]
fn every_error_code_has_a_text_in_every_language_and_every_text_a_code() {
    for lang in ["ko", "ja", "en"] {
        let path = repo().join(format!("ui/src/locales/{lang}.json"));
        let texts: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for code in InputCode::all() {
            let key = format!("error.input.{code}");
            let text = texts.get(&key).and_then(|t| t.as_str()).unwrap_or_default();
            assert!(!text.trim().is_empty(), "{lang}.json has no text for {key}");
        }
        for key in texts.keys() {
            if let Some(code) = key.strip_prefix("error.input.") {
                assert!(
                    code.parse::<InputCode>().is_ok(),
                    "{lang}.json has {key}, but the engine has no code {code:?}"
                );
            }
        }
    }
}

/// The string literals of a Rust file outside its tests and comments.
fn literals(src: &str) -> Vec<String> {
    let code = src.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = Vec::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(start) = rest.find('"') {
            let after = &rest[start + 1..];
            let mut end = None;
            let mut escaped = false;
            for (i, c) in after.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let Some(end) = end else { break };
            out.push(after[..end].to_string());
            rest = &after[end + 1..];
        }
    }
    out
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Messages reach the desktop window as well as the command line, so none of the crates
/// behind the window words them as command-line advice (`--secret-stdin`,
/// `paydesk channel add …`); the command adds its own flags where it needs to.
#[test]
fn no_message_behind_the_window_names_a_command_line_flag() {
    let flag = |s: &str| {
        s.match_indices("--")
            .any(|(i, _)| s[i + 2..].starts_with(|c: char| c.is_ascii_lowercase()))
    };
    let command = |s: &str| {
        [
            "account", "channel", "link", "cvs", "send", "sync", "sandbox", "settings",
        ]
        .iter()
        .any(|c| s.contains(&format!("paydesk {c}")))
    };
    let mut files = Vec::new();
    for dir in [
        "crates/paydesk/src",
        "crates/paydesk-core/src",
        "crates/paydesk-store/src",
        "crates/paydesk-secrets/src",
        "crates/paydesk-providers/src",
        "crates/paydesk-notify/src",
        "crates/paydesk-slips/src",
        "src-tauri",
    ] {
        rust_files(&repo().join(dir), &mut files);
    }
    assert!(files.len() > 40, "{} files", files.len());
    let mut found = Vec::new();
    for f in &files {
        for lit in literals(&std::fs::read_to_string(f).unwrap()) {
            if flag(&lit) || command(&lit) {
                found.push(format!("{}: {lit}", f.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "command-line wording in messages:\n{}",
        found.join("\n")
    );
}
