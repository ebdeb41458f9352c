//! The one HTTP client the API channels (Solapi, Twilio) share, and what an HTTP
//! failure proves about a message.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::error::{ChannelError, ChannelKind};

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("PayDesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the HTTP client builds with static settings")
}

/// A request that got no answer: a failed connect means nothing was sent (try again);
/// a timeout or a dropped connection may have come after the channel took it.
pub(crate) fn transport_error(kind: ChannelKind, e: &reqwest::Error) -> ChannelError {
    if e.is_connect() {
        ChannelError::transient(
            kind,
            Some("connect".into()),
            format!("cannot connect: {}", chain(e)),
        )
    } else if e.is_builder() {
        ChannelError::permanent(kind, Some("request".into()), chain(e))
    } else {
        ChannelError::unknown(
            kind,
            format!(
                "no answer after the request was sent ({}); the message may have gone out",
                chain(e)
            ),
        )
    }
}

/// An error answer: 429 and 5xx are passing, other 4xx are the channel's refusal.
pub(crate) fn status_error(
    kind: ChannelKind,
    status: reqwest::StatusCode,
    code: Option<String>,
    message: String,
) -> ChannelError {
    let message = if message.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {}: {message}", status.as_u16())
    };
    if status.as_u16() == 429 || status.is_server_error() {
        ChannelError::transient(kind, code, message)
    } else {
        ChannelError::permanent(kind, code, message)
    }
}

/// Decodes an answer the channel accepted; a malformed one names the field. The
/// message was taken (2xx), so a decoding failure leaves its outcome unknown.
pub(crate) fn decode<T: DeserializeOwned>(
    kind: ChannelKind,
    body: &[u8],
) -> Result<T, ChannelError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        ChannelError::unknown(
            kind,
            format!("malformed answer: field `{}`: {}", e.path(), e.inner()),
        )
    })
}

/// An error with its causes, as one line.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        source = s.source();
    }
    out
}
