//! Provider accounts: add (keys to the keyring first), list, show, remove, test.

use std::str::FromStr;

use crate::{
    context::non_empty, context::truncate, context::Holder, error::Result, AccountView, Engine,
    EngineError, NewAccount, SANDBOX_ACCOUNT,
};
use chrono::Utc;
use paydesk_core::{AccountName, InputCode, InputError, ProviderKind};
use paydesk_store::AccountRecord;

impl Engine {
    /// Adds a payment account: its settings checked, its keys to the keyring first, then its row.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn add_account(&self, a: NewAccount) -> Result<AccountView> {
        let mut errors = Vec::new();
        let name = AccountName::parse("name", &a.name)
            .map_err(|e| errors.push(e))
            .ok();
        let provider = ProviderKind::from_str(&a.provider)
            .map_err(|e| errors.push(e))
            .ok();
        let mut settings = serde_json::Map::new();
        for (key, value) in [
            ("base_url", &a.base_url),
            ("redirect_url", &a.redirect_url),
            ("callback_url", &a.callback_url),
            ("public_url", &a.public_url),
        ] {
            if let Some(url) = non_empty(value) {
                if !(url.starts_with("https://") || url.starts_with("http://"))
                    || url.len() > 300
                    || url.chars().any(|c| c.is_control() || c.is_whitespace())
                {
                    errors.push(
                        InputError::new(key, "must be an http:// or https:// address")
                            .code(InputCode::NotAWebAddress),
                    );
                }
                let url = if key == "base_url" || key == "public_url" {
                    url.trim_end_matches('/')
                } else {
                    url
                };
                settings.insert(key.into(), url.into());
            }
        }
        for (key, value) in [("store_id", &a.store_id), ("channel_key", &a.channel_key)] {
            if let Some(v) = non_empty(value) {
                if v.len() > 200 || v.chars().any(char::is_control) {
                    let code = if v.len() > 200 {
                        InputCode::TooLong
                    } else {
                        InputCode::ControlChars
                    };
                    errors.push(
                        InputError::new(key, "must be at most 200 printable characters").code(code),
                    );
                }
                settings.insert(key.into(), v.into());
            }
        }
        match non_empty(&a.mode) {
            Some(m @ ("live" | "test")) => {
                settings.insert("mode".into(), m.into());
            }
            Some(_) => errors.push(InputError::new("mode", "must be live or test")),
            None => {}
        }
        if let Some(p) = provider {
            let spec = paydesk_providers::spec(p);
            for (n, (key, _)) in a.secrets.iter().enumerate() {
                if !spec.secrets.contains(&key.as_str()) {
                    errors.push(crate::context::unknown_secret(n, p, spec.secrets));
                }
            }
            for key in spec.required {
                if settings.get(*key).is_none() {
                    let what = key.replace('_', " ");
                    errors.push(
                        InputError::new(*key, format!("a {p} account needs its {what}"))
                            .code(InputCode::Empty),
                    );
                }
            }
        }
        let (Some(name), Some(provider), true) = (name, provider, errors.is_empty()) else {
            return Err(EngineError::Input(errors));
        };
        if self.inner.store.account(name.as_str()).await?.is_some() {
            return Err(
                InputError::new("name", format!("an account named {name} already exists"))
                    .code(InputCode::Exists)
                    .into(),
            );
        }
        let account = name.as_str().to_string();
        let record = AccountRecord {
            name: account.clone(),
            provider,
            settings,
            created_at: Utc::now(),
        };
        self.insert_with_secrets(
            Holder::Account(account.clone()),
            a.secrets,
            self.inner.store.insert_account(&record),
        )
        .await?;
        tracing::info!(account = %account, provider = %provider, "account added");
        self.account_view(record).await
    }

    pub(crate) async fn account_view(&self, r: AccountRecord) -> Result<AccountView> {
        let states = self
            .secret_states(
                Holder::Account(r.name.clone()),
                paydesk_providers::spec(r.provider).secrets,
            )
            .await;
        let callback_url = r
            .settings
            .get("public_url")
            .and_then(|v| v.as_str())
            .and_then(|public| crate::callbacks::notice_url(&r.name, r.provider, public));
        Ok(AccountView {
            callback_url,
            capabilities: paydesk_providers::spec(r.provider).capabilities,
            sandbox: r.provider == ProviderKind::Sandbox,
            name: r.name,
            provider: r.provider,
            settings: r.settings,
            secrets: states,
            created_at: paydesk_core::format_instant(r.created_at),
        })
    }

    pub(crate) async fn account_record(&self, field: &str, name: &str) -> Result<AccountRecord> {
        let name = name.trim();
        if name.is_empty() {
            return Err(EngineError::coded(
                field,
                InputCode::Empty,
                "must not be empty",
            ));
        }
        self.inner.store.account(name).await?.ok_or_else(|| {
            InputError::new(field, format!("no account named {:?}", truncate(name, 40)))
                .code(InputCode::UnknownAccount)
                .into()
        })
    }

    /// Every payment account, the sandbox first; secrets only as set or missing.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn accounts(&self) -> Result<Vec<AccountView>> {
        let mut out = Vec::new();
        for r in self.inner.store.accounts().await? {
            out.push(self.account_view(r).await?);
        }
        Ok(out)
    }

    /// One account by its name.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn account(&self, name: &str) -> Result<AccountView> {
        let r = self.account_record("account", name).await?;
        self.account_view(r).await
    }

    /// Removes an account (its row, then its keys); its invoices stay.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn remove_account(&self, name: &str) -> Result<()> {
        let r = self.account_record("account", name).await?;
        if r.provider == ProviderKind::Sandbox && r.name == SANDBOX_ACCOUNT {
            return Err(EngineError::coded(
                "account",
                InputCode::BuiltIn,
                "the sandbox account is built in and stays",
            ));
        }
        self.inner
            .store
            .delete_account(&r.name)
            .await
            .map_err(|e| match e {
                paydesk_store::StoreError::Exists { .. } => EngineError::coded(
                    "account",
                    InputCode::HasInvoices,
                    "has invoices; it is kept so that their history stays readable",
                ),
                e => e.into(),
            })?;
        self.inner.adapters.lock().await.remove(&r.name);
        let names = paydesk_providers::spec(r.provider)
            .secrets
            .iter()
            .map(|n| n.to_string())
            .collect();
        self.delete_secrets(Holder::Account(r.name.clone()), names)
            .await
    }

    /// Asks the account's provider whether it answers (for the sandbox: its records).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn test_account(&self, name: &str) -> Result<String> {
        let r = self.account_record("account", name).await?;
        let p = self.provider_for(&r).await?;
        p.check()
            .await
            .map_err(|e| EngineError::from_provider(e, false))
    }
}
