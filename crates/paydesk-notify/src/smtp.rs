//! E-mail over SMTP (lettre): STARTTLS, implicit TLS or plain (local relays), AUTH,
//! a multipart/alternative text + HTML message whose HTML shows the link's QR code
//! as an inline image.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

pub use lettre::message::Mailbox;

use crate::error::{Accepted, ChannelError, ChannelKind, Result, Via};
use crate::template::EmailContent;

const KIND: ChannelKind = ChannelKind::Smtp;

/// How the connection to the mail server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (port 587); refused if the server cannot.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    None,
}

impl SmtpTls {
    /// The setting's stored name (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpTls::Starttls => "starttls",
            SmtpTls::Tls => "tls",
            SmtpTls::None => "none",
        }
    }
}

impl std::str::FromStr for SmtpTls {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "starttls" => Ok(SmtpTls::Starttls),
            "tls" | "ssl" => Ok(SmtpTls::Tls),
            "none" => Ok(SmtpTls::None),
            other => Err(format!(
                "unknown TLS mode {other:?} (expected starttls, tls or none)"
            )),
        }
    }
}

/// An SMTP channel's settings (no secret: the password is in the keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: Option<String>,
    /// The sender, e.g. `하나상회 <shop@hana.kr>`.
    pub from: String,
    /// A PEM file with the certificate authority of a private mail server; when set,
    /// only that authority is trusted.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

impl SmtpSettings {
    /// Checks the sender address; the error names what is wrong.
    pub fn from_mailbox(&self) -> std::result::Result<Mailbox, String> {
        self.from
            .parse::<Mailbox>()
            .map_err(|e| format!("{:?} is not an e-mail sender ({e})", self.from))
    }
}

/// One e-mail to a customer.
#[derive(Debug, Clone)]
pub struct Email<'a> {
    pub to: &'a str,
    pub content: &'a EmailContent,
    /// The QR code PNG the HTML shows as `cid:qr`.
    pub qr_png: Option<&'a [u8]>,
    /// The store's logo the HTML shows as `cid:logo`: the image and its MIME type.
    pub logo: Option<(&'a [u8], &'a str)>,
    /// The Message-ID to use, without angle brackets (`delivery-id@domain`).
    pub message_id: String,
}

#[derive(Clone)]
pub struct Smtp {
    settings: SmtpSettings,
    password: Option<SecretString>,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("settings", &self.settings)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl Smtp {
    pub fn new(settings: SmtpSettings, password: Option<SecretString>) -> Smtp {
        Smtp { settings, password }
    }

    /// A Message-ID (without angle brackets) for `local`, at the sender's domain.
    pub fn message_id(&self, local: &str) -> String {
        let domain = self
            .settings
            .from
            .rsplit('@')
            .next()
            .map(|d| d.trim_end_matches('>').trim())
            .filter(|d| !d.is_empty() && *d != self.settings.from.trim())
            .unwrap_or("paydesk.local");
        format!("{local}@{domain}")
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
        let s = &self.settings;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.clone())
            .port(s.port)
            .timeout(Some(Duration::from_secs(30)));
        if s.tls != SmtpTls::None {
            let mut params = TlsParameters::builder(s.host.clone());
            if let Some(path) = &s.ca_file {
                let pem = std::fs::read(path).map_err(|e| {
                    ChannelError::permanent(
                        KIND,
                        Some("ca_file".into()),
                        format!("cannot read the CA file {}: {e}", path.display()),
                    )
                })?;
                let cert = Certificate::from_pem(&pem).map_err(|e| {
                    ChannelError::permanent(
                        KIND,
                        Some("ca_file".into()),
                        format!("{} is not a PEM certificate: {e}", path.display()),
                    )
                })?;
                params = params
                    .certificate_store(CertificateStore::None)
                    .add_root_certificate(cert);
            }
            let params = params.build_rustls().map_err(|e| {
                ChannelError::permanent(KIND, Some("tls".into()), format!("TLS setup failed: {e}"))
            })?;
            builder = builder.tls(match s.tls {
                SmtpTls::Starttls => Tls::Required(params),
                _ => Tls::Wrapper(params),
            });
        }
        if let (Some(user), Some(pw)) = (&s.username, &self.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                pw.expose_secret().to_string(),
            ));
        } else if s.username.is_some() {
            return Err(ChannelError::permanent(
                KIND,
                Some("password".into()),
                "the SMTP password is not set in the keyring; add the channel again with its password",
            ));
        }
        Ok(builder.build())
    }

    fn message(&self, email: &Email<'_>) -> Result<Message> {
        let from = self
            .settings
            .from_mailbox()
            .map_err(|m| ChannelError::permanent(KIND, Some("from".into()), m))?;
        let to: Mailbox = email.to.parse().map_err(|e| {
            ChannelError::permanent(
                KIND,
                Some("to".into()),
                format!("{:?} is not an e-mail address ({e})", email.to),
            )
        })?;
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(email.content.text.clone());
        let html = SinglePart::builder()
            .header(ContentType::TEXT_HTML)
            .body(email.content.html.clone());
        let mut html_part = MultiPart::related().singlepart(html);
        if let Some(png) = email.qr_png {
            html_part = html_part.singlepart(
                Attachment::new_inline_with_name("qr".into(), "qr.png".into()).body(
                    png.to_vec(),
                    ContentType::parse("image/png").expect("valid type"),
                ),
            );
        }
        if let Some((image, mime)) = email.logo {
            let name = if mime == "image/jpeg" {
                "logo.jpg"
            } else {
                "logo.png"
            };
            let kind = ContentType::parse(mime).map_err(|e| {
                ChannelError::permanent(
                    KIND,
                    Some("logo".into()),
                    format!("logo type {mime:?}: {e}"),
                )
            })?;
            html_part = html_part.singlepart(
                Attachment::new_inline_with_name("logo".into(), name.into())
                    .body(image.to_vec(), kind),
            );
        }
        let body = MultiPart::alternative()
            .singlepart(text)
            .multipart(html_part);
        Message::builder()
            .from(from)
            .to(to)
            .subject(email.content.subject.clone())
            .message_id(Some(format!("<{}>", email.message_id)))
            .date_now()
            .multipart(body)
            .map_err(|e| {
                ChannelError::permanent(KIND, None, format!("cannot build the e-mail: {e}"))
            })
    }

    /// Sends one e-mail. The answer's id is the message's `Message-ID`.
    pub async fn send(&self, email: &Email<'_>) -> Result<Accepted> {
        let message = self.message(email)?;
        let transport = self.transport()?;
        match transport.send(message).await {
            Ok(_) => Ok(Accepted {
                message_id: format!("<{}>", email.message_id),
                via: Via::Email,
                note: None,
            }),
            Err(e) => Err(classify(&e)),
        }
    }

    /// Connects, secures the connection, logs in and says goodbye.
    pub async fn test(&self) -> Result<String> {
        let transport = self.transport()?;
        match transport.test_connection().await {
            Ok(true) => Ok(format!(
                "connected to {}:{} ({}), logged in{}",
                self.settings.host,
                self.settings.port,
                match self.settings.tls {
                    SmtpTls::Starttls => "STARTTLS",
                    SmtpTls::Tls => "TLS",
                    SmtpTls::None => "no encryption",
                },
                self.settings
                    .username
                    .as_deref()
                    .map(|u| format!(" as {u}"))
                    .unwrap_or_default()
            )),
            Ok(false) => Err(ChannelError::transient(
                KIND,
                None,
                "the server did not answer NOOP",
            )),
            Err(e) => Err(classify(&e)),
        }
    }
}

/// What an SMTP failure proves: a 4xx reply is "not now", a 5xx "never" (bad
/// address, refused login), a failed connect or TLS handshake means nothing was sent;
/// a dropped connection or a timeout may have happened after the message's data.
fn classify(e: &lettre::transport::smtp::Error) -> ChannelError {
    let code = e.status().map(|c| c.to_string());
    let text = crate::http::chain(e);
    if e.is_permanent() {
        ChannelError::permanent(KIND, code, text)
    } else if e.is_transient() {
        ChannelError::transient(KIND, code, text)
    } else if e.is_tls() {
        ChannelError::permanent(KIND, Some("tls".into()), text)
    } else if text.starts_with("Connection error") {
        ChannelError::transient(KIND, Some("connect".into()), text)
    } else {
        ChannelError::unknown(KIND, text)
    }
}
