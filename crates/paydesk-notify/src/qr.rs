//! The payment link as a QR code in a PNG image, for the e-mail's inline picture.

use qrcode::{Color, EcLevel, QrCode};

/// Pixels per QR module and the quiet zone (in modules) the standard asks for.
const SCALE: usize = 6;
const QUIET: usize = 4;

/// A greyscale PNG of `text` as a QR code (error correction M), or `None` when the
/// text is too long for any QR version.
pub fn png(text: &str) -> Option<Vec<u8>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let side = (width + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for y in 0..width {
        for x in 0..width {
            if colors[y * width + x] == Color::Dark {
                for dy in 0..SCALE {
                    let row = ((y + QUIET) * SCALE + dy) * side;
                    let start = row + (x + QUIET) * SCALE;
                    pixels[start..start + SCALE].fill(0);
                }
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, side as u32, side as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().ok()?;
        writer.write_image_data(&pixels).ok()?;
    }
    Some(out)
}

/// The same QR code as an SVG (one path, dark modules on white, with the quiet zone),
/// for showing it in the window.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET;
    let mut path = String::new();
    for y in 0..width {
        for x in 0..width {
            if colors[y * width + x] == Color::Dark {
                path.push_str(&format!("M{} {}h1v1h-1z", x + QUIET, y + QUIET));
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_svg_has_one_square_per_dark_module() {
        let svg = super::svg("https://pay.example/i/abc").unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        let code = qrcode::QrCode::with_error_correction_level(
            "https://pay.example/i/abc".as_bytes(),
            qrcode::EcLevel::M,
        )
        .unwrap();
        let dark = code
            .to_colors()
            .iter()
            .filter(|c| **c == qrcode::Color::Dark)
            .count();
        assert_eq!(svg.matches("h1v1h-1z").count(), dark);
    }

    #[test]
    fn a_link_becomes_a_png() {
        let png = super::png("https://pay.example/i/abc").unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn text_too_long_for_any_qr_version_is_refused() {
        assert!(super::png(&"x".repeat(5000)).is_none());
    }
}
