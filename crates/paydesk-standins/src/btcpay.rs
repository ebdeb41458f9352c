//! A stateful BTCPay Greenfield stand-in.

use crate::{authorized, serve_switchable, with_faults, Kept, Standin};
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};

pub(crate) fn btcpay_json(k: &Kept) -> Value {
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
                // Half of a slow create passes before the invoice exists, half after.
                s.create_delay().await;
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
                s.create_delay().await;
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
            "/api/v1/api-keys/current",
            get(|h: HeaderMap| async move {
                if !authorized(&h) {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                // What a key made for PayDesk holds (store permissions, any store).
                Json(json!({ "apiKey": "k", "label": "PayDesk", "permissions": [
                    "btcpay.store.canmodifyinvoices", "btcpay.store.cancreatenonapprovedpullpayments"] }))
                .into_response()
            }),
        )
        .route(
            "/api/v1/stores/{store}/invoices/{id}",
            get(|State(s): State<Standin>, Path((_store, id)): Path<(String, String)>| async move {
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
            "/api/v1/stores/{store}/invoices/{id}/status",
            post(|State(s): State<Standin>, Path((_store, id)): Path<(String, String)>, Json(b): Json<Value>| async move {
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
            "/api/v1/stores/{store}/invoices/{id}/refund",
            post(|State(s): State<Standin>, Path((_store, id)): Path<(String, String)>, Json(b): Json<Value>| async move {
                s.count("refund");
                let Some(k) = s.find(|k| k.id == id) else {
                    return StatusCode::NOT_FOUND.into_response();
                };
                // A custom refund is in the currency asked; the others in the invoice's
                // payment currency (here: the invoice's, as the stand-in takes no crypto).
                let custom = b["refundVariant"] == "Custom";
                let mut pulls = s.pulls.lock().unwrap();
                let pp = format!("PP-{}", pulls.len() + 1);
                let pull = json!({ "id": pp, "name": b["name"].as_str().unwrap_or("Refund"),
                    "description": b["description"].as_str().unwrap_or_default(),
                    "currency": if custom { b["customCurrency"].as_str().unwrap_or_default().to_string() } else { k.currency.clone() },
                    "amount": if custom { b["customAmount"].as_str().unwrap_or_default().to_string() } else { k.paid.clone() },
                    "BOLT11Expiration": "30", "autoApproveClaims": false, "archived": false,
                    "viewLink": format!("https://btcpay.example/pull-payments/{pp}") });
                pulls.push(pull.clone());
                Json(pull).into_response()
            }),
        )
        .route(
            "/api/v1/stores/{store}/pull-payments",
            get(|State(s): State<Standin>, h: HeaderMap| async move {
                if !authorized(&h) {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                s.count("pull-payments");
                Json(Value::Array(s.pull_payments())).into_response()
            }),
        )
        .with_state(s.clone());
    let app = with_faults(app, &s);
    (format!("http://{}", serve_switchable(app, &s).await), s)
}
