//! On a shared store, what the other counters change reaches this process's subscribers
//! (the window's list and detail) as it commits: the store's change listener gives the
//! invoice's id, the engine reads it and publishes it as it does its own changes.

use std::sync::Arc;

use crate::{error::Result, Engine};

impl Engine {
    /// Follows the other counters' changes (a shared PostgreSQL store; nothing to do for
    /// a file of its own). The listening stops when the engine is dropped.
    pub async fn follow_other_counters(&self) -> Result<()> {
        let Some(mut listener) = self.inner.store.listen_changes().await? else {
            return Ok(());
        };
        let weak = Arc::downgrade(&self.inner);
        let task = tokio::spawn(async move {
            loop {
                let next = listener.next().await;
                let Some(inner) = weak.upgrade() else { break };
                let engine = Engine { inner };
                match next {
                    Ok(Some(id)) => match engine.inner.store.invoice(&id).await {
                        Ok(inv) => {
                            let _ = engine.publish(&inv).await;
                        }
                        Err(e) => {
                            tracing::warn!(invoice = %id, error = %e, "a change another counter made cannot be read")
                        }
                    },
                    Ok(None) => {
                        tracing::warn!(
                            "the connection to the shared store was lost; listening again"
                        )
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the shared store's changes cannot be heard; trying again");
                        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    }
                }
            }
        });
        if let Some(old) = self
            .inner
            .listener
            .lock()
            .map_err(|_| crate::EngineError::Internal("the listener lock is poisoned".into()))?
            .replace(task.abort_handle())
        {
            old.abort();
        }
        Ok(())
    }
}
