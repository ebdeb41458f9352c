//! Documents: convenience-store slips (A4, 80 mm), the invoice PDF, their previews in
//! the window, the QR code, and files saved under the data folder.

mod branding;
mod preview;
mod printing;

pub use branding::StoreLogo;
pub use preview::SlipPreview;
pub use printing::{PrintFailure, PrintOutcome, PrintTo, PrinterView};

use std::{path::PathBuf, str::FromStr};

use crate::{context::internal, error::Result, Engine, EngineError};

use chrono::{DateTime, Utc};
use paydesk_core::{InvoiceKind, Lang, PersonName, Status};
use paydesk_store::InvoiceFilter;

/// The language asked for a document, if any (otherwise each document is in its
/// customer's language: `Engine::customer_lang`).
pub(crate) fn doc_lang(lang: Option<&str>) -> Result<Option<Lang>> {
    lang.map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Lang::from_str(l).map_err(|e| EngineError::input("lang", e)))
        .transpose()
}

/// A deadline as a slip or invoice prints it: in the store's time zone, named KST / JST
/// when it is Korea's and Japan's (+09:00), by its offset otherwise.
pub(crate) fn deadline_text(at: DateTime<Utc>, lang: Lang, zone: chrono::FixedOffset) -> String {
    let name = match (zone.local_minus_utc(), lang) {
        (32_400, Lang::Ja) => "JST".to_string(),
        (32_400, _) => "KST".to_string(),
        _ => format!("UTC{zone}"),
    };
    format!(
        "{} ({name})",
        at.with_timezone(&zone).format("%Y-%m-%d %H:%M")
    )
}

impl Engine {
    /// The store name a document prints: the one given, the store's setting otherwise.
    async fn doc_store(&self, store: Option<&str>) -> Result<PersonName> {
        let store = match store {
            Some(s) => s.to_string(),
            None => self.store_name().await?,
        };
        Ok(PersonName::parse("store_name", &store)?)
    }

    /// One PDF with a payment slip for each invoice (convenience-store payments: those
    /// with a payment number): `layout` `a4` (the default) or `receipt80`, in `lang`
    /// (`ko`, `ja`, `en`; by default each slip in its customer's language), with the
    /// store's name unless another is given.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn slips(
        &self,
        keys: &[String],
        layout: Option<&str>,
        lang: Option<&str>,
        store: Option<&str>,
    ) -> Result<Vec<u8>> {
        let (layout, lang, store) = self.slip_options(layout, lang, store).await?;
        if keys.is_empty() {
            return Err(EngineError::input("id", "give at least one invoice"));
        }
        if keys.len() > 5000 {
            return Err(EngineError::input("id", "at most 5,000 slips at a time"));
        }
        let zone = self.time_zone().await?;
        let mut slips = Vec::with_capacity(keys.len());
        for key in keys {
            slips.push(self.slip_of(key, lang, store.as_str(), zone).await?);
        }
        let logo = self.logo()?.map(|l| l.decoded);
        tokio::task::spawn_blocking(move || {
            paydesk_slips::render_with_logo(&slips, layout, logo.as_ref())
        })
        .await
        .map_err(internal)?
        .map_err(|e| EngineError::input("id", e))
    }

    /// Checks how slips would be printed (layout, language, store name) without
    /// printing any: a shell asks before it issues a payment number whose slip it prints,
    /// so that a bad option never leaves a number issued and a refusal said.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn check_slip_options(
        &self,
        layout: Option<&str>,
        lang: Option<&str>,
        store: Option<&str>,
    ) -> Result<()> {
        self.slip_options(layout, lang, store).await.map(|_| ())
    }

    async fn slip_options(
        &self,
        layout: Option<&str>,
        lang: Option<&str>,
        store: Option<&str>,
    ) -> Result<(paydesk_slips::Layout, Option<Lang>, PersonName)> {
        let layout: paydesk_slips::Layout = match layout.map(str::trim).filter(|l| !l.is_empty()) {
            Some(l) => l
                .parse()
                .map_err(|e: String| EngineError::input("layout", e))?,
            None => paydesk_slips::Layout::A4,
        };
        let lang = doc_lang(lang)?;
        let store = self.doc_store(store).await?;
        Ok((layout, lang, store))
    }

    /// What the slip of one convenience-store payment prints (refused for invoices
    /// without a payment number and for those that can no longer be paid).
    pub(crate) async fn slip_of(
        &self,
        key: &str,
        lang: Option<Lang>,
        store: &str,
        zone: chrono::FixedOffset,
    ) -> Result<paydesk_slips::Slip> {
        let inv = self.find(key).await?;
        let number = inv.payment_number.clone().ok_or_else(|| {
            EngineError::input(
                "id",
                format!(
                    "{} has no payment number: only convenience-store payments have slips",
                    inv.id
                ),
            )
        })?;
        if !matches!(inv.status, Status::Open | Status::Draft) {
            return Err(EngineError::input(
                "id",
                format!("{} is {} and can no longer be paid", inv.id, inv.status),
            ));
        }
        let customer = self.customer_of(&inv).await?;
        let lang = match lang {
            Some(l) => l,
            None => self.lang_of(customer.as_ref()).await?,
        };
        Ok(paydesk_slips::Slip {
            store: store.to_string(),
            customer: customer.map(|c| c.name),
            item: inv.name.clone(),
            amount: inv.amount.to_display(),
            deadline: deadline_text(inv.expires_at, lang, zone),
            payment_number: number,
            payment_url: inv.payment_url.clone(),
            order_id: Some(inv.order_id.to_string()),
            lang,
        })
    }

    /// A one-page invoice PDF for a payment link (amount, tax-free part, item, deadline,
    /// a QR code of the link), in `lang` (the customer's language by default), with the store's name
    /// unless another is given.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn invoice_pdf(
        &self,
        key: &str,
        lang: Option<&str>,
        store: Option<&str>,
    ) -> Result<Vec<u8>> {
        let lang = doc_lang(lang)?;
        let store = self.doc_store(store).await?;
        let inv = self.find(key).await?;
        let url = inv.payment_url.clone().ok_or_else(|| {
            EngineError::input(
                "id",
                format!("{} has no payment link yet (it is {})", inv.id, inv.status),
            )
        })?;
        let customer = self.customer_of(&inv).await?;
        let lang = match lang {
            Some(l) => l,
            None => self.lang_of(customer.as_ref()).await?,
        };
        let doc = paydesk_slips::InvoiceDoc {
            store: store.as_str().to_string(),
            customer: customer.map(|c| c.name),
            item: inv.name.clone(),
            amount: inv.amount.to_display(),
            tax_free: inv.tax_free.to_display(),
            order_id: inv.order_id.to_string(),
            deadline: deadline_text(inv.expires_at, lang, self.time_zone().await?),
            payment_url: url,
            lang,
            logo: self.logo()?.map(|l| l.decoded),
        };
        tokio::task::spawn_blocking(move || paydesk_slips::render_invoice(&doc))
            .await
            .map_err(internal)?
            .map_err(|e| EngineError::input("id", e))
    }

    /// Saves a PDF under the data folder's `prints/` and returns its path.
    #[tracing::instrument(level = "debug", skip(self, bytes), err(level = "info"))]
    pub async fn save_print(&self, what: &str, bytes: &[u8]) -> Result<PathBuf> {
        self.save_file("prints", what, "pdf", bytes).await
    }

    /// Saves `bytes` as `folder/what-TIMESTAMP.ext` under the data folder, the time the
    /// store's (a clerk looks for today's file by today's date).
    #[tracing::instrument(level = "debug", skip(self, bytes), err(level = "info"))]
    pub async fn save_file(
        &self,
        folder: &str,
        what: &str,
        ext: &str,
        bytes: &[u8],
    ) -> Result<PathBuf> {
        let zone = self.time_zone().await?;
        let dir = self.inner.data_dir.join(folder);
        std::fs::create_dir_all(&dir).map_err(internal)?;
        let path = dir.join(format!(
            "{what}-{}.{ext}",
            Utc::now().with_timezone(&zone).format("%Y%m%d-%H%M%S%3f")
        ));
        std::fs::write(&path, bytes).map_err(internal)?;
        Ok(path)
    }

    /// Slips for `ids` (every open convenience-store payment when empty), saved as one PDF
    /// (A4 unless `layout` says otherwise, the store's name).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn print_slips(&self, ids: &[String], layout: Option<&str>) -> Result<PathBuf> {
        let ids = if ids.is_empty() {
            self.open_cvs_ids().await?
        } else {
            ids.to_vec()
        };
        if ids.is_empty() {
            return Err(EngineError::coded(
                "id",
                paydesk_core::InputCode::NothingToPrint,
                "there are no open convenience-store payments to print",
            ));
        }
        let bytes = self.slips(&ids, layout, None, None).await?;
        self.save_print("slips", &bytes).await
    }

    /// Every open convenience-store payment (for "print all open slips").
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn open_cvs_ids(&self) -> Result<Vec<String>> {
        let open = self
            .inner
            .store
            .invoices(&InvoiceFilter {
                status: Some(Status::Open),
                limit: Some(5000),
                ..Default::default()
            })
            .await?;
        Ok(open
            .into_iter()
            .filter(|i| i.kind == InvoiceKind::Cvs && i.payment_number.is_some())
            .map(|i| i.id.into())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::deadline_text;
    use chrono::FixedOffset;
    use paydesk_core::Lang;

    #[test]
    fn deadlines_print_in_the_store_s_time_zone() {
        let at = "2026-12-02T15:30:00Z".parse().unwrap();
        let korea = FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(deadline_text(at, Lang::Ko, korea), "2026-12-03 00:30 (KST)");
        assert_eq!(deadline_text(at, Lang::Ja, korea), "2026-12-03 00:30 (JST)");
        let east_coast = FixedOffset::west_opt(5 * 3600).unwrap();
        assert_eq!(
            deadline_text(at, Lang::En, east_coast),
            "2026-12-02 10:30 (UTC-05:00)"
        );
    }
}
