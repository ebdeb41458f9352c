//! The one HTTP client and retry policy every provider adapter uses.
//!
//! - Timeouts: 10 s to connect, 30 s for a whole request.
//! - Retries with exponential backoff and jitter on 429, on connection failures (the
//!   request never left), and — for requests that are safe to repeat — on 5xx and
//!   timeouts. Never on other 4xx.
//! - A request that creates something (a link, a refund) is never repeated after an
//!   ambiguous failure (timeout, 5xx, a connection dropped after sending): the error
//!   says the outcome is unknown and the engine looks the order id up instead.
//! - Answers are decoded with the path of a bad field in the error, never a panic.

use std::time::Duration;

use paydesk_core::ProviderKind;
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

use crate::{ProviderError, Result};

/// What a path segment keeps as it is: letters, digits, `-`, `_`, `~` (a dot is encoded too).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'~');

/// An id (from the clerk or a provider's answer) as one URL path segment: encoded, so
/// that `../admin` or `a/b` never reaches another route; an empty or all-dot id, which
/// URL parsers read as "this" or "the parent" folder even encoded, is refused.
pub fn segment(provider: ProviderKind, field: &str, id: &str) -> Result<String> {
    if id.is_empty() || id.chars().all(|c| c == '.') {
        return Err(ProviderError::Malformed {
            provider,
            field: field.into(),
            message: format!("{id:?} is not an id"),
        });
    }
    Ok(percent_encoding::utf8_percent_encode(id, SEGMENT).to_string())
}

/// The largest answer PayDesk reads from a provider.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Reads and other requests that change nothing when repeated.
    Safe,
    /// Creates, cancels, refunds: repeated only when the provider surely did not act.
    Unsafe,
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base: Duration::from_millis(250),
            max: Duration::from_secs(4),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `n` (1-based retry count): exponential, capped, with
    /// full jitter so that many clients do not retry in step.
    pub fn delay(&self, n: u32) -> Duration {
        let exp = self.base.saturating_mul(1u32 << n.min(16));
        let cap = exp.min(self.max);
        cap.mul_f64(0.5 + fastrand::f64() * 0.5)
    }
}

#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    provider: ProviderKind,
    retry: RetryPolicy,
}

impl Http {
    pub fn new(provider: ProviderKind) -> Result<Http> {
        Self::with_policy(provider, RetryPolicy::default(), Duration::from_secs(30))
    }

    pub fn with_policy(
        provider: ProviderKind,
        retry: RetryPolicy,
        timeout: Duration,
    ) -> Result<Http> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(timeout)
            .user_agent(concat!("PayDesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Unavailable {
                provider,
                message: format!("cannot start an HTTP client: {e}"),
            })?;
        Ok(Http {
            client,
            provider,
            retry,
        })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub fn provider(&self) -> ProviderKind {
        self.provider
    }

    /// Sends the request `make` builds, retrying by the policy. Returns the response
    /// (any status but 429 / retried 5xx) for the adapter to read.
    pub async fn send(
        &self,
        repeat: Repeat,
        make: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> Result<Response> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.attempts;
            let outcome = make(&self.client).send().await;
            let wait = match outcome {
                Ok(resp) => {
                    let status = resp.status();
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        if last {
                            return Err(ProviderError::NotReached {
                                provider: self.provider,
                                message: format!(
                                    "still rate limited (HTTP 429) after {attempt} attempts"
                                ),
                            });
                        }
                        retry_after(&resp).unwrap_or_else(|| self.retry.delay(attempt))
                    } else if status.is_server_error() {
                        if repeat == Repeat::Unsafe || last {
                            let body = read_text(resp).await;
                            return Err(
                                self.unavailable(format!("HTTP {status}: {}", short(&body)))
                            );
                        }
                        self.retry.delay(attempt)
                    } else {
                        return Ok(resp);
                    }
                }
                Err(e) if e.is_connect() && !last => self.retry.delay(attempt),
                Err(e) if e.is_timeout() && repeat == Repeat::Safe && !last => {
                    self.retry.delay(attempt)
                }
                Err(e) if e.is_connect() => {
                    // The connection was never made: nothing reached the provider.
                    return Err(ProviderError::NotReached {
                        provider: self.provider,
                        message: format!("cannot connect: {}", redact_url(&e)),
                    });
                }
                Err(e) => {
                    let what = if e.is_timeout() {
                        "no answer in time"
                    } else if e.is_connect() {
                        "cannot connect"
                    } else {
                        "the connection failed"
                    };
                    return Err(self.unavailable(format!("{what}: {}", redact_url(&e))));
                }
            };
            tracing::debug!(provider = %self.provider, attempt, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    fn unavailable(&self, message: String) -> ProviderError {
        ProviderError::Unavailable {
            provider: self.provider,
            message,
        }
    }
}

/// An access token shared by every call of one account: fetched once, reused until a
/// minute before it expires, and fetched by one caller while the others wait.
#[derive(Debug, Clone, Default)]
pub struct TokenCache {
    inner: std::sync::Arc<tokio::sync::Mutex<Option<CachedToken>>>,
}

/// A token and the instant until which it is used.
type CachedToken = (String, chrono::DateTime<chrono::Utc>);

impl TokenCache {
    /// The cached token, or the one `fetch` returns with its lifetime in seconds.
    pub async fn get_or_fetch<F, Fut>(&self, fetch: F) -> Result<String>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(String, i64)>>,
    {
        let mut cached = self.inner.lock().await;
        if let Some((token, valid_until)) = cached.as_ref() {
            if chrono::Utc::now() < *valid_until {
                return Ok(token.clone());
            }
        }
        let (token, lifetime) = fetch().await?;
        let lifetime = lifetime.clamp(0, 24 * 3600);
        let valid_until = chrono::Utc::now() + chrono::Duration::seconds((lifetime - 60).max(0));
        *cached = Some((token.clone(), valid_until));
        Ok(token)
    }
}

impl TokenCache {
    /// Drops `token` if it is still the cached one (the provider refused it).
    pub async fn forget(&self, token: &str) {
        let mut cached = self.inner.lock().await;
        if cached.as_ref().is_some_and(|(t, _)| t == token) {
            *cached = None;
        }
    }

    /// Sends a request with the account's token. A 401 means the token was refused
    /// before anything was done (it may have ended sooner than it said): it is dropped,
    /// a new one is asked for once, and the request is sent once more.
    pub async fn send<F, Fut>(
        &self,
        http: &Http,
        repeat: Repeat,
        fetch: F,
        make: impl Fn(&reqwest::Client, &str) -> RequestBuilder,
    ) -> Result<Response>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<(String, i64)>>,
    {
        let token = self.get_or_fetch(&fetch).await?;
        let resp = http.send(repeat, |c| make(c, &token)).await?;
        if resp.status() != StatusCode::UNAUTHORIZED {
            return Ok(resp);
        }
        self.forget(&token).await;
        let token = self.get_or_fetch(&fetch).await?;
        http.send(repeat, |c| make(c, &token)).await
    }
}

fn retry_after(resp: &Response) -> Option<Duration> {
    let secs: u64 = resp
        .headers()
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs.min(30)))
}

/// Errors from reqwest carry the URL, whose query may hold a key: drop it (the same
/// rule as every error's, `paydesk_core::redact`; the account's keys are masked by the
/// adapter's redactor).
fn redact_url(e: &reqwest::Error) -> String {
    paydesk_core::redact::strip_queries(&e.to_string())
}

pub(crate) fn short(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The body as text (at most [`MAX_BODY`]), for error messages.
pub async fn read_text(resp: Response) -> String {
    match read_limited(resp).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => String::new(),
    }
}

async fn read_limited(mut resp: Response) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        if out.len() + chunk.len() > MAX_BODY {
            return Err(format!(
                "the answer is larger than {} MB",
                MAX_BODY / 1024 / 1024
            ));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Reads a JSON answer into `T`; a bad field is named in the error.
pub async fn decode<T: DeserializeOwned>(provider: ProviderKind, resp: Response) -> Result<T> {
    let bytes = read_limited(resp)
        .await
        .map_err(|message| ProviderError::Unavailable { provider, message })?;
    parse_json(provider, &bytes)
}

/// An amount a provider names, in minor units: refused (a malformed answer naming the
/// field) when negative or above what PayDesk keeps ([`paydesk_core::money::MAX_MINOR`]).
pub fn amount(
    provider: ProviderKind,
    field: &str,
    minor: i64,
    currency: paydesk_core::Currency,
) -> Result<i64> {
    paydesk_core::Money::from_minor(minor, currency)
        .map(paydesk_core::Money::minor)
        .map_err(|e| ProviderError::Malformed {
            provider,
            field: field.into(),
            message: format!("{minor}: {e}"),
        })
}

pub fn parse_json<T: DeserializeOwned>(provider: ProviderKind, bytes: &[u8]) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        ProviderError::Malformed {
            provider,
            field: if path == "." || path.is_empty() {
                "(body)".into()
            } else {
                path
            },
            message: e.inner().to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy::default();
        for n in 1..10 {
            let d = p.delay(n);
            let full = p.base.saturating_mul(1 << n).min(p.max);
            assert!(d <= full && d >= full / 2, "{n}: {d:?} vs {full:?}");
        }
    }

    #[test]
    fn malformed_answers_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct A {
            data: B,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct B {
            amount: i64,
        }
        let e =
            parse_json::<A>(ProviderKind::Portone, br#"{"data":{"amount":"lots"}}"#).unwrap_err();
        match e {
            ProviderError::Malformed {
                provider, field, ..
            } => {
                assert_eq!(provider, ProviderKind::Portone);
                assert_eq!(field, "data.amount");
            }
            e => panic!("{e}"),
        }
        assert!(matches!(
            parse_json::<A>(ProviderKind::Portone, br#"{"data":{"amo"#),
            Err(ProviderError::Malformed { .. })
        ));
        assert!(matches!(
            parse_json::<A>(ProviderKind::Portone, b""),
            Err(ProviderError::Malformed { .. })
        ));
    }

    #[test]
    fn ids_stay_one_path_segment() {
        let k = ProviderKind::Btcpay;
        assert_eq!(segment(k, "id", "PD 1/가").unwrap(), "PD%201%2F%EA%B0%80");
        assert_eq!(
            segment(k, "id", "../../admin").unwrap(),
            "%2E%2E%2F%2E%2E%2Fadmin"
        );
        assert_eq!(segment(k, "id", "BTC-7_x~").unwrap(), "BTC-7_x~");
        for bad in ["", ".", ".."] {
            assert!(
                matches!(segment(k, "id", bad), Err(ProviderError::Malformed { .. })),
                "{bad:?}"
            );
        }
        // What reqwest sends stays under the route it was given.
        let url = format!(
            "http://h/api/v1/stores/S/invoices/{}",
            segment(k, "id", "../../x").unwrap()
        );
        let parsed = reqwest::Url::parse(&url).unwrap();
        assert!(
            parsed.path().starts_with("/api/v1/stores/S/invoices/"),
            "{parsed}"
        );
    }
}
