//! Provider accounts (their non-secret settings; keys live in the OS keyring).

use crate::{rows::account_from_row, rows::ts, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use paydesk_core::ProviderKind;

/// A provider account's non-secret settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRecord {
    pub name: String,
    pub provider: ProviderKind,
    /// JSON object: base_url, store_id, channel_key, mode — never a secret.
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl Store {
    pub async fn insert_account(&self, a: &AccountRecord) -> Result<()> {
        let settings = serde_json::Value::Object(a.settings.clone()).to_string();
        let r = sqlx::query(
            "INSERT INTO accounts (name, provider, settings, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&a.name)
        .bind(a.provider.as_str())
        .bind(settings)
        .bind(ts(a.created_at))
        .execute(&self.pool)
        .await;
        match r {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Exists {
                what: "account",
                key: a.name.clone(),
            }),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    /// Inserts the account unless one of that name exists; true when inserted.
    pub async fn ensure_account(&self, a: &AccountRecord) -> Result<bool> {
        match self.insert_account(a).await {
            Ok(()) => Ok(true),
            Err(StoreError::Exists { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn account(&self, name: &str) -> Result<Option<AccountRecord>> {
        let row = sqlx::query(
            "SELECT name, provider, settings, created_at FROM accounts WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| account_from_row(&r)).transpose()
    }

    pub async fn accounts(&self) -> Result<Vec<AccountRecord>> {
        let rows =
            sqlx::query("SELECT name, provider, settings, created_at FROM accounts ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(account_from_row).collect()
    }

    /// Removes an account that no invoice uses; an account with invoices is kept (their
    /// history needs it) and the error says so.
    pub async fn delete_account(&self, name: &str) -> Result<()> {
        let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoices WHERE account = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        if used > 0 {
            return Err(StoreError::Exists {
                what: "invoice history for account",
                key: name.to_string(),
            });
        }
        let r = sqlx::query("DELETE FROM accounts WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "account",
                key: name.to_string(),
            });
        }
        Ok(())
    }
}
