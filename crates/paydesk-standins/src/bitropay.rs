//! A BitroPay stand-in: it makes invoices (each remembering the callback URL it was
//! given) and, like BitroPay, has no lookup: statuses go out only by callback.

use crate::{serve, with_faults, Kept, Standin};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};

/// BitroPay: key check and create (the raw key in `Authorization`).
pub async fn bitropay() -> (String, Standin) {
    let s = Standin::default();
    let app = Router::new()
        .route(
            "/api/v1",
            get(|h: HeaderMap| async move {
                if h.get("authorization").is_none() {
                    return (StatusCode::UNAUTHORIZED, Json(json!({"result": "invalid key", "resultCode": 401}))).into_response();
                }
                Json(json!({"result": "success", "resultCode": 200})).into_response()
            }),
        )
        .route(
            "/api/v1/invoice",
            post(|State(s): State<Standin>, h: HeaderMap, Json(b): Json<Value>| async move {
                if h.get("authorization").is_none() {
                    return (StatusCode::UNAUTHORIZED, Json(json!({"result": "invalid key", "resultCode": 401}))).into_response();
                }
                s.count("create");
                let k = s.insert(Kept {
                    id: s.next_id("BRP"),
                    order_id: b["productId"].as_str().unwrap_or_default().into(),
                    amount: b["productPrice"].to_string(),
                    currency: "KRW".into(),
                    status: "wait".into(),
                    additional: String::new(),
                    paid: "0".into(),
                    cancelled: "0".into(),
                    // The callback URL this invoice's statuses go to.
                    number: b["callbackURL"].as_str().unwrap_or_default().into(),
                });
                Json(json!({ "result": "success", "resultCode": 200, "data": {
                    "invoiceId": k.id, "no": "1520998774032", "productId": k.order_id,
                    "productName": b["productName"], "productPrice": b["productPrice"], "productCurrency": "KRW",
                    "userData": {}, "gatewayURL": format!("https://www.bitro-pay.example/gateway/{}", k.id),
                    "status": "wait", "amount": 0.001
                }}))
                .into_response()
            }),
        )
        .with_state(s.clone());
    let app = with_faults(app, &s);
    (format!("http://{}", serve(app).await), s)
}

impl Standin {
    /// The callback URL BitroPay was given for an order, and BitroPay's id of it.
    pub fn callback_of(&self, order_id: &str) -> Option<(String, String)> {
        self.find(|k| k.order_id == order_id)
            .map(|k| (k.number.clone(), k.id.clone()))
    }
}
