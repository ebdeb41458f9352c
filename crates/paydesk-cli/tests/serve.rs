//! The store server (`paydesk serve`) receiving BitroPay's callbacks. BitroPay has no
//! lookup: a BitroPay invoice reaches paid through its callback alone. Callbacks with
//! another token, for another invoice or price, malformed, oversized or replayed change
//! nothing; a flood from one source is turned away while others are still served.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};
use support::{ok, run, standin, BIN};

/// A running `paydesk serve` on a free port, stopped when dropped.
struct Serve {
    child: Child,
    addr: String,
}

impl Serve {
    fn start(dir: &std::path::Path) -> Serve {
        let mut child = Command::new(BIN)
            .arg("--data-dir")
            .arg(dir)
            .args(["--json", "serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("paydesk serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: Value = serde_json::from_str(&line).expect("the address it listens on");
        let addr = v["listening"]
            .as_str()
            .unwrap()
            .trim_start_matches("http://")
            .to_string();
        Serve { child, addr }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POSTs `body` to `path_and_query` and returns the status code.
fn post(addr: &str, path_and_query: &str, body: &[u8]) -> u16 {
    post_declaring(addr, path_and_query, body, body.len(), "")
}

/// POSTs `body` with a `BTCPay-Sig` header.
fn post_signed(addr: &str, path: &str, body: &[u8], sig: &str) -> u16 {
    post_declaring(
        addr,
        path,
        body,
        body.len(),
        &format!("BTCPay-Sig: {sig}\r\n"),
    )
}

/// POSTs `body`, saying it is `length` bytes long, with `extra` header lines.
fn post_declaring(
    addr: &str,
    path_and_query: &str,
    body: &[u8],
    length: usize,
    extra: &str,
) -> u16 {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST {path_and_query} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n{extra}Connection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).unwrap();
    let _ = s.write_all(body);
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn callback(invoice_id: &str, order: &str, price: i64, status: &str) -> Vec<u8> {
    json!({ "invoiceId": invoice_id, "no": "1520998774032", "productId": order,
        "productName": "coffee", "productPrice": price, "productCurrency": "KRW",
        "userData": {}, "status": status, "amount": 0.001 })
    .to_string()
    .into_bytes()
}

#[test]
fn a_bitropay_invoice_is_followed_to_paid_through_its_callbacks() {
    let (upstream, provider) = standin(paydesk_standins::bitropay);
    let dir = tempfile::tempdir().unwrap();
    let server = Serve::start(dir.path());
    let name = format!("bitro-{}", std::process::id());
    let add = run(
        dir.path(),
        &[
            "account",
            "add",
            &name,
            "--provider",
            "bitropay",
            "--base-url",
            &upstream,
            "--redirect-url",
            "https://shop.example/paid",
            "--public-url",
            &format!("http://{}", server.addr),
            "--secret-stdin",
        ],
        Some("api_key=k\n"),
    );
    assert!(add.status.success(), "{}", support::stderr(&add));
    let link = |item: &str| {
        ok(
            dir.path(),
            &[
                "link",
                "create",
                "--account",
                &name,
                "--name",
                item,
                "--amount",
                "12000",
            ],
        )
    };
    let paid = link("coffee");
    let other = link("tea");
    let order = paid["order_id"].as_str().unwrap().to_string();
    let id = paid["id"].as_str().unwrap().to_string();
    // BitroPay was given a callback URL of this invoice's own, with its token in the query.
    let (url, bitro_id) = provider.callback_of(&order).unwrap();
    let prefix = format!("http://{}", server.addr);
    assert!(
        url.starts_with(&format!("{prefix}/callbacks/bitropay/{id}?t=")),
        "{url}"
    );
    let path = url.trim_start_matches(&prefix).to_string();
    let (other_url, other_bitro) = provider
        .callback_of(other["order_id"].as_str().unwrap())
        .unwrap();
    let other_id = other["id"].as_str().unwrap();
    let status_of = |id: &str| ok(dir.path(), &["link", "show", id])["status"].clone();
    let history = |id: &str| {
        ok(dir.path(), &["link", "show", id])["timeline"]
            .as_array()
            .unwrap()
            .len()
    };

    // Turned away, nothing changed: another invoice's token, no token, a wrong price, a
    // body naming another BitroPay invoice, malformed and oversized bodies, unknown ids.
    let other_token = other_url.split("?t=").nth(1).unwrap();
    let before = history(&id);
    let body = callback(&bitro_id, &order, 12000, "confirmed");
    assert_eq!(
        post(
            &server.addr,
            &format!("/callbacks/bitropay/{id}?t={other_token}"),
            &body
        ),
        403
    );
    assert_eq!(
        post(&server.addr, &format!("/callbacks/bitropay/{id}"), &body),
        403
    );
    assert_eq!(
        post(
            &server.addr,
            &path,
            &callback(&bitro_id, &order, 1200, "confirmed")
        ),
        422
    );
    assert_eq!(
        post(
            &server.addr,
            &path,
            &callback(&other_bitro, &order, 12000, "confirmed")
        ),
        422
    );
    assert_eq!(post(&server.addr, &path, b"{\"invoiceId\": "), 400);
    assert_eq!(
        post_declaring(&server.addr, &path, b"", 200 * 1024, ""),
        413
    );
    assert_eq!(
        post(
            &server.addr,
            "/callbacks/bitropay/inv_01aaaaaaaaaaaaaaaaaaaaaaaa?t=x",
            &body
        ),
        404
    );
    assert_eq!(post(&server.addr, "/callbacks/btcpay/x?t=x", &body), 404);
    assert_eq!(status_of(&id), "open");
    assert_eq!(
        history(&id),
        before,
        "no audit entry for a refused callback"
    );

    // Seen, then confirmed: open → paid_unconfirmed → paid, each once.
    assert_eq!(
        post(
            &server.addr,
            &path,
            &callback(&bitro_id, &order, 12000, "ok")
        ),
        200
    );
    assert_eq!(status_of(&id), "paid_unconfirmed");
    assert_eq!(post(&server.addr, &path, &body), 200);
    let shown = ok(dir.path(), &["link", "show", &id]);
    assert_eq!(
        (&shown["status"], &shown["paid_amount"]),
        (&json!("paid"), &json!("12000"))
    );
    let last = shown["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["source"], "provider");
    // Replays, and an older status arriving late, change nothing.
    let seen = history(&id);
    assert_eq!(post(&server.addr, &path, &body), 200);
    assert_eq!(
        post(
            &server.addr,
            &path,
            &callback(&bitro_id, &order, 12000, "ok")
        ),
        200
    );
    assert_eq!(status_of(&id), "paid");
    assert_eq!(history(&id), seen);
    assert_eq!(status_of(other_id), "open");

    // A flood from one source is turned away; the server still answers afterwards.
    let refused = (0..60)
        .map(|_| post(&server.addr, &path, &body))
        .filter(|c| *c == 429)
        .count();
    assert!(refused > 0, "a flood meets 429s");
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    assert_eq!(post(&server.addr, &path, &body), 200);
    assert_eq!(provider.calls("create"), 2);
}

/// `sha256=HEX` of the HMAC-SHA256 of `body` under `secret`, as BTCPay signs webhooks.
fn btcpay_sig(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// BTCPay's webhook is a signed "check now": the invoice is read again from BTCPay (the
/// body is never believed). Unsigned, tampered or another store's webhooks change
/// nothing; a redelivery changes nothing either. PortOne's notice is the same, unsigned.
#[test]
fn btcpay_webhooks_and_portone_notices_are_a_check_now() {
    let (btcpay, bp) = standin(paydesk_standins::btcpay);
    let (portone, po) = standin(paydesk_standins::portone);
    let dir = tempfile::tempdir().unwrap();
    let server = Serve::start(dir.path());
    let public = format!("http://{}", server.addr);
    let shop = format!("shop-{}", std::process::id());
    let cvs = format!("cvs-{}", std::process::id());
    let add = run(
        dir.path(),
        &[
            "account",
            "add",
            &shop,
            "--provider",
            "btcpay",
            "--base-url",
            &btcpay,
            "--store-id",
            "STORE1",
            "--public-url",
            &public,
            "--secret-stdin",
        ],
        Some("api_key=k\nwebhook_secret=whsec-of-the-shop\n"),
    );
    assert!(add.status.success(), "{}", support::stderr(&add));
    // The address to paste at BTCPay (Store → Webhooks), with the secret typed above.
    let shown = ok(dir.path(), &["account", "show", &shop]);
    assert_eq!(
        shown["callback_url"],
        json!(format!("{public}/callbacks/btcpay/{shop}"))
    );
    assert_eq!(shown["secrets"]["webhook_secret"], "set");
    let link = ok(
        dir.path(),
        &[
            "link",
            "create",
            "--account",
            &shop,
            "--name",
            "coffee",
            "--amount",
            "5.00",
            "--currency",
            "USD",
        ],
    );
    let id = link["id"].as_str().unwrap().to_string();
    let bp_id = link["provider_id"].as_str().unwrap().to_string();
    bp.pay(link["order_id"].as_str().unwrap());
    let path = format!("/callbacks/btcpay/{shop}");
    let hook = |store: &str| {
        json!({ "deliveryId": "d1", "webhookId": "w1", "originalDeliveryId": "d1", "isRedelivery": false,
            "type": "InvoiceSettled", "timestamp": 1_700_000_000, "storeId": store, "invoiceId": bp_id,
            "metadata": {}, "manuallyMarked": false, "overPaid": false })
        .to_string()
        .into_bytes()
    };
    let body = hook("STORE1");
    let sig = btcpay_sig("whsec-of-the-shop", &body);
    let status_of = || ok(dir.path(), &["link", "show", &id])["status"].clone();
    assert_eq!(post(&server.addr, &path, &body), 403, "unsigned");
    assert_eq!(
        post_signed(&server.addr, &path, &body, &btcpay_sig("another", &body)),
        403
    );
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    assert_eq!(
        post_signed(&server.addr, &path, &tampered, &sig),
        403,
        "tampered"
    );
    let other_store = hook("STORE2");
    assert_eq!(
        post_signed(
            &server.addr,
            &path,
            &other_store,
            &btcpay_sig("whsec-of-the-shop", &other_store)
        ),
        422
    );
    assert_eq!(status_of(), "open", "nothing believed so far");
    assert_eq!(post_signed(&server.addr, &path, &body, &sig), 200);
    assert_eq!(status_of(), "paid");
    let seen = ok(dir.path(), &["link", "show", &id])["timeline"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        post_signed(&server.addr, &path, &body, &sig),
        200,
        "a redelivery"
    );
    assert_eq!(
        ok(dir.path(), &["link", "show", &id])["timeline"]
            .as_array()
            .unwrap()
            .len(),
        seen
    );

    // PortOne: the notice names a payment; PayDesk asks PortOne about it.
    let add = run(
        dir.path(),
        &[
            "account",
            "add",
            &cvs,
            "--provider",
            "portone",
            "--base-url",
            &portone,
            "--channel-key",
            "ch",
            "--public-url",
            &public,
            "--secret-stdin",
        ],
        Some("imp_key=k\nimp_secret=s\n"),
    );
    assert!(add.status.success(), "{}", support::stderr(&add));
    let number = ok(
        dir.path(),
        &[
            "cvs",
            "issue",
            "--account",
            &cvs,
            "--name",
            "slip",
            "--amount",
            "30000",
        ],
    );
    let imp = number["provider_id"].as_str().unwrap().to_string();
    let notice =
        json!({ "imp_uid": imp, "merchant_uid": number["order_id"], "status": "paid" }).to_string();
    let cvs_path = format!("/callbacks/portone/{cvs}");
    assert_eq!(post(&server.addr, &cvs_path, notice.as_bytes()), 200);
    assert_eq!(
        ok(dir.path(), &["link", "show", &imp])["status"],
        "open",
        "PortOne says not yet"
    );
    po.pay(number["order_id"].as_str().unwrap());
    assert_eq!(post(&server.addr, &cvs_path, notice.as_bytes()), 200);
    assert_eq!(ok(dir.path(), &["link", "show", &imp])["status"], "paid");
    let stranger = json!({ "imp_uid": "imp_999999", "status": "paid" }).to_string();
    assert_eq!(post(&server.addr, &cvs_path, stranger.as_bytes()), 404);
    assert_eq!(
        post(
            &server.addr,
            &format!("/callbacks/portone/{shop}"),
            notice.as_bytes()
        ),
        404,
        "another provider's account"
    );
}

#[test]
fn the_store_server_syncs_for_the_shop() {
    let dir = tempfile::tempdir().unwrap();
    let link = ok(
        dir.path(),
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "서버 동기화",
            "--amount",
            "7000",
        ],
    );
    let id = link["id"].as_str().unwrap();
    let _server = Serve::start(dir.path());
    ok(dir.path(), &["sandbox", "pay", id]);
    // No `paydesk sync` runs: the server's own passes (every 5 s) see the payment.
    let mut status = String::new();
    for _ in 0..60 {
        status = ok(dir.path(), &["link", "show", id])["status"]
            .as_str()
            .unwrap()
            .to_string();
        if status == "paid" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    assert_eq!(status, "paid");
}

#[test]
fn a_client_too_slow_with_its_headers_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = Serve::start(dir.path());
    let mut slow = TcpStream::connect(&server.addr).unwrap();
    slow.write_all(b"POST /callbacks/bitropay/x HTTP/1.1\r\nHost: shop\r\n")
        .unwrap();
    slow.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let started = std::time::Instant::now();
    // The rest of the headers never comes: the server answers 408 or just closes.
    let mut answer = Vec::new();
    let _ = slow.read_to_end(&mut answer);
    let waited = started.elapsed();
    assert!(
        waited < std::time::Duration::from_secs(15),
        "cut off after {waited:?}"
    );
    // Meanwhile and after, others are served.
    assert_eq!(
        post(&server.addr, "/callbacks/nobody/x", b"{}"),
        404,
        "the server still answers"
    );
}
