//! The shared retry policy and PortOne's token cache against a stand-in of our own
//! (what no contract server can do: fail on purpose, count calls, drop connections).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use paydesk_core::ProviderKind;
use paydesk_providers::http::{Http, Repeat, RetryPolicy};
use paydesk_providers::portone::Portone;
use paydesk_providers::{Provider, ProviderError};
use secrecy::SecretString;

#[derive(Clone, Default)]
struct Counts {
    hits: Arc<AtomicUsize>,
    tokens: Arc<AtomicUsize>,
}

/// PortOne's answer for one unpaid CVS payment, `imp_1`.
fn ready_payment() -> serde_json::Value {
    serde_json::json!({
        "code": 0, "message": null,
        "response": { "imp_uid": "imp_1", "merchant_uid": "PD1", "amount": 29900, "cancel_amount": 0,
                      "currency": "KRW", "status": "ready", "sandbox": true, "vbank_num": "1234567890123" }
    })
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn fast() -> Http {
    let policy = RetryPolicy {
        attempts: 4,
        base: Duration::from_millis(5),
        max: Duration::from_millis(20),
    };
    Http::with_policy(ProviderKind::Btcpay, policy, Duration::from_secs(2)).unwrap()
}

/// A route that answers `fail` for the first `n` calls, then 200.
fn flaky(fail: StatusCode, n: usize) -> (Router, Counts) {
    let counts = Counts::default();
    let app = Router::new()
        .route(
            "/x",
            get(move |State(c): State<Counts>| async move {
                if c.hits.fetch_add(1, Ordering::SeqCst) < n {
                    (fail, "busy").into_response()
                } else {
                    (StatusCode::OK, "ok").into_response()
                }
            })
            .post(move |State(c): State<Counts>| async move {
                if c.hits.fetch_add(1, Ordering::SeqCst) < n {
                    (fail, "busy").into_response()
                } else {
                    (StatusCode::OK, "ok").into_response()
                }
            }),
        )
        .with_state(counts.clone());
    (app, counts)
}

#[tokio::test]
async fn rate_limits_are_waited_out_for_any_request() {
    let (app, counts) = flaky(StatusCode::TOO_MANY_REQUESTS, 2);
    let url = format!("{}/x", serve(app).await);
    let resp = fast().send(Repeat::Unsafe, |c| c.post(&url)).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(counts.hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn server_errors_are_retried_only_when_safe() {
    let (app, counts) = flaky(StatusCode::BAD_GATEWAY, 2);
    let url = format!("{}/x", serve(app).await);
    assert_eq!(
        fast()
            .send(Repeat::Safe, |c| c.get(&url))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(counts.hits.load(Ordering::SeqCst), 3);

    let (app, counts) = flaky(StatusCode::BAD_GATEWAY, 2);
    let url = format!("{}/x", serve(app).await);
    let err = fast()
        .send(Repeat::Unsafe, |c| c.post(&url))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err}");
    assert_eq!(
        counts.hits.load(Ordering::SeqCst),
        1,
        "a create is never sent twice"
    );
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    let (app, counts) = flaky(StatusCode::BAD_REQUEST, 5);
    let url = format!("{}/x", serve(app).await);
    assert_eq!(
        fast()
            .send(Repeat::Safe, |c| c.get(&url))
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(counts.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn giving_up_says_so() {
    let (app, counts) = flaky(StatusCode::SERVICE_UNAVAILABLE, 100);
    let url = format!("{}/x", serve(app).await);
    let err = fast()
        .send(Repeat::Safe, |c| c.get(&url))
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Unavailable { .. }));
    assert_eq!(counts.hits.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_connection_dropped_after_sending_is_an_unknown_outcome() {
    // Accepts the request, reads it, and closes without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let seen = accepted.clone();
    tokio::spawn(async move {
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            seen.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = tokio::io::AsyncReadExt::read(&mut s, &mut buf).await;
            drop(s);
        }
    });
    let url = format!("http://{addr}/x");
    let err = fast()
        .send(Repeat::Unsafe, |c| c.post(&url).body("{}"))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err}");
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "not sent a second time");
}

#[tokio::test]
async fn one_token_request_serves_many_concurrent_calls() {
    let counts = Counts::default();
    let app = Router::new()
        .route(
            "/users/getToken",
            post(|State(c): State<Counts>| async move {
                c.tokens.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                axum::Json(serde_json::json!({
                    "code": 0, "message": null,
                    "response": { "access_token": "tok", "expired_at": 2_000_001_800i64, "now": 2_000_000_000i64 }
                }))
            }),
        )
        .route(
            "/payments/{id}",
            get(|State(c): State<Counts>, headers: axum::http::HeaderMap| async move {
                c.hits.fetch_add(1, Ordering::SeqCst);
                assert_eq!(headers.get("authorization").unwrap(), "Bearer tok");
                axum::Json(ready_payment())
            }),
        )
        .with_state(counts.clone());
    let base = serve(app).await;
    let p = Portone::new(
        Http::new(ProviderKind::Portone).unwrap(),
        &base,
        None,
        SecretString::from("k"),
        SecretString::from("s"),
    );
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.get("imp_1").await })
        })
        .collect();
    for c in calls {
        let r = c.await.unwrap().unwrap();
        assert_eq!(r.payment_number.as_deref(), Some("1234567890123"));
    }
    assert_eq!(counts.tokens.load(Ordering::SeqCst), 1);
    assert_eq!(counts.hits.load(Ordering::SeqCst), 10);
}

#[tokio::test]
async fn a_refused_token_is_dropped_and_asked_for_again_once() {
    // Tokens "tok-0", "tok-1", …; the server accepts only tokens from the second on
    // (the first ended before its stated lifetime), and never a third one.
    let counts = Counts::default();
    let app = Router::new()
        .route(
            "/users/getToken",
            post(|State(c): State<Counts>| async move {
                let n = c.tokens.fetch_add(1, Ordering::SeqCst);
                axum::Json(serde_json::json!({
                    "code": 0, "message": null,
                    "response": { "access_token": format!("tok-{n}"), "expired_at": 2_000_001_800i64, "now": 2_000_000_000i64 }
                }))
            }),
        )
        .route(
            "/payments/{id}",
            get(|State(c): State<Counts>, headers: axum::http::HeaderMap| async move {
                c.hits.fetch_add(1, Ordering::SeqCst);
                if headers.get("authorization").unwrap() == "Bearer tok-0" {
                    return (StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({ "code": -1, "message": "Unauthorized", "response": null }))).into_response();
                }
                axum::Json(ready_payment()).into_response()
            }),
        )
        .with_state(counts.clone());
    let base = serve(app).await;
    let p = Portone::new(
        Http::new(ProviderKind::Portone).unwrap(),
        &base,
        None,
        SecretString::from("k"),
        SecretString::from("s"),
    );
    p.get("imp_1").await.expect("read with the new token");
    p.get("imp_1").await.expect("and the new token is kept");
    assert_eq!(counts.tokens.load(Ordering::SeqCst), 2);
    assert_eq!(counts.hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn portone_refusals_and_bad_answers_are_named() {
    let app = Router::new()
        .route("/users/getToken", post(|| async {
            axum::Json(serde_json::json!({ "code": 0, "response": { "access_token": "t", "expired_at": 10, "now": 0 } }))
        }))
        .route("/payments/refused", get(|| async {
            axum::Json(serde_json::json!({ "code": -1, "message": "존재하지 않는 결제정보입니다.", "response": null }))
        }))
        .route("/payments/wrongtype", get(|| async {
            axum::Json(serde_json::json!({ "code": 0, "response": { "imp_uid": "i", "merchant_uid": "m", "amount": "lots",
                "cancel_amount": 0, "currency": "KRW", "status": "ready" } }))
        }))
        .route("/payments/truncated", get(|| async { (StatusCode::OK, "{\"code\":0,\"response\":{\"imp_u") }))
        .route("/payments/huge", get(|| async { (StatusCode::OK, "x".repeat(5 * 1024 * 1024)) }));
    let base = serve(app).await;
    let p = Portone::new(
        Http::new(ProviderKind::Portone).unwrap(),
        &base,
        None,
        SecretString::from("k"),
        SecretString::from("s"),
    );
    match p.get("refused").await.unwrap_err() {
        ProviderError::Rejected { code, message, .. } => {
            assert_eq!(code.as_deref(), Some("-1"));
            assert_eq!(message, "존재하지 않는 결제정보입니다.");
        }
        e => panic!("{e}"),
    }
    match p.get("wrongtype").await.unwrap_err() {
        ProviderError::Malformed {
            field, provider, ..
        } => {
            assert_eq!(provider, ProviderKind::Portone);
            assert_eq!(field, "response.amount");
        }
        e => panic!("{e}"),
    }
    assert!(matches!(
        p.get("truncated").await,
        Err(ProviderError::Malformed { .. })
    ));
    let huge = p.get("huge").await.unwrap_err();
    assert!(huge.to_string().contains("portone"), "{huge}");
}
