//! Convenience-store payment slips as PDF: the payment number as a Code 128 barcode
//! (with the number printed under it), a QR code of the payment link, Korean and
//! Japanese text in an embedded, subset font, on A4 sheets (8 slips a page, with cut
//! marks) or single 80 mm receipts.
//!
//! Barcode modules are 0.375 mm — exactly 3 dots of a 203 dpi thermal printer — with
//! quiet zones of 10 modules, so slips scan from both thermal and office printers.

use printpdf::{
    Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, RawImage, Rect, TextItem, XObjectId, XObjectTransform,
};

/// Noto Sans CJK KR, subset to Hangul, kana, common kanji/hanja, Latin and symbols
/// (SIL Open Font License 1.1, see `fonts/LICENSE-OFL.txt`).
pub const FONT: &[u8] = include_bytes!("../fonts/PayDeskSansCJK-KR.otf");

/// Width of one barcode module: 3 dots at 203 dpi.
pub const MODULE_MM: f32 = 0.375;
/// Quiet zone on each side of the barcode, in modules.
pub const QUIET_MODULES: usize = 10;
/// Height of the barcode bars.
pub const BAR_HEIGHT_MM: f32 = 14.0;
/// Size of one QR module.
pub const QR_MODULE_MM: f32 = 0.75;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SlipError {
    #[error("payment number {0:?} cannot be printed as a Code 128 barcode: {1}")]
    Barcode(String, String),
    #[error("the payment link cannot be printed as a QR code: {0}")]
    Qr(String),
    #[error("the slip font cannot be read")]
    Font,
    #[error("there are no slips to print")]
    Empty,
    #[error("the logo {0}")]
    Logo(String),
}

/// The largest logo file taken (bytes) and its largest side (pixels): a logo prints a
/// few centimetres wide, so more would only make every PDF and e-mail heavier.
pub const LOGO_MAX_BYTES: usize = 1024 * 1024;
pub const LOGO_MAX_PIXELS: usize = 2000;

/// The store's logo, a PNG or JPEG file, decoded and checked once.
#[derive(Debug, Clone)]
pub struct Logo {
    image: RawImage,
    mime: &'static str,
}

impl Logo {
    /// Checks and decodes a logo file: PNG or JPEG, at most [`LOGO_MAX_BYTES`] and
    /// [`LOGO_MAX_PIXELS`] on its longer side.
    pub fn decode(bytes: &[u8]) -> Result<Logo, SlipError> {
        if bytes.len() > LOGO_MAX_BYTES {
            return Err(SlipError::Logo(format!(
                "is {} KB; at most {} KB is taken",
                bytes.len() / 1024,
                LOGO_MAX_BYTES / 1024
            )));
        }
        let mime = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "image/jpeg"
        } else {
            return Err(SlipError::Logo("must be a PNG or JPEG image".into()));
        };
        let image = RawImage::decode_from_bytes(bytes, &mut Vec::new())
            .map_err(|e| SlipError::Logo(format!("cannot be read as an image ({e})")))?;
        if image.width == 0 || image.height == 0 {
            return Err(SlipError::Logo("has no pixels".into()));
        }
        if image.width.max(image.height) > LOGO_MAX_PIXELS {
            return Err(SlipError::Logo(format!(
                "is {}×{} pixels; at most {LOGO_MAX_PIXELS} on a side is taken",
                image.width, image.height
            )));
        }
        Ok(Logo { image, mime })
    }

    /// `image/png` or `image/jpeg`, as the file is.
    pub fn mime(&self) -> &'static str {
        self.mime
    }

    /// Width and height in pixels.
    pub fn pixels(&self) -> (usize, usize) {
        (self.image.width, self.image.height)
    }

    /// The size it prints at (mm) to fit a `max_w` × `max_h` box, keeping its shape.
    fn fit(&self, max_w: f32, max_h: f32) -> (f32, f32) {
        let (w, h) = (self.image.width as f32, self.image.height as f32);
        let scale = (max_w / w).min(max_h / h);
        (w * scale, h * scale)
    }
}

/// A logo added to a document once, drawn wherever it is needed.
struct PlacedLogo<'a> {
    logo: &'a Logo,
    id: XObjectId,
}

impl PlacedLogo<'_> {
    /// Draws the logo with its top-right corner at (`right`, `top`), inside `max_w` × `max_h` mm.
    fn draw(&self, ops: &mut Vec<Op>, right: f32, top: f32, max_w: f32, max_h: f32) {
        let (w, h) = self.logo.fit(max_w, max_h);
        // An image is drawn at its pixel size for the dpi given: pick the dpi that makes
        // it `w` mm wide.
        let dpi = self.logo.image.width as f32 * 25.4 / w;
        ops.push(Op::UseXobject {
            id: self.id.clone(),
            transform: XObjectTransform {
                translate_x: Some(Mm(right - w).into()),
                translate_y: Some(Mm(top - h).into()),
                dpi: Some(dpi),
                ..Default::default()
            },
        });
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// A4 portrait, 2 × 4 slips a page with cut marks.
    A4,
    /// One slip per page, 80 mm wide, for thermal receipt printers.
    Receipt80,
}

impl std::str::FromStr for Layout {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "a4" => Ok(Layout::A4),
            "receipt80" => Ok(Layout::Receipt80),
            _ => Err("must be a4 or receipt80".into()),
        }
    }
}

pub use paydesk_core::Lang;

/// Everything printed on one slip, already formatted for people.
#[derive(Debug, Clone)]
pub struct Slip {
    pub store: String,
    pub customer: Option<String>,
    pub item: String,
    /// `₩29,900`, `¥3,000`.
    pub amount: String,
    /// The deadline in the merchant's time zone, as printed.
    pub deadline: String,
    /// What the barcode encodes.
    pub payment_number: String,
    pub payment_url: Option<String>,
    pub lang: Lang,
}

/// The words a slip prints, in its language: title, then the labels of customer, item,
/// amount and deadline, then the instruction to the customer.
pub fn slip_words(lang: Lang) -> [&'static str; 6] {
    match lang {
        Lang::Ko => [
            "편의점 결제 안내",
            "고객",
            "상품",
            "결제 금액",
            "결제 기한",
            "편의점 계산대에서 이 바코드를 보여 주세요. 기한이 지나면 결제할 수 없습니다.",
        ],
        Lang::Ja => [
            "コンビニ払込票",
            "お客様",
            "商品",
            "お支払金額",
            "お支払期限",
            "コンビニのレジでこのバーコードをお見せください。期限を過ぎるとお支払いできません。",
        ],
        Lang::En => [
            "Convenience-store payment slip",
            "Customer",
            "Item",
            "Amount",
            "Pay by",
            "Show this barcode at the convenience-store counter. It cannot be paid after the deadline.",
        ],
    }
}

/// The Code 128 modules (1 = bar) for `number`: code set C for pairs of digits, B for
/// the rest, with the start, checksum and stop symbols (the `barcoders` crate).
pub fn code128_modules(number: &str) -> Result<Vec<u8>, SlipError> {
    let err = |e: String| SlipError::Barcode(number.to_string(), e);
    if number.is_empty() || number.len() > 48 || !number.is_ascii() {
        return Err(err("it must be 1–48 printable ASCII characters".into()));
    }
    let data = if number.bytes().all(|b| b.is_ascii_digit()) {
        if number.len().is_multiple_of(2) {
            format!("\u{0106}{number}")
        } else {
            let (pairs, last) = number.split_at(number.len() - 1);
            if pairs.is_empty() {
                format!("\u{0181}{last}")
            } else {
                format!("\u{0106}{pairs}\u{0181}{last}")
            }
        }
    } else {
        format!("\u{0181}{number}")
    };
    let code = barcoders::sym::code128::Code128::new(data).map_err(|e| err(e.to_string()))?;
    Ok(code.encode())
}

/// The QR code's dark modules, as a square grid.
pub fn qr_modules(url: &str) -> Result<(usize, Vec<bool>), SlipError> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| SlipError::Qr(e.to_string()))?;
    let w = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok((w, dark))
}

fn mm(v: f32) -> Pt {
    Mm(v).into()
}

fn fill_rect(ops: &mut Vec<Op>, x: f32, y: f32, w: f32, h: f32) {
    ops.push(Op::DrawRectangle {
        rectangle: Rect {
            x: mm(x),
            y: mm(y),
            width: mm(w),
            height: mm(h),
            mode: Some(PaintMode::Fill),
            winding_order: None,
        },
    });
}

fn line(ops: &mut Vec<Op>, x1: f32, y1: f32, x2: f32, y2: f32) {
    ops.push(Op::DrawLine {
        line: Line {
            points: vec![
                LinePoint {
                    p: Point::new(Mm(x1), Mm(y1)),
                    bezier: false,
                },
                LinePoint {
                    p: Point::new(Mm(x2), Mm(y2)),
                    bezier: false,
                },
            ],
            is_closed: false,
        },
    });
}

struct Writer<'a> {
    font: PdfFontHandle,
    logo: Option<PlacedLogo<'a>>,
}

impl Writer<'_> {
    fn text(&self, ops: &mut Vec<Op>, x: f32, y: f32, size: f32, text: &str) {
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont {
            font: self.font.clone(),
            size: Pt(size),
        });
        ops.push(Op::SetTextCursor {
            pos: Point::new(Mm(x), Mm(y)),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(text.to_string())],
        });
        ops.push(Op::EndTextSection);
    }

    /// Text wrapped to `width` mm, counting every character as a full-width one (CJK
    /// text breaks anywhere; Latin lines just end a little early).
    fn wrapped(
        &self,
        ops: &mut Vec<Op>,
        x: f32,
        mut y: f32,
        size: f32,
        text: &str,
        width: f32,
    ) -> f32 {
        let em_mm = size * 25.4 / 72.0;
        let max_chars = (width / em_mm) as usize;
        let chars: Vec<char> = text.chars().collect();
        for chunk in chars.chunks(max_chars.max(1)) {
            self.text(ops, x, y, size, &chunk.iter().collect::<String>());
            y -= size * 0.45;
        }
        y
    }

    /// One slip whose top-left corner is at (`x`, `top`), `w` mm wide. Returns its bottom.
    fn slip(
        &self,
        ops: &mut Vec<Op>,
        s: &Slip,
        x: f32,
        top: f32,
        w: f32,
    ) -> Result<f32, SlipError> {
        let t = slip_words(s.lang);
        let wrap = w - 8.0;
        if let Some(logo) = &self.logo {
            logo.draw(ops, x + w - 4.0, top - 3.0, 24.0, 9.0);
        }
        let mut y = top - 7.0;
        self.text(ops, x + 4.0, y, 11.0, &s.store);
        y -= 5.0;
        self.text(ops, x + 4.0, y, 8.0, t[0]);
        y -= 6.0;
        if let Some(c) = &s.customer {
            self.text(ops, x + 4.0, y, 9.0, &format!("{}: {c}", t[1]));
            y -= 4.5;
        }
        y = self.wrapped(ops, x + 4.0, y, 9.0, &format!("{}: {}", t[2], s.item), wrap);
        y -= 1.5;
        self.text(ops, x + 4.0, y, 14.0, &format!("{}: {}", t[3], s.amount));
        y -= 6.0;
        self.text(ops, x + 4.0, y, 9.0, &format!("{}: {}", t[4], s.deadline));
        y -= 4.0;

        // The barcode, with its quiet zones inside the slip.
        let modules = code128_modules(&s.payment_number)?;
        let bar_top = y;
        let bar_bottom = bar_top - BAR_HEIGHT_MM;
        let mut bx = x + 4.0 + QUIET_MODULES as f32 * MODULE_MM;
        for (start, len) in bars(&modules) {
            fill_rect(
                ops,
                bx + start as f32 * MODULE_MM,
                bar_bottom,
                len as f32 * MODULE_MM,
                BAR_HEIGHT_MM,
            );
        }
        bx += modules.len() as f32 * MODULE_MM + QUIET_MODULES as f32 * MODULE_MM;
        y = bar_bottom - 4.0;
        self.text(
            ops,
            x + 4.0 + QUIET_MODULES as f32 * MODULE_MM,
            y,
            10.0,
            &spaced(&s.payment_number),
        );

        // The QR code of the link, to the right of the barcode when it fits, else below.
        if let Some(url) = &s.payment_url {
            let (n, dark) = qr_modules(url)?;
            let size = (n + 8) as f32 * QR_MODULE_MM;
            let (qx, qtop) = if bx + size <= x + w - 2.0 {
                (bx, bar_top + 4.0)
            } else {
                (x + 4.0, y - 3.0)
            };
            for row in 0..n {
                for col in 0..n {
                    if dark[row * n + col] {
                        fill_rect(
                            ops,
                            qx + (col + 4) as f32 * QR_MODULE_MM,
                            qtop - (row + 5) as f32 * QR_MODULE_MM,
                            QR_MODULE_MM,
                            QR_MODULE_MM,
                        );
                    }
                }
            }
            y = y.min(qtop - size);
        }
        y -= 3.0;
        y = self.wrapped(ops, x + 4.0, y, 7.5, t[5], wrap);
        Ok(y - 2.0)
    }
}

/// The bars of a barcode: (first module, width in modules) of each run of dark modules.
/// The PDF and the on-screen SVG both draw these, so they show the same code.
fn bars(modules: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, m) in modules.iter().chain([&0]).enumerate() {
        match (*m == 1, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i - s));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The barcode of `number` as SVG (one unit a module, quiet zones included; 3 pixels a
/// module and 60 high on screen), for showing a slip exactly as it will print.
pub fn code128_svg(number: &str) -> Result<String, SlipError> {
    let modules = code128_modules(number)?;
    let width = modules.len() + 2 * QUIET_MODULES;
    let height = 40;
    let mut path = String::new();
    for (start, len) in bars(&modules) {
        path.push_str(&format!(
            "M{} 0h{len}v{height}h-{len}z",
            start + QUIET_MODULES
        ));
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"60\" viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"none\" shape-rendering=\"crispEdges\"><rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>",
        width * 3
    ))
}

/// Groups a long payment number in fours so people can read it out.
pub fn spaced(n: &str) -> String {
    let chars: Vec<char> = n.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Renders the slips into one PDF (the font embedded once, as a subset).
pub fn render(slips: &[Slip], layout: Layout) -> Result<Vec<u8>, SlipError> {
    render_with_logo(slips, layout, None)
}

/// Renders the slips with the store's logo at the top right of each (the image
/// embedded once for the whole document).
pub fn render_with_logo(
    slips: &[Slip],
    layout: Layout,
    logo: Option<&Logo>,
) -> Result<Vec<u8>, SlipError> {
    if slips.is_empty() {
        return Err(SlipError::Empty);
    }
    let mut doc = PdfDocument::new("PayDesk payment slips");
    let font = ParsedFont::from_bytes(FONT, 0, &mut Vec::new()).ok_or(SlipError::Font)?;
    let writer = Writer {
        font: PdfFontHandle::External(doc.add_font(&font)),
        logo: logo.map(|l| PlacedLogo {
            logo: l,
            id: doc.add_image(&l.image),
        }),
    };
    let mut pages = Vec::new();
    match layout {
        Layout::Receipt80 => {
            for s in slips {
                let mut ops = Vec::new();
                let height = 150.0;
                writer.slip(&mut ops, s, 2.0, height - 2.0, 76.0)?;
                pages.push(PdfPage::new(Mm(80.0), Mm(height), ops));
            }
        }
        Layout::A4 => {
            let (cols, rows, w, h) = (2usize, 4usize, 95.0f32, 68.0f32);
            let (left, top) = (
                (210.0 - cols as f32 * w) / 2.0,
                297.0 - (297.0 - rows as f32 * h) / 2.0,
            );
            for page in slips.chunks(cols * rows) {
                let mut ops = vec![Op::SetOutlineThickness { pt: Pt(0.3) }];
                for (i, s) in page.iter().enumerate() {
                    let (c, r) = (i % cols, i / cols);
                    let x = left + c as f32 * w;
                    let y_top = top - r as f32 * h;
                    writer.slip(&mut ops, s, x, y_top, w)?;
                    cut_marks(&mut ops, x, y_top - h, w, h);
                }
                pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
            }
        }
    }
    let options = PdfSaveOptions {
        subset_fonts: true,
        ..Default::default()
    };
    Ok(doc.with_pages(pages).save(&options, &mut Vec::new()))
}

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

fn invoice_texts(lang: Lang) -> [&'static str; 8] {
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

/// Short marks at each corner of a slip, outside it, to cut along.
fn cut_marks(ops: &mut Vec<Op>, x: f32, y: f32, w: f32, h: f32) {
    let l = 3.0;
    for (cx, cy) in [(x, y), (x + w, y), (x, y + h), (x + w, y + h)] {
        line(ops, cx - l, cy, cx - 0.8, cy);
        line(ops, cx + 0.8, cy, cx + l, cy);
        line(ops, cx, cy - l, cx, cy - 0.8);
        line(ops, cx, cy + 0.8, cx, cy + l);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_barcode_svg_draws_every_bar_of_the_modules() {
        let number = "90123456789012";
        let svg = code128_svg(number).unwrap();
        let modules = code128_modules(number).unwrap();
        let bars = modules
            .iter()
            .zip(modules.iter().skip(1).chain([&0]))
            .filter(|(a, b)| **a == 1 && **b == 0)
            .count();
        assert_eq!(svg.matches('M').count(), bars);
        let dark: usize = svg
            .split('M')
            .skip(1)
            .map(|p| {
                p.split('h')
                    .nth(1)
                    .unwrap()
                    .split('v')
                    .next()
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum();
        assert_eq!(dark, modules.iter().filter(|m| **m == 1).count());
        assert!(svg.contains(&format!(
            "viewBox=\"0 0 {} 40\"",
            modules.len() + 2 * QUIET_MODULES
        )));
    }

    /// Decodes Code 128 modules back to the symbol values (checks the checksum).
    fn decode_symbols(m: &[u8]) -> Vec<usize> {
        // Each symbol is 11 modules; the stop symbol is 13.
        let table = barcoders_table();
        let mut out = vec![];
        let mut i = 0;
        while i + 11 <= m.len() - 13 + 11 && i + 11 <= m.len() {
            let chunk: String = m[i..i + 11].iter().map(|b| char::from(b'0' + b)).collect();
            match table.iter().position(|p| *p == chunk) {
                Some(v) => out.push(v),
                None => break,
            }
            i += 11;
        }
        out
    }

    fn barcoders_table() -> Vec<String> {
        // The 107 Code 128 patterns as bar/space widths (ISO/IEC 15417 table 1), first 106.
        const W: [&str; 106] = [
            "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",
            "132212", "221213", "221312", "231212", "112232", "122132", "122231", "113222",
            "123122", "123221", "223211", "221132", "221231", "213212", "223112", "312131",
            "311222", "321122", "321221", "312212", "322112", "322211", "212123", "212321",
            "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
            "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121",
            "313121", "211331", "231131", "213113", "213311", "213131", "311123", "311321",
            "331121", "312113", "312311", "332111", "314111", "221411", "431111", "111224",
            "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
            "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
            "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112",
            "421211", "212141", "214121", "412121", "111143", "111341", "131141", "114113",
            "114311", "411113", "411311", "113141", "114131", "311141", "411131", "211412",
            "211214", "211232",
        ];
        W.iter()
            .map(|w| {
                let mut s = String::new();
                for (i, c) in w.chars().enumerate() {
                    let n = c.to_digit(10).unwrap() as usize;
                    s.push_str(&(if i % 2 == 0 { "1" } else { "0" }).repeat(n));
                }
                s
            })
            .collect()
    }

    #[test]
    fn code128_uses_set_c_for_digit_pairs_and_a_valid_checksum() {
        // Standard's own example structure: start C (105), pairs, checksum, stop.
        let m = code128_modules("12345678901234").unwrap();
        let syms = decode_symbols(&m);
        assert_eq!(syms[0], 105, "start code C");
        assert_eq!(&syms[1..8], &[12, 34, 56, 78, 90, 12, 34]);
        let check = (syms[0]
            + syms[1..8]
                .iter()
                .enumerate()
                .map(|(i, v)| (i + 1) * v)
                .sum::<usize>())
            % 103;
        assert_eq!(syms[8], check);
        assert_eq!(
            m.len(),
            11 * 9 + 13,
            "start + 7 pairs + check, then the stop symbol"
        );
        // Odd digit counts switch to set B for the last digit.
        let syms = decode_symbols(&code128_modules("123").unwrap());
        assert_eq!(&syms[..4], &[105, 12, 100, 19], "C, '12', code B, '3'");
        assert!(code128_modules("").is_err());
        assert!(code128_modules("번호").is_err());
    }

    #[test]
    fn qr_codes_have_modules() {
        let (n, dark) = qr_modules("http://127.0.0.1:8787/pay/sbx_1").unwrap();
        assert_eq!(dark.len(), n * n);
        assert!(n >= 21);
    }

    #[test]
    fn spaced_numbers() {
        assert_eq!(spaced("90123456789012"), "9012 3456 7890 12");
    }
}
