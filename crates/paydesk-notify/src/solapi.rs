//! SMS / LMS and KakaoTalk AlimTalk through Solapi (`POST /messages/v4/send-many/detail`),
//! signed with `Authorization: HMAC-SHA256 apiKey=…, date=…, salt=…, signature=…`.

use std::collections::BTreeMap;

use chrono::{SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;

use crate::error::{Accepted, ChannelError, ChannelKind, Result, Via};
use crate::http;
use crate::sms::{self, SmsClass};

const KIND: ChannelKind = ChannelKind::Solapi;
pub const DEFAULT_BASE_URL: &str = "https://api.solapi.com";

/// A Solapi channel's settings (the API key and secret are in the keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SolapiSettings {
    #[serde(default)]
    pub base_url: Option<String>,
    /// The sender number registered at Solapi (digits).
    pub sender: String,
    /// The KakaoTalk channel (profile) id, for AlimTalk.
    #[serde(default)]
    pub pf_id: Option<String>,
    /// The approved AlimTalk template id.
    #[serde(default)]
    pub template_id: Option<String>,
    /// Send an SMS instead when AlimTalk is refused or cannot reach the customer.
    #[serde(default)]
    pub alimtalk_fallback: bool,
}

/// The `Authorization` header: `signature = hex(HMAC-SHA256(secret, date + salt))`.
pub fn authorization(api_key: &str, api_secret: &str, date: &str, salt: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(api_secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(date.as_bytes());
    mac.update(salt.as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    format!("HMAC-SHA256 apiKey={api_key}, date={date}, salt={salt}, signature={signature}")
}

fn fresh_salt() -> String {
    (0..32).map(|_| fastrand::alphanumeric()).collect()
}

/// A Korean mobile number (E.164 `+8210…`) as Solapi wants it: national digits.
pub fn solapi_number(e164: &str) -> Result<String> {
    match e164.strip_prefix("+82") {
        Some(rest) if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) => {
            Ok(format!("0{rest}"))
        }
        _ => Err(ChannelError::permanent(
            KIND,
            Some("to".into()),
            format!("{e164} is not a Korean number; this channel sends to Korean numbers (use a Twilio channel for others)"),
        )),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendResponse {
    failed_message_list: Vec<FailedMessage>,
    group_info: GroupInfo,
    #[serde(default)]
    message_list: Option<Vec<MessageResult>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupInfo {
    group_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FailedMessage {
    #[serde(default)]
    status_code: Option<String>,
    #[serde(default)]
    status_message: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageResult {
    #[serde(default)]
    message_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
}

pub struct Solapi {
    settings: SolapiSettings,
    api_key: SecretString,
    api_secret: SecretString,
    http: reqwest::Client,
}

impl std::fmt::Debug for Solapi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Solapi")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Solapi {
    pub fn new(
        settings: SolapiSettings,
        api_key: SecretString,
        api_secret: SecretString,
    ) -> Solapi {
        Solapi {
            settings,
            api_key,
            api_secret,
            http: http::client(),
        }
    }

    fn base(&self) -> &str {
        self.settings
            .base_url
            .as_deref()
            .unwrap_or(DEFAULT_BASE_URL)
            .trim_end_matches('/')
    }

    fn sender(&self) -> String {
        self.settings
            .sender
            .chars()
            .filter(char::is_ascii_digit)
            .collect()
    }

    /// Sends an SMS, or an LMS when the text is longer than 90 EUC-KR bytes.
    pub async fn send_text(
        &self,
        to_e164: &str,
        text: &str,
        subject: Option<&str>,
    ) -> Result<Accepted> {
        let to = solapi_number(to_e164)?;
        let class = sms::classify(text).map_err(|n| {
            ChannelError::permanent(
                KIND,
                Some("text".into()),
                format!(
                    "the message is {n} bytes; an LMS holds at most {}",
                    sms::LMS_MAX_BYTES
                ),
            )
        })?;
        let (kind, via) = match class {
            SmsClass::Sms => ("SMS", Via::Sms),
            SmsClass::Lms => ("LMS", Via::Lms),
        };
        let mut message = json!({ "to": to, "from": self.sender(), "text": text, "type": kind });
        if let (SmsClass::Lms, Some(s)) = (class, subject) {
            let subject: String = s.chars().take(20).collect();
            message["subject"] = subject.into();
        }
        let id = self.send_one(message).await??;
        Ok(Accepted {
            message_id: id,
            via,
            note: None,
        })
    }

    /// Sends an AlimTalk with the merchant's template; when it is refused and the
    /// merchant allows it, sends `fallback_text` as an SMS / LMS instead.
    pub async fn send_alimtalk(
        &self,
        to_e164: &str,
        variables: &BTreeMap<String, String>,
        fallback_text: &str,
    ) -> Result<Accepted> {
        let (Some(pf_id), Some(template_id)) = (&self.settings.pf_id, &self.settings.template_id)
        else {
            return Err(ChannelError::permanent(
                KIND,
                Some("template_id".into()),
                "AlimTalk needs the channel's KakaoTalk channel id (pf_id) and template id",
            ));
        };
        let to = solapi_number(to_e164)?;
        let message = json!({
            "to": to,
            "from": self.sender(),
            "type": "ATA",
            "kakaoOptions": {
                "pfId": pf_id,
                "templateId": template_id,
                "variables": variables,
                // Solapi's own fallback when KakaoTalk cannot deliver (no KakaoTalk, blocked).
                "disableSms": !self.settings.alimtalk_fallback,
            },
        });
        match self.send_one(message).await? {
            Ok(id) => Ok(Accepted {
                message_id: id,
                via: Via::Alimtalk,
                note: None,
            }),
            // Refused for this message (template mismatch, not a KakaoTalk user…):
            // nothing went out, so an SMS is the one message the customer gets.
            Err(refused) if self.settings.alimtalk_fallback => {
                let mut sent = self.send_text(to_e164, fallback_text, None).await?;
                sent.note = Some(format!(
                    "AlimTalk refused ({refused}); sent as {}",
                    sent.via
                ));
                Ok(sent)
            }
            Err(refused) => Err(refused),
        }
    }

    /// Sends one message: `Err` when the request failed, `Ok(Err)` when Solapi
    /// answered but refused the message itself (listed in `failedMessageList`).
    async fn send_one(&self, message: serde_json::Value) -> Result<Result<String>> {
        let body = json!({ "messages": [message], "showMessageList": true });
        let answer = self.post(&body).await?;
        if let Some(f) = answer.failed_message_list.first() {
            return Ok(Err(ChannelError::permanent(
                KIND,
                f.status_code.clone(),
                format!(
                    "message refused: {}",
                    f.status_message
                        .as_deref()
                        .unwrap_or("no reason given")
                        .trim()
                ),
            )));
        }
        Ok(Ok(answer
            .message_list
            .and_then(|l| l.into_iter().find_map(|m| m.message_id))
            .unwrap_or(answer.group_info.group_id)))
    }

    async fn post(&self, body: &serde_json::Value) -> Result<SendResponse> {
        let date = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let auth = authorization(
            self.api_key.expose_secret(),
            self.api_secret.expose_secret(),
            &date,
            &fresh_salt(),
        );
        let resp = self
            .http
            .post(format!("{}/messages/v4/send-many/detail", self.base()))
            .header("Authorization", auth)
            .json(body)
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
            error_code: None,
            error_message: None,
        });
        let mut e = http::status_error(
            KIND,
            status,
            err.error_code,
            err.error_message.unwrap_or_default(),
        );
        if status.as_u16() == 401 || status.as_u16() == 403 {
            e.message = format!("{} — check the channel's api_key and api_secret", e.message);
        }
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_an_independent_computation() {
        // Computed with: printf '%s' '2019-07-01T00:41:48Zjqsba2jxjnrjor' | openssl dgst -sha256 -hmac 'secret'
        let h = authorization(
            "NCSAYU7YDBXYORXC",
            "secret",
            "2019-07-01T00:41:48Z",
            "jqsba2jxjnrjor",
        );
        assert!(h.starts_with("HMAC-SHA256 apiKey=NCSAYU7YDBXYORXC, date=2019-07-01T00:41:48Z, salt=jqsba2jxjnrjor, signature="));
        let sig = h.rsplit("signature=").next().unwrap();
        assert_eq!(sig.len(), 64);
        assert_eq!(sig, OPENSSL_SIG);
    }

    const OPENSSL_SIG: &str = "4297539ca79c85dd83b60cbddae60942710223ddcafc4bf02275193a649057ce";

    #[test]
    fn korean_numbers_become_national_digits() {
        assert_eq!(solapi_number("+821012345678").unwrap(), "01012345678");
        let e = solapi_number("+819012345678").unwrap_err();
        assert_eq!(e.code.as_deref(), Some("to"));
    }

    #[test]
    fn salts_are_fresh_and_long_enough() {
        let (a, b) = (fresh_salt(), fresh_salt());
        assert_ne!(a, b);
        assert!((12..=64).contains(&a.len()));
    }
}
