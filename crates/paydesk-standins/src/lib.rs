//! Stateful stand-ins of providers, for tests only. Prism is stateless (it proves a
//! request is well-formed but cannot remember an invoice), so the end-to-end contract
//! tests put one of these behind `prism proxy --errors SPEC URL`: Prism still validates
//! every request and every answer against the provider's own contract, and the stand-in
//! keeps the lifecycle (created → paid → refunded). Tests move it on (a customer pays)
//! through the returned handle, never through the API under test.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    Json, Router,
};
use serde_json::json;

mod bitropay;
mod bootpay;
mod btcpay;
pub mod cups;
mod pipe;
mod portone;

pub use bitropay::bitropay;
pub use bootpay::bootpay;
pub use btcpay::btcpay;
pub use pipe::pipe;
pub use portone::portone;

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
    /// The access tokens issued so far; only the latest is accepted (Bootpay).
    tokens: Arc<Mutex<usize>>,
    /// How long a create takes after the invoice exists (an answer still on its way).
    create_delay_ms: Arc<Mutex<u64>>,
    /// Pull payments made by refunds (BTCPay), as BTCPay lists them.
    pub(crate) pulls: Arc<Mutex<Vec<serde_json::Value>>>,
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
            tokens: Default::default(),
            create_delay_ms: Default::default(),
            pulls: Default::default(),
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
pub(crate) struct Faults {
    /// The next `n` requests meet this fault.
    next: Option<(Fault, usize)>,
    /// Every request meets this fault until cleared (the provider is down).
    down: Option<Fault>,
    /// The keys are refused (401) until cleared.
    keys_revoked: bool,
    /// Requests turned away by a fault so far.
    refused: usize,
    /// The next `n` requests whose path ends so are carried out, and their answer is
    /// lost (a 503 instead): the provider did it, PayDesk cannot know.
    lose: Option<(String, usize)>,
}

impl Standin {
    /// Carries out the next `n` requests whose path ends with `path_end`, then answers
    /// each with a 503 as if the answer had been lost on its way.
    pub fn lose_answers(&self, path_end: &str, n: usize) {
        self.faults.lock().unwrap().lose = (n > 0).then(|| (path_end.to_string(), n));
    }

    /// The pull payments refunds have made so far (BTCPay).
    pub fn pull_payments(&self) -> Vec<serde_json::Value> {
        self.pulls.lock().unwrap().clone()
    }

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

    /// Sets what was cancelled (refunded) of a payment, as a refund in the provider's own
    /// console would (PortOne).
    pub fn set_cancelled(&self, order_id: &str, cancelled: &str) {
        let mut all = self.invoices.lock().unwrap();
        if let Some(k) = all.iter_mut().find(|k| k.order_id == order_id) {
            k.cancelled = cancelled.to_string();
        }
    }

    /// Ends every access token issued so far before its stated lifetime (as Bootpay's
    /// reused tokens do): the next call with one is refused with 401.
    pub fn end_tokens(&self) {
        *self.tokens.lock().unwrap() += 1;
    }

    /// Sets an invoice's whole state as BTCPay reports it: `status`, `additionalStatus`
    /// and the amount paid so far (a payment seen, reversed, marked…).
    pub fn set_state(&self, order_id: &str, status: &str, additional: &str, paid: &str) {
        let mut all = self.invoices.lock().unwrap();
        if let Some(k) = all.iter_mut().find(|k| k.order_id == order_id) {
            k.status = status.to_string();
            k.additional = additional.to_string();
            k.paid = paid.to_string();
        }
    }

    /// Every order id the stand-in holds an invoice for, once per invoice.
    pub fn order_ids(&self) -> Vec<String> {
        self.invoices
            .lock()
            .unwrap()
            .iter()
            .map(|k| k.order_id.clone())
            .collect()
    }

    /// The raw status the stand-in holds for an order (what a cancel did to it).
    pub fn status_of(&self, order_id: &str) -> Option<String> {
        self.find(|k| k.order_id == order_id).map(|k| k.status)
    }

    /// The fault this request meets, if any (counted).
    /// Whether this request's answer is to be lost (see [`Standin::lose_answers`]).
    fn answer_lost(&self, path: &str) -> bool {
        let mut f = self.faults.lock().unwrap();
        match f.lose.take() {
            Some((end, n)) if path.ends_with(&end) => {
                f.lose = (n > 1).then_some((end, n - 1));
                true
            }
            other => {
                f.lose = other;
                false
            }
        }
    }

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

    /// Makes every create take `ms` milliseconds: the first half before the invoice
    /// exists (a lookup finds nothing yet), the second after (the answer is on its way).
    pub fn slow_create(&self, ms: u64) {
        *self.create_delay_ms.lock().unwrap() = ms;
    }

    /// Waits half as long as a create takes.
    pub(crate) async fn create_delay(&self) {
        let ms = *self.create_delay_ms.lock().unwrap() / 2;
        if ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
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
pub(crate) async fn serve_switchable(app: Router, s: &Standin) -> SocketAddr {
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
pub(crate) fn with_faults(app: Router, s: &Standin) -> Router {
    let s = s.clone();
    app.layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let s = s.clone();
            async move {
                if let Some(r) = s.fault() {
                    return r;
                }
                let lost = s.answer_lost(req.uri().path());
                let answer = next.run(req).await;
                if lost {
                    return (
                        StatusCode::SERVICE_UNAVAILABLE,
                        Json(json!({"code": "unavailable", "message": "upstream timed out"})),
                    )
                        .into_response();
                }
                answer
            }
        },
    ))
}

pub(crate) async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

pub(crate) fn authorized(h: &HeaderMap) -> bool {
    h.get("authorization").is_some()
}
