use paydesk_core::{InputError, ProviderKind};
use paydesk_providers::ProviderError;
use paydesk_secrets::SecretError;
use paydesk_store::StoreError;
use serde::Serialize;

/// Everything a use case can fail with, in the categories the shells show:
/// bad input (exit 2, shown next to the field), provider, keyring, internal.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// One or more fields are wrong; nothing was written.
    #[error("{}", .0.first().map(|e| e.to_string()).unwrap_or_else(|| "invalid input".into()))]
    Input(Vec<InputError>),
    /// The payment provider refused or failed; nothing PayDesk could not undo was written.
    #[error("{message}")]
    Provider {
        /// Which provider.
        provider: ProviderKind,
        /// The provider's own error code, when it gave one.
        code: Option<String>,
        /// What the provider said (secrets masked).
        message: String,
        /// Whether PayDesk kept an invoice for it (a draft waiting to be retried, or failed).
        created: bool,
    },
    /// A delivery channel (SMTP, Solapi, Twilio) failed; the message says what was
    /// created and whether the message may have gone out.
    #[error("{channel}: {message}")]
    Channel {
        /// The channel, by its name.
        channel: String,
        /// The channel's own error code, when it gave one.
        code: Option<String>,
        /// What went wrong.
        message: String,
    },
    /// The print system did not take a print (the PDF is saved all the same).
    #[error("{message}")]
    Printer {
        /// The printer asked for (none: the system's default).
        printer: Option<String>,
        /// Why, as the window tells it.
        code: crate::PrintFailure,
        /// The print system's own words.
        message: String,
    },
    /// The OS keyring failed or refused.
    #[error("{0}")]
    Keyring(#[from] SecretError),
    /// PayDesk's own database failed (the store's error is kept as the source).
    #[error(transparent)]
    Store(StoreError),
    /// Something of PayDesk's own failed (a file, a background task); the cause is kept.
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
    /// PayDesk's own fault, in its own words.
    #[error("{0}")]
    Internal(String),
}

/// A use case's answer.
pub type Result<T> = std::result::Result<T, EngineError>;

impl EngineError {
    /// A bad value in `field`.
    pub fn input(field: &str, message: impl std::fmt::Display) -> Self {
        EngineError::Input(vec![InputError::new(field, message)])
    }

    /// A bad value in `field`, with the code a window translates.
    pub fn coded(
        field: &str,
        code: paydesk_core::InputCode,
        message: impl std::fmt::Display,
    ) -> Self {
        EngineError::Input(vec![InputError::new(field, message).code(code)])
    }

    /// The error's kind as the shells report it (`input`, `provider`, …; exit codes follow it).
    pub fn kind(&self) -> &'static str {
        match self {
            EngineError::Input(_) => "input",
            EngineError::Provider { .. } => "provider",
            EngineError::Channel { .. } => "channel",
            EngineError::Printer { .. } => "printer",
            EngineError::Keyring(_) => "keyring",
            EngineError::Store(_) | EngineError::Other(_) | EngineError::Internal(_) => "internal",
        }
    }

    /// The field a bad input is about (the first one when several are wrong).
    pub fn field(&self) -> Option<&str> {
        match self {
            EngineError::Input(errors) => errors.first().map(|e| e.field.as_str()),
            _ => None,
        }
    }

    /// The `paydesk` command's exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            EngineError::Input(_) => 2,
            _ => 1,
        }
    }

    pub(crate) fn from_provider(e: ProviderError, created: bool) -> Self {
        let message = if created {
            format!("{e}; the invoice is kept in PayDesk")
        } else {
            format!("{e}; nothing was created")
        };
        EngineError::Provider {
            provider: e.provider(),
            code: e.code().map(str::to_string),
            message,
            created,
        }
    }
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Transition(t) => {
                EngineError::coded("status", paydesk_core::InputCode::NotNow, t)
            }
            e @ StoreError::OtherProviderId { provider, .. } => EngineError::Provider {
                provider,
                code: None,
                message: e.to_string(),
                created: true,
            },
            other => EngineError::Store(other),
        }
    }
}

impl From<InputError> for EngineError {
    fn from(e: InputError) -> Self {
        EngineError::Input(vec![e])
    }
}

/// The error as the shells print it (`--json` on stderr, and the UI's `invoke` rejections).
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct ErrorView {
    /// `input`, `provider`, `channel`, `printer`, `keyring` or `internal`.
    #[ts(
        type = "\"input\" | \"provider\" | \"channel\" | \"printer\" | \"keyring\" | \"internal\""
    )]
    pub kind: &'static str,
    /// The first field that is wrong (bad input only).
    pub field: Option<String>,
    /// Every field that is wrong, with its code.
    pub fields: Vec<InputError>,
    /// The provider that failed.
    pub provider: Option<ProviderKind>,
    /// The provider's or the channel's own error code; a printer's reason
    /// (`no_print_system`, `no_default_printer`, `unknown_printer`, `refused`).
    pub code: Option<String>,
    /// What went wrong, in words (secrets masked).
    pub message: String,
}

impl From<&EngineError> for ErrorView {
    fn from(e: &EngineError) -> Self {
        let (provider, code) = match e {
            EngineError::Provider { provider, code, .. } => (Some(*provider), code.clone()),
            EngineError::Channel { code, .. } => (None, code.clone()),
            EngineError::Printer { code, .. } => (None, Some(<&str>::from(*code).to_string())),
            _ => (None, None),
        };
        ErrorView {
            kind: e.kind(),
            field: e.field().map(str::to_string),
            fields: match e {
                EngineError::Input(v) => v.clone(),
                _ => vec![],
            },
            provider,
            code,
            message: e.to_string(),
        }
    }
}

impl Serialize for EngineError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        ErrorView::from(self).serialize(s)
    }
}
