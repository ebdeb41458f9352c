//! The window's TypeScript types are generated from the engine's own definitions
//! (ts-rs), never kept by hand: `ui/src/lib/bindings.ts` must be exactly what this
//! test generates. After changing a shape the window sees, write the file anew with
//! `PAYDESK_WRITE_BINDINGS=1 cargo test -p paydesk --test bindings` (or `./x bindings`).

use std::path::PathBuf;

use paydesk::core::{
    Capabilities, DeliveryState, InputError, InvoiceKind, ProviderKind, Source, Status,
    TimelineEvent,
};
use paydesk::{
    AccountForm, AccountView, Actions, Attention, ChannelForm, ChannelView, CustomerView,
    DashboardView, DayCount, DeliveryView, ErrorView, Forms, InvoiceView, ListQuery, ListTotals,
    MessagePreview, MoneyTotal, NewAccount, NewChannel, NewCustomer, NewLink, OutboxReport,
    PeriodTotals, SendRequest, SlipPreview, SmsClass, SyncError, SyncReport, TimelineView,
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
        declaration::<Source>(),
        declaration::<ProviderKind>(),
        declaration::<InvoiceKind>(),
        declaration::<TimelineEvent>(),
        declaration::<DeliveryState>(),
        declaration::<Capabilities>(),
        declaration::<InputError>(),
        declaration::<ChannelKind>(),
        declaration::<Via>(),
        declaration::<SmsClass>(),
        declaration::<CustomerView>(),
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
        declaration::<DeliveryView>(),
        declaration::<MessagePreview>(),
        declaration::<OutboxReport>(),
        declaration::<SyncError>(),
        declaration::<SyncReport>(),
        declaration::<MoneyTotal>(),
        declaration::<PeriodTotals>(),
        declaration::<DayCount>(),
        declaration::<Attention>(),
        declaration::<DashboardView>(),
        declaration::<AccountForm>(),
        declaration::<ChannelForm>(),
        declaration::<Forms>(),
        declaration::<SlipPreview>(),
        declaration::<ListTotals>(),
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
    let account = NewAccount::decl();
    let channel = NewChannel::decl();
    let forms = Forms::all();
    assert_eq!(forms.accounts.len(), 5);
    for f in &forms.accounts {
        for s in &f.settings {
            assert!(account.contains(&format!(" {s}?:")), "{s} not in {account}");
        }
        assert!(!f.secrets.is_empty(), "{:?}", f.provider);
    }
    for f in &forms.channels {
        for s in &f.settings {
            assert!(channel.contains(&format!(" {s}?:")), "{s} not in {channel}");
        }
    }
}
