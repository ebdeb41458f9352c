//! Sending links to customers through the `paydesk` command: e-mail to a real SMTP
//! server on 127.0.0.1 (STARTTLS / TLS with a throw-away CA, AUTH), SMS / LMS /
//! AlimTalk to Solapi's contract and SMS to Twilio's contract served by Prism; faults
//! and a process killed between outbox steps, counting what the server received.

#[path = "../../paydesk-providers/tests/common/mod.rs"]
mod common;
mod support;

use std::path::Path;
use std::process::Output;

use common::Prism;
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::Value;
use support::smtp::SmtpServer;
use support::{json, ok, run, run_env, stderr};

const PASSWORD: &str = "smtp-canary-pw-7c1e";

fn add_smtp(dir: &Path, server: &SmtpServer, tls: &str, auth: bool) {
    let port = server.port.to_string();
    let ca = server.ca();
    let mut args = vec![
        "--json",
        "channel",
        "add",
        "mail",
        "--kind",
        "smtp",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--tls",
        tls,
        "--from",
        "하나상회 <shop@hana.kr>",
    ];
    if tls != "none" {
        args.extend(["--ca-file", &ca]);
    }
    let stdin = format!("password={PASSWORD}\n");
    if auth {
        args.extend(["--username", "shop", "--secret-stdin"]);
    }
    let out = run(dir, &args, auth.then_some(stdin.as_str()));
    let view = json(&out);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(PASSWORD));
    if auth {
        assert_eq!(view["secrets"]["password"], "set");
    }
    assert_eq!(view["vias"], serde_json::json!(["email"]));
}

fn link_with_email(dir: &Path, email: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "--json",
        "link",
        "create",
        "--account",
        "sandbox",
        "--name",
        "테스트 상품",
        "--amount",
        "29900",
        "--customer-name",
        "김민준",
        "--email",
        email,
        "--send",
        "email",
    ];
    args.extend_from_slice(extra);
    run(dir, &args, None)
}

fn deliveries(dir: &Path) -> Vec<Value> {
    ok(dir, &["deliveries"]).as_array().unwrap().clone()
}

fn zbar(png: &[u8]) -> String {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), png).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(f.path())
        .output()
        .expect("zbarimg (apt install zbar-tools)");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn an_emailed_link_arrives_once_with_its_qr_code_in_korean() {
    let server = SmtpServer::start("starttls", Some(("shop", PASSWORD)), &[]);
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["settings", "set", "store_name", "하나상회"]);
    add_smtp(dir.path(), &server, "starttls", true);
    let test = ok(dir.path(), &["channel", "test", "mail"]);
    assert!(
        test["message"]
            .as_str()
            .unwrap()
            .contains("logged in as shop"),
        "{test}"
    );

    let link = json(&link_with_email(dir.path(), "kim@example.kr", &[]));
    assert_eq!(link["status"], "open");
    let url = link["payment_url"].as_str().unwrap().to_string();

    let received = server.messages();
    assert_eq!(received.len(), 1, "exactly one message");
    let raw = String::from_utf8_lossy(&received[0]).to_string();
    // Korean subject as an RFC 2047 encoded word, never raw 8-bit in the header.
    let subject_line = raw.lines().find(|l| l.starts_with("Subject:")).unwrap();
    assert!(subject_line.contains("=?utf-8?"), "{subject_line}");
    let m = MessageParser::default().parse(&received[0]).unwrap();
    assert_eq!(
        m.subject(),
        Some("[하나상회] 테스트 상품 결제 요청 (₩29,900)")
    );
    assert_eq!(
        m.to().unwrap().first().unwrap().address(),
        Some("kim@example.kr")
    );
    assert_eq!(m.from().unwrap().first().unwrap().name(), Some("하나상회"));
    let text = m.body_text(0).unwrap();
    assert!(
        text.contains("김민준님") && text.contains(&url) && text.contains("₩29,900"),
        "{text}"
    );
    let html = m.body_html(0).unwrap();
    assert!(
        html.contains(&format!("href=\"{url}\"")) && html.contains("cid:qr"),
        "{html}"
    );
    let qr = m
        .attachments()
        .find(|a| a.content_id() == Some("qr"))
        .expect("the QR code as an inline image");
    assert_eq!(
        qr.content_type().map(|c| (c.ctype(), c.subtype())),
        Some(("image", Some("png")))
    );
    assert_eq!(zbar(qr.contents()), url, "the QR code opens the link");

    let list = deliveries(dir.path());
    assert_eq!(list.len(), 1);
    let d = &list[0];
    assert_eq!(
        (
            d["state"].as_str(),
            d["via"].as_str(),
            d["attempts"].as_i64()
        ),
        (Some("sent"), Some("email"), Some(1))
    );
    assert_eq!(d["lang"], "ko");
    assert_eq!(
        d["channel_message_id"]
            .as_str()
            .map(|s| s.trim_matches(['<', '>'])),
        m.message_id()
    );
    // The timeline shows the message's way.
    let shown = ok(dir.path(), &["link", "show", link["id"].as_str().unwrap()]);
    let events: Vec<&str> = shown["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["event"] == "delivery")
        .map(|t| t["detail"].as_str().unwrap())
        .collect();
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(
        events[0].ends_with("queued (mail)") && events[2].contains(": sent"),
        "{events:?}"
    );

    // Sending again is the clerk's choice and a new delivery.
    let again = ok(
        dir.path(),
        &["send", link["id"].as_str().unwrap(), "--via", "email"],
    );
    assert_eq!(again["state"], "sent");
    assert_eq!(server.messages().len(), 2);
    assert_eq!(deliveries(dir.path()).len(), 2);

    // The password is in the keyring only.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains(PASSWORD));
    }
    let _ = run(dir.path(), &["channel", "remove", "mail"], None);
}

/// How many images `pdfimages -list` finds drawn in a PDF.
fn images_in(pdf: &Path) -> usize {
    let out = std::process::Command::new("pdfimages")
        .args(["-list", pdf.to_str().unwrap()])
        .output()
        .expect("pdfimages (poppler-utils) is needed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .filter(|l| l.split_whitespace().nth(2) == Some("image"))
        .count()
}

#[test]
fn the_store_logo_heads_the_e_mail_and_the_slip() {
    let server = SmtpServer::start("tls", None, &[]);
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let png = paydesk_notify::qr::png("https://hana.example/").unwrap();
    let logo = files.path().join("logo.png");
    std::fs::write(&logo, &png).unwrap();
    // A file that is not a PNG or JPEG is refused, naming the field, and nothing is kept.
    let text = files.path().join("logo.txt");
    std::fs::write(&text, "not an image").unwrap();
    let refused = run(
        dir.path(),
        &["--json", "settings", "logo", text.to_str().unwrap()],
        None,
    );
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let e: Value = serde_json::from_str(stderr(&refused).trim()).unwrap();
    assert_eq!(e["error"]["field"], "logo", "{e}");
    assert!(!dir.path().join("logo").exists());

    ok(dir.path(), &["settings", "logo", logo.to_str().unwrap()]);
    add_smtp(dir.path(), &server, "tls", false);
    link_with_email(dir.path(), "kim@example.kr", &[]);
    let received = server.messages();
    assert_eq!(received.len(), 1);
    let m = MessageParser::default().parse(&received[0]).unwrap();
    let html = m.body_html(0).unwrap();
    assert!(
        html.contains("cid:logo") && html.contains("cid:qr"),
        "{html}"
    );
    let inline = m
        .attachments()
        .find(|a| a.content_id() == Some("logo"))
        .expect("the logo as an inline image");
    assert_eq!(inline.contents(), png.as_slice(), "the logo's own bytes");

    // The slip carries it too, and no longer once it is removed.
    let slip = files.path().join("slip.pdf");
    let cvs = [
        "cvs",
        "issue",
        "--account",
        "sandbox",
        "--name",
        "편의점 상품",
        "--amount",
        "5000",
        "--pdf",
        slip.to_str().unwrap(),
    ];
    ok(dir.path(), &cvs);
    assert_eq!(images_in(&slip), 1);
    ok(dir.path(), &["settings", "logo", "--remove"]);
    ok(dir.path(), &cvs);
    assert_eq!(images_in(&slip), 0);
}

#[test]
fn implicit_tls_without_login_in_english() {
    let server = SmtpServer::start("tls", None, &[]);
    let dir = tempfile::tempdir().unwrap();
    add_smtp(dir.path(), &server, "tls", false);
    let link = json(&link_with_email(
        dir.path(),
        "jane@example.com",
        &["--lang", "en"],
    ));
    let received = server.messages();
    assert_eq!(received.len(), 1);
    let m = MessageParser::default().parse(&received[0]).unwrap();
    assert_eq!(
        m.subject(),
        Some("[PayDesk] Payment request: 테스트 상품 (₩29,900)")
    );
    assert!(m
        .body_text(0)
        .unwrap()
        .contains(link["payment_url"].as_str().unwrap()));
    assert_eq!(deliveries(dir.path())[0]["lang"], "en");
}

#[test]
fn a_passing_smtp_refusal_is_retried_and_the_message_arrives_once() {
    let server = SmtpServer::start("none", None, &["--fail-first", "1"]);
    let dir = tempfile::tempdir().unwrap();
    add_smtp(dir.path(), &server, "none", false);
    json(&link_with_email(dir.path(), "kim@example.kr", &[]));
    assert_eq!(server.messages().len(), 1);
    let d = &deliveries(dir.path())[0];
    assert_eq!(
        (d["state"].as_str(), d["attempts"].as_i64()),
        (Some("sent"), Some(2))
    );
}

#[test]
fn a_refusal_that_lasts_gives_up_after_three_attempts() {
    let server = SmtpServer::start("none", None, &["--fail-first", "10"]);
    let dir = tempfile::tempdir().unwrap();
    add_smtp(dir.path(), &server, "none", false);
    let out = link_with_email(dir.path(), "kim@example.kr", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("451"), "{}", stderr(&out));
    assert!(stderr(&out).contains("was created"), "{}", stderr(&out));
    let d = &deliveries(dir.path())[0];
    assert_eq!(
        (d["state"].as_str(), d["attempts"].as_i64()),
        (Some("failed"), Some(3))
    );
    assert_eq!(server.messages().len(), 0);
    // The link itself is there and open.
    assert_eq!(ok(dir.path(), &["link", "list"])[0]["status"], "open");
}

#[test]
fn a_rejected_address_fails_at_once_with_the_server_s_reason() {
    let server = SmtpServer::start("none", None, &["--reject-rcpt"]);
    let dir = tempfile::tempdir().unwrap();
    add_smtp(dir.path(), &server, "none", false);
    let out = link_with_email(dir.path(), "reject@example.kr", &["--json"]);
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_str(stderr(&out).trim()).unwrap();
    assert_eq!(err["error"]["kind"], "channel");
    assert!(
        err["error"]["message"].as_str().unwrap().contains("550"),
        "{err}"
    );
    let d = &deliveries(dir.path())[0];
    assert_eq!(
        (d["state"].as_str(), d["attempts"].as_i64()),
        (Some("failed"), Some(1))
    );
    assert_eq!(server.messages().len(), 0);
}

#[test]
fn a_connection_dropped_after_the_data_is_never_resent() {
    let server = SmtpServer::start("none", None, &["--drop-after-data"]);
    let dir = tempfile::tempdir().unwrap();
    add_smtp(dir.path(), &server, "none", false);
    let out = link_with_email(dir.path(), "kim@example.kr", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(deliveries(dir.path())[0]["state"], "unknown");
    for _ in 0..2 {
        ok(dir.path(), &["sync", "--once"]);
    }
    assert_eq!(deliveries(dir.path())[0]["state"], "unknown");
    assert_eq!(
        server.messages().len(),
        1,
        "the server got it once and was never asked again"
    );
}

#[test]
fn a_wrong_password_is_the_server_s_refusal() {
    let server = SmtpServer::start("starttls", Some(("shop", "the-right-one")), &[]);
    let dir = tempfile::tempdir().unwrap();
    add_smtp(dir.path(), &server, "starttls", true);
    let out = run(dir.path(), &["channel", "test", "mail"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("535"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(PASSWORD));
    let _ = run(dir.path(), &["channel", "remove", "mail"], None);
}

#[test]
fn a_keyring_that_does_not_answer_keeps_the_message_queued_until_it_does() {
    let server = SmtpServer::start("starttls", Some(("shop", PASSWORD)), &[]);
    let dir = tempfile::tempdir().unwrap();
    add_smtp(dir.path(), &server, "starttls", true);
    let link = ok(
        dir.path(),
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "커피",
            "--amount",
            "4500",
            "--email",
            "kim@example.kr",
        ],
    );
    let out = run_env(
        dir.path(),
        &[
            "--json",
            "send",
            link["id"].as_str().unwrap(),
            "--via",
            "email",
        ],
        None,
        &[(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/paydesk-bus",
        )],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err: Value = serde_json::from_str(stderr(&out).trim()).unwrap();
    assert_eq!(err["error"]["kind"], "keyring");
    assert_eq!(deliveries(dir.path())[0]["state"], "queued");
    assert_eq!(server.messages().len(), 0);
    // With the keyring back, the next sync sends it, once.
    ok(dir.path(), &["sync", "--once"]);
    ok(dir.path(), &["sync", "--once"]);
    assert_eq!(deliveries(dir.path())[0]["state"], "sent");
    assert_eq!(server.messages().len(), 1);
    let _ = run(dir.path(), &["channel", "remove", "mail"], None);
}

#[test]
fn killed_between_outbox_steps_a_send_never_repeats_and_is_never_lost() {
    let server = SmtpServer::start("none", None, &[]);
    let dir = tempfile::tempdir().unwrap();
    add_smtp(dir.path(), &server, "none", false);
    let lease0 = [("PAYDESK_DELIVERY_LEASE_SECS", "0")];
    let sync = |env: &[(&str, &str)]| {
        let o = run_env(dir.path(), &["--json", "sync", "--once"], None, env);
        assert!(o.status.success(), "{}", stderr(&o));
    };
    let link = json(&run(
        dir.path(),
        &[
            "--json",
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "커피",
            "--amount",
            "4500",
            "--email",
            "kim@example.kr",
        ],
        None,
    ));
    let id = link["id"].as_str().unwrap();
    let state_of = |n: usize| {
        deliveries(dir.path())[n]["state"]
            .as_str()
            .unwrap()
            .to_string()
    };

    // 1. Killed after the row was taken for sending, before the channel was called.
    let out = run_env(
        dir.path(),
        &["send", id, "--via", "email"],
        None,
        &[("PAYDESK_FAILPOINT", "send:after-claim")],
    );
    assert!(!out.status.success());
    assert_eq!(state_of(0), "sending");
    sync(&[]); // its lease has not run out: nobody touches it
    assert_eq!(state_of(0), "sending");
    sync(&lease0);
    assert_eq!(state_of(0), "unknown");
    assert_eq!(server.messages().len(), 0);

    // 2. Killed after the server took the message, before PayDesk wrote it down.
    let out = run_env(
        dir.path(),
        &["send", id, "--via", "email"],
        None,
        &[("PAYDESK_FAILPOINT", "send:after-channel")],
    );
    assert!(!out.status.success());
    assert_eq!(server.messages().len(), 1);
    sync(&lease0);
    sync(&lease0);
    assert_eq!(state_of(1), "unknown");
    assert_eq!(server.messages().len(), 1, "never a second copy");

    // 3. Killed after the draft and its queued message were saved, before the provider.
    let out = run_env(
        dir.path(),
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "케이크",
            "--amount",
            "32000",
            "--email",
            "lee@example.kr",
            "--send",
            "email",
        ],
        None,
        &[("PAYDESK_FAILPOINT", "create:after-draft")],
    );
    assert!(!out.status.success());
    assert_eq!(state_of(2), "queued");
    sync(&lease0);
    assert_eq!(state_of(2), "sent");
    sync(&lease0);
    assert_eq!(server.messages().len(), 2);

    // 4. Killed after the provider made the link, before PayDesk recorded it.
    let out = run_env(
        dir.path(),
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "쿠키",
            "--amount",
            "3000",
            "--email",
            "park@example.kr",
            "--send",
            "email",
        ],
        None,
        &[("PAYDESK_FAILPOINT", "create:after-provider")],
    );
    assert!(!out.status.success());
    assert_eq!(state_of(3), "queued");
    sync(&lease0);
    sync(&lease0);
    assert_eq!(state_of(3), "sent");
    let received = server.messages();
    assert_eq!(received.len(), 3);
    assert!(String::from_utf8_lossy(&received[2]).contains("park@example.kr"));
    // Every delivery is in `paydesk deliveries` with its outcome.
    let human = run(dir.path(), &["deliveries"], None);
    let table = String::from_utf8_lossy(&human.stdout);
    assert_eq!(table.lines().count(), 5, "{table}");
    assert!(
        table.contains("unknown") && table.contains("sent"),
        "{table}"
    );
}

#[test]
fn bad_sends_name_the_field_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = |args: &[&str], field: &str| {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let o = run(dir.path(), &all, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e: Value = serde_json::from_str(stderr(&o).trim()).unwrap();
        assert_eq!(e["error"]["field"], field, "{args:?}: {e}");
    };
    // No channel yet: the link is not created either.
    bad(
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "x",
            "--amount",
            "1000",
            "--phone",
            "010-1234-5678",
            "--send",
            "sms",
        ],
        "channel",
    );
    assert_eq!(
        ok(dir.path(), &["link", "list"]).as_array().unwrap().len(),
        0
    );
    bad(
        &[
            "channel",
            "add",
            "m",
            "--kind",
            "smtp",
            "--host",
            "127.0.0.1",
            "--from",
            "not an address",
        ],
        "from",
    );
    bad(
        &["channel", "add", "m", "--kind", "smtp", "--from", "a@b.kr"],
        "host",
    );
    bad(&["channel", "add", "m", "--kind", "pigeon"], "kind");
    // A password over an unencrypted connection to another computer is refused.
    bad(
        &[
            "channel",
            "add",
            "m",
            "--kind",
            "smtp",
            "--host",
            "mail.example.kr",
            "--tls",
            "none",
            "--username",
            "shop",
            "--from",
            "a@b.kr",
        ],
        "tls",
    );
    bad(
        &[
            "channel",
            "add",
            "s",
            "--kind",
            "solapi",
            "--sender",
            "029302266",
            "--pf-id",
            "KA01",
        ],
        "template_id",
    );
    bad(
        &[
            "channel", "add", "t", "--kind", "twilio", "--sender", "hello",
        ],
        "sender",
    );
    assert_eq!(
        ok(dir.path(), &["channel", "list"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    ok(
        dir.path(),
        &[
            "channel",
            "add",
            "m",
            "--kind",
            "smtp",
            "--host",
            "127.0.0.1",
            "--port",
            "9",
            "--tls",
            "none",
            "--from",
            "a@b.kr",
        ],
    );
    // An e-mail needs an address; a phone send needs a phone.
    bad(
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "x",
            "--amount",
            "1000",
            "--send",
            "email",
        ],
        "email",
    );
    bad(
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "x",
            "--amount",
            "1000",
            "--email",
            "a@b.kr",
            "--send",
            "fax",
        ],
        "via",
    );
    bad(
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "x",
            "--amount",
            "1000",
            "--email",
            "a@b.kr",
            "--send",
            "email",
            "--lang",
            "fr",
        ],
        "lang",
    );
    assert_eq!(
        ok(dir.path(), &["link", "list"]).as_array().unwrap().len(),
        0
    );
    assert_eq!(ok(dir.path(), &["deliveries"]).as_array().unwrap().len(), 0);
    let link = ok(
        dir.path(),
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "x",
            "--amount",
            "1000",
        ],
    );
    let id = link["id"].as_str().unwrap();
    bad(&["send", id, "--via", "email"], "email");
    bad(
        &["send", id, "--via", "email", "--to", "not-an-address"],
        "to",
    );
    bad(
        &["send", id, "--via", "provider", "--to", "010-1234-5678"],
        "via",
    );
    bad(&["settings", "set", "time_zone", "Seoul"], "time_zone");
    assert_eq!(ok(dir.path(), &["deliveries"]).as_array().unwrap().len(), 0);
}

fn add_solapi(dir: &Path, url: &str) {
    let v = json(&run(
        dir,
        &[
            "--json",
            "channel",
            "add",
            "kakao",
            "--kind",
            "solapi",
            "--base-url",
            url,
            "--sender",
            "02-930-2266",
            "--pf-id",
            "KA01PF190227072057634pRBhbpAw1w1",
            "--template-id",
            "KA01TP190227072156209Xo4DgrWaAEF",
            "--secret-stdin",
        ],
        Some("api_key=NCSAYU7YDBXYORXC\napi_secret=solapi-canary-secret\n"),
    ));
    assert_eq!(
        v["secrets"],
        serde_json::json!({ "api_key": "set", "api_secret": "set" })
    );
    assert_eq!(v["vias"], serde_json::json!(["sms", "alimtalk"]));
}

#[test]
fn sms_lms_and_alimtalk_reach_solapi_s_contract() {
    let prism = Prism::start("solapi.openapi.json", false);
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["settings", "set", "store_name", "하나상회"]);
    add_solapi(dir.path(), &prism.url);
    let link = ok(
        dir.path(),
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "테스트 상품",
            "--amount",
            "29900",
            "--customer-name",
            "김민준",
            "--phone",
            "010-1234-5678",
            "--send",
            "sms",
        ],
    );
    let id = link["id"].as_str().unwrap();
    let preview = ok(dir.path(), &["send", id, "--via", "sms", "--preview"]);
    let text = preview["text"].as_str().unwrap();
    assert!(
        text.starts_with("[하나상회] 테스트 상품 29,900원")
            && text.contains(link["payment_url"].as_str().unwrap()),
        "{text}"
    );
    let bytes = preview["bytes"].as_u64().unwrap();
    assert_eq!(preview["class"], if bytes <= 90 { "sms" } else { "lms" });
    let alim = ok(dir.path(), &["send", id, "--via", "alimtalk"]);
    assert_eq!(
        (alim["state"].as_str(), alim["via"].as_str()),
        (Some("sent"), Some("alimtalk"))
    );
    let list = deliveries(dir.path());
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["state"], "sent");
    assert_eq!(list[0]["to"], "+821012345678");
    assert_eq!(
        list[0]["channel_message_id"],
        "M4V2021071416110025IYNF5BJOGER4J"
    );
    assert_eq!(list[0]["via"], preview["class"]);
    assert_eq!(list[0]["body"].as_str(), Some(text));
    // A Japanese number is not Solapi's to reach: refused before anything is queued.
    let o = run(
        dir.path(),
        &[
            "--json",
            "send",
            id,
            "--via",
            "sms",
            "--to",
            "+81 90-1234-5678",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(deliveries(dir.path()).len(), 2);
    assert_eq!(prism.violations(), Vec::<String>::new());
    assert_eq!(prism.requests(), 2, "one request per message");
    let _ = run(dir.path(), &["channel", "remove", "kakao"], None);
}

#[test]
fn sms_reaches_twilio_s_contract() {
    let prism = Prism::start("twilio-messages.openapi.json", false);
    let dir = tempfile::tempdir().unwrap();
    let v = json(&run(
        dir.path(),
        &[
            "--json",
            "channel",
            "add",
            "tw",
            "--kind",
            "twilio",
            "--base-url",
            &prism.url,
            "--sender",
            "+1 500-555-0006",
            "--secret-stdin",
        ],
        Some("account_sid=AC0123456789abcdef0123456789abcdef\nauth_token=twilio-canary-token\n"),
    ));
    assert_eq!(v["settings"]["sender"], "+15005550006");
    let test = ok(dir.path(), &["channel", "test", "tw"]);
    assert_eq!(test["ok"], true);
    let link = ok(
        dir.path(),
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "Coffee",
            "--amount",
            "4500",
            "--phone",
            "+1 415-555-2671",
            "--send",
            "sms",
            "--channel",
            "tw",
        ],
    );
    assert_eq!(link["status"], "open");
    let d = &deliveries(dir.path())[0];
    assert_eq!(d["state"], "sent", "{d}");
    assert_eq!(d["lang"], "en");
    assert!(
        d["channel_message_id"].as_str().unwrap().starts_with("SM"),
        "{d}"
    );
    assert_eq!(prism.violations(), Vec::<String>::new());
    assert_eq!(prism.requests(), 2);
    let _ = run(dir.path(), &["channel", "remove", "tw"], None);
}

#[test]
fn the_link_goes_to_the_typed_address_and_a_matched_customer_changes_only_when_asked() {
    let server = SmtpServer::start("none", None, &[]);
    let dir = tempfile::tempdir().unwrap();
    add_smtp(dir.path(), &server, "none", false);
    let create = |email: &str, extra: &[&str]| {
        let mut args = vec![
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "원두",
            "--amount",
            "4500",
            "--phone",
            "010-1111-2222",
            "--email",
            email,
            "--customer-name",
            "김민준",
        ];
        args.extend_from_slice(extra);
        ok(dir.path(), &args)
    };
    create("old@example.kr", &[]);
    // Same phone, a new address typed: the message goes to what was typed…
    let second = create("new@example.kr", &["--send", "email"]);
    let mail = String::from_utf8_lossy(&server.messages()[0]).into_owned();
    assert!(mail.contains("new@example.kr"), "{mail}");
    assert!(!mail.contains("old@example.kr"), "{mail}");
    let sent = deliveries(dir.path());
    assert_eq!(sent[0]["to"], "new@example.kr");
    let shown = ok(
        dir.path(),
        &["link", "show", second["id"].as_str().unwrap()],
    );
    assert!(
        shown["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["detail"]
                .as_str()
                .unwrap_or("")
                .contains("to new@example.kr")),
        "the timeline records the address used: {shown}"
    );
    // …and the saved customer is as it was, until the clerk asks.
    let book = ok(dir.path(), &["customer", "list"]);
    assert_eq!(book.as_array().unwrap().len(), 1, "{book}");
    assert_eq!(book[0]["email"], "old@example.kr");
    create("newer@example.kr", &["--update-customer"]);
    let book = ok(dir.path(), &["customer", "list"]);
    assert_eq!(book.as_array().unwrap().len(), 1, "{book}");
    assert_eq!(book[0]["email"], "newer@example.kr");
    let _ = run(dir.path(), &["channel", "remove", "mail"], None);
}

/// `channel edit`: the settings given whole, the password in the keyring kept when none
/// is given on stdin, the channel still logs in; people read "changed".
#[test]
fn a_channel_is_edited_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start("none", Some(("shop", PASSWORD)), &[]);
    add_smtp(dir.path(), &server, "none", true);
    let port = server.port.to_string();
    let edit = [
        "channel",
        "edit",
        "mail",
        "--kind",
        "smtp",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--tls",
        "none",
        "--username",
        "shop",
        "--from",
        "counter@hana.kr",
    ];
    let out = run(dir.path(), &edit, None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Channel mail (smtp) changed."));
    let view = ok(dir.path(), &["channel", "list"]);
    assert_eq!(
        view[0]["sends_from"],
        format!("127.0.0.1:{port} · counter@hana.kr")
    );
    assert_eq!(view[0]["secrets"]["password"], "set");
    ok(dir.path(), &["channel", "test", "mail"]);
    // Another kind is refused, nothing changed.
    let o = run(
        dir.path(),
        &[
            "--json",
            "channel",
            "edit",
            "mail",
            "--kind",
            "twilio",
            "--sender",
            "+15005550006",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        ok(dir.path(), &["channel", "list"])[0]["sends_from"],
        view[0]["sends_from"]
    );
}
