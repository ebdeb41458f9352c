//! A stateful PortOne v1 stand-in.

use std::collections::HashMap;

use crate::{serve, with_faults, Kept, Standin};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{delete, get, post},
    Form, Json, Router,
};
use serde_json::{json, Value};

pub(crate) fn portone_json(k: &Kept) -> Value {
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
                // Korean PGs take the national digits (01012345678), not E.164.
                if let Some(tel) = f.get("buyer_tel") {
                    if !(tel.starts_with('0') && tel.len() >= 9 && tel.chars().all(|c| c.is_ascii_digit())) {
                        return Json(json!({"code": 1, "message": format!("buyer_tel {tel:?} is not a phone number"), "response": null})).into_response();
                    }
                }
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
                Json(portone_json(&k)).into_response()
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
            get(move |State(s): State<Standin>, Path(id): Path<String>, Query(q): Query<Vec<(String, String)>>| async move {
                // A test channel's payments are found only with include_sandbox=true.
                if !q.iter().any(|(k, v)| k == "include_sandbox" && v == "true") {
                    return not_found();
                }
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
                // Every stand-in payment is a convenience-store (virtual account) one: it is
                // given back by transfer, to the account the cancel names.
                let (holder, bank, account) = (f.get("refund_holder"), f.get("refund_bank"), f.get("refund_account"));
                match (holder, bank, account) {
                    (Some(h), Some(b), Some(a)) if !h.is_empty() && b.len() == 3 && !a.is_empty() => {
                        s.count(&format!("refund to {b}"));
                    }
                    _ => return Json(json!({"code": 1, "message": "가상계좌 환불은 환불계좌 정보(refund_holder, refund_bank, refund_account)가 필요합니다"})).into_response(),
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
    let app = with_faults(app, &s);
    (format!("http://{}", serve(app).await), s)
}
