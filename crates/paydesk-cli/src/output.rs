//! Everything the command prints: one JSON document on stdout with `--json` (errors as
//! one JSON object on stderr), tables and lines for people otherwise.

use std::io::Write;
use std::process::ExitCode;

use paydesk::{AccountView, ChannelView, CustomerView, EngineError, ErrorView, InvoiceView};
use serde_json::json;
use unicode_width::UnicodeWidthStr;

/// The store's time zone, for the times people read (JSON keeps UTC instants).
static ZONE: std::sync::OnceLock<chrono::FixedOffset> = std::sync::OnceLock::new();

/// Sets the time zone the tables and lines show times in (once, after the store opens).
pub(crate) fn set_zone(zone: chrono::FixedOffset) {
    let _ = ZONE.set(zone);
}

/// An RFC 3339 instant as the store's local time (`2026-12-05 17:29`); text that is not
/// one is shown as it is.
pub(crate) fn when(instant: &str) -> String {
    match (chrono::DateTime::parse_from_rfc3339(instant), ZONE.get()) {
        (Ok(t), Some(zone)) => paydesk::core::local_time(t.with_timezone(&chrono::Utc), *zone),
        _ => instant.to_string(),
    }
}

/// One line on stdout (see `say!`). Control characters from data (an escape sequence in
/// a name, a carriage return) are shown as `�`, never sent to the terminal; line breaks
/// and tabs stay. A closed pipe ends the process with 141, the status of a Unix tool
/// stopped by SIGPIPE, and no message; another write error with 1.
pub(crate) fn line(args: std::fmt::Arguments<'_>) {
    let text = printable(&args.to_string());
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        std::process::exit(if e.kind() == std::io::ErrorKind::BrokenPipe {
            141
        } else {
            1
        });
    }
}

/// Text as it may reach a terminal: control characters but line breaks and tabs as `�`.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

pub(crate) fn fail(e: &EngineError, json: bool) -> ExitCode {
    let mut err = std::io::stderr().lock();
    if json {
        let _ = writeln!(err, "{}", json!({ "error": ErrorView::from(e) }));
    } else {
        let _ = writeln!(err, "error: {e}");
    }
    ExitCode::from(e.exit_code() as u8)
}

pub(crate) fn print_json<T: serde::Serialize + ?Sized>(v: &T) {
    say!(
        "{}",
        serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    );
}

pub(crate) fn table(headers: &[&str], rows: Vec<Vec<String>>) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.width());
        }
    }
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[i] - c.width() + 2));
            }
        }
        say!("{}", s.trim_end());
    };
    line(headers.iter().map(|h| h.to_string()).collect());
    for r in rows {
        line(r);
    }
}

pub(crate) fn flags(v: &InvoiceView) -> String {
    let mut f = vec![];
    if v.paid_late {
        f.push("paid late");
    }
    if v.underpaid {
        f.push("underpaid");
    }
    if v.overpaid {
        f.push("overpaid");
    }
    if v.sandbox {
        f.push("SANDBOX");
    }
    f.join(", ")
}

pub(crate) fn print_invoices(list: &[InvoiceView]) {
    if list.is_empty() {
        say!("No invoices.");
        return;
    }
    table(
        &[
            "ID", "STATUS", "AMOUNT", "NAME", "CUSTOMER", "EXPIRES", "FLAGS",
        ],
        list.iter()
            .map(|v| {
                vec![
                    v.id.clone(),
                    v.status.to_string(),
                    v.amount_display.clone(),
                    v.name.chars().take(40).collect(),
                    v.customer
                        .as_ref()
                        .map(|c| c.name.clone())
                        .unwrap_or_default(),
                    when(&v.expires_at),
                    flags(v),
                ]
            })
            .collect(),
    );
}

pub(crate) fn print_invoice(v: &InvoiceView) {
    let f = flags(v);
    say!(
        "{}  {}  {}{}",
        v.id,
        v.status,
        v.amount_display,
        if f.is_empty() {
            String::new()
        } else {
            format!("  [{f}]")
        }
    );
    say!("  name:        {}", v.name);
    say!("  account:     {} ({})", v.account, v.provider);
    say!("  order id:    {}", v.order_id);
    if let Some(p) = &v.provider_id {
        say!("  provider id: {p}");
    }
    if let Some(u) = &v.payment_url {
        say!("  pay at:      {u}");
    }
    if let Some(n) = &v.payment_number {
        say!("  CVS number:  {n}");
    }
    say!("  paid:        {} {}", v.paid_amount, v.currency);
    if v.refunded_amount != "0" {
        say!("  refunded:    {} {}", v.refunded_amount, v.currency);
    }
    if let Some(u) = &v.refund_url {
        say!("  refund at:   {u}  (the customer claims the refund there)");
    }
    say!("  expires:     {}", when(&v.expires_at));
    if let Some(p) = &v.paid_at {
        say!("  paid at:     {}", when(p));
    }
    if let Some(c) = &v.customer {
        say!(
            "  customer:    {}{}{}",
            c.name,
            c.phone
                .as_deref()
                .map(|p| format!(" · {p}"))
                .unwrap_or_default(),
            c.email
                .as_deref()
                .map(|e| format!(" · {e}"))
                .unwrap_or_default()
        );
    }
    if let Some(e) = &v.last_error {
        say!("  last error:  {e}");
    }
    if let Some(tl) = &v.timeline {
        say!("  timeline:");
        for t in tl {
            say!(
                "    {}  {:<8} {:<16} {:<8} {}",
                when(&t.at),
                t.event,
                t.status.map_or("-", |s| s.as_str()),
                t.source,
                t.detail.as_deref().unwrap_or("")
            );
        }
    }
}

pub(crate) fn print_accounts(list: &[AccountView]) {
    table(
        &["NAME", "PROVIDER", "KEYS", "CREATED"],
        list.iter()
            .map(|a| {
                let keys = if a.secrets.is_empty() {
                    if a.sandbox {
                        "none needed (SANDBOX)".to_string()
                    } else {
                        "-".to_string()
                    }
                } else {
                    a.secrets
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                vec![
                    a.name.clone(),
                    a.provider.to_string(),
                    keys,
                    when(&a.created_at),
                ]
            })
            .collect(),
    );
}

pub(crate) fn print_customers(list: &[CustomerView]) {
    if list.is_empty() {
        say!("No customers.");
        return;
    }
    table(
        &["ID", "NAME", "PHONE", "E-MAIL"],
        list.iter()
            .map(|c| {
                vec![
                    c.id.clone(),
                    c.name.clone(),
                    c.phone.clone().unwrap_or_default(),
                    c.email.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    );
}

pub(crate) fn print_channels(list: &[ChannelView]) {
    if list.is_empty() {
        say!("No channels. Add one: paydesk channel add NAME --kind smtp|solapi|twilio …");
        return;
    }
    table(
        &["NAME", "KIND", "FROM", "SENDS", "SECRETS"],
        list.iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    c.kind.to_string(),
                    c.sends_from.clone(),
                    c.vias
                        .iter()
                        .map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    c.secrets
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect(),
    );
}

/// How an answer reads for people; with `--json` the value itself is printed.
pub(crate) trait Human {
    fn print(&self);
}

/// Prints a command's answer: its JSON document with `--json`, its human form otherwise.
pub(crate) fn answer<T: serde::Serialize + Human + ?Sized>(json: bool, v: &T) {
    if json {
        print_json(v);
    } else {
        v.print();
    }
}

/// An answer that is a sentence for people and a small object for scripts.
pub(crate) struct Said {
    pub(crate) json: serde_json::Value,
    pub(crate) text: String,
}

impl serde::Serialize for Said {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(s)
    }
}

impl Human for Said {
    fn print(&self) {
        say!("{}", self.text);
    }
}

impl Human for InvoiceView {
    fn print(&self) {
        print_invoice(self);
    }
}

impl Human for Vec<InvoiceView> {
    fn print(&self) {
        print_invoices(self);
    }
}

impl Human for AccountView {
    fn print(&self) {
        print_accounts(std::slice::from_ref(self));
    }
}

impl Human for Vec<AccountView> {
    fn print(&self) {
        print_accounts(self);
    }
}

impl Human for CustomerView {
    fn print(&self) {
        print_customers(std::slice::from_ref(self));
    }
}

impl Human for Vec<CustomerView> {
    fn print(&self) {
        print_customers(self);
    }
}

impl Human for Vec<ChannelView> {
    fn print(&self) {
        print_channels(self);
    }
}

impl Human for paydesk::SyncReport {
    fn print(&self) {
        let report = self;
        say!(
            "Checked {} invoice(s): {} changed, {} error(s).",
            report.checked,
            report.changed.len(),
            report.errors.len()
        );
        for c in &report.changed {
            say!("  {}  {}  {}", c.id, c.status, c.name);
        }
        for e in &report.errors {
            say!("  {}  error: {}", e.invoice_id, e.message);
        }
    }
}

impl Human for paydesk::MessagePreview {
    fn print(&self) {
        let p = self;
        if let Some(s) = &p.subject {
            say!("Subject: {s}");
        }
        say!("{}", p.text);
        if let (Some(b), Some(c)) = (p.bytes, p.class) {
            say!(
                "-- {b} bytes: {}",
                match c {
                    paydesk::SmsClass::Sms => "SMS (≤ 90 bytes)",
                    paydesk::SmsClass::Lms => "LMS (long message, priced higher)",
                }
            );
        }
    }
}

impl Human for paydesk::DeliveryView {
    fn print(&self) {
        let d = self;
        if d.state == paydesk::core::DeliveryState::Queued {
            say!(
                "Queued {} to {}: it goes out as soon as the link exists ({}).",
                d.via,
                d.to,
                d.id
            );
        } else {
            say!(
                "Sent by {} to {} ({}{}).",
                d.via,
                d.to,
                d.id,
                d.channel_message_id
                    .as_deref()
                    .map(|m| format!(", {m}"))
                    .unwrap_or_default()
            );
        }
    }
}

impl Human for Vec<paydesk::DeliveryView> {
    fn print(&self) {
        let list = self;
        if list.is_empty() {
            say!("No messages yet.");
            return;
        }
        table(
            &[
                "DELIVERY", "INVOICE", "VIA", "TO", "STATE", "TRIES", "WHEN", "NOTE",
            ],
            list.iter()
                .map(|d| {
                    vec![
                        d.id.clone(),
                        d.invoice_id.clone(),
                        d.via.to_string(),
                        d.to.clone(),
                        d.state.as_str().to_string(),
                        d.attempts.to_string(),
                        when(&d.updated_at),
                        d.error
                            .clone()
                            .or_else(|| d.channel_message_id.clone())
                            .unwrap_or_default()
                            .chars()
                            .take(80)
                            .collect(),
                    ]
                })
                .collect(),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn data_never_drives_the_terminal() {
        assert_eq!(
            super::printable("김\u{1b}[2J민준\r\u{9b}x\n\ty"),
            "김\u{fffd}[2J민준\u{fffd}\u{fffd}x\n\ty"
        );
    }
}
