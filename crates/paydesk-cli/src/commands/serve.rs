//! `paydesk serve`: the store server. It runs the shop's sync and outbox (on a shared
//! store, in place of the counters) and receives providers' callbacks —
//! `POST /callbacks/bitropay/{invoice}?t=TOKEN` (believed only with the invoice's own
//! token) and `POST /callbacks/{btcpay|portone|pipe}/{account}` (a "check now": the
//! engine reads the invoice again from the provider; BTCPay's must carry a valid
//! `BTCPay-Sig`) — and hands each to the engine. The server bounds what a stranger can
//! make it do: headers within 10 s, bodies of at most 64 KiB read within 10 s, 64
//! requests at once, and a few requests per second per source address.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, Path, Query, State},
    http::{header::CONTENT_LENGTH, HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
    Json, Router,
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use paydesk::{CallbackError, Engine, EngineError, IncomingCallback};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Semaphore;

/// The largest callback body read.
const BODY_LIMIT: usize = 64 * 1024;
/// How long a client may take to send its body.
const BODY_TIME: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's headers.
const HEADER_TIME: Duration = Duration::from_secs(10);
/// Requests handled at once (the rest wait their turn).
const AT_ONCE: usize = 64;

#[derive(Clone)]
struct Server {
    engine: Engine,
    per_source: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    at_once: Arc<Semaphore>,
}

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    t: String,
}

pub(crate) async fn serve(engine: &Engine, listen: &str, json: bool) -> Result<(), EngineError> {
    let addr: SocketAddr = listen
        .parse()
        .map_err(|_| EngineError::input("listen", "must be ADDRESS:PORT, e.g. 0.0.0.0:8788"))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| EngineError::input("listen", format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| EngineError::Internal(e.to_string()))?;
    // 10 requests a second per source, bursts of 20.
    let quota = Quota::per_second(NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN));
    let server = Server {
        engine: engine.clone(),
        per_source: Arc::new(RateLimiter::keyed(quota)),
        at_once: Arc::new(Semaphore::new(AT_ONCE)),
    };
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/callbacks/{provider}/{key}", post(callback))
        .with_state(server);
    // The shop's sync and outbox run here too; on a shared store the counters leave
    // polling to the server while it runs.
    if !engine.become_store_server().await? {
        return Err(EngineError::input(
            "listen",
            "another store server already serves this shared store",
        ));
    }
    let syncing = engine.clone();
    tokio::spawn(async move { syncing.run_sync(None, std::future::pending()).await });
    if json {
        say!("{}", json!({ "listening": format!("http://{local}") }));
    } else {
        say!("listening on http://{local}");
        eprintln!("Receiving provider callbacks and syncing for the shop; press Ctrl-C to stop.");
    }
    // hyper's own connection loop (axum::serve sets no time limit on headers): a client
    // that sends its headers too slowly is cut off, so slow clients cannot hold the
    // server's connections.
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        let (socket, from) = tokio::select! {
            _ = &mut stop => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "a connection could not be accepted");
                    continue;
                }
            },
        };
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(from));
                    tower::ServiceExt::oneshot(app.clone(), req.map(Body::new))
                },
            );
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIME)
                .serve_connection(hyper_util::rt::TokioIo::new(socket), service)
                .await;
        });
    }
}

async fn callback(
    State(s): State<Server>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    Path((provider, key)): Path<(String, String)>,
    Query(token): Query<Token>,
    headers: HeaderMap,
    body: Body,
) -> impl IntoResponse {
    let answer = |status: StatusCode, what: &str| (status, Json(json!({ "error": what })));
    if s.per_source.check_key(&from.ip()).is_err() {
        tracing::info!(source = %from.ip(), "callback refused: too many requests");
        return answer(StatusCode::TOO_MANY_REQUESTS, "too many requests").into_response();
    }
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT) {
        return answer(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large").into_response();
    }
    let Ok(_turn) = s.at_once.acquire().await else {
        return answer(StatusCode::SERVICE_UNAVAILABLE, "stopping").into_response();
    };
    let bytes = match tokio::time::timeout(BODY_TIME, to_bytes(body, BODY_LIMIT)).await {
        Err(_) => {
            return answer(StatusCode::REQUEST_TIMEOUT, "the body came too slowly").into_response()
        }
        Ok(Err(_)) => {
            return answer(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large").into_response()
        }
        Ok(Ok(b)) => b,
    };
    let signature = headers.get("btcpay-sig").and_then(|v| v.to_str().ok());
    let incoming = IncomingCallback {
        provider: &provider,
        key: &key,
        token: Some(token.t.as_str()).filter(|t| !t.is_empty()),
        signature,
        body: &bytes,
    };
    match s.engine.receive_callback(incoming).await {
        Ok(changed) => Json(json!({ "ok": true, "changed": changed.is_some() })).into_response(),
        Err(e) => {
            // Never the token or the body: the path's invoice and why.
            tracing::info!(source = %from.ip(), provider = %provider, key = %key, "callback refused: {e}");
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
            let what = match e {
                CallbackError::Engine(_) => "try again later".to_string(),
                other => other.to_string(),
            };
            answer(status, &what).into_response()
        }
    }
}
