//! An account's provider adapter, built by the providers' registry from the account's
//! settings and its keys in the keyring, made once per account and kept.

use std::collections::BTreeMap;
use std::sync::Arc;

use paydesk_providers::{AdapterInput, BuildError, Provider};
use paydesk_secrets::Owner;
use paydesk_store::AccountRecord;

use crate::{error::Result, Engine, EngineError};

impl Engine {
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

    /// Reads the account's keys from the keyring and has the registry build its adapter.
    async fn make_provider(&self, r: &AccountRecord) -> Result<Arc<dyn Provider>> {
        let names = paydesk_providers::spec(r.provider).secrets;
        let account = r.name.clone();
        let secrets = self
            .secrets(move |s| {
                let mut found = BTreeMap::new();
                for name in names {
                    if let Some(v) = s.get(Owner::Account(&account), name)? {
                        found.insert(*name, v);
                    }
                }
                Ok(found)
            })
            .await?;
        paydesk_providers::registry::build(AdapterInput {
            kind: r.provider,
            settings: &r.settings,
            secrets,
            sandbox: &self.inner.sandbox,
        })
        .map_err(|e| {
            let message = match e {
                BuildError::Provider(e) => return EngineError::from_provider(e, false),
                BuildError::MissingSetting(key) => format!(
                    "the account {} has no {key}; remove the account and add it again with its {key}",
                    r.name
                ),
                BuildError::MissingSecret(key) => format!(
                    "the account {} has no {key} in the keyring; remove the account and add it again with its keys",
                    r.name
                ),
            };
            EngineError::Provider {
                provider: r.provider,
                code: None,
                message,
                created: false,
            }
        })
    }
}
