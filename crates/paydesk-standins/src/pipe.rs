//! A stateful PIPE stand-in.

use std::collections::HashMap;

use crate::{serve, with_faults, Kept, Standin};
use axum::{extract::State, routing::post, Json, Router};
use serde_json::{json, Value};

pub(crate) async fn fields(mut m: axum::extract::Multipart) -> HashMap<String, String> {
    let mut out = HashMap::new();
    while let Ok(Some(f)) = m.next_field().await {
        let name = f.name().unwrap_or_default().to_string();
        out.insert(name, f.text().await.unwrap_or_default());
    }
    out
}

pub(crate) fn pipe_json(k: &Kept) -> Value {
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
                // PIPE refunds later: the request is kept ("requested") and the invoice
                // shows status 4 once the test says the refund is done (`set_status`).
                match s.find(|k| k.id == id) {
                    Some(k) if k.cancelled == "requested" || k.status == "4" => {
                        Json(json!({ "code": 0, "message": "refund already requested" }))
                    }
                    Some(k) => {
                        s.update(&k.id, |k| k.cancelled = "requested".into());
                        Json(json!({ "code": 1, "message": "success", "data": { "invoice_id": k.id, "create_time": 1_700_000_200 } }))
                    }
                    None => Json(json!({ "code": 0, "message": "invoice not found" })),
                }
            }),
        )
        .with_state(s.clone());
    let app = with_faults(app, &s);
    (format!("http://{}", serve(app).await), s)
}
