//! The store's logo: checked once (PNG or JPEG, size limits), embedded once per document.

use crate::SlipError;
use printpdf::{Mm, Op, RawImage, XObjectId, XObjectTransform};

/// The largest logo file taken (bytes) and its largest side (pixels): a logo prints a
/// few centimetres wide, so more would only make every PDF and e-mail heavier.
pub const LOGO_MAX_BYTES: usize = 1024 * 1024;

pub const LOGO_MAX_PIXELS: usize = 2000;

/// The store's logo, a PNG or JPEG file, decoded and checked once.
#[derive(Debug, Clone)]
pub struct Logo {
    pub(crate) image: RawImage,
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
        // The size its header states is checked before anything is decoded: a small
        // file can state an image of gigabytes.
        let (w, h) = imagesize::blob_size(bytes)
            .map(|d| (d.width, d.height))
            .map_err(|e| SlipError::Logo(format!("cannot be read as an image ({e})")))?;
        if w.max(h) > LOGO_MAX_PIXELS {
            return Err(SlipError::Logo(format!(
                "is {w}×{h} pixels; at most {LOGO_MAX_PIXELS} on a side is taken"
            )));
        }
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
    pub(crate) fn fit(&self, max_w: f32, max_h: f32) -> (f32, f32) {
        let (w, h) = (self.image.width as f32, self.image.height as f32);
        let scale = (max_w / w).min(max_h / h);
        (w * scale, h * scale)
    }
}

/// A logo added to a document once, drawn wherever it is needed.
pub(crate) struct PlacedLogo<'a> {
    pub(crate) logo: &'a Logo,
    pub(crate) id: XObjectId,
}

impl PlacedLogo<'_> {
    /// Draws the logo with its top-right corner at (`right`, `top`), inside `max_w` × `max_h` mm.
    pub(crate) fn draw(&self, ops: &mut Vec<Op>, right: f32, top: f32, max_w: f32, max_h: f32) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG whose header states `w` × `h` pixels, and nothing else of use.
    fn stated_png(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend(w.to_be_bytes());
        b.extend(h.to_be_bytes());
        b.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    #[test]
    fn a_huge_stated_size_is_refused_before_decoding() {
        // 60,000 × 60,000 RGBA would take 14 GB to decode; the header says so first.
        let e = Logo::decode(&stated_png(60_000, 60_000)).unwrap_err();
        assert!(e.to_string().contains("60000×60000 pixels"), "{e}");
    }
}
