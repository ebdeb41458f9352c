//! An account's provider adapter, built from its settings and its keys in the keyring,
//! made once per account and kept.

use std::sync::Arc;

use crate::{error::Result, Engine, EngineError};
use paydesk_core::ProviderKind;
use paydesk_providers::{
    bitropay::{self, Bitropay},
    bootpay::{self, Bootpay},
    btcpay::Btcpay,
    http::Http,
    pipe::{self, Pipe},
    portone::{self, Portone},
    sandbox::{SandboxProvider, DEFAULT_PORT},
    Provider, ProviderError,
};
use paydesk_secrets::{Owner, SecretString};
use paydesk_store::AccountRecord;

pub(crate) fn missing_setting(r: &AccountRecord, key: &str) -> EngineError {
    EngineError::Provider {
        provider: r.provider,
        code: None,
        message: format!(
            "the account {} has no {key}; remove the account and add it again with its {key}",
            r.name
        ),
        created: false,
    }
}

impl Engine {
    /// The account's provider adapter, with its keys read from the keyring.
    /// The account's adapter, made once and kept (so its HTTP client and its provider
    /// token serve every call); dropped when the account is removed.
    pub(crate) async fn provider_for(&self, r: &AccountRecord) -> Result<Arc<dyn Provider>> {
        if let Some(p) = self.inner.adapters.lock().await.get(&r.name) {
            return Ok(p.clone());
        }
        let p = self.make_provider(r).await?;
        self.inner
            .adapters
            .lock()
            .await
            .insert(r.name.clone(), p.clone());
        Ok(p)
    }

    pub(crate) async fn make_provider(&self, r: &AccountRecord) -> Result<Arc<dyn Provider>> {
        let setting = |key: &str| {
            r.settings
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let provider_error = |e: ProviderError| EngineError::from_provider(e, false);
        match r.provider {
            ProviderKind::Sandbox => {
                let base = setting("base_url")
                    .unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_PORT}"));
                Ok(Arc::new(SandboxProvider::new(
                    self.inner.sandbox.clone(),
                    base,
                )))
            }
            ProviderKind::Btcpay => {
                let base = setting("base_url").ok_or_else(|| missing_setting(r, "base_url"))?;
                let store = setting("store_id").ok_or_else(|| missing_setting(r, "store_id"))?;
                let key = self.secret(r, "api_key").await?;
                let http = Http::new(r.provider).map_err(provider_error)?;
                Ok(Arc::new(
                    Btcpay::new(http, &base, &store, key).map_err(provider_error)?,
                ))
            }
            ProviderKind::Bootpay => {
                let base =
                    setting("base_url").unwrap_or_else(|| bootpay::DEFAULT_BASE_URL.to_string());
                let client_key = self.secret(r, "client_key").await?;
                let secret_key = self.secret(r, "secret_key").await?;
                let http = Http::new(r.provider).map_err(provider_error)?;
                Ok(Arc::new(Bootpay::new(http, &base, client_key, secret_key)))
            }
            ProviderKind::Pipe => {
                let base =
                    setting("base_url").unwrap_or_else(|| pipe::DEFAULT_BASE_URL.to_string());
                let key = self.secret(r, "api_key").await?;
                let http = Http::new(r.provider).map_err(provider_error)?;
                Ok(Arc::new(Pipe::new(
                    http,
                    &base,
                    key,
                    setting("callback_url"),
                )))
            }
            ProviderKind::Bitropay => {
                let base =
                    setting("base_url").unwrap_or_else(|| bitropay::DEFAULT_BASE_URL.to_string());
                let key = self.secret(r, "api_key").await?;
                let http = Http::new(r.provider).map_err(provider_error)?;
                Ok(Arc::new(Bitropay::new(
                    http,
                    &base,
                    key,
                    setting("redirect_url"),
                    setting("callback_url"),
                )))
            }
            ProviderKind::Portone => {
                let base =
                    setting("base_url").unwrap_or_else(|| portone::DEFAULT_BASE_URL.to_string());
                let imp_key = self.secret(r, "imp_key").await?;
                let imp_secret = self.secret(r, "imp_secret").await?;
                let http = Http::new(r.provider).map_err(provider_error)?;
                Ok(Arc::new(Portone::new(
                    http,
                    &base,
                    setting("channel_key"),
                    imp_key,
                    imp_secret,
                )))
            }
        }
    }

    pub(crate) async fn secret(
        &self,
        r: &AccountRecord,
        name: &'static str,
    ) -> Result<SecretString> {
        let account = r.name.clone();
        self.secrets(move |s| s.get(Owner::Account(&account), name))
            .await?
            .ok_or_else(|| EngineError::Provider {
                provider: r.provider,
                code: None,
                message: format!(
                    "the account {} has no {name} in the keyring; remove the account and add it again with its keys",
                    r.name
                ),
                created: false,
            })
    }
}
