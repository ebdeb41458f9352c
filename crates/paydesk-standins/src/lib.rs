//! Stateful stand-ins of providers, for tests only. Prism is stateless (it proves a
//! request is well-formed but cannot remember an invoice), so the end-to-end contract
//! tests put one of these behind `prism proxy --errors SPEC URL`: Prism still validates
//! every request and every answer against the provider's own contract, and the stand-in
//! keeps the lifecycle (created → paid → refunded). Tests move it on (a customer pays)
//! through the returned handle, never through the API under test.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Form, Json, Router};
use serde_json::{json, Value};

/// One invoice the stand-in keeps.
#[derive(Debug, Clone)]
pub struct Kept {
    pub id: String,
    pub order_id: String,
    pub amount: String,
    pub currency: String,
    pub status: String,
    pub additional: String,
    pub paid: String,
    pub cancelled: String,
    pub number: String,
}

#[derive(Debug, Clone)]
pub struct Standin {
    invoices: Arc<Mutex<Vec<Kept>>>,
    pub calls: Arc<Mutex<HashMap<String, usize>>>,
    /// Lookups in flight now, and the most seen at once.
    in_flight: Arc<Mutex<(usize, usize)>>,
    /// How long each lookup takes (to see concurrency).
    delay_ms: Arc<Mutex<u64>>,
    /// Faults the next requests meet (see [`Fault`]).
    faults: Arc<Mutex<Faults>>,
    /// Whether the stand-in listens at all (off: connections are refused).
    online: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Default for Standin {
    fn default() -> Self {
        Standin {
            invoices: Default::default(),
            calls: Default::default(),
            in_flight: Default::default(),
            delay_ms: Default::default(),
            faults: Default::default(),
            online: Arc::new(tokio::sync::watch::channel(true).0),
        }
    }
}

/// What the stand-in does to requests instead of answering them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `429 Too Many Requests` with `Retry-After: 1`.
    RateLimited,
    /// `503 Service Unavailable`.
    Unavailable,
}

#[derive(Debug, Default)]
struct Faults {
    /// The next `n` requests meet this fault.
    next: Option<(Fault, usize)>,
    /// Every request meets this fault until cleared (the provider is down).
    down: Option<Fault>,
    /// The keys are refused (401) until cleared.
    keys_revoked: bool,
    /// Requests turned away by a fault so far.
    refused: usize,
}

impl Standin {
    /// Takes the stand-in off the network (connections refused, as when the provider
    /// or the shop's internet is down) or back on, on the same address.
    pub fn set_online(&self, online: bool) {
        self.online.send_replace(online);
    }

    /// The next `n` requests meet `fault` (a 429 storm, a run of 5xx).
    pub fn fail_next(&self, fault: Fault, n: usize) {
        self.faults.lock().unwrap().next = Some((fault, n));
    }

    /// Every request meets `fault` until `down(None)`.
    pub fn down(&self, fault: Option<Fault>) {
        self.faults.lock().unwrap().down = fault;
    }

    /// The merchant's keys are revoked (every request 401) or restored.
    pub fn revoke_keys(&self, revoked: bool) {
        self.faults.lock().unwrap().keys_revoked = revoked;
    }

    /// How many requests a fault turned away.
    pub fn refused(&self) -> usize {
        self.faults.lock().unwrap().refused
    }

    /// How many invoices the stand-in holds (each create that reached it).
    pub fn invoice_count(&self) -> usize {
        self.invoices.lock().unwrap().len()
    }

    /// Sets an invoice's raw status as the provider reports it (an unknown one, too).
    pub fn set_status(&self, order_id: &str, status: &str) {
        let mut all = self.invoices.lock().unwrap();
        if let Some(k) = all.iter_mut().find(|k| k.order_id == order_id) {
            k.status = status.to_string();
        }
    }

    /// The fault this request meets, if any (counted).
    fn fault(&self) -> Option<axum::response::Response> {
        let mut f = self.faults.lock().unwrap();
        let hit = if f.keys_revoked {
            Some(None)
        } else if let Some(d) = f.down {
            Some(Some(d))
        } else if let Some((fault, n)) = f.next {
            f.next = (n > 1).then_some((fault, n - 1));
            Some(Some(fault))
        } else {
            None
        };
        let hit = hit?;
        f.refused += 1;
        Some(match hit {
            None => (
                StatusCode::UNAUTHORIZED,
                Json(json!({"code": "unauthenticated", "message": "The API key was revoked"})),
            )
                .into_response(),
            Some(Fault::RateLimited) => (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "1")],
                Json(json!({"code": "rate-limited", "message": "Too many requests"})),
            )
                .into_response(),
            Some(Fault::Unavailable) => (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"code": "unavailable", "message": "Maintenance"})),
            )
                .into_response(),
        })
    }

    /// Makes every lookup take `ms` milliseconds.
    pub fn slow(&self, ms: u64) {
        *self.delay_ms.lock().unwrap() = ms;
    }

    /// The most lookups that were ever in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.in_flight.lock().unwrap().1
    }

    async fn lookup_started(&self) {
        {
            let mut f = self.in_flight.lock().unwrap();
            f.0 += 1;
            f.1 = f.1.max(f.0);
        }
        let ms = *self.delay_ms.lock().unwrap();
        if ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
    }

    fn lookup_done(&self) {
        self.in_flight.lock().unwrap().0 -= 1;
    }

    fn count(&self, what: &str) {
        *self
            .calls
            .lock()
            .unwrap()
            .entry(what.to_string())
            .or_default() += 1;
    }

    pub fn calls(&self, what: &str) -> usize {
        self.calls.lock().unwrap().get(what).copied().unwrap_or(0)
    }

    /// The customer pays the whole invoice with this order id.
    pub fn pay(&self, order_id: &str) {
        let mut all = self.invoices.lock().unwrap();
        let k = all
            .iter_mut()
            .find(|k| k.order_id == order_id)
            .expect("no such invoice at the stand-in");
        k.paid = k.amount.clone();
        k.status = match k.status.as_str() {
            "New" => "Settled".into(),
            "1" => "2".into(),
            _ => "paid".into(),
        };
    }

    fn find(&self, pred: impl Fn(&Kept) -> bool) -> Option<Kept> {
        self.invoices
            .lock()
            .unwrap()
            .iter()
            .find(|k| pred(k))
            .cloned()
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut Kept)) -> Option<Kept> {
        let mut all = self.invoices.lock().unwrap();
        let k = all.iter_mut().find(|k| k.id == id)?;
        f(k);
        Some(k.clone())
    }

    fn insert(&self, k: Kept) -> Kept {
        self.invoices.lock().unwrap().push(k.clone());
        k
    }

    fn next_id(&self, prefix: &str) -> String {
        format!("{prefix}{:06}", self.invoices.lock().unwrap().len() + 1)
    }
}

/// Serves `app` on 127.0.0.1, closing the listening socket while the stand-in is
/// offline and opening it again on the same port when it is back.
async fn serve_switchable(app: Router, s: &Standin) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut online = s.online.subscribe();
    tokio::spawn(async move {
        let mut listener = Some(listener);
        loop {
            let l = match listener.take() {
                Some(l) => l,
                None => {
                    let _ = online.wait_for(|on| *on).await;
                    match tokio::net::TcpListener::bind(addr).await {
                        Ok(l) => l,
                        Err(_) => {
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            continue;
                        }
                    }
                }
            };
            let mut off = online.clone();
            let _ = axum::serve(l, app.clone())
                .with_graceful_shutdown(async move {
                    let _ = off.wait_for(|on| !*on).await;
                })
                .await;
        }
    });
    addr
}

/// Puts the fault switch in front of every route of a stand-in.
fn with_faults(app: Router, s: &Standin) -> Router {
    let s = s.clone();
    app.layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let s = s.clone();
            async move {
                match s.fault() {
                    Some(r) => r,
                    None => next.run(req).await,
                }
            }
        },
    ))
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn authorized(h: &HeaderMap) -> bool {
    h.get("authorization").is_some()
}

// ---- BTCPay Greenfield ----------------------------------------------------------------

fn btcpay_json(k: &Kept) -> Value {
    json!({
        "id": k.id, "storeId": "STORE1", "amount": k.amount, "paidAmount": k.paid, "currency": k.currency,
        "type": "Standard", "checkoutLink": format!("https://btcpay.example/i/{}", k.id),
        "createdTime": 1_700_000_000, "expirationTime": 1_700_003_600, "monitoringExpiration": 1_700_007_200,
        "status": k.status, "additionalStatus": k.additional, "archived": false,
        "availableStatusesForManualMarking": [], "metadata": { "orderId": k.order_id },
        "checkout": { "expirationMinutes": 60, "monitoringMinutes": 60, "paymentTolerance": 0, "speedPolicy": "MediumSpeed" },
        "receipt": { "enabled": true, "showQR": null, "showPayments": null }
    })
}

/// BTCPay Server Greenfield: create, get, list by order id, mark invalid, refund.
pub async fn btcpay() -> (String, Standin) {
    let s = Standin::default();
    let app = Router::new()
        .route(
            "/api/v1/stores/{store}/invoices",
            post(|State(s): State<Standin>, h: HeaderMap, Json(b): Json<Value>| async move {
                if !authorized(&h) {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                s.count("create");
                let k = s.insert(Kept {
                    id: s.next_id("BTC"),
                    order_id: b["metadata"]["orderId"].as_str().unwrap_or_default().into(),
                    amount: b["amount"].as_str().unwrap_or("0").into(),
                    currency: b["currency"].as_str().unwrap_or("USD").into(),
                    status: "New".into(),
                    additional: "None".into(),
                    paid: "0".into(),
                    cancelled: "0".into(),
                    number: String::new(),
                });
                Json(btcpay_json(&k)).into_response()
            })
            .get(|State(s): State<Standin>, Query(q): Query<Vec<(String, String)>>| async move {
                s.count("list");
                s.lookup_started().await;
                let orders: std::collections::HashSet<String> =
                    q.into_iter().filter(|(k, _)| k == "orderId").map(|(_, v)| v).collect();
                let list: Vec<Value> = s.invoices.lock().unwrap().iter().filter(|k| orders.contains(&k.order_id)).map(btcpay_json).collect();
                s.lookup_done();
                Json(Value::Array(list))
            }),
        )
        .route(
            "/api/v1/invoices/{id}",
            get(|State(s): State<Standin>, Path(id): Path<String>| async move {
                s.lookup_started().await;
                let found = s.find(|k| k.id == id);
                s.lookup_done();
                match found {
                    Some(k) => Json(btcpay_json(&k)).into_response(),
                    None => (StatusCode::NOT_FOUND, Json(json!({"code": "invoice-not-found", "message": "Invoice not found"}))).into_response(),
                }
            }),
        )
        .route(
            "/api/v1/invoices/{id}/status",
            post(|State(s): State<Standin>, Path(id): Path<String>, Json(b): Json<Value>| async move {
                let to = b["status"].as_str().unwrap_or_default().to_string();
                match s.update(&id, |k| {
                    k.status = to;
                    k.additional = "Marked".into();
                }) {
                    Some(k) => Json(btcpay_json(&k)).into_response(),
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }),
        )
        .route(
            "/api/v1/invoices/{id}/refund",
            post(|State(s): State<Standin>, Path(id): Path<String>| async move {
                s.count("refund");
                match s.find(|k| k.id == id) {
                    Some(k) => Json(json!({ "id": format!("PP-{}", k.id), "name": "Refund", "description": "", "currency": k.currency,
                        "amount": k.paid, "BOLT11Expiration": "30", "autoApproveClaims": false, "archived": false,
                        "viewLink": format!("https://btcpay.example/pull-payments/PP-{}", k.id) })).into_response(),
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }),
        )
        .with_state(s.clone());
    let app = with_faults(app, &s);
    (format!("http://{}", serve_switchable(app, &s).await), s)
}

// ---- PortOne v1 -----------------------------------------------------------------------

fn portone_json(k: &Kept) -> Value {
    let paid = k.status == "paid" || (k.status == "cancelled" && k.paid != "0");
    json!({ "code": 0, "response": {
        "imp_uid": k.id, "merchant_uid": k.order_id, "amount": k.amount.parse::<i64>().unwrap_or(0),
        "cancel_amount": k.cancelled.parse::<i64>().unwrap_or(0), "currency": "KRW", "status": k.status,
        "sandbox": true, "pay_method": "cvs", "vbank_num": k.number, "vbank_date": 1_900_000_000,
        "paid_at": if paid { 1_700_000_100 } else { 0 }, "failed_at": 0, "cancelled_at": 0,
        "cancel_history": [], "cancel_receipt_urls": [], "cash_receipt_issued": false
    }})
}

/// PortOne v1: token, CVS issue / revoke, payment lookups, cancel (refund).
pub async fn portone() -> (String, Standin) {
    let s = Standin::default();
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            Json(json!({"code": 1, "message": "존재하지 않는 결제정보입니다."})),
        )
            .into_response()
    };
    let app = Router::new()
        .route(
            "/users/getToken",
            post(|State(s): State<Standin>| async move {
                s.count("token");
                Json(json!({"code": 0, "response": {"access_token": "standin-token", "expired_at": 2_000_001_800i64, "now": 2_000_000_000i64}}))
            }),
        )
        .route(
            "/cvs",
            post(|State(s): State<Standin>, Form(f): Form<HashMap<String, String>>| async move {
                s.count("create");
                let id = s.next_id("imp_");
                let number = format!("9{:013}", 1_234_567 + s.calls("create"));
                let k = s.insert(Kept {
                    id,
                    order_id: f.get("merchant_uid").cloned().unwrap_or_default(),
                    amount: f.get("amount").cloned().unwrap_or_default(),
                    currency: "KRW".into(),
                    status: "ready".into(),
                    additional: String::new(),
                    paid: "0".into(),
                    cancelled: "0".into(),
                    number,
                });
                Json(portone_json(&k))
            }),
        )
        .route(
            "/cvs/{id}",
            delete(move |State(s): State<Standin>, Path(id): Path<String>| async move {
                match s.update(&id, |k| k.status = "cancelled".into()) {
                    Some(k) => Json(portone_json(&k)).into_response(),
                    None => not_found(),
                }
            }),
        )
        .route(
            "/payments",
            get(|State(s): State<Standin>, Query(q): Query<Vec<(String, String)>>| async move {
                s.count("list");
                let wanted: std::collections::HashSet<String> =
                    q.into_iter().filter(|(k, _)| k == "merchant_uid[]").map(|(_, v)| v).collect();
                let list: Vec<Value> = s.invoices.lock().unwrap().iter()
                    .filter(|k| wanted.contains(&k.order_id))
                    .map(|k| portone_json(k)["response"].clone())
                    .collect();
                Json(json!({ "code": 0, "response": list }))
            }),
        )
        .route(
            "/payments/{id}",
            get(move |State(s): State<Standin>, Path(id): Path<String>| async move {
                match s.find(|k| k.id == id) {
                    Some(k) => Json(portone_json(&k)).into_response(),
                    None => not_found(),
                }
            }),
        )
        .route(
            "/payments/find/{merchant_uid}",
            get(move |State(s): State<Standin>, Path(m): Path<String>| async move {
                match s.find(|k| k.order_id == m) {
                    Some(k) => Json(portone_json(&k)).into_response(),
                    None => not_found(),
                }
            }),
        )
        .route(
            "/payments/cancel",
            post(move |State(s): State<Standin>, Form(f): Form<HashMap<String, String>>| async move {
                s.count("refund");
                let id = f.get("imp_uid").cloned().unwrap_or_default();
                let Some(before) = s.find(|k| k.id == id) else { return not_found() };
                let amount: i64 = before.amount.parse().unwrap_or(0);
                let done: i64 = before.cancelled.parse().unwrap_or(0);
                let checksum: i64 = f.get("checksum").and_then(|c| c.parse().ok()).unwrap_or(-1);
                if checksum != amount - done {
                    return Json(json!({"code": 1, "message": "checksum mismatch"})).into_response();
                }
                let now: i64 = f.get("amount").and_then(|a| a.parse().ok()).unwrap_or(amount - done);
                let k = s
                    .update(&id, |k| {
                        k.cancelled = (done + now).to_string();
                        if done + now >= amount {
                            k.status = "cancelled".into();
                        }
                    })
                    .unwrap();
                Json(portone_json(&k)).into_response()
            }),
        )
        .with_state(s.clone());
    (format!("http://{}", serve(app).await), s)
}

// ---- PIPE -----------------------------------------------------------------------------

async fn fields(mut m: axum::extract::Multipart) -> HashMap<String, String> {
    let mut out = HashMap::new();
    while let Ok(Some(f)) = m.next_field().await {
        let name = f.name().unwrap_or_default().to_string();
        out.insert(name, f.text().await.unwrap_or_default());
    }
    out
}

fn pipe_json(k: &Kept) -> Value {
    json!({ "code": 1, "message": "success", "data": {
        "invoice_id": k.id, "order_id": k.order_id, "order_name": "PayDesk", "price": serde_json::from_str::<Value>(&k.amount).unwrap_or(Value::Null),
        "price_currency": k.currency, "request_refund_address": "", "status": k.status.parse::<i64>().unwrap_or(1),
        "create_date": 1_700_000_000, "update_date": 1_700_000_000, "coin_currency": "ETH", "coin_amount": "0.06673",
        "sender_address": "", "deposit_address": "0xe7EE045db39A13ad577E0E50F2A5255eB5e031dD", "deposit_amount": "0.06673",
        "deposit_status": if k.status == "1" { 0 } else { 1 }, "deposit_date": 1_700_000_100
    }})
}

/// PIPE: create, get, refund (multipart forms with the key as a field).
pub async fn pipe() -> (String, Standin) {
    let s = Standin::default();
    let app = Router::new()
        .route(
            "/api/v1/invoice/create",
            post(|State(s): State<Standin>, m: axum::extract::Multipart| async move {
                let f = fields(m).await;
                s.count("create");
                let id = s.next_id("PIPE");
                let k = s.insert(Kept {
                    id: id.clone(),
                    order_id: f.get("order_id").cloned().unwrap_or_default(),
                    amount: f.get("price").cloned().unwrap_or_default(),
                    currency: f.get("price_currency").cloned().unwrap_or_default(),
                    status: "1".into(),
                    additional: String::new(),
                    paid: "0".into(),
                    cancelled: "0".into(),
                    number: String::new(),
                });
                Json(json!({ "code": 1, "message": "success", "data": {
                    "invoice_id": k.id, "invoice_url": format!("https://pay.pipeblockchain.com/invoice-{id}"), "create_time": 1_700_000_000 } }))
            }),
        )
        .route(
            "/api/v1/invoice/get",
            post(|State(s): State<Standin>, m: axum::extract::Multipart| async move {
                let f = fields(m).await;
                let id = f.get("invoice_id").cloned().unwrap_or_default();
                match s.find(|k| k.id == id) {
                    Some(k) => Json(pipe_json(&k)),
                    None => Json(json!({ "code": 0, "message": "invoice not found" })),
                }
            }),
        )
        .route(
            "/api/v1/invoice/refund",
            post(|State(s): State<Standin>, m: axum::extract::Multipart| async move {
                let f = fields(m).await;
                s.count("refund");
                let id = f.get("invoice_id").cloned().unwrap_or_default();
                match s.update(&id, |k| k.status = "4".into()) {
                    Some(k) => Json(json!({ "code": 1, "message": "success", "data": { "invoice_id": k.id, "create_time": 1_700_000_200 } })),
                    None => Json(json!({ "code": 0, "message": "invoice not found" })),
                }
            }),
        )
        .with_state(s.clone());
    (format!("http://{}", serve(app).await), s)
}
