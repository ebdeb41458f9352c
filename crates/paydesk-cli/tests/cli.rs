//! The `paydesk` command as a user runs it: real data directories on disk, the real
//! Secret Service (`./x test` runs this inside `dbus-run-session` with gnome-keyring),
//! the sandbox's payment page over real HTTP, and processes killed mid-way.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod support;

use support::{ok as ok_json, run_env as run, stderr, BIN};

fn http(addr: &str, method: &str, path: &str) -> (u16, String) {
    http_form(addr, method, path, "")
}

/// A request as the page's own form sends it (`form`: the urlencoded body).
fn http_form(addr: &str, method: &str, path: &str, form: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}", form.len()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    (out[9..12].parse().unwrap(), out)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Killed(std::process::Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn create_link(dir: &Path, name: &str) -> Value {
    ok_json(
        dir,
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            name,
            "--amount",
            "29900",
            "--expires-in",
            "1d",
        ],
    )
}

#[test]
fn a_sandbox_link_is_paid_on_its_page_and_sync_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // A new data directory gets the sandbox account, serving on the port given.
    let accounts = run(
        dir.path(),
        &["--json", "account", "list"],
        None,
        &[("PAYDESK_SANDBOX_PORT", &port.to_string())],
    );
    assert!(accounts.status.success(), "{}", stderr(&accounts));
    let accounts: Value = serde_json::from_slice(&accounts.stdout).unwrap();
    assert_eq!(accounts[0]["name"], "sandbox");
    assert_eq!(accounts[0]["sandbox"], true);

    let link = create_link(dir.path(), "테스트 상품");
    assert_eq!(link["status"], "open");
    assert_eq!(link["amount"], "29900");
    assert_eq!(link["amount_minor"], 29900);
    assert_eq!(link["currency"], "KRW");
    assert_eq!(link["name"], "테스트 상품");
    let url = link["payment_url"].as_str().unwrap().to_string();
    let prefix = format!("http://127.0.0.1:{port}/pay/");
    assert!(url.starts_with(&prefix), "{url}");
    let id = link["id"].as_str().unwrap().to_string();

    // `paydesk sandbox serve` serves the page; pressing Pay changes only the sandbox.
    let server = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["sandbox", "serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Killed(server);
    let addr = format!("127.0.0.1:{port}");
    let start = Instant::now();
    while TcpStream::connect(&addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "sandbox serve did not listen"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let path = &url[format!("http://{addr}").len()..];
    let (code, page) = http(&addr, "GET", path);
    assert_eq!(code, 200);
    assert!(page.contains("SANDBOX") && page.contains("₩29,900") && page.contains("테스트 상품"));
    // Its buttons carry the page's token: without it, nothing happens.
    let (code, _) = http(&addr, "POST", &format!("{path}/pay"));
    assert_eq!(code, 403);
    let token = page
        .split("name=token value=")
        .nth(1)
        .and_then(|t| t.split('>').next())
        .unwrap();
    let (code, _) = http_form(
        &addr,
        "POST",
        &format!("{path}/pay"),
        &format!("token={token}"),
    );
    assert_eq!(code, 303);
    assert_eq!(
        ok_json(dir.path(), &["link", "show", &id])["status"],
        "open",
        "PayDesk learns only by syncing"
    );

    let report = ok_json(dir.path(), &["sync", "--once"]);
    assert_eq!(report["changed"][0]["status"], "paid");
    let shown = ok_json(dir.path(), &["link", "show", &id]);
    assert_eq!(shown["status"], "paid");
    assert_eq!(shown["paid_amount"], "29900");
    let timeline = shown["timeline"].as_array().unwrap();
    let last = timeline.last().unwrap();
    assert_eq!(
        (
            last["event"].as_str(),
            last["status"].as_str(),
            last["source"].as_str()
        ),
        (Some("status"), Some("paid"), Some("sync"))
    );

    // People's output: a table with the amount formatted.
    let out = run(dir.path(), &["link", "list"], None, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("₩29,900") && text.contains("paid") && text.contains("SANDBOX"),
        "{text}"
    );
    // Looked up by provider id and order id too.
    assert_eq!(
        ok_json(
            dir.path(),
            &["link", "show", shown["provider_id"].as_str().unwrap()]
        )["id"],
        id.as_str()
    );
    assert_eq!(
        ok_json(
            dir.path(),
            &["link", "show", shown["order_id"].as_str().unwrap()]
        )["id"],
        id.as_str()
    );
}

#[test]
fn bad_input_names_the_field_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // One argument can hold at most 128 KiB on Linux; the 1 MB name is tried in the engine tests.
    let huge = "가".repeat(40_000);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--amount", "-5"], "amount"),
        (vec!["--amount", "0"], "amount"),
        (vec!["--amount", "1e5"], "amount"),
        (vec!["--amount", "12.345"], "amount"),
        (vec!["--amount", "12.345", "--currency", "USD"], "amount"),
        (vec!["--amount", "99999999999999999999"], "amount"),
        (vec!["--amount", "100", "--currency", "EUR"], "currency"),
        (vec!["--amount", "100", "--name", ""], "name"),
        (vec!["--amount", "100", "--name", "   "], "name"),
        (vec!["--amount", "100", "--name", &huge], "name"),
        (vec!["--amount", "100", "--phone", "010-12"], "phone"),
        (vec!["--amount", "100", "--email", "kim@"], "email"),
        (
            vec![
                "--amount",
                "100",
                "--expires-at",
                "2020-01-01T00:00:00+09:00",
            ],
            "expires_at",
        ),
        (
            vec!["--amount", "100", "--expires-in", "soon"],
            "expires_in",
        ),
        (vec!["--amount", "100", "--tax-free", "200"], "tax_free"),
        (vec!["--amount", "100", "--account", "nope"], "account"),
        (
            vec!["--amount", "100", "--customer", "cus_missing"],
            "customer",
        ),
    ];
    for (extra, field) in cases {
        let mut args = vec!["--json", "link", "create"];
        if !extra.contains(&"--name") {
            args.extend(["--name", "상품"]);
        }
        if !extra.contains(&"--account") {
            args.extend(["--account", "sandbox"]);
        }
        args.extend(extra.iter().copied());
        let out = run(dir.path(), &args, None, &[]);
        let shown: Vec<String> = extra.iter().map(|a| a.chars().take(20).collect()).collect();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{shown:?}: {}",
            stderr(&out).chars().take(300).collect::<String>()
        );
        let err: Value = serde_json::from_slice(&out.stderr).expect("the error is one JSON object");
        assert_eq!(err["error"]["kind"], "input", "{shown:?}");
        let fields: Vec<&str> = err["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&field),
            "{shown:?} named {fields:?}, not {field}"
        );
        assert!(out.stdout.is_empty());
    }
    // Without --json: one line naming the field.
    let out = run(
        dir.path(),
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "x",
            "--amount",
            "12.345",
        ],
        None,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let line = stderr(&out);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(
        line.contains("amount") && line.contains("decimal"),
        "{line}"
    );
    // Nothing was written.
    assert_eq!(ok_json(dir.path(), &["link", "list"]), Value::Array(vec![]));
    assert_eq!(
        ok_json(dir.path(), &["customer", "list"]),
        Value::Array(vec![])
    );
    // Other commands too.
    for (args, field) in [
        (vec!["--json", "link", "show", "inv_nope"], "id"),
        (
            vec!["--json", "link", "list", "--status", "bogus"],
            "status",
        ),
        (vec!["--json", "customer", "add", "--name", ""], "name"),
        (
            vec![
                "--json", "customer", "add", "--name", "김", "--phone", "abc",
            ],
            "phone",
        ),
        (
            vec![
                "--json",
                "account",
                "add",
                "Bad Name",
                "--provider",
                "bootpay",
            ],
            "name",
        ),
        (
            vec!["--json", "account", "add", "x", "--provider", "paypal"],
            "provider",
        ),
        (
            vec![
                "--json",
                "account",
                "add",
                "sandbox",
                "--provider",
                "sandbox",
            ],
            "name",
        ),
        (vec!["--json", "account", "remove", "sandbox"], "account"),
        (vec!["--json", "account", "show", "nope"], "account"),
        (vec!["--json", "sandbox", "pay", "inv_nope"], "id"),
    ] {
        let out = run(dir.path(), &args, None, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err: Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["error"]["field"], field, "{args:?}");
    }
    assert_eq!(
        ok_json(dir.path(), &["account", "list"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Errors of the command line itself follow the same rules.
    let out = run(
        dir.path(),
        &["--json", "link", "create", "--name", "x"],
        None,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stderr).expect("JSON even for usage errors");
    assert_eq!(err["error"]["kind"], "input");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("--account"));
}

fn files_contain(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle)
            {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

#[test]
fn a_canary_secret_never_reaches_the_database_logs_or_output() {
    let dir = tempfile::tempdir().unwrap();
    let canary = format!("CANARY-{}-s3cr3t", std::process::id());
    let name = format!("bootpay-canary-{}", std::process::id());
    let trace = [("RUST_LOG", "trace")];
    let mut outputs = Vec::new();
    let add = run(
        dir.path(),
        &[
            "--json",
            "account",
            "add",
            &name,
            "--provider",
            "bootpay",
            "--mode",
            "test",
            "--base-url",
            "http://127.0.0.1:9",
            "--secret-stdin",
        ],
        Some(&format!("client_key=ck-{canary}\nsecret_key={canary}\n")),
        &trace,
    );
    assert!(add.status.success(), "{}", stderr(&add));
    let view: Value = serde_json::from_slice(&add.stdout).unwrap();
    assert_eq!(view["secrets"]["secret_key"], "set");
    assert_eq!(view["secrets"]["client_key"], "set");
    outputs.push(add);
    for args in [
        vec!["--json", "account", "show", &name],
        vec!["account", "show", &name],
        vec!["--json", "account", "list"],
        vec!["account", "list"],
        vec!["--json", "account", "test", &name],
        vec![
            "--json",
            "link",
            "create",
            "--account",
            &name,
            "--name",
            "x",
            "--amount",
            "1000",
        ],
        vec!["--json", "sync", "--once"],
    ] {
        outputs.push(run(dir.path(), &args, None, &trace));
    }
    // A bad line is reported by number, never echoed.
    let bad = run(
        dir.path(),
        &[
            "--json",
            "account",
            "add",
            "other",
            "--provider",
            "btcpay",
            "--secret-stdin",
        ],
        Some(&format!("{canary}\n")),
        &trace,
    );
    assert_eq!(bad.status.code(), Some(2));
    outputs.push(bad);
    for o in &outputs {
        for stream in [&o.stdout, &o.stderr] {
            assert!(
                !String::from_utf8_lossy(stream).contains(&canary),
                "{}",
                String::from_utf8_lossy(stream)
            );
        }
    }
    assert!(
        outputs.iter().any(|o| !o.stderr.is_empty()),
        "trace logs were written and checked"
    );
    assert_eq!(
        files_contain(dir.path(), canary.as_bytes()),
        Vec::<String>::new()
    );
    // An account with invoices is kept; one without is removed with its keys.
    let kept = run(dir.path(), &["account", "remove", &name], None, &[]);
    assert_eq!(kept.status.code(), Some(2), "{}", stderr(&kept));
    let spare = format!("{name}-spare");
    let add = run(
        dir.path(),
        &[
            "account",
            "add",
            &spare,
            "--provider",
            "pipe",
            "--callback-url",
            "https://shop.example/pipe/callback",
            "--secret-stdin",
        ],
        Some("api_key=spare-key\n"),
        &[],
    );
    assert!(add.status.success(), "{}", stderr(&add));
    let rm = run(dir.path(), &["account", "remove", &spare], None, &[]);
    assert!(rm.status.success(), "{}", stderr(&rm));
    assert!(
        !paydesk_secret_left(&spare, "pipe", "api_key"),
        "the keyring entry is gone"
    );
}

/// Whether `secret-tool`-like lookup still finds the account's key (via a second add).
fn paydesk_secret_left(name: &str, provider: &str, key: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let out = ok_json(
        dir.path(),
        &[
            "account",
            "add",
            name,
            "--provider",
            provider,
            "--callback-url",
            "https://shop.example/pipe/callback",
        ],
    );
    let left = out["secrets"][key] == "set";
    let _ = run(dir.path(), &["account", "remove", name], None, &[]);
    left
}

#[test]
fn an_absent_keyring_is_a_clear_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "--json",
            "account",
            "add",
            "pipe-main",
            "--provider",
            "pipe",
            "--callback-url",
            "https://shop.example/pipe/callback",
            "--secret-stdin",
        ])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/paydesk-bus",
        )
        .env_remove("DISPLAY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin
                .take()
                .unwrap()
                .write_all(b"api_key=CANARY-absent\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["kind"], "keyring");
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(msg.starts_with("no keyring service is running"), "{msg}");
    assert!(!msg.contains("CANARY"));
    let names: Vec<String> = ok_json(dir.path(), &["account", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["sandbox"], "nothing was written");
}

#[test]
fn a_locked_keyring_is_a_clear_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    // A session of its own whose keyring daemon runs but was never unlocked.
    let script = format!(
        "gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1; echo api_key=CANARY-locked | exec '{BIN}' --data-dir '{}' --json account add pipe-locked --provider pipe --callback-url https://shop.example/cb --secret-stdin",
        dir.path().display()
    );
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env_remove("DISPLAY")
        .output()
        .expect("dbus-run-session (package dbus) runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let line = stderr(&out)
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_default()
        .to_string();
    let err: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    assert_eq!(err["error"]["kind"], "keyring");
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("locked") || msg.contains("no keyring service"),
        "{msg}"
    );
    assert!(!msg.contains("CANARY"));
    assert_eq!(
        ok_json(dir.path(), &["account", "list"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_crash_after_the_draft_is_finished_by_sync_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "--json",
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "crash",
            "--amount",
            "5000",
            "--order-id",
            "ORDER-CRASH-1",
        ],
        None,
        &[("PAYDESK_FAILPOINT", "create:after-draft")],
    );
    assert!(!out.status.success(), "the process was killed");
    let draft = ok_json(dir.path(), &["link", "show", "ORDER-CRASH-1"]);
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["provider_id"], Value::Null);
    // Sync finds nothing under the order id, creates it once; a second pass changes nothing.
    let report = ok_json(dir.path(), &["sync", "--once"]);
    assert_eq!(report["errors"], Value::Array(vec![]));
    assert_eq!(report["changed"][0]["status"], "open");
    let report = ok_json(dir.path(), &["sync", "--once"]);
    assert_eq!(report["changed"], Value::Array(vec![]));
    assert_eq!(report["errors"], Value::Array(vec![]));
    let open = ok_json(dir.path(), &["link", "show", "ORDER-CRASH-1"]);
    assert_eq!(open["status"], "open");
    assert!(open["payment_url"].as_str().is_some());
    assert_eq!(
        ok_json(dir.path(), &["link", "list", "--search", "ORDER-CRASH-1"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_crash_after_the_provider_created_the_link_never_makes_a_second_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "--json",
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "crash",
            "--amount",
            "5000",
            "--order-id",
            "ORDER-CRASH-2",
        ],
        None,
        &[("PAYDESK_FAILPOINT", "create:after-provider")],
    );
    assert!(!out.status.success(), "the process was killed");
    assert_eq!(
        ok_json(dir.path(), &["link", "show", "ORDER-CRASH-2"])["status"],
        "draft"
    );
    // The sandbox already has it: sync looks the order id up and adopts that one. Had
    // it created a second, the sandbox's UNIQUE order id would have refused it and the
    // invoice would show an error instead of opening.
    let report = ok_json(dir.path(), &["sync", "--once"]);
    assert_eq!(report["errors"], Value::Array(vec![]));
    let open = ok_json(dir.path(), &["link", "show", "ORDER-CRASH-2"]);
    assert_eq!(open["status"], "open");
    let pid = open["provider_id"].as_str().unwrap().to_string();
    // Paying that provider record is seen on this invoice.
    ok_json(dir.path(), &["sandbox", "pay", "ORDER-CRASH-2"]);
    ok_json(dir.path(), &["sync", "--once"]);
    let paid = ok_json(dir.path(), &["link", "show", &pid]);
    assert_eq!(paid["status"], "paid");
    let statuses: Vec<&str> = paid["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["status"].as_str())
        .collect();
    assert_eq!(statuses, vec!["draft", "open", "paid"]);
}

#[test]
fn a_crash_during_sync_loses_no_change_and_logs_each_once() {
    let dir = tempfile::tempdir().unwrap();
    let link = create_link(dir.path(), "sync crash");
    let id = link["id"].as_str().unwrap();
    ok_json(dir.path(), &["sandbox", "pay", id]);
    let out = run(
        dir.path(),
        &["sync", "--once"],
        None,
        &[("PAYDESK_FAILPOINT", "sync:after-provider")],
    );
    assert!(!out.status.success());
    assert_eq!(
        ok_json(dir.path(), &["link", "show", id])["status"],
        "open",
        "nothing half-written"
    );
    ok_json(dir.path(), &["sync", "--once"]);
    ok_json(dir.path(), &["sync", "--once"]);
    let shown = ok_json(dir.path(), &["link", "show", id]);
    assert_eq!(shown["status"], "paid");
    let paid_entries = shown["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "paid")
        .count();
    assert_eq!(paid_entries, 1, "one audit entry for one change");
}

#[test]
fn late_and_partial_payments_are_kept_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let a = create_link(dir.path(), "late");
    let a = a["id"].as_str().unwrap();
    ok_json(dir.path(), &["sandbox", "expire", a]);
    ok_json(dir.path(), &["sync", "--once"]);
    assert_eq!(
        ok_json(dir.path(), &["link", "show", a])["status"],
        "expired"
    );
    ok_json(dir.path(), &["sandbox", "pay", a, "--late"]);
    ok_json(dir.path(), &["sync", "--once"]);
    let late = ok_json(dir.path(), &["link", "show", a]);
    assert_eq!(
        (late["status"].as_str(), late["paid_late"].as_bool()),
        (Some("paid"), Some(true))
    );

    let b = create_link(dir.path(), "partial");
    let b = b["id"].as_str().unwrap();
    ok_json(dir.path(), &["sandbox", "pay", b, "--amount", "10000"]);
    ok_json(dir.path(), &["sync", "--once"]);
    let part = ok_json(dir.path(), &["link", "show", b]);
    assert_eq!(
        (
            part["status"].as_str(),
            part["underpaid"].as_bool(),
            part["paid_amount"].as_str()
        ),
        (Some("open"), Some(true), Some("10000"))
    );
    // Money received: cancelling is refused before the provider is asked (a cancelled
    // invoice could never give it back), exit 2, and nothing changes.
    let out = run(dir.path(), &["--json", "link", "cancel", b], None, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["fields"][0]["code"], "has_money");
    assert_eq!(ok_json(dir.path(), &["link", "show", b])["status"], "open");
    ok_json(dir.path(), &["sandbox", "pay", b, "--amount", "25000"]);
    ok_json(dir.path(), &["sync", "--once"]);
    let over = ok_json(dir.path(), &["link", "show", b]);
    assert_eq!(
        (
            over["status"].as_str(),
            over["overpaid"].as_bool(),
            over["underpaid"].as_bool()
        ),
        (Some("paid"), Some(true), Some(false))
    );

    let c = create_link(dir.path(), "cancel me");
    let c = c["id"].as_str().unwrap();
    assert_eq!(
        ok_json(dir.path(), &["link", "cancel", c])["status"],
        "cancelled"
    );
    let out = run(dir.path(), &["sandbox", "pay", c], None, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a cancelled link cannot be paid"
    );
    assert_eq!(
        ok_json(dir.path(), &["link", "list", "--status", "cancelled"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn customers_are_kept_and_found() {
    let dir = tempfile::tempdir().unwrap();
    let c = ok_json(
        dir.path(),
        &[
            "customer",
            "add",
            "--name",
            "김민준",
            "--phone",
            "010-1234-5678",
            "--email",
            "minjun@example.kr",
        ],
    );
    assert_eq!(c["phone"], "010-1234-5678");
    let found = ok_json(dir.path(), &["customer", "list", "--search", "민준"]);
    assert_eq!(found.as_array().unwrap().len(), 1);
    // A link to the same phone reuses the customer; the list finds it by customer name.
    let link = ok_json(
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
            "--phone",
            "01012345678",
        ],
    );
    assert_eq!(link["customer"]["id"], c["id"]);
    let by_customer = ok_json(dir.path(), &["link", "list", "--search", "김민준"]);
    assert_eq!(by_customer[0]["id"], link["id"]);
    // The same again: a new invoice for the same customer, item and amount.
    let again = ok_json(
        dir.path(),
        &["link", "duplicate", link["id"].as_str().unwrap()],
    );
    assert_ne!(again["id"], link["id"]);
    assert_ne!(again["order_id"], link["order_id"]);
    assert_eq!(again["customer"]["id"], c["id"]);
    assert_eq!(again["name"], "케이크");
    assert_eq!(again["amount_minor"], 32000);
    assert_eq!(again["status"], "open");
    assert_eq!(
        ok_json(dir.path(), &["customer", "list"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

fn zbar(pdf: &Path, dpi: u32) -> Vec<String> {
    let prefix = pdf.with_extension("");
    let ok = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray", "-png"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(ok.success());
    let mut found = vec![];
    for e in std::fs::read_dir(pdf.parent().unwrap()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "png") {
            let out = Command::new("zbarimg")
                .args([
                    "--quiet",
                    "-Sdisable",
                    "-Scode128.enable",
                    "-Sqrcode.enable",
                ])
                .arg(&p)
                .output()
                .expect("zbarimg (zbar-tools)");
            found.extend(
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .map(str::to_string),
            );
            std::fs::remove_file(p).unwrap();
        }
    }
    found.sort();
    found
}

#[test]
fn a_slip_that_cannot_be_printed_is_refused_before_a_number_is_issued() {
    let dir = tempfile::tempdir().unwrap();
    let issue = |extra: &[&str]| {
        let mut args = vec![
            "--json",
            "cvs",
            "issue",
            "--account",
            "sandbox",
            "--name",
            "편의점 상품",
            "--amount",
            "29900",
        ];
        args.extend_from_slice(extra);
        run(dir.path(), &args, None, &[])
    };
    let long_name = "가".repeat(300);
    for (extra, field) in [
        (vec!["--pdf", "/no/such/folder/slip.pdf"], "pdf"),
        (vec!["--pdf", "/tmp"], "pdf"),
        (
            vec![
                "--pdf",
                "/tmp/paydesk-slip-test.pdf",
                "--store-name",
                long_name.as_str(),
            ],
            "store_name",
        ),
    ] {
        let out = issue(&extra);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert_eq!(
            ok_json(dir.path(), &["link", "list"])
                .as_array()
                .unwrap()
                .len(),
            0,
            "{extra:?}: exit 2, yet a payment number was issued"
        );
        let err: Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["error"]["field"], field, "{err}");
    }
}

#[test]
fn slips_print_what_the_customer_pays_with() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    // cvs issue --pdf prints the receipt at once.
    let receipt = out.path().join("receipt.pdf");
    let cvs = ok_json(
        dir.path(),
        &[
            "cvs",
            "issue",
            "--account",
            "sandbox",
            "--name",
            "편의점 상품",
            "--amount",
            "29900",
            "--buyer-name",
            "김민준",
            "--pdf",
            receipt.to_str().unwrap(),
            "--store-name",
            "카페 소나무",
        ],
    );
    let number = cvs["payment_number"].as_str().unwrap().to_string();
    let url = cvs["payment_url"].as_str().unwrap().to_string();
    assert_eq!(
        zbar(&receipt, 203),
        vec![format!("CODE-128:{number}"), format!("QR-Code:{url}")]
    );
    // A batch on A4.
    let mut ids = vec![cvs["id"].as_str().unwrap().to_string()];
    for i in 0..2 {
        let v = ok_json(
            dir.path(),
            &[
                "cvs",
                "issue",
                "--account",
                "sandbox",
                "--name",
                &format!("상품 {i}"),
                "--amount",
                "5000",
            ],
        );
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let sheet = out.path().join("sheet.pdf");
    let mut args = vec!["slip"];
    args.extend(ids.iter().map(String::as_str));
    args.extend(["--out", sheet.to_str().unwrap(), "--layout", "a4"]);
    let printed = ok_json(dir.path(), &args);
    assert_eq!(printed["slips"], 3);
    assert_eq!(
        zbar(&sheet, 300)
            .iter()
            .filter(|c| c.starts_with("CODE-128:"))
            .count(),
        3
    );
    // A link has no payment number: refused, nothing written.
    let link = create_link(dir.path(), "링크");
    let none = out.path().join("none.pdf");
    let o = run(
        dir.path(),
        &[
            "--json",
            "slip",
            link["id"].as_str().unwrap(),
            "--out",
            none.to_str().unwrap(),
        ],
        None,
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!none.exists());
    // ... but it has a one-page invoice with its link as a QR code.
    let page = out.path().join("invoice.pdf");
    ok_json(
        dir.path(),
        &[
            "link",
            "pdf",
            link["id"].as_str().unwrap(),
            "--out",
            page.to_str().unwrap(),
        ],
    );
    assert_eq!(
        zbar(&page, 150),
        vec![format!("QR-Code:{}", link["payment_url"].as_str().unwrap())]
    );
    let o = run(
        dir.path(),
        &[
            "slip",
            &ids[0],
            "--out",
            none.to_str().unwrap(),
            "--layout",
            "a3",
        ],
        None,
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("layout"));
}

/// For Excel in a Korean or Japanese shop: a byte order mark (or Excel reads the UTF-8
/// as the local code page), column names in the language, times in the store's zone.
/// People read the store's local times (default +09:00) in `link show` and `link list`;
/// `--json` keeps UTC instants.
#[test]
fn tables_and_lines_show_the_store_s_local_times() {
    let dir = tempfile::tempdir().unwrap();
    let a = create_link(dir.path(), "케이크");
    let expires: chrono::DateTime<chrono::Utc> = a["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(
        a["expires_at"].as_str().unwrap().ends_with('Z'),
        "JSON stays UTC"
    );
    let kst = expires
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
        .format("%Y-%m-%d %H:%M")
        .to_string();
    for args in [
        vec!["link", "show", a["id"].as_str().unwrap()],
        vec!["link", "list"],
    ] {
        let o = run(dir.path(), &args, None, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains(&kst), "{args:?}: {text}");
        assert!(
            !text.contains(a["expires_at"].as_str().unwrap()),
            "{args:?}: {text}"
        );
    }
}

#[test]
fn export_for_excel_has_a_byte_order_mark_local_headers_and_local_times() {
    let dir = tempfile::tempdir().unwrap();
    let a = create_link(dir.path(), "케이크");
    let out = dir.path().join("excel.csv");
    ok_json(
        dir.path(),
        &["export", "--out", out.to_str().unwrap(), "--excel"],
    );
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "a UTF-8 BOM");
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with("PayDesk ID,주문번호,계정,"),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with(",환불한 금액,결제 시각"), "{}", lines[0]);
    // Created now: the time is the store's (+09:00), "YYYY-MM-DD HH:MM", not UTC's.
    let created: chrono::DateTime<chrono::Utc> = a["created_at"].as_str().unwrap().parse().unwrap();
    let local = created
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
        .format("%Y-%m-%d %H:%M")
        .to_string();
    assert!(
        lines[1].contains(&local) && !lines[1].contains(a["created_at"].as_str().unwrap()),
        "{}",
        lines[1]
    );
    // In Japanese when asked.
    ok_json(
        dir.path(),
        &[
            "export",
            "--out",
            out.to_str().unwrap(),
            "--excel",
            "--lang",
            "ja",
        ],
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("注文番号,アカウント"), "{text}");
}

#[test]
fn export_writes_every_invoice_as_csv_with_exact_amounts() {
    let dir = tempfile::tempdir().unwrap();
    let a = create_link(dir.path(), "커피, 원두 \"특가\"");
    let b = create_link(dir.path(), "케이크");
    let out = dir.path().join("all.csv");
    let r = ok_json(dir.path(), &["export", "--out", out.to_str().unwrap()]);
    assert_eq!(r["invoices"], 2);
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("id,order_id,account,provider,"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 3);
    // Newest first; a comma and quotes in a name are quoted, not split.
    assert!(lines[1].starts_with(b["id"].as_str().unwrap()));
    assert!(
        lines[2].contains("\"커피, 원두 \"\"특가\"\"\""),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains(",KRW,29900,0,0,open,"), "{}", lines[2]);
    assert!(lines[2].starts_with(a["id"].as_str().unwrap()));
    // A range after today has none; a bad date names its field and writes nothing.
    let later = dir.path().join("later.csv");
    let r = ok_json(
        dir.path(),
        &[
            "export",
            "--out",
            later.to_str().unwrap(),
            "--from",
            "2099-01-01",
        ],
    );
    assert_eq!(r["invoices"], 0);
    let bad = run(
        dir.path(),
        &["--json", "export", "--out", "x.csv", "--from", "yesterday"],
        None,
        &[],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("\"field\":\"from\""),
        "{}",
        stderr(&bad)
    );
    assert!(!Path::new("x.csv").exists());
    // The last day chrono knows has no next day: refused by its field, no panic.
    for args in [
        vec![
            "--json",
            "export",
            "--out",
            "x.csv",
            "--to",
            "+262142-12-31",
        ],
        vec!["--json", "link", "list", "--to", "+262142-12-31"],
        vec!["--json", "link", "list", "--from", "0001-01-01"],
    ] {
        let o = run(dir.path(), &args, None, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("years 1900 to 9999"), "{}", stderr(&o));
    }
    // A name that starts like a formula stays text in a spreadsheet.
    create_link(dir.path(), "=HYPERLINK(\"http://evil.example\",\"pay\")");
    let csv = dir.path().join("formula.csv");
    ok_json(dir.path(), &["export", "--out", csv.to_str().unwrap()]);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.contains(",\"'=HYPERLINK("), "{text}");
}

#[test]
fn a_secret_pasted_without_its_name_is_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    for pasted in [
        "cHJpdmF0ZS1rZXktOTk3Mw==\n",
        "PLAINSECRET9973\n",
        "client_key=ck\nsk_live_9973abc=\n",
    ] {
        let out = run(
            dir.path(),
            &[
                "--json",
                "account",
                "add",
                "paste",
                "--provider",
                "bootpay",
                "--secret-stdin",
            ],
            Some(pasted),
            &[],
        );
        assert_eq!(out.status.code(), Some(2), "{pasted:?}");
        let err = stderr(&out);
        assert!(err.contains("\"field\":\"secret\""), "{err}");
        for part in ["9973", "cHJpdmF0", "PLAINSECRET", "sk_live"] {
            assert!(!err.contains(part), "{pasted:?} echoed: {err}");
        }
    }
    assert_eq!(
        ok_json(dir.path(), &["account", "list"])
            .as_array()
            .unwrap()
            .len(),
        1,
        "only the sandbox"
    );
}

#[test]
fn impossible_refunds_and_offsets_are_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let link = create_link(dir.path(), "환불");
    let id = link["id"].as_str().unwrap();
    ok_json(dir.path(), &["sandbox", "pay", id]);
    ok_json(dir.path(), &["sync", "--once"]);
    let refund = run(
        dir.path(),
        &["--json", "link", "refund", id, "--amount", "30000"],
        None,
        &[],
    );
    assert_eq!(refund.status.code(), Some(2), "{}", stderr(&refund));
    assert!(
        stderr(&refund).contains("\"field\":\"amount\""),
        "{}",
        stderr(&refund)
    );
    let shown = ok_json(dir.path(), &["link", "show", id]);
    assert_eq!(shown["status"], "paid");
    assert!(
        !shown["timeline"].to_string().contains("refused"),
        "nothing was asked of the provider: {shown}"
    );
    for tz in ["+-1:00", "+1:00", "+09:0x", "09:00"] {
        let o = run(
            dir.path(),
            &["--json", "settings", "set", "time_zone", tz],
            None,
            &[],
        );
        assert_eq!(o.status.code(), Some(2), "{tz}");
    }
    assert_eq!(ok_json(dir.path(), &["settings"])["time_zone"], "+09:00");
}

#[cfg(unix)]
#[test]
fn a_logo_from_an_endless_pipe_is_refused_by_its_size_not_read_forever() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("logo.png");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // Someone keeps writing into it, forever (as `cat /dev/zero > logo.png` would).
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            let chunk = [0u8; 65536];
            while f.write_all(&chunk).is_ok() {}
        })
    };
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--json", "settings", "logo", fifo.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("still reading the pipe after 20 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(2));
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        err.contains("\"field\":\"logo\"") && err.contains("KB"),
        "{err}"
    );
    writer.join().unwrap();
}

#[test]
fn providers_that_send_customers_to_the_merchant_s_own_pages_ask_for_them() {
    let dir = tempfile::tempdir().unwrap();
    for (provider, field) in [("bitropay", "redirect_url"), ("pipe", "callback_url")] {
        let o = run(
            dir.path(),
            &["--json", "account", "add", provider, "--provider", provider],
            None,
            &[],
        );
        assert_eq!(o.status.code(), Some(2), "{provider}");
        assert!(
            stderr(&o).contains(&format!("\"field\":\"{field}\"")),
            "{}",
            stderr(&o)
        );
    }
    let o = run(
        dir.path(),
        &[
            "--json",
            "account",
            "add",
            "bitropay",
            "--provider",
            "bitropay",
            "--redirect-url",
            "javascript:alert(1)",
        ],
        None,
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("\"field\":\"redirect_url\""),
        "{}",
        stderr(&o)
    );
}
