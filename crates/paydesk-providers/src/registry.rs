//! Every provider PayDesk speaks to, as its adapter describes itself: kind, what PayDesk
//! can do with it, the settings and keys an account needs, and how to build the adapter
//! from them. Adding a provider is its adapter file (with its `SPEC`) and one line here.

use std::collections::BTreeMap;
use std::sync::Arc;

use paydesk_core::{Capabilities, ProviderKind};
use secrecy::SecretString;

use crate::sandbox::SandboxStore;
use crate::{Provider, ProviderError};

/// What an adapter says about itself.
pub struct ProviderSpec {
    pub kind: ProviderKind,
    /// What PayDesk can do with this provider (the window and the command offer only these).
    pub capabilities: Capabilities,
    /// The settings (not secret) an account is added with, in the order a form asks
    /// for them (the engine's `NewAccount` field names).
    pub settings: &'static [&'static str],
    /// Settings an account cannot work without.
    pub required: &'static [&'static str],
    /// The keys an account keeps in the OS keyring.
    pub secrets: &'static [&'static str],
    /// Where the provider's API is when the account does not say.
    pub default_base_url: Option<&'static str>,
    /// Makes the adapter of one account.
    pub build: fn(AdapterInput<'_>) -> Result<Arc<dyn Provider>, BuildError>,
}

/// Every provider, in the order the window lists them.
pub const PROVIDERS: &[&ProviderSpec] = &[
    &crate::sandbox::SPEC,
    &crate::bootpay::SPEC,
    &crate::portone::SPEC,
    &crate::btcpay::SPEC,
    &crate::pipe::SPEC,
    &crate::bitropay::SPEC,
];

/// The spec of one provider.
pub fn spec(kind: ProviderKind) -> &'static ProviderSpec {
    PROVIDERS
        .iter()
        .copied()
        .find(|s| s.kind == kind)
        .unwrap_or(&crate::sandbox::SPEC)
}

/// What an adapter is built from: the account's settings and its keys (read from the
/// keyring by the caller), and the sandbox's own records.
pub struct AdapterInput<'a> {
    pub kind: ProviderKind,
    pub settings: &'a serde_json::Map<String, serde_json::Value>,
    pub secrets: BTreeMap<&'static str, SecretString>,
    pub sandbox: &'a SandboxStore,
}

impl AdapterInput<'_> {
    /// A setting, when the account has it.
    pub fn setting(&self, key: &str) -> Option<String> {
        self.settings
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    }

    /// A setting the adapter cannot do without.
    pub fn required(&self, key: &'static str) -> Result<String, BuildError> {
        self.setting(key).ok_or(BuildError::MissingSetting(key))
    }

    /// The account's API address, or the provider's own.
    pub fn base_url(&self) -> Result<String, BuildError> {
        match (self.setting("base_url"), spec(self.kind).default_base_url) {
            (Some(url), _) => Ok(url),
            (None, Some(url)) => Ok(url.to_string()),
            (None, None) => Err(BuildError::MissingSetting("base_url")),
        }
    }

    /// A key from the keyring.
    pub fn secret(&mut self, name: &'static str) -> Result<SecretString, BuildError> {
        self.secrets
            .remove(name)
            .ok_or(BuildError::MissingSecret(name))
    }
}

/// Why an adapter could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the account has no {0}")]
    MissingSetting(&'static str),
    #[error("the account has no {0} in the keyring")]
    MissingSecret(&'static str),
    #[error(transparent)]
    Provider(#[from] ProviderError),
}

/// Builds one account's adapter, behind a redactor of its keys (no error it returns
/// carries one of them).
pub fn build(input: AdapterInput<'_>) -> Result<Arc<dyn Provider>, BuildError> {
    let redactor = paydesk_core::Redactor::new(
        input
            .secrets
            .values()
            .map(|s| secrecy::ExposeSecret::expose_secret(s).to_string()),
    );
    let inner = (spec(input.kind).build)(input)?;
    Ok(Arc::new(crate::redacting::Redacting { inner, redactor }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_exactly_one_spec() {
        for kind in ProviderKind::all() {
            let found: Vec<_> = PROVIDERS.iter().filter(|s| s.kind == kind).collect();
            assert_eq!(found.len(), 1, "{kind}");
            assert_eq!(spec(kind).kind, kind);
        }
        assert_eq!(PROVIDERS.len(), ProviderKind::all().count());
    }

    #[test]
    fn required_settings_are_settings_a_form_asks_for() {
        for s in PROVIDERS {
            for r in s.required {
                assert!(s.settings.contains(r), "{}: {r}", s.kind);
            }
            assert!(s.capabilities.links || s.capabilities.cvs, "{}", s.kind);
        }
    }
}
