//! Provider keys and channel passwords in the operating system's keyring (Windows
//! Credential Manager, macOS Keychain, Secret Service on Linux), one entry per
//! account or channel and secret name, under the service `paydesk`.
//!
//! A secret can be set, replaced, deleted and tested for; reading one back is only for
//! the engine that signs a provider request. Values are held in [`SecretString`] so
//! that `Debug` never prints them, and no error message ever contains one.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

use secrecy::ExposeSecret;
pub use secrecy::SecretString;

/// The keyring service every PayDesk entry lives under.
pub const SERVICE: &str = "paydesk";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("no keyring service is running: {0}")]
    NoService(String),
    #[error("the keyring is locked: {0} (unlock it, e.g. by logging in again, and retry)")]
    Locked(String),
    #[error("the keyring refused the entry: {0}")]
    Refused(String),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, SecretError>;

/// What owns a secret: a provider account, a delivery channel, or the data folder's
/// shared store (its database password).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    Account(&'a str),
    Channel(&'a str),
    Store,
}

impl Owner<'_> {
    fn user(&self, name: &str) -> String {
        match self {
            Owner::Account(a) => format!("account:{a}:{name}"),
            Owner::Channel(c) => format!("channel:{c}:{name}"),
            Owner::Store => format!("store:{name}"),
        }
    }
}

/// The keyring-backed secret store. Cheap to clone; every call is blocking (the
/// platform APIs are), so async callers run it on a blocking thread.
#[derive(Debug, Clone)]
pub struct SecretStore {
    service: String,
}

impl Default for SecretStore {
    fn default() -> Self {
        SecretStore {
            service: SERVICE.to_string(),
        }
    }
}

impl SecretStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// A store under another service name (tests keep their entries apart this way).
    pub fn with_service(service: impl Into<String>) -> Self {
        SecretStore {
            service: service.into(),
        }
    }

    fn entry(&self, owner: Owner<'_>, name: &str) -> Result<keyring::Entry> {
        if name.is_empty() || name.len() > 64 {
            return Err(SecretError::Invalid(
                "a secret name must be 1–64 characters".into(),
            ));
        }
        keyring::Entry::new(&self.service, &owner.user(name)).map_err(map_error)
    }

    /// Saves a secret; saving an empty value deletes the entry.
    pub fn set(&self, owner: Owner<'_>, name: &str, value: &SecretString) -> Result<()> {
        if value.expose_secret().is_empty() {
            return self.delete(owner, name);
        }
        let entry = self.entry(owner, name)?;
        entry
            .set_password(value.expose_secret())
            .map_err(map_error)?;
        tracing::debug!(owner = ?owner, name, "secret saved to the keyring");
        Ok(())
    }

    /// Reads a secret; a missing entry is `None`, not an error.
    pub fn get(&self, owner: Owner<'_>, name: &str) -> Result<Option<SecretString>> {
        let entry = self.entry(owner, name)?;
        match entry.get_password() {
            Ok(v) => Ok(Some(SecretString::from(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    /// Whether a secret is set, without handing its value to the caller.
    pub fn is_set(&self, owner: Owner<'_>, name: &str) -> Result<bool> {
        Ok(self.get(owner, name)?.is_some())
    }

    /// Deletes a secret; deleting a missing one is not an error.
    pub fn delete(&self, owner: Owner<'_>, name: &str) -> Result<()> {
        let entry = self.entry(owner, name)?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }
}

/// Maps the platform's failures to messages a merchant can act on.
fn map_error(e: keyring::Error) -> SecretError {
    let text = e.to_string();
    let lower = text.to_lowercase();
    match e {
        keyring::Error::NoStorageAccess(_) if lower.contains("lock") => SecretError::Locked(text),
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_)
            if lower.contains("locked")
                || lower.contains("prompt")
                || lower.contains("dismissed") =>
        {
            SecretError::Locked(text)
        }
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
            SecretError::NoService(text)
        }
        keyring::Error::TooLong(..)
        | keyring::Error::Invalid(..)
        | keyring::Error::BadEncoding(_) => SecretError::Refused(text),
        _ => SecretError::Refused(text),
    }
}
