//! Delivery channels (non-secret settings; secrets live in the OS keyring).

use crate::{rows::channel_from_row, rows::ts, Result, Store, StoreError};
use chrono::{DateTime, Utc};

/// A channel's non-secret settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelRecord {
    pub name: String,
    pub kind: String,
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl Store {
    pub async fn insert_channel(&self, c: &ChannelRecord) -> Result<()> {
        let r = sqlx::query(
            "INSERT INTO channels (name, kind, settings, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&c.name)
        .bind(&c.kind)
        .bind(serde_json::Value::Object(c.settings.clone()).to_string())
        .bind(ts(c.created_at))
        .execute(&self.pool)
        .await;
        match r {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Exists {
                what: "channel",
                key: c.name.clone(),
            }),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    pub async fn channel(&self, name: &str) -> Result<Option<ChannelRecord>> {
        let row =
            sqlx::query("SELECT name, kind, settings, created_at FROM channels WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| channel_from_row(&r)).transpose()
    }

    pub async fn channels(&self) -> Result<Vec<ChannelRecord>> {
        let rows =
            sqlx::query("SELECT name, kind, settings, created_at FROM channels ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(channel_from_row).collect()
    }

    /// Replaces a channel's settings (its name, kind and age stay).
    pub async fn update_channel(&self, c: &ChannelRecord) -> Result<()> {
        let r = sqlx::query("UPDATE channels SET settings = $1 WHERE name = $2 AND kind = $3")
            .bind(serde_json::Value::Object(c.settings.clone()).to_string())
            .bind(&c.name)
            .bind(&c.kind)
            .execute(&self.pool)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "channel",
                key: c.name.clone(),
            });
        }
        Ok(())
    }

    /// Removes a channel; the deliveries it made keep its name in their history.
    pub async fn delete_channel(&self, name: &str) -> Result<()> {
        let r = sqlx::query("DELETE FROM channels WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "channel",
                key: name.to_string(),
            });
        }
        Ok(())
    }
}
