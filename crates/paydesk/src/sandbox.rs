//! The embedded sandbox provider: its port, and what its payment page's buttons do.

use crate::{error::Result, Engine, EngineError, SandboxPaymentView};
use chrono::Utc;
use paydesk_core::{Invoice, Money, ProviderKind};
use paydesk_providers::sandbox::{SandboxPayment, SandboxStore, DEFAULT_PORT};

/// The account every data directory starts with.
pub const SANDBOX_ACCOUNT: &str = "sandbox";

impl Engine {
    /// The sandbox's own records (for tests and its page).
    pub fn sandbox(&self) -> &SandboxStore {
        &self.inner.sandbox
    }

    /// The port the sandbox account's pages are served on.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn sandbox_port(&self) -> Result<u16> {
        let r = self.account_record("account", SANDBOX_ACCOUNT).await?;
        Ok(r.settings
            .get("base_url")
            .and_then(|v| v.as_str())
            .and_then(|u| u.rsplit(':').next())
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .unwrap_or(DEFAULT_PORT))
    }

    pub(crate) fn sandbox_id(inv: Invoice) -> Result<String> {
        if inv.provider != ProviderKind::Sandbox {
            return Err(EngineError::input(
                "id",
                "is not a sandbox invoice; real payments happen at the provider",
            ));
        }
        inv.provider_id
            .ok_or_else(|| EngineError::input("id", "has not reached the sandbox yet (run sync)"))
    }

    /// What the sandbox page's Pay button does (`amount` pays part or more).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn sandbox_pay(
        &self,
        key: &str,
        amount: Option<&str>,
        late: bool,
    ) -> Result<SandboxPaymentView> {
        let inv = self.find(key).await?;
        let amount = paydesk_core::input::optional_amount("amount", amount, inv.amount.currency())?;
        let id = Self::sandbox_id(inv)?;
        let p = self
            .inner
            .sandbox
            .pay(&id, amount, late, Utc::now())
            .await
            .map_err(|e| EngineError::from_provider(e, true))?;
        Ok(sandbox_view(&p))
    }

    /// Lets a sandbox link expire now, as if its deadline had passed.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn sandbox_expire(&self, key: &str) -> Result<SandboxPaymentView> {
        let id = Self::sandbox_id(self.find(key).await?)?;
        let p = self
            .inner
            .sandbox
            .expire(&id, Utc::now())
            .await
            .map_err(|e| EngineError::from_provider(e, true))?;
        Ok(sandbox_view(&p))
    }

    /// Serves the sandbox's payment pages on 127.0.0.1 until the future is dropped.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn serve_sandbox(
        &self,
        port: u16,
    ) -> std::io::Result<(
        std::net::SocketAddr,
        impl std::future::Future<Output = std::io::Result<()>>,
    )> {
        paydesk_providers::sandbox::server::bind(self.inner.sandbox.clone(), port).await
    }
}

pub(crate) fn sandbox_view(p: &SandboxPayment) -> SandboxPaymentView {
    let money = |m| {
        Money::from_minor(m, p.currency)
            .map(Money::to_plain)
            .unwrap_or_default()
    };
    SandboxPaymentView {
        id: p.id.clone(),
        order_id: p.order_id.clone(),
        state: p.state.clone(),
        amount: money(p.amount_minor),
        paid_amount: money(p.paid_minor),
        currency: p.currency.code().into(),
        late: p.late,
        expires_at: paydesk_core::format_instant(p.expires_at),
    }
}
