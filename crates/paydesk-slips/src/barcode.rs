//! The payment number as Code 128 modules (and as SVG for the window), the link as QR
//! modules.

use crate::{SlipError, QUIET_MODULES};

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

/// The bars of a barcode: (first module, width in modules) of each run of dark modules.
/// The PDF and the on-screen SVG both draw these, so they show the same code.
pub(crate) fn bars(modules: &[u8]) -> Vec<(usize, usize)> {
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
