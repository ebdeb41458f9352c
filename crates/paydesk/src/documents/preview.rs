//! What the window shows of a document before it prints: the slip as it prints, the
//! link's QR code.

use crate::{error::Result, Engine};
use serde::Serialize;

impl Engine {
    /// The invoice's link (or payment number) as a QR code in SVG, for the window.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn invoice_qr(&self, key: &str) -> Result<String> {
        let inv = self.find(key).await?;
        let text = inv
            .payment_url
            .or(inv.payment_number)
            .ok_or_else(|| crate::EngineError::input("id", "has no link yet"))?;
        paydesk_notify::qr::svg(&text)
            .ok_or_else(|| crate::EngineError::input("id", "the link is too long for a QR code"))
    }
}

/// A convenience-store slip exactly as it prints, for the window's preview: its words
/// in the slip's language and the barcode as SVG (the link's QR code is the detail's).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SlipPreview {
    /// The slip's title (편의점 결제 안내, …).
    pub title: String,
    /// The shop's name.
    pub store: String,
    /// The label before the customer's name.
    pub customer_label: String,
    /// The customer's name, if the invoice has one.
    pub customer: Option<String>,
    /// The label before what is sold.
    pub item_label: String,
    /// What is sold.
    pub item: String,
    /// The label before the amount.
    pub amount_label: String,
    /// The amount as people read it.
    pub amount: String,
    /// The label before the deadline.
    pub deadline_label: String,
    /// The deadline in the store's time zone.
    pub deadline: String,
    /// The label before the order number.
    pub order_label: String,
    /// The shop's order number.
    pub order_id: Option<String>,
    /// The label before the payment number.
    pub number_label: String,
    /// The payment number the barcode carries.
    pub payment_number: String,
    /// The number in groups of four, as printed under the barcode.
    pub number_spaced: String,
    /// The barcode as an SVG image.
    pub barcode_svg: String,
    /// What the customer does at the counter.
    pub instruction: String,
}

impl Engine {
    /// The slip of one convenience-store payment as it will print (store name from the
    /// settings, words in `lang`).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn slip_preview(&self, key: &str, lang: &str) -> Result<SlipPreview> {
        let lang = super::doc_lang(Some(lang))?;
        let store = self.store_name().await?;
        let slip = self
            .slip_of(key, lang, &store, self.time_zone().await?)
            .await?;
        let lang = slip.lang;
        let barcode_svg = paydesk_slips::code128_svg(&slip.payment_number)
            .map_err(|e| crate::EngineError::input("id", e))?;
        let [title, customer_label, item_label, amount_label, deadline_label, instruction] =
            paydesk_slips::slip_words(lang).map(str::to_string);
        let [number_label, order_label] = paydesk_slips::number_words(lang);
        Ok(SlipPreview {
            title,
            store: slip.store,
            customer_label,
            customer: slip.customer,
            item_label,
            item: slip.item,
            amount_label,
            amount: slip.amount,
            deadline_label,
            deadline: slip.deadline,
            order_label: order_label.to_string(),
            order_id: slip.order_id.clone(),
            number_label: number_label.to_string(),
            number_spaced: paydesk_slips::spaced(&slip.payment_number),
            payment_number: slip.payment_number,
            barcode_svg,
            instruction,
        })
    }
}
