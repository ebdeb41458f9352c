//! A stateful Bootpay Commerce link-pay stand-in: tokens that can end early, links
//! whose `status` says nothing about payment (an unpaid link reads `status: 1`), and
//! `pay_at` once the customer has paid.

use crate::{serve_switchable, with_faults, Kept, Standin};
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};

fn link_json(k: &Kept) -> Value {
    let paid = k.paid != "0";
    json!({
        "invoice_id": k.id, "name": "PayDesk", "price": k.amount.parse::<i64>().unwrap_or(0),
        "tax_free_price": 0, "status": 1, "order_id": k.order_id,
        "pay_at": if paid { Value::from("2026-12-02T10:00:00Z") } else { Value::Null },
    })
}

/// Whether the request carries the latest token issued.
fn token_ok(s: &Standin, h: &HeaderMap) -> bool {
    let current = format!("Bearer tok-{}", *s.tokens.lock().unwrap());
    h.get("authorization").and_then(|v| v.to_str().ok()) == Some(current.as_str())
}

fn refused() -> axum::response::Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"status": 401, "code": 1700, "message": "Access Token이 잘못되었거나 만료되었습니다", "data": null})),
    )
        .into_response()
}

/// Bootpay Commerce: token, create, get, list, notify.
pub async fn bootpay() -> (String, Standin) {
    let s = Standin::default();
    let app = Router::new()
        .route(
            "/request/token",
            post(|State(s): State<Standin>| async move {
                s.count("token");
                let n = *s.tokens.lock().unwrap();
                // A reused token: Bootpay states 30 minutes whatever is left of it.
                Json(json!({ "access_token": format!("tok-{n}"), "expire_in": 1800 }))
            }),
        )
        .route(
            "/invoices",
            post(|State(s): State<Standin>, h: HeaderMap, Json(b): Json<Value>| async move {
                if !token_ok(&s, &h) {
                    return refused();
                }
                s.count("create");
                let k = s.insert(Kept {
                    id: s.next_id("inv_"),
                    order_id: b["order_id"].as_str().unwrap_or_default().into(),
                    amount: b["price"].to_string(),
                    currency: "KRW".into(),
                    status: "1".into(),
                    additional: String::new(),
                    paid: "0".into(),
                    cancelled: "0".into(),
                    number: String::new(),
                });
                Json(json!({ "invoice_id": k.id, "payment_url": format!("https://bootpay.example/link/{}", k.id) }))
                    .into_response()
            })
            .get(|State(s): State<Standin>, h: HeaderMap| async move {
                if !token_ok(&s, &h) {
                    return refused();
                }
                s.count("list");
                let list: Vec<Value> = s.invoices.lock().unwrap().iter()
                    .map(|k| json!({"id": k.id, "invoice_id": k.id, "name": "PayDesk", "price": 0, "status": 1}))
                    .collect();
                Json(json!({ "count": list.len(), "list": list })).into_response()
            }),
        )
        .route(
            "/invoices/{id}",
            get(|State(s): State<Standin>, h: HeaderMap, Path(id): Path<String>| async move {
                if !token_ok(&s, &h) {
                    return refused();
                }
                match s.find(|k| k.id == id) {
                    Some(k) => Json(link_json(&k)).into_response(),
                    None => (StatusCode::NOT_FOUND, Json(json!({"status": 404, "code": "INVOICE_NOT_FOUND", "message": "없는 인보이스", "data": null}))).into_response(),
                }
            }),
        )
        .with_state(s.clone());
    let app = with_faults(app, &s);
    (format!("http://{}", serve_switchable(app, &s).await), s)
}
