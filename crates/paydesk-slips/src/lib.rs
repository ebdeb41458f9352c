//! Convenience-store payment slips as PDF: the payment number as a Code 128 barcode
//! (with the number printed under it), a QR code of the payment link, Korean and
//! Japanese text in an embedded, subset font, on A4 sheets (8 slips a page, with cut
//! marks) or single 80 mm receipts.
//!
//! Barcode modules are 0.375 mm — exactly 3 dots of a 203 dpi thermal printer — with
//! quiet zones of 10 modules, so slips scan from both thermal and office printers.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod barcode;
mod invoice;
mod logo;
mod pdf;

pub use barcode::{code128_modules, code128_svg, qr_modules, spaced};
pub use invoice::{render_invoice, InvoiceDoc};
pub use logo::{Logo, LOGO_MAX_BYTES, LOGO_MAX_PIXELS};

use crate::{logo::PlacedLogo, pdf::cut_marks, pdf::Writer};
use printpdf::{Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Pt};

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
    /// The merchant's order number, printed for the clerk and the customer.
    pub order_id: Option<String>,
    pub lang: Lang,
}

/// The labels of the payment number and of the order number, in the slip's language.
pub fn number_words(lang: Lang) -> [&'static str; 2] {
    match lang {
        Lang::Ko => ["결제번호", "주문번호"],
        Lang::Ja => ["払込番号", "注文番号"],
        Lang::En => ["Payment number", "Order number"],
    }
}

/// An A4 sheet holds 2 × 3 slips of this size (mm), each inside its cut marks.
pub const A4_SLIP: (f32, f32) = (95.0, 92.0);

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
            let (cols, rows, (w, h)) = (2usize, 3usize, A4_SLIP);
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

    /// The longest slip PayDesk prints (a customer, an item of two lines, the order
    /// number, a QR code) in every language.
    fn longest(lang: Lang) -> Slip {
        Slip {
            store: "하나상회 성수점 / カフェ松".into(),
            customer: Some("김민준".into()),
            item: "케이터링 도시락 20인분과 음료 세트, 배송 포함 (성수동 사무실)".into(),
            amount: "₩1,240,000".into(),
            deadline: "2026-12-05 23:59 (KST)".into(),
            payment_number: "90123456789012".into(),
            payment_url: Some(
                "https://checkout.example.kr/pay/sbx_01m8wmxfcspcjxtv549g92gnw4".into(),
            ),
            order_id: Some("PD01M8WMXF31DTY3MVTJ2RRNZM7E".into()),
            lang,
        }
    }

    #[test]
    fn every_slip_stays_inside_its_cut_marks() {
        let mut doc = PdfDocument::new("t");
        let font = ParsedFont::from_bytes(FONT, 0, &mut Vec::new()).unwrap();
        let writer = Writer {
            font: PdfFontHandle::External(doc.add_font(&font)),
            logo: None,
        };
        for lang in [Lang::Ko, Lang::Ja, Lang::En] {
            let (w, h) = A4_SLIP;
            let bottom = writer
                .slip(&mut Vec::new(), &longest(lang), 0.0, h, w)
                .unwrap();
            assert!(
                bottom >= 0.0,
                "{lang:?}: the A4 slip ends {:.1} mm below its cell",
                -bottom
            );
            let bottom = writer
                .slip(&mut Vec::new(), &longest(lang), 2.0, 148.0, 76.0)
                .unwrap();
            assert!(bottom >= 0.0, "{lang:?}: the 80 mm slip runs off its page");
        }
    }

    #[test]
    fn lines_break_between_words() {
        let (_, _, _, _, _, ja) = {
            let w = slip_words(Lang::Ja);
            (w[0], w[1], w[2], w[3], w[4], w[5])
        };
        // 32 characters a line: the Japanese instruction ends its first line at 。,
        // never inside お支払い.
        let lines = pdf::break_lines(ja, 32);
        assert_eq!(lines[0], "コンビニのレジでこのバーコードをお見せください。");
        assert_eq!(lines[1], "期限を過ぎるとお支払いできません。");
        // Korean words stay whole.
        let ko = slip_words(Lang::Ko)[5];
        for line in pdf::break_lines(ko, 20) {
            assert!(
                ko.split(' ').any(|w| line.ends_with(w)),
                "{line:?} ends inside a word"
            );
        }
        // A word longer than a line is cut, never lost.
        assert_eq!(
            pdf::break_lines("가나다라마바사", 3).concat(),
            "가나다라마바사"
        );
    }

    #[test]
    fn spaced_numbers() {
        assert_eq!(spaced("90123456789012"), "9012 3456 7890 12");
    }
}
