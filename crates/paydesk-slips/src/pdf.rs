//! Drawing on a PDF page: millimetres, rectangles, lines, text in the embedded font,
//! the logo, cut marks.

use crate::{
    barcode::bars, code128_modules, logo::PlacedLogo, qr_modules, slip_words, spaced, Slip,
    SlipError, BAR_HEIGHT_MM, MODULE_MM, QR_MODULE_MM, QUIET_MODULES,
};
use printpdf::{Line, LinePoint, Mm, Op, PaintMode, PdfFontHandle, Point, Pt, Rect, TextItem};

pub(crate) fn mm(v: f32) -> Pt {
    Mm(v).into()
}

pub(crate) fn fill_rect(ops: &mut Vec<Op>, x: f32, y: f32, w: f32, h: f32) {
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

pub(crate) fn line(ops: &mut Vec<Op>, x1: f32, y1: f32, x2: f32, y2: f32) {
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

pub(crate) struct Writer<'a> {
    pub(crate) font: PdfFontHandle,
    pub(crate) logo: Option<PlacedLogo<'a>>,
}

impl Writer<'_> {
    pub(crate) fn text(&self, ops: &mut Vec<Op>, x: f32, y: f32, size: f32, text: &str) {
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

    /// Text wrapped to `width` mm, counting every character as a full-width one (Latin
    /// lines just end a little early), broken between words (`break_lines`).
    pub(crate) fn wrapped(
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
        for line in break_lines(text, max_chars.max(1)) {
            self.text(ops, x, y, size, &line);
            y -= size * 0.45;
        }
        y
    }

    /// One slip whose top-left corner is at (`x`, `top`), `w` mm wide. Returns its bottom.
    pub(crate) fn slip(
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
        let [number_label, order_label] = crate::number_words(s.lang);
        if let Some(o) = &s.order_id {
            y -= 4.0;
            self.text(ops, x + 4.0, y, 7.0, &format!("{order_label}: {o}"));
        }
        y -= 4.0;
        self.text(ops, x + 4.0, y, 7.0, number_label);
        y -= 1.0;

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
        y -= 2.0;
        y = self.wrapped(ops, x + 4.0, y, 7.5, t[5], wrap);
        Ok(y - 1.0)
    }
}

/// `text` in lines of at most `max` characters, broken where a line may end: after a
/// space (Korean and Latin words stay whole) or after Japanese punctuation (。、), never
/// inside a word unless one word is longer than a line.
pub(crate) fn break_lines(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest: Vec<char> = text.trim().chars().collect();
    while rest.len() > max {
        let window = &rest[..=max.min(rest.len() - 1)];
        // The last place in the window where a line may end (never at its very start).
        let cut = (1..window.len())
            .rev()
            .find(|&i| {
                window[i] == ' ' || matches!(window[i - 1], '。' | '、' | '，' | '．' | '）')
            })
            .filter(|&i| i >= max / 3);
        let (line, next) = match cut {
            Some(i) => (rest[..i].to_vec(), rest[i..].to_vec()),
            None => (rest[..max].to_vec(), rest[max..].to_vec()),
        };
        lines.push(line.iter().collect::<String>().trim_end().to_string());
        rest = next.into_iter().skip_while(|c| *c == ' ').collect();
    }
    if !rest.is_empty() {
        lines.push(rest.iter().collect());
    }
    lines
}

/// Short marks at each corner of a slip, outside it, to cut along.
pub(crate) fn cut_marks(ops: &mut Vec<Op>, x: f32, y: f32, w: f32, h: f32) {
    let l = 3.0;
    for (cx, cy) in [(x, y), (x + w, y), (x, y + h), (x + w, y + h)] {
        line(ops, cx - l, cy, cx - 0.8, cy);
        line(ops, cx + 0.8, cy, cx + l, cy);
        line(ops, cx, cy - l, cx, cy - 0.8);
        line(ops, cx, cy + 0.8, cx, cy + l);
    }
}
