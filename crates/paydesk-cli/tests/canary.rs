//! Canaries: every secret of every provider and channel is a marker of its own. The
//! command puts each through what fails loudest — a hostile server that echoes every
//! request (path, query, headers, body) back in its error, and an address where nothing
//! listens, so that errors carry request URLs — and then no marker may be found in
//! anything PayDesk printed (stdout, stderr: the same views the window gets over IPC),
//! stored (every file of the data folder: the database, its WAL, logs), exported (CSV),
//! printed (PDF) or put in its diagnostics.

mod support;

use std::path::Path;
use std::process::Output;

use axum::{body::Bytes, http::HeaderMap, http::Method, http::Uri, response::IntoResponse, Json};
use support::{run, smtp::SmtpServer};

/// A marker no ordinary text contains, one per secret.
fn canary(owner: &str, key: &str) -> String {
    format!(
        "CANARY{}{}Q7f3a",
        owner.replace(['-', '_'], ""),
        key.replace('_', "")
    )
}

/// The `KEY=VALUE` lines that give each of `owner`'s keys its canary (kept in `all`).
fn canaries(owner: &str, keys: &[&str], all: &mut Vec<String>) -> String {
    keys.iter()
        .map(|k| {
            let c = canary(owner, k);
            all.push(c.clone());
            format!("{k}={c}\n")
        })
        .collect()
}

/// Answers every request with a 400 whose every usual error field repeats the request.
async fn echo(method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let mut said = format!("{method} {uri} ");
    for (k, v) in &headers {
        said.push_str(&format!("{k}: {} ", String::from_utf8_lossy(v.as_bytes())));
    }
    said.push_str(&String::from_utf8_lossy(&body));
    let v = serde_json::json!({
        "message": said, "errorMessage": said, "error": said, "detail": said,
        "code": said, "errorCode": said, "error_code": said, "status": 400,
    });
    (axum::http::StatusCode::BAD_REQUEST, Json(v))
}

fn hostile_server() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(l.local_addr().unwrap()).unwrap();
            axum::serve(l, axum::Router::new().fallback(echo))
                .await
                .unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

/// An address where nothing listens (a port bound, then let go).
fn nobody() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", l.local_addr().unwrap())
}

struct Seen(String);

impl Seen {
    fn out(&mut self, o: &Output) {
        self.0.push_str(&String::from_utf8_lossy(&o.stdout));
        self.0.push_str(&String::from_utf8_lossy(&o.stderr));
    }
    fn files(&mut self, dir: &Path) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                self.files(&p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                // (a lock or -shm file may go while the folder is read)
                self.0.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
}

#[test]
fn no_secret_of_any_provider_or_channel_is_ever_shown_stored_or_logged() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut seen = Seen(String::new());
    let mut all = Vec::new();
    let cmd = |args: &[&str], stdin: Option<&str>, seen: &mut Seen| {
        let o = support::run_env(dir.path(), args, stdin, &[("RUST_LOG", "debug")]);
        seen.out(&o);
        o
    };
    let hostile = hostile_server();
    for (place, url) in [("echo", hostile.clone()), ("off", nobody())] {
        for (provider, extra, amount, currency) in [
            ("bootpay", vec![], "1000", "KRW"),
            ("btcpay", vec!["--store-id", "S1"], "5.00", "USD"),
            (
                "pipe",
                vec!["--callback-url", "https://shop.example/pipe/callback"],
                "1000",
                "KRW",
            ),
            (
                "bitropay",
                vec!["--redirect-url", "https://shop.example/paid"],
                "1000",
                "KRW",
            ),
            ("portone", vec!["--channel-key", "ck-1"], "1000", "KRW"),
        ]
        .into_iter()
        // Where nothing listens, each call waits out its retries: two providers suffice
        // there (errors of a refused connection carry the URL, keys are in bodies).
        .filter(|(p, ..)| place == "echo" || matches!(*p, "btcpay" | "portone"))
        {
            let name = format!("{provider}-{place}");
            let keys = paydesk_providers::spec(provider.parse().unwrap()).secrets;
            let stdin = canaries(&name, keys, &mut all);
            let mut add = vec![
                "--json",
                "account",
                "add",
                &name,
                "--provider",
                provider,
                "--base-url",
                &url,
            ];
            add.extend(extra.iter().copied());
            add.push("--secret-stdin");
            let o = cmd(&add, Some(&stdin), &mut seen);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            cmd(&["--json", "account", "test", &name], None, &mut seen);
            let kind = if provider == "portone" { "cvs" } else { "link" };
            let verb = if provider == "portone" {
                "issue"
            } else {
                "create"
            };
            cmd(
                &[
                    "--json",
                    kind,
                    verb,
                    "--account",
                    &name,
                    "--name",
                    "카나리아",
                    "--amount",
                    amount,
                    "--currency",
                    currency,
                    "--phone",
                    "010-1234-5678",
                ],
                None,
                &mut seen,
            );
        }
        // Channels: Solapi and Twilio at the same place; a message queued for each.
        for (channel, kind, extra) in [
            ("sms", "solapi", vec!["--sender", "029302266"]),
            ("tw", "twilio", vec!["--sender", "+15005550006"]),
        ] {
            let name = format!("{channel}-{place}");
            let keys = kind
                .parse::<paydesk::core::ChannelKind>()
                .unwrap()
                .secret_names();
            let stdin = canaries(&name, keys, &mut all);
            let mut add = vec![
                "--json",
                "channel",
                "add",
                &name,
                "--kind",
                kind,
                "--base-url",
                &url,
            ];
            add.extend(extra.iter().copied());
            add.push("--secret-stdin");
            let o = cmd(&add, Some(&stdin), &mut seen);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            cmd(
                &["--json", "channel", "test", &name, "--to", "010-1234-5678"],
                None,
                &mut seen,
            );
            cmd(
                &[
                    "--json",
                    "link",
                    "create",
                    "--account",
                    "sandbox",
                    "--name",
                    "문자",
                    "--amount",
                    "1000",
                    "--phone",
                    "010-1234-5678",
                    "--send",
                    "sms",
                    "--channel",
                    &name,
                ],
                None,
                &mut seen,
            );
        }
    }
    // SMTP: the password against a real server that refuses it.
    let server = SmtpServer::start("none", Some(("shop", "the-right-one")), &[]);
    let port = server.port.to_string();
    let password = canary("mail", "password");
    all.push(password.clone());
    let o = cmd(
        &[
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
            "none",
            "--username",
            "shop",
            "--from",
            "shop@hana.kr",
            "--secret-stdin",
        ],
        Some(&format!("password={password}\n")),
        &mut seen,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    cmd(&["--json", "channel", "test", "mail"], None, &mut seen);
    cmd(
        &[
            "--json",
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "메일",
            "--amount",
            "1000",
            "--email",
            "kim@example.kr",
            "--send",
            "email",
            "--channel",
            "mail",
        ],
        None,
        &mut seen,
    );
    // Everything that runs later, and everything that shows or keeps it.
    for _ in 0..2 {
        cmd(&["--json", "sync", "--once"], None, &mut seen);
    }
    for args in [
        &["--json", "link", "list"][..],
        &["link", "list"][..],
        &["--json", "deliveries"][..],
        &["deliveries"][..],
        &["--json", "account", "list"][..],
        &["account", "list"][..],
        &["--json", "channel", "list"][..],
        &["channel", "list"][..],
    ] {
        cmd(args, None, &mut seen);
    }
    let list: serde_json::Value =
        serde_json::from_slice(&run(dir.path(), &["--json", "link", "list"], None).stdout).unwrap();
    for inv in list.as_array().unwrap() {
        let id = inv["id"].as_str().unwrap();
        cmd(&["--json", "link", "show", id], None, &mut seen);
        let pdf = out.path().join(format!("{id}.pdf"));
        cmd(
            &["link", "pdf", id, "--out", pdf.to_str().unwrap()],
            None,
            &mut seen,
        );
    }
    let csv = out.path().join("all.csv");
    cmd(&["export", "--out", csv.to_str().unwrap()], None, &mut seen);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let engine = rt.block_on(paydesk::Engine::open(dir.path())).unwrap();
    let diagnostics = rt.block_on(engine.diagnostics("test")).unwrap();
    // The echoes quote the customer's number; a report for support never does.
    assert!(diagnostics.contains("via sms failed"), "{diagnostics}");
    assert!(!diagnostics.contains("12345678"), "{diagnostics}");
    seen.0.push_str(&diagnostics);
    drop(engine);
    seen.files(dir.path());
    seen.files(out.path());

    assert_eq!(
        all.len(),
        // Providers where something echoes (bootpay, btcpay with its webhook secret,
        // pipe, bitropay, portone), then where nothing listens (btcpay, portone).
        (2 + 2 + 1 + 1 + 2) + (2 + 2) + 2 * 4 + 1,
        "every secret has its canary"
    );
    // The test can fail: the echo server did repeat the keys it was sent (without the
    // redactors, nine of them reach the output, the database and the audit log).
    assert!(
        seen.0.contains("[redacted]"),
        "the hostile server's echoes were seen"
    );
    let leaked: Vec<&String> = all.iter().filter(|c| seen.0.contains(c.as_str())).collect();
    assert!(leaked.is_empty(), "secrets leaked: {leaked:?}");
    for name in [
        "bootpay-echo",
        "btcpay-echo",
        "pipe-echo",
        "bitropay-echo",
        "portone-echo",
    ] {
        run(dir.path(), &["account", "remove", name], None);
        run(
            dir.path(),
            &["account", "remove", &name.replace("echo", "off")],
            None,
        );
    }
    for name in ["sms-echo", "tw-echo", "sms-off", "tw-off", "mail"] {
        run(dir.path(), &["channel", "remove", name], None);
    }
}
