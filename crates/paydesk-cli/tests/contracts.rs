//! Real provider accounts through the `paydesk` command against the providers' own
//! contracts served by Prism: account add → account test → create → show → sync →
//! cancel, with zero requests breaking the contract.

#[path = "../../paydesk-providers/tests/common/mod.rs"]
mod common;
mod support;

use common::Prism;
use serde_json::Value;
use support::{json, run};

/// On the current BTCPay Server and on a released 2.3.9 (store routes only).
#[test]
fn btcpay_through_the_command() {
    for spec in [
        "btcpay-greenfield.openapi.json",
        "btcpay-greenfield-v2.3.9.openapi.json",
    ] {
        btcpay_through_the_command_on(spec);
    }
}

fn btcpay_through_the_command_on(spec: &str) {
    let prism = Prism::start(spec, false);
    let dir = tempfile::tempdir().unwrap();
    let name = format!("btcpay-{}-{}", std::process::id(), spec.len());
    let add = run(
        dir.path(),
        &[
            "--json",
            "account",
            "add",
            &name,
            "--provider",
            "btcpay",
            "--base-url",
            &prism.url,
            "--store-id",
            "STORE1",
            "--secret-stdin",
        ],
        Some("api_key=contract-test-key\n"),
    );
    assert_eq!(json(&add)["secrets"]["api_key"], "set");
    // The contract's example key holds server permissions only: the test names what a
    // key for PayDesk needs on the store.
    let test = run(dir.path(), &["--json", "account", "test", &name], None);
    assert_eq!(test.status.code(), Some(1));
    let said = String::from_utf8_lossy(&test.stderr).into_owned();
    for needed in paydesk_providers::btcpay::NEEDED_PERMISSIONS {
        assert!(said.contains(needed), "{said}");
    }
    // The contract's example invoice is 5.00 USD: ask for that.
    let link = json(&run(
        dir.path(),
        &[
            "--json",
            "link",
            "create",
            "--account",
            &name,
            "--name",
            "Coffee beans",
            "--amount",
            "5.00",
            "--currency",
            "USD",
        ],
        None,
    ));
    assert_eq!(link["status"], "open");
    assert!(link["payment_url"].as_str().is_some());
    let id = link["id"].as_str().unwrap();
    assert_eq!(
        json(&run(dir.path(), &["--json", "link", "show", id], None))["provider"],
        "btcpay"
    );
    assert_eq!(
        json(&run(dir.path(), &["--json", "sync", "--once"], None))["errors"],
        Value::Array(vec![])
    );
    // A BTC amount the example answers in USD: refused as a mismatch, not booked.
    let btc = run(
        dir.path(),
        &[
            "--json",
            "link",
            "create",
            "--account",
            &name,
            "--name",
            "x",
            "--amount",
            "0.0015",
            "--currency",
            "BTC",
        ],
        None,
    );
    assert_eq!(btc.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&btc.stderr).contains("currency"));
    // The contract's example invoice has money paid on it: cancelling is refused
    // before BTCPay is asked (a cancelled invoice could never give it back), exit 2.
    let cancel = run(dir.path(), &["--json", "link", "cancel", id], None);
    assert_eq!(
        cancel.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&cancel.stderr)
    );
    assert!(String::from_utf8_lossy(&cancel.stderr).contains("has_money"));
    // Refunds need a paid invoice.
    assert_eq!(
        run(dir.path(), &["link", "refund", id], None).status.code(),
        Some(2)
    );
    assert_eq!(prism.violations(), Vec::<String>::new());
    run(dir.path(), &["account", "remove", &name], None);
}

#[test]
fn portone_through_the_command() {
    let prism = Prism::start("portone-v1.swagger.json", true);
    let dir = tempfile::tempdir().unwrap();
    let name = format!("portone-{}", std::process::id());
    let add = run(
        dir.path(),
        &[
            "--json",
            "account",
            "add",
            &name,
            "--provider",
            "portone",
            "--base-url",
            &prism.url,
            "--channel-key",
            "ch-1",
            "--secret-stdin",
        ],
        Some("imp_key=k\nimp_secret=s\n"),
    );
    assert_eq!(json(&add)["secrets"]["imp_secret"], "set");
    // The file has no examples: Prism makes up each answer, most with a `code` other
    // than 0, which PayDesk must report as PortOne's refusal in its words.
    for _ in 0..5 {
        let out = run(
            dir.path(),
            &[
                "--json",
                "cvs",
                "issue",
                "--account",
                &name,
                "--name",
                "편의점 상품",
                "--amount",
                "29900",
                "--buyer-name",
                "김민준",
            ],
            None,
        );
        match out.status.code() {
            Some(0) => {
                let v: Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(v["kind"], "cvs");
            }
            Some(1) => {
                let err: Value = serde_json::from_slice(&out.stderr).unwrap();
                assert_eq!(err["error"]["provider"], "portone", "{err}");
            }
            other => panic!("{other:?}: {}", String::from_utf8_lossy(&out.stderr)),
        }
    }
    // Links are not something PortOne makes: refused before anything is sent.
    let link = run(
        dir.path(),
        &[
            "--json",
            "link",
            "create",
            "--account",
            &name,
            "--name",
            "x",
            "--amount",
            "100",
        ],
        None,
    );
    assert_eq!(link.status.code(), Some(2));
    assert_eq!(prism.violations(), Vec::<String>::new());
    run(dir.path(), &["account", "remove", &name], None);
}

#[test]
fn bootpay_through_the_command() {
    let prism = Prism::start("bootpay-commerce.openapi.json", false);
    let dir = tempfile::tempdir().unwrap();
    let name = format!("bootpay-{}", std::process::id());
    let add = run(
        dir.path(),
        &[
            "--json",
            "account",
            "add",
            &name,
            "--provider",
            "bootpay",
            "--base-url",
            &prism.url,
            "--secret-stdin",
        ],
        Some("client_key=ck\nsecret_key=sk\n"),
    );
    assert_eq!(json(&add)["secrets"]["secret_key"], "set");
    assert_eq!(
        json(&run(
            dir.path(),
            &["--json", "account", "test", &name],
            None
        ))["ok"],
        true
    );
    let link = json(&run(
        dir.path(),
        &[
            "--json",
            "link",
            "create",
            "--account",
            &name,
            "--name",
            "Professional 플랜 구독",
            "--amount",
            "29900",
            "--tax-free",
            "1000",
            "--phone",
            "010-1234-5678",
        ],
        None,
    ));
    assert_eq!(link["status"], "open");
    assert!(link["payment_url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let id = link["id"].as_str().unwrap();
    // Bootpay sends the link itself (SMS and KakaoTalk): one more way of sending.
    let sent = json(&run(
        dir.path(),
        &["--json", "send", id, "--via", "provider"],
        None,
    ));
    assert_eq!(
        (sent["state"].as_str(), sent["via"].as_str()),
        (Some("sent"), Some("provider"))
    );
    assert_eq!(sent["to"], "+821012345678");
    assert_eq!(
        json(&run(dir.path(), &["--json", "sync", "--once"], None))["errors"],
        Value::Array(vec![])
    );
    assert!(
        json(&run(dir.path(), &["--json", "link", "show", id], None))["timeline"]
            .as_array()
            .unwrap()
            .len()
            >= 2
    );
    // Bootpay links cannot be cancelled or refunded through its API: said before any call.
    let cancel = run(dir.path(), &["--json", "link", "cancel", id], None);
    assert_eq!(cancel.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&cancel.stderr).contains("cannot be cancelled"));
    assert_eq!(prism.violations(), Vec::<String>::new());
    run(dir.path(), &["account", "remove", &name], None);
}

#[test]
fn pipe_through_the_command() {
    let prism = Prism::start("pipe.openapi.json", false);
    let dir = tempfile::tempdir().unwrap();
    let name = format!("pipe-{}", std::process::id());
    let add = run(
        dir.path(),
        &[
            "--json",
            "account",
            "add",
            &name,
            "--provider",
            "pipe",
            "--callback-url",
            "https://shop.example/pipe/callback",
            "--base-url",
            &prism.url,
            "--secret-stdin",
        ],
        Some("api_key=YOUR-API-KEY\n"),
    );
    assert_eq!(json(&add)["secrets"]["api_key"], "set");
    let test = json(&run(
        dir.path(),
        &["--json", "account", "test", &name],
        None,
    ));
    assert!(test["message"].as_str().unwrap().contains("test callback"));
    let link = json(&run(
        dir.path(),
        &[
            "--json",
            "link",
            "create",
            "--account",
            &name,
            "--name",
            "Test Order Name",
            "--amount",
            "10500",
        ],
        None,
    ));
    assert_eq!(link["status"], "open");
    assert!(link["payment_url"]
        .as_str()
        .unwrap()
        .contains("pay.pipeblockchain.com"));
    let id = link["id"].as_str().unwrap();
    // The contract's example says deposit arrived: sync moves it on and logs it.
    let report = json(&run(dir.path(), &["--json", "sync", "--once"], None));
    assert_eq!(report["changed"][0]["status"], "paid_unconfirmed");
    // PIPE cannot cancel; refunds need a paid invoice; both said before any call.
    assert_eq!(
        run(dir.path(), &["link", "cancel", id], None).status.code(),
        Some(2)
    );
    assert_eq!(
        run(dir.path(), &["link", "refund", id], None).status.code(),
        Some(2)
    );
    assert_eq!(prism.violations(), Vec::<String>::new());
    run(dir.path(), &["account", "remove", &name], None);
}

#[test]
fn bitropay_through_the_command() {
    let prism = Prism::start("bitropay.openapi.json", false);
    let dir = tempfile::tempdir().unwrap();
    let name = format!("bitropay-{}", std::process::id());
    let add = run(
        dir.path(),
        &[
            "--json",
            "account",
            "add",
            &name,
            "--provider",
            "bitropay",
            "--redirect-url",
            "https://shop.example/paid",
            "--base-url",
            &prism.url,
            "--secret-stdin",
        ],
        Some("api_key=your.api.key\n"),
    );
    assert_eq!(json(&add)["secrets"]["api_key"], "set");
    assert_eq!(
        json(&run(
            dir.path(),
            &["--json", "account", "test", &name],
            None
        ))["ok"],
        true
    );
    let link = json(&run(
        dir.path(),
        &[
            "--json",
            "link",
            "create",
            "--account",
            &name,
            "--name",
            "your product name",
            "--amount",
            "10000",
        ],
        None,
    ));
    assert_eq!(link["status"], "open");
    assert!(link["payment_url"]
        .as_str()
        .unwrap()
        .contains("/gateway/invoice/"));
    let shown = json(&run(
        dir.path(),
        &["--json", "link", "show", link["id"].as_str().unwrap()],
        None,
    ));
    assert_eq!(shown["provider"], "bitropay");
    assert_eq!(
        shown["actions"]["cancel"], false,
        "BitroPay links time out by themselves"
    );
    // No lookup endpoint: sync says so on the invoice instead of guessing.
    let report = json(&run(dir.path(), &["--json", "sync", "--once"], None));
    assert!(report["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("callback"));
    assert_eq!(prism.violations(), Vec::<String>::new());
    run(dir.path(), &["account", "remove", &name], None);
}
