//! Whole lifecycles through the `paydesk` command against stateful stand-ins of BTCPay
//! and PortOne, each behind `prism proxy --errors` so that the providers' own contracts
//! judge every request PayDesk sends and every answer it reads.

#[path = "../../paydesk-providers/tests/common/mod.rs"]
mod common;
mod support;

use common::Prism;
use support::{ok, run, standin};

/// On the current BTCPay Server and on a released 2.3.9 (store routes only).
#[test]
fn btcpay_link_lifecycle() {
    for spec in [
        "btcpay-greenfield.openapi.json",
        "btcpay-greenfield-v2.3.9.openapi.json",
    ] {
        btcpay_link_lifecycle_on(spec);
    }
}

fn btcpay_link_lifecycle_on(spec: &str) {
    let (upstream, provider) = standin(paydesk_standins::btcpay);
    let prism = Prism::proxy(spec, &upstream);
    let dir = tempfile::tempdir().unwrap();
    let name = format!("btcpay-life-{}-{}", std::process::id(), spec.len());
    let add = run(
        dir.path(),
        &[
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
        Some("api_key=life-key\n"),
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    assert_eq!(ok(dir.path(), &["account", "test", &name])["ok"], true);

    let link = ok(
        dir.path(),
        &[
            "link",
            "create",
            "--account",
            &name,
            "--name",
            "원두 1kg",
            "--amount",
            "0.0015",
            "--currency",
            "BTC",
        ],
    );
    assert_eq!(link["status"], "open");
    assert!(link["payment_url"].as_str().unwrap().contains("/i/"));
    let id = link["id"].as_str().unwrap().to_string();
    let order = link["order_id"].as_str().unwrap().to_string();

    provider.pay(&order);
    let report = ok(dir.path(), &["sync", "--once"]);
    assert_eq!(report["changed"][0]["status"], "paid");
    let paid = ok(dir.path(), &["link", "show", &id]);
    assert_eq!(paid["paid_amount"], "0.00150000");

    let refunded = ok(dir.path(), &["link", "refund", &id, "--amount", "0.0005"]);
    assert_eq!(refunded["status"], "partially_refunded");
    assert_eq!(provider.calls("refund"), 1);

    let other = ok(
        dir.path(),
        &[
            "link",
            "create",
            "--account",
            &name,
            "--name",
            "취소할 링크",
            "--amount",
            "12.50",
            "--currency",
            "USD",
        ],
    );
    let cancelled = ok(
        dir.path(),
        &["link", "cancel", other["id"].as_str().unwrap()],
    );
    assert_eq!(cancelled["status"], "cancelled");

    // Several open links are asked about in one request (orderId list).
    let mut orders = Vec::new();
    for item in ["머그컵", "드립백"] {
        let l = ok(
            dir.path(),
            &[
                "link",
                "create",
                "--account",
                &name,
                "--name",
                item,
                "--amount",
                "8.00",
                "--currency",
                "USD",
            ],
        );
        orders.push(l["order_id"].as_str().unwrap().to_string());
    }
    provider.pay(&orders[1]);
    let lists = provider.calls("list");
    let report = ok(dir.path(), &["sync", "--once"]);
    assert_eq!(report["changed"].as_array().unwrap().len(), 1);
    assert_eq!(report["changed"][0]["order_id"], orders[1].as_str());
    assert_eq!(
        provider.calls("list") - lists,
        1,
        "one list request for both"
    );

    assert_eq!(provider.calls("create"), 4, "one provider invoice per link");
    assert_eq!(prism.violations(), Vec::<String>::new());
    assert_eq!(prism.answer_violations(), Vec::<String>::new());
    run(dir.path(), &["account", "remove", &name], None);
}

#[test]
fn portone_cvs_lifecycle() {
    let (upstream, provider) = standin(paydesk_standins::portone);
    let prism = Prism::proxy("portone-v1.swagger.json", &upstream);
    let dir = tempfile::tempdir().unwrap();
    let name = format!("portone-life-{}", std::process::id());
    let add = run(
        dir.path(),
        &[
            "account",
            "add",
            &name,
            "--provider",
            "portone",
            "--base-url",
            &prism.url,
            "--channel-key",
            "channel-key-1",
            "--secret-stdin",
        ],
        Some("imp_key=k\nimp_secret=s\n"),
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    assert_eq!(ok(dir.path(), &["account", "test", &name])["ok"], true);

    let cvs = ok(
        dir.path(),
        &[
            "cvs",
            "issue",
            "--account",
            &name,
            "--name",
            "편의점 결제 상품",
            "--amount",
            "29900",
            "--buyer-name",
            "김민준",
            "--phone",
            "010-1234-5678",
        ],
    );
    assert_eq!(
        (cvs["kind"].as_str(), cvs["status"].as_str()),
        (Some("cvs"), Some("open"))
    );
    let number = cvs["payment_number"].as_str().unwrap();
    assert_eq!(number.len(), 14, "the barcode number is kept for the slip");
    let id = cvs["id"].as_str().unwrap().to_string();
    assert_eq!(
        ok(dir.path(), &["link", "show", &id])["payment_number"],
        number
    );

    provider.pay(cvs["order_id"].as_str().unwrap());
    assert_eq!(
        ok(dir.path(), &["sync", "--once"])["changed"][0]["status"],
        "paid"
    );
    // A cash payment goes back by transfer: the customer's account is named (exit 2
    // without it, nothing asked of PortOne).
    let to = [
        "--refund-holder",
        "김민준",
        "--refund-bank",
        "004",
        "--refund-account",
        "123-4567-8901",
    ];
    let no_account = run(
        dir.path(),
        &["link", "refund", &id, "--amount", "9900"],
        None,
    );
    assert_eq!(no_account.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&no_account.stderr).contains("refund_account"),
        "{}",
        String::from_utf8_lossy(&no_account.stderr)
    );
    let part = ok(
        dir.path(),
        &[&["link", "refund", &id, "--amount", "9900"][..], &to[..]].concat(),
    );
    assert_eq!(part["status"], "partially_refunded");
    let all = ok(
        dir.path(),
        &[&["link", "refund", &id][..], &to[..]].concat(),
    );
    assert_eq!(all["status"], "refunded");

    let other = ok(
        dir.path(),
        &[
            "cvs",
            "issue",
            "--account",
            &name,
            "--name",
            "취소할 번호",
            "--amount",
            "5000",
        ],
    );
    assert_eq!(
        ok(
            dir.path(),
            &["cvs", "cancel", other["id"].as_str().unwrap()]
        )["status"],
        "cancelled"
    );

    // Several open payment numbers are asked about in one request (merchant_uid[] list).
    let mut orders = Vec::new();
    for item in ["우유", "빵"] {
        let c = ok(
            dir.path(),
            &[
                "cvs",
                "issue",
                "--account",
                &name,
                "--name",
                item,
                "--amount",
                "3000",
            ],
        );
        orders.push(c["order_id"].as_str().unwrap().to_string());
    }
    provider.pay(&orders[0]);
    let report = ok(dir.path(), &["sync", "--once"]);
    assert_eq!(report["changed"].as_array().unwrap().len(), 1);
    assert_eq!(report["changed"][0]["order_id"], orders[0].as_str());
    assert_eq!(provider.calls("list"), 1, "one list request for both");

    // test, issue, sync, refund ×2, issue, cancel, issue ×2, sync: ten runs, each a new
    // process, one token each.
    assert_eq!(provider.calls("token"), 10);
    assert_eq!(provider.calls("create"), 4);
    assert_eq!(prism.violations(), Vec::<String>::new());
    assert_eq!(prism.answer_violations(), Vec::<String>::new());
    run(dir.path(), &["account", "remove", &name], None);
}

#[test]
fn pipe_refund_lifecycle() {
    let (upstream, provider) = standin(paydesk_standins::pipe);
    let prism = Prism::proxy("pipe.openapi.json", &upstream);
    let dir = tempfile::tempdir().unwrap();
    let name = format!("pipe-life-{}", std::process::id());
    let add = run(
        dir.path(),
        &[
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
        Some("api_key=k\n"),
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let link = ok(
        dir.path(),
        &[
            "link",
            "create",
            "--account",
            &name,
            "--name",
            "Test Order",
            "--amount",
            "12.34",
            "--currency",
            "USD",
        ],
    );
    assert_eq!(link["status"], "open");
    let id = link["id"].as_str().unwrap().to_string();
    provider.pay(link["order_id"].as_str().unwrap());
    assert_eq!(
        ok(dir.path(), &["sync", "--once"])["changed"][0]["status"],
        "paid"
    );
    assert_eq!(
        ok(dir.path(), &["link", "show", &id])["paid_amount"],
        "12.34"
    );
    let partial = run(
        dir.path(),
        &["link", "refund", &id, "--amount", "1.00"],
        None,
    );
    assert_eq!(
        partial.status.code(),
        Some(2),
        "PIPE refunds whole invoices only"
    );
    // PIPE refunds later: the request waits until PIPE shows the invoice refunded.
    let asked = ok(dir.path(), &["link", "refund", &id]);
    assert_eq!(
        (&asked["status"], &asked["refund_requested_display"]),
        (&serde_json::json!("paid"), &serde_json::json!("$12.34"))
    );
    assert_eq!(
        run(dir.path(), &["link", "refund", &id], None)
            .status
            .code(),
        Some(2),
        "one refund request at a time"
    );
    provider.set_status(link["order_id"].as_str().unwrap(), "4");
    ok(dir.path(), &["sync", "--once"]);
    let done = ok(dir.path(), &["link", "show", &id]);
    assert_eq!(
        (&done["status"], &done["refund_requested_display"]),
        (&serde_json::json!("refunded"), &serde_json::Value::Null)
    );
    assert_eq!(provider.calls("refund"), 1);
    assert_eq!(prism.violations(), Vec::<String>::new());
    assert_eq!(prism.answer_violations(), Vec::<String>::new());
    run(dir.path(), &["account", "remove", &name], None);
}
