//! SMS through Twilio's Messages API (merchants outside Korea): Basic auth with the
//! account SID and auth token, form-encoded `To`, `From` or `MessagingServiceSid`, `Body`.

use chrono::{DateTime, SecondsFormat, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::{Accepted, ChannelError, ChannelKind, Result, Via};
use crate::http;

const KIND: ChannelKind = ChannelKind::Twilio;
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// A Twilio channel's settings (account SID and auth token are in the keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwilioSettings {
    #[serde(default)]
    pub base_url: Option<String>,
    /// The sending number (E.164), or a Messaging Service SID (`MG…`).
    pub sender: String,
}

#[derive(Debug, Deserialize)]
struct MessageResource {
    sid: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

#[derive(Debug, Deserialize)]
struct MessageList {
    messages: Vec<MessageResource>,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
}

pub struct Twilio {
    settings: TwilioSettings,
    account_sid: SecretString,
    auth_token: SecretString,
    http: reqwest::Client,
}

impl std::fmt::Debug for Twilio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Twilio")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Twilio {
    pub fn new(
        settings: TwilioSettings,
        account_sid: SecretString,
        auth_token: SecretString,
    ) -> Twilio {
        Twilio {
            settings,
            account_sid,
            auth_token,
            http: http::client(),
        }
    }

    fn messages_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.settings
                .base_url
                .as_deref()
                .unwrap_or(DEFAULT_BASE_URL)
                .trim_end_matches('/'),
            self.account_sid.expose_secret()
        )
    }

    /// Sends `body` to `to_e164`; the answer's id is the message SID.
    pub async fn send(&self, to_e164: &str, body: &str) -> Result<Accepted> {
        let sender = self.settings.sender.trim();
        let from_key = if sender.starts_with("MG") {
            "MessagingServiceSid"
        } else {
            "From"
        };
        let form = [("To", to_e164), (from_key, sender), ("Body", body)];
        let req = self
            .http
            .post(self.messages_url())
            .basic_auth(
                self.account_sid.expose_secret(),
                Some(self.auth_token.expose_secret()),
            )
            .form(&form);
        let m: MessageResource = self.call(req).await?;
        if m.status.as_deref() == Some("failed") || m.status.as_deref() == Some("undelivered") {
            return Err(ChannelError::permanent(
                KIND,
                m.status.clone(),
                format!("message {} was not delivered", m.sid),
            ));
        }
        Ok(Accepted {
            message_id: m.sid,
            via: Via::Sms,
            note: None,
        })
    }

    /// Looks for a message with exactly `body` sent to `to_e164` since `since`, to
    /// settle a send whose outcome is unknown. `Some(sid)` when Twilio has it.
    pub async fn find_sent(
        &self,
        to_e164: &str,
        body: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let since =
            (since - chrono::Duration::minutes(5)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let req = self
            .http
            .get(self.messages_url())
            .basic_auth(
                self.account_sid.expose_secret(),
                Some(self.auth_token.expose_secret()),
            )
            .query(&[
                ("To", to_e164),
                ("DateSent>", since.as_str()),
                ("PageSize", "100"),
            ]);
        let list: MessageList = self.call(req).await?;
        Ok(list
            .messages
            .into_iter()
            .find(|m| m.body.as_deref() == Some(body) && m.to.as_deref() == Some(to_e164))
            .map(|m| m.sid))
    }

    /// Checks the account SID and token by listing one message.
    pub async fn test(&self) -> Result<String> {
        let req = self
            .http
            .get(self.messages_url())
            .basic_auth(
                self.account_sid.expose_secret(),
                Some(self.auth_token.expose_secret()),
            )
            .query(&[("PageSize", "1")]);
        let _: MessageList = self.call(req).await?;
        Ok("Twilio accepted the account SID and auth token".into())
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T> {
        let resp = req
            .send()
            .await
            .map_err(|e| http::transport_error(KIND, &e))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| http::transport_error(KIND, &e))?;
        if status.is_success() {
            return http::decode(KIND, &bytes);
        }
        let err: ErrorBody = serde_json::from_slice(&bytes).unwrap_or(ErrorBody {
            code: None,
            message: None,
        });
        let code = err.code.map(|c| match c {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        });
        let mut e = http::status_error(KIND, status, code, err.message.unwrap_or_default());
        if status.as_u16() == 401 {
            e.message = format!(
                "{} — check the channel's account_sid and auth_token",
                e.message
            );
        }
        Err(e)
    }
}
