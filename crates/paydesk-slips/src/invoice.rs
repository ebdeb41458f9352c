//! The one-page invoice PDF of a payment link.

use crate::{logo::PlacedLogo, pdf::fill_rect, pdf::Writer, qr_modules, Logo, SlipError, FONT};
use paydesk_core::Lang;
use printpdf::{Mm, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions};

/// A one-page invoice for a payment link, for merchants who hand over or e-mail a document.
#[derive(Debug, Clone)]
pub struct InvoiceDoc {
    pub store: String,
    pub customer: Option<String>,
    pub item: String,
    pub amount: String,
    pub tax_free: String,
    pub order_id: String,
    pub deadline: String,
    pub payment_url: String,
    pub lang: Lang,
    /// The store's logo, printed at the top right.
    pub logo: Option<Logo>,
}

pub(crate) fn invoice_texts(lang: Lang) -> [&'static str; 8] {
    match lang {
        Lang::Ko => [
            "청구서",
            "받는 분",
            "상품",
            "청구 금액",
            "면세 금액",
            "주문번호",
            "결제 기한",
            "아래 QR 코드나 링크로 결제해 주세요.",
        ],
        Lang::Ja => [
            "請求書",
            "宛先",
            "商品",
            "ご請求金額",
            "非課税額",
            "注文番号",
            "お支払期限",
            "下のQRコードまたはリンクからお支払いください。",
        ],
        Lang::En => [
            "Invoice",
            "To",
            "Item",
            "Amount due",
            "Tax-free part",
            "Order",
            "Pay by",
            "Pay with the QR code or the link below.",
        ],
    }
}

/// Renders a one-page A4 invoice with a QR code of its payment link.
pub fn render_invoice(d: &InvoiceDoc) -> Result<Vec<u8>, SlipError> {
    let mut doc = PdfDocument::new("PayDesk invoice");
    let font = ParsedFont::from_bytes(FONT, 0, &mut Vec::new()).ok_or(SlipError::Font)?;
    let w = Writer {
        font: PdfFontHandle::External(doc.add_font(&font)),
        logo: d.logo.as_ref().map(|l| PlacedLogo {
            logo: l,
            id: doc.add_image(&l.image),
        }),
    };
    let t = invoice_texts(d.lang);
    let mut ops = Vec::new();
    if let Some(logo) = &w.logo {
        logo.draw(&mut ops, 185.0, 275.0, 50.0, 20.0);
    }
    let x = 25.0;
    let mut y = 265.0;
    w.text(&mut ops, x, y, 22.0, t[0]);
    y -= 10.0;
    w.text(&mut ops, x, y, 13.0, &d.store);
    y -= 16.0;
    let mut rows: Vec<(&str, &str)> = Vec::new();
    if let Some(c) = &d.customer {
        rows.push((t[1], c));
    }
    rows.extend([
        (t[2], d.item.as_str()),
        (t[3], d.amount.as_str()),
        (t[4], d.tax_free.as_str()),
        (t[5], d.order_id.as_str()),
        (t[6], d.deadline.as_str()),
    ]);
    for (label, value) in rows {
        w.text(&mut ops, x, y, 11.0, label);
        y = w.wrapped(
            &mut ops,
            x + 35.0,
            y,
            if label == t[3] { 16.0 } else { 11.0 },
            value,
            120.0,
        ) - 4.0;
    }
    y -= 6.0;
    w.text(&mut ops, x, y, 10.0, t[7]);
    y -= 8.0;
    let (n, dark) = qr_modules(&d.payment_url)?;
    let module = 1.2;
    for row in 0..n {
        for col in 0..n {
            if dark[row * n + col] {
                fill_rect(
                    &mut ops,
                    x + (col + 4) as f32 * module,
                    y - (row + 5) as f32 * module,
                    module,
                    module,
                );
            }
        }
    }
    y -= (n + 8) as f32 * module + 4.0;
    w.wrapped(&mut ops, x, y, 9.0, &d.payment_url, 160.0);
    let options = PdfSaveOptions {
        subset_fonts: true,
        ..Default::default()
    };
    Ok(doc
        .with_pages(vec![PdfPage::new(Mm(210.0), Mm(297.0), ops)])
        .save(&options, &mut Vec::new()))
}
