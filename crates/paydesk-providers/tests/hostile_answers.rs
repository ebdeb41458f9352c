//! Every provider adapter reads answers a broken or hostile server sends: generated
//! HTTP statuses and bodies — the provider's own answers with fields replaced, removed
//! or retyped, JSON built from every field name the adapters read, and bytes that are
//! not JSON — for every operation (create, look-ups, cancel, refund, key check, notify).
//! Each call must return a value or an error, never panic or hang, and what it returns
//! as an invoice must hold no negative money and no amount above PayDesk's limit.
//!
//! 256 cases per provider here (inside `./x test`); the long run in docs/robustness.md
//! sets `PROPTEST_CASES=100000`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use paydesk_core::{
    money::MAX_MINOR, Currency, InvoiceKind, Money, ProviderKind, RefundAccount,
    RefundAccountFields, RemoteInvoice,
};
use paydesk_providers::http::{Http, RetryPolicy};
use paydesk_providers::{
    bitropay::Bitropay, bootpay::Bootpay, btcpay::Btcpay, pipe::Pipe, portone::Portone,
    CreateRequest, CustomerInfo, Provider, RefundRequest,
};
use proptest::prelude::*;
use secrecy::SecretString;
use serde_json::{json, Value};

/// One answer of the hostile server.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    body: Vec<u8>,
}

/// The answers of one case, in order; the last one repeats.
#[derive(Clone, Default)]
struct Script(Arc<Mutex<VecDeque<Answer>>>);

impl Script {
    fn set(&self, answers: Vec<Answer>) {
        *self.0.lock().unwrap() = answers.into();
    }

    fn next(&self) -> Answer {
        let mut q = self.0.lock().unwrap();
        if q.len() > 1 {
            q.pop_front().unwrap()
        } else {
            q.front().cloned().unwrap_or(Answer {
                status: 500,
                body: Vec::new(),
            })
        }
    }
}

struct Server {
    rt: tokio::runtime::Runtime,
    base: String,
    script: Script,
}

fn server() -> &'static Server {
    static SERVER: std::sync::OnceLock<Server> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let script = Script::default();
        let s = script.clone();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(move || {
            let a = s.next();
            async move {
                let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK);
                let mut r: Response = (status, a.body).into_response();
                r.headers_mut()
                    .insert("content-type", "application/json".parse().unwrap());
                r
            }
        });
        rt.spawn(async move { axum::serve(listener, app).await });
        Server { rt, base, script }
    })
}

/// The tests share the server's script: one case at a time.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static RUN: Mutex<()> = Mutex::new(());
    RUN.lock().unwrap_or_else(|e| e.into_inner())
}

/// One HTTP client per provider for every case, never retrying (a retried 5xx would
/// only wait), with a deadline no call may pass.
fn http(kind: ProviderKind) -> Http {
    static CLIENTS: std::sync::OnceLock<Mutex<Vec<(ProviderKind, Http)>>> =
        std::sync::OnceLock::new();
    let clients = CLIENTS.get_or_init(Default::default);
    let mut c = clients.lock().unwrap();
    if let Some((_, h)) = c.iter().find(|(k, _)| *k == kind) {
        return h.clone();
    }
    let policy = RetryPolicy {
        attempts: 1,
        base: Duration::from_millis(1),
        max: Duration::from_millis(1),
    };
    let h = Http::with_policy(kind, policy, Duration::from_secs(10)).unwrap();
    c.push((kind, h.clone()));
    h
}

fn key(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

/// A fresh adapter (and so an empty token cache) for every case.
fn adapter(kind: ProviderKind) -> Box<dyn Provider> {
    let base = server().base.as_str();
    let h = http(kind);
    match kind {
        ProviderKind::Bootpay => Box::new(Bootpay::new(h, base, key("ck"), key("sk"))),
        ProviderKind::Portone => Box::new(Portone::new(
            h,
            base,
            Some("channel-key".into()),
            key("imp-key"),
            key("imp-secret"),
        )),
        ProviderKind::Btcpay => Box::new(Btcpay::new(h, base, "STORE1", key("api-key")).unwrap()),
        ProviderKind::Pipe => Box::new(Pipe::new(
            h,
            base,
            key("api-key"),
            Some("https://shop.example/cb".into()),
        )),
        ProviderKind::Bitropay => Box::new(Bitropay::new(h, base, key("api-key"), None, None)),
        ProviderKind::Sandbox => unreachable!("the sandbox answers itself"),
    }
}

/// An answer each provider really gives, to be mutated.
fn samples(kind: ProviderKind) -> Vec<Value> {
    match kind {
        ProviderKind::Bootpay => vec![
            json!({"access_token": "tok", "expire_in": 1800, "expired_at": "2026-12-03T10:00:00+09:00"}),
            json!({"invoice_id": "INV1", "payment_url": "https://pay.example/INV1"}),
            json!({"invoice_id": "INV1", "order_id": "PD-1", "price": 50000, "status": 1, "pay_at": "2026-12-03T10:00:00+09:00"}),
            json!({"count": 1, "list": [{"invoice_id": "INV1", "price": 50000, "status": 1}]}),
            json!({"status": 400, "code": "RC_ERR", "message": "nope"}),
        ],
        ProviderKind::Portone => vec![
            json!({"code": 0, "message": null, "response": {"access_token": "tok", "expired_at": 1_900_000_000, "now": 1_800_000_000}}),
            json!({"code": 0, "message": null, "response": {"imp_uid": "imp_1", "merchant_uid": "PD-1", "amount": 3000, "cancel_amount": 0, "currency": "KRW", "status": "ready", "paid_at": 0, "vbank_num": "1234-5678", "receipt_url": "https://r.example"}}),
            json!({"code": 0, "response": {"imp_uid": "imp_1", "merchant_uid": "PD-1", "amount": 3000, "cancel_amount": 1000, "currency": "KRW", "status": "paid", "paid_at": 1_800_000_000}}),
            json!({"code": 0, "response": {"total": 1, "list": [{"imp_uid": "imp_1", "merchant_uid": "PD-1", "amount": 3000, "cancel_amount": 0, "currency": "KRW", "status": "cancelled"}]}}),
            json!({"code": -1, "message": "없는 결제", "response": null}),
        ],
        ProviderKind::Btcpay => vec![
            json!({"id": "INV1", "checkoutLink": "https://btcpay.example/i/INV1", "status": "New", "additionalStatus": "None", "amount": "50000", "paidAmount": "0", "currency": "KRW", "metadata": {"orderId": "PD-1"}}),
            json!([{"id": "INV1", "status": "Settled", "additionalStatus": "PaidOver", "amount": "50000", "currency": "KRW", "metadata": {"orderId": "PD-1"}}]),
            json!({"id": "PP1", "description": "paydesk-refund:x:0", "currency": "KRW", "amount": "1000", "viewLink": "https://btcpay.example/pp/PP1"}),
            json!([{"id": "PP1", "description": "paydesk-refund:x:0", "amount": "1000"}]),
            json!({"permissions": ["btcpay.store.canmodifyinvoices:STORE1", "btcpay.store.canviewinvoices:STORE1"]}),
            json!({"code": "unauthenticated", "message": "no"}),
        ],
        ProviderKind::Pipe => vec![
            json!({"code": 1, "message": "ok", "data": {"invoice_id": "INV1", "invoice_url": "https://pipe.example/INV1"}}),
            json!({"code": 1, "data": {"invoice_id": "INV1", "order_id": "PD-1", "price": "50000", "price_currency": "KRW", "status": 1, "deposit_status": 0}}),
            json!({"code": 1, "data": [{"invoice_id": "INV1", "order_id": "PD-1", "price": 50000, "price_currency": "KRW", "status": "2", "deposit_status": 1}]}),
            json!({"code": 400, "message": "bad"}),
        ],
        ProviderKind::Bitropay => vec![
            json!({"result": "success", "resultCode": 200, "data": {"invoiceId": "INV1", "gatewayURL": "https://bitro.example/INV1", "status": "wait", "productId": "PD-1"}}),
            json!({"result": "unauthorized", "resultCode": 401}),
        ],
        ProviderKind::Sandbox => vec![],
    }
}

/// Every field name an adapter reads, and a few it does not.
const KEYS: &[&str] = &[
    "access_token",
    "expire_in",
    "expired_at",
    "now",
    "code",
    "message",
    "response",
    "data",
    "status",
    "pay_at",
    "price",
    "invoice_id",
    "order_id",
    "payment_url",
    "count",
    "list",
    "total",
    "imp_uid",
    "merchant_uid",
    "amount",
    "cancel_amount",
    "currency",
    "paid_at",
    "vbank_num",
    "receipt_url",
    "invoice_url",
    "price_currency",
    "deposit_status",
    "result",
    "resultCode",
    "invoiceId",
    "gatewayURL",
    "productId",
    "productPrice",
    "id",
    "checkoutLink",
    "additionalStatus",
    "paidAmount",
    "metadata",
    "orderId",
    "description",
    "viewLink",
    "permissions",
    "success",
    "error_code",
    "errors",
    "detail",
    "title",
    "x",
];

/// Words the adapters' status maps know, numbers at the edges, and anything.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(0i64),
            Just(-1),
            Just(1),
            Just(MAX_MINOR),
            Just(MAX_MINOR + 1),
            Just(i64::MAX),
            Just(i64::MIN)
        ]
        .prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "New",
            "Processing",
            "Settled",
            "Expired",
            "Invalid",
            "PaidLate",
            "PaidPartial",
            "PaidOver",
            "Marked",
            "None",
            "ready",
            "paid",
            "cancelled",
            "failed",
            "wait",
            "ok",
            "amountLow",
            "amountOver",
            "confirmed",
            "confirmedLow",
            "confirmedOver",
            "timeout",
            "confirmFail",
            "refund",
            "1",
            "2",
            "3",
            "4",
            "20",
            "-5",
            "1.5",
            "1e3",
            "0x10",
            "99999999999999999999",
            "-99999999999999999999",
            "",
            " ",
            "KRW",
            "JPY",
            "BTC",
            "USD",
            "krw",
            "2026-12-03T10:00:00+09:00",
            "not a date",
            "../../admin",
            "0.00000001",
            "50000.00",
            "50,000",
            "١٢٣",
        ])
        .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(KEYS).prop_map(str::to_string),
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces (or removes, when `v` is `None`) the `n`-th node of `doc`, counted depth-first.
fn mutate(doc: &mut Value, mut n: usize, v: Option<Value>) {
    fn walk(doc: &mut Value, n: &mut usize, v: &mut Option<Option<Value>>) -> bool {
        let keys: Vec<String> = match doc {
            Value::Object(m) => m.keys().cloned().collect(),
            Value::Array(a) => (0..a.len()).map(|i| i.to_string()).collect(),
            _ => return false,
        };
        for k in keys {
            if *n == 0 {
                let new = v.take().unwrap();
                match (doc, new) {
                    (Value::Object(m), Some(x)) => {
                        m.insert(k, x);
                    }
                    (Value::Object(m), None) => {
                        m.remove(&k);
                    }
                    (Value::Array(a), Some(x)) => a[k.parse::<usize>().unwrap()] = x,
                    (Value::Array(a), None) => {
                        a.remove(k.parse::<usize>().unwrap());
                    }
                    _ => unreachable!(),
                }
                return true;
            }
            *n -= 1;
            let child = match doc {
                Value::Object(m) => m.get_mut(&k).unwrap(),
                Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
                _ => unreachable!(),
            };
            if walk(child, n, v) {
                return true;
            }
        }
        false
    }
    let count = count_nodes(doc);
    if count == 0 {
        return;
    }
    n %= count;
    walk(doc, &mut n, &mut Some(v));
}

fn count_nodes(doc: &Value) -> usize {
    match doc {
        Value::Object(m) => m.values().map(|v| 1 + count_nodes(v)).sum(),
        Value::Array(a) => a.iter().map(|v| 1 + count_nodes(v)).sum(),
        _ => 0,
    }
}

fn body(kind: ProviderKind) -> impl Strategy<Value = Vec<u8>> {
    let samples = samples(kind);
    prop_oneof![
        5 => (
            prop::sample::select(samples),
            prop::collection::vec((any::<usize>(), prop::option::weighted(0.8, json_value())), 0..3),
        )
            .prop_map(|(mut doc, changes)| {
                for (n, v) in changes {
                    mutate(&mut doc, n, v);
                }
                serde_json::to_vec(&doc).unwrap()
            }),
        2 => json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
        1 => prop::sample::select(vec![
            &b""[..], b"null", b"[]", b"{}", b"{", b"<html>502 Bad Gateway</html>",
            b"\xef\xbb\xbf{}", b"{\"a\":1}{\"b\":2}", b"1e99999",
        ])
        .prop_map(<[u8]>::to_vec),
    ]
}

fn answer(kind: ProviderKind) -> impl Strategy<Value = Answer> {
    (
        prop_oneof![
            6 => Just(200u16),
            1 => Just(201u16),
            3 => prop::sample::select(vec![204u16, 302, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503]),
        ],
        body(kind),
    )
        .prop_map(|(status, body)| Answer { status, body })
}

/// A case's answers: for a provider that signs in first, mostly a good token and then
/// the hostile answers (so that they reach the parsers behind the sign-in).
fn answers(kind: ProviderKind) -> impl Strategy<Value = Vec<Answer>> {
    let token = match kind {
        ProviderKind::Bootpay | ProviderKind::Portone => {
            Some(serde_json::to_vec(&samples(kind)[0]).unwrap())
        }
        _ => None,
    };
    (
        prop::bool::weighted(if token.is_some() { 0.75 } else { 0.0 }),
        prop::collection::vec(answer(kind), 1..4),
    )
        .prop_map(move |(signed_in, mut rest)| {
            if let (true, Some(t)) = (signed_in, &token) {
                rest.insert(
                    0,
                    Answer {
                        status: 200,
                        body: t.clone(),
                    },
                );
            }
            rest
        })
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Create(InvoiceKind),
    Find,
    Get,
    GetMany,
    Cancel,
    Check,
    Refund(Option<i64>, bool),
    Notify,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Create(InvoiceKind::Link)),
        Just(Op::Create(InvoiceKind::Cvs)),
        Just(Op::Find),
        Just(Op::Get),
        Just(Op::GetMany),
        Just(Op::Cancel),
        Just(Op::Check),
        (prop::option::of(1i64..100_000), any::<bool>()).prop_map(|(a, acc)| Op::Refund(a, acc)),
        Just(Op::Notify),
    ]
}

fn sane(r: &RemoteInvoice) -> Result<(), String> {
    for (what, v) in [("paid", r.paid_minor), ("refunded", r.refunded_minor)] {
        if !(0..=MAX_MINOR).contains(&v) {
            return Err(format!("{what} {v} out of range in {r:?}"));
        }
    }
    Ok(())
}

/// Runs one operation against the scripted answers; `Err` names a broken property.
fn run(kind: ProviderKind, op: Op, answers: Vec<Answer>) -> Result<(), String> {
    let _one = one_at_a_time();
    let s = server();
    s.script.set(answers);
    let p = adapter(kind);
    let account = RefundAccount::parse(RefundAccountFields {
        holder: Some("홍길동"),
        bank: Some("004"),
        number: Some("123-456-7890"),
    })
    .unwrap();
    let fut = async {
        let krw = |m: i64| Money::from_minor(m, Currency::Krw).unwrap();
        let checked = match op {
            Op::Create(kind) => p
                .create(&CreateRequest {
                    kind,
                    order_id: "PD-1".into(),
                    name: "상품".into(),
                    amount: krw(50_000),
                    tax_free: krw(0),
                    expires_at: Utc::now() + chrono::Duration::days(1),
                    customer: Some(CustomerInfo {
                        name: Some("홍길동".into()),
                        phone: Some("+821012345678".into()),
                        email: Some("a@example.kr".into()),
                    }),
                    callback_url: Some("https://shop.example/cb?t=x".into()),
                })
                .await
                .map(|r| sane(&r)),
            Op::Find => p
                .find_by_order_id("PD-1")
                .await
                .map(|r| r.as_ref().map_or(Ok(()), sane)),
            Op::Get => p.get("INV1").await.map(|r| sane(&r)),
            Op::GetMany => p
                .get_many(&["PD-1", "PD-2"])
                .await
                .map(|r| r.unwrap_or_default().iter().try_for_each(sane)),
            Op::Cancel => p.cancel("INV1").await.map(|r| sane(&r)),
            Op::Check => p.check().await.map(|_| Ok(())),
            Op::Refund(amount, with_account) => p
                .refund(&RefundRequest {
                    provider_id: "INV1",
                    amount: amount.map(krw),
                    left: krw(50_000),
                    reference: "paydesk-refund:x:0",
                    to_account: if with_account { account.as_ref() } else { None },
                })
                .await
                .map(|r| {
                    sane(&r.invoice)?;
                    match r.amount {
                        Some(m) if m.minor() < 0 => Err(format!("refund of {m:?}")),
                        _ => Ok(()),
                    }
                }),
            Op::Notify => p.notify_customer("INV1").await.map(|_| Ok(())),
        };
        match checked {
            Ok(inner) => inner,
            Err(e) => {
                // Every error can be shown to a clerk.
                let _ = e.to_string();
                Ok(())
            }
        }
    };
    s.rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), fut)
            .await
            .map_err(|_| "no answer within 20 s".to_string())?
    })
}

fn check(kind: ProviderKind, op: Op, answers: Vec<Answer>) -> Result<(), TestCaseError> {
    run(kind, op, answers).map_err(TestCaseError::fail)
}

proptest! {
    #[test]
    fn bootpay_answers_never_panic(op in op(), a in answers(ProviderKind::Bootpay)) {
        check(ProviderKind::Bootpay, op, a)?;
    }

    #[test]
    fn portone_answers_never_panic(op in op(), a in answers(ProviderKind::Portone)) {
        check(ProviderKind::Portone, op, a)?;
    }

    #[test]
    fn btcpay_answers_never_panic(op in op(), a in answers(ProviderKind::Btcpay)) {
        check(ProviderKind::Btcpay, op, a)?;
    }

    #[test]
    fn pipe_answers_never_panic(op in op(), a in answers(ProviderKind::Pipe)) {
        check(ProviderKind::Pipe, op, a)?;
    }

    #[test]
    fn bitropay_answers_never_panic(op in op(), a in answers(ProviderKind::Bitropay)) {
        check(ProviderKind::Bitropay, op, a)?;
    }
}

/// The mutator itself: it reaches every node and keeps documents valid JSON.
#[test]
fn mutations_reach_every_field() {
    let doc = json!({"a": 1, "b": {"c": [1, 2]}});
    assert_eq!(count_nodes(&doc), 5);
    for n in 0..5 {
        let mut d = doc.clone();
        mutate(&mut d, n, Some(json!("X")));
        assert!(d.to_string().contains("\"X\""), "{n}: {d}");
        let mut d = doc.clone();
        mutate(&mut d, n, None);
        assert!(count_nodes(&d) < 5, "{n}: {d}");
    }
}

/// The harness reaches the adapters' success paths: unchanged samples read as invoices.
#[test]
fn unchanged_answers_are_read() {
    let ok = |kind, op, picks: &[usize]| {
        let all = samples(kind);
        let answers: Vec<Answer> = picks
            .iter()
            .map(|i| Answer {
                status: 200,
                body: serde_json::to_vec(&all[*i]).unwrap(),
            })
            .collect();
        let _one = one_at_a_time();
        server().script.set(answers);
        let p = adapter(kind);
        server().rt.block_on(async {
            match op {
                Op::Get => p.get("INV1").await.map(|r| r.status.to_string()),
                Op::Create(k) => p
                    .create(&CreateRequest {
                        kind: k,
                        order_id: "PD-1".into(),
                        name: "상품".into(),
                        amount: Money::from_minor(50_000, Currency::Krw).unwrap(),
                        tax_free: Money::zero(Currency::Krw),
                        expires_at: Utc::now() + chrono::Duration::days(1),
                        customer: None,
                        callback_url: None,
                    })
                    .await
                    .map(|r| r.status.to_string()),
                _ => unreachable!(),
            }
        })
    };
    assert_eq!(ok(ProviderKind::Bootpay, Op::Get, &[0, 2]).unwrap(), "paid");
    assert_eq!(ok(ProviderKind::Portone, Op::Get, &[0, 1]).unwrap(), "open");
    assert_eq!(ok(ProviderKind::Btcpay, Op::Get, &[0]).unwrap(), "open");
    assert_eq!(ok(ProviderKind::Pipe, Op::Get, &[1]).unwrap(), "open");
    assert_eq!(
        ok(ProviderKind::Bitropay, Op::Create(InvoiceKind::Link), &[0]).unwrap(),
        "open"
    );
}
