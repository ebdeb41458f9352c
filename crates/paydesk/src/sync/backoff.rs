//! Back-off for a provider that stopped answering, and the per-account request rate.

use std::sync::Arc;

use crate::{context::lock, context::Backoff, context::Limiter, Engine};
use chrono::{Duration, Utc};

/// The first wait after a pass found a provider unreachable, and the longest.
pub(crate) const BACKOFF_FIRST: Duration = Duration::seconds(5);
pub(crate) const BACKOFF_MAX: Duration = Duration::minutes(5);

impl Engine {
    pub(crate) fn backoff_of(&self, account: &str) -> Option<Backoff> {
        lock(&self.inner.backoff).get(account).copied()
    }

    pub(crate) fn limiter_for(&self, account: &str, per_second: u32) -> Option<Arc<Limiter>> {
        let rate = std::num::NonZeroU32::new(per_second)?;
        let mut all = lock(&self.inner.limiters);
        let key = format!("{account}@{per_second}");
        Some(
            all.entry(key)
                .or_insert_with(|| {
                    Arc::new(governor::RateLimiter::direct(governor::Quota::per_second(
                        rate,
                    )))
                })
                .clone(),
        )
    }

    /// Records how a pass went for an account: a provider that stopped answering waits
    /// twice as long as last time (up to `BACKOFF_MAX`); one that answered waits no more.
    pub(crate) fn note_pass(&self, account: &str, failed: bool) {
        let mut all = lock(&self.inner.backoff);
        if failed {
            let failures = all.get(account).map_or(0, |b| b.failures) + 1;
            let wait = (BACKOFF_FIRST * 2i32.pow(failures.min(10) - 1)).min(BACKOFF_MAX);
            all.insert(
                account.to_string(),
                Backoff {
                    until: Utc::now() + wait,
                    failures,
                },
            );
        } else {
            all.remove(account);
        }
    }
}
