//! The slips as a scanner and a reader see them: rendered to PNG by `pdftoppm` at the
//! resolutions of thermal (203 dpi) and office (300 dpi) printers and decoded by
//! `zbarimg`; text extracted by `pdftotext`; fonts listed by `pdffonts`
//! (poppler-utils and zbar-tools, which `./x test` installs).

use std::path::Path;
use std::process::Command;

use paydesk_slips::{
    render, render_invoice, render_with_logo, InvoiceDoc, Lang, Layout, Logo, Slip, SlipError,
};

fn slip(n: usize, lang: Lang) -> Slip {
    Slip {
        store: "카페 소나무 / カフェ松".into(),
        customer: Some("김민준".into()),
        item: "아메리카노 두 잔과 抹茶ラテ".into(),
        amount: "₩29,900".into(),
        deadline: "2026-11-25 23:59 (KST)".into(),
        payment_number: format!("{:014}", 90_123_456_789_000u64 + n as u64),
        payment_url: Some(format!("http://127.0.0.1:8787/pay/sbx_{n:04}")),
        order_id: Some(format!("PD{n:04}")),
        lang,
    }
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed: {e}"));
    assert!(
        out.status.success() || name == "zbarimg",
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every code zbarimg finds on every page, as `TYPE:value`.
fn decode(pdf: &Path, dpi: u32) -> Vec<String> {
    let dir = pdf.parent().unwrap();
    let prefix = dir.join(format!("page-{dpi}"));
    tool(
        "pdftoppm",
        &[
            "-r",
            &dpi.to_string(),
            "-gray",
            "-png",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let mut found = vec![];
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("page-{dpi}"))
        })
        .collect();
    pages.sort();
    for p in pages {
        let typed = tool(
            "zbarimg",
            &[
                "--quiet",
                "-Sdisable",
                "-Scode128.enable",
                "-Sqrcode.enable",
                p.to_str().unwrap(),
            ],
        );
        found.extend(typed.lines().map(str::to_string));
    }
    found.sort();
    found
}

fn expected(slips: &[Slip]) -> Vec<String> {
    let mut e: Vec<String> = slips
        .iter()
        .flat_map(|s| {
            [
                format!("CODE-128:{}", s.payment_number),
                format!("QR-Code:{}", s.payment_url.clone().unwrap()),
            ]
        })
        .collect();
    e.sort();
    e
}

#[test]
fn receipt_barcodes_and_qr_codes_decode_at_203_and_300_dpi() {
    let dir = tempfile::tempdir().unwrap();
    let slips = vec![slip(1, Lang::Ko)];
    let pdf = dir.path().join("receipt.pdf");
    std::fs::write(&pdf, render(&slips, Layout::Receipt80).unwrap()).unwrap();
    for dpi in [203, 300] {
        assert_eq!(decode(&pdf, dpi), expected(&slips), "at {dpi} dpi");
    }
    let size = std::fs::metadata(&pdf).unwrap().len();
    assert!(
        size <= 60 * 1024,
        "a one-slip PDF stays small: {size} bytes"
    );
}

#[test]
fn a4_sheets_decode_every_slip_and_embed_the_font_once() {
    let dir = tempfile::tempdir().unwrap();
    let slips: Vec<Slip> = (0..10)
        .map(|n| slip(n, if n % 2 == 0 { Lang::Ko } else { Lang::Ja }))
        .collect();
    let pdf = dir.path().join("a4.pdf");
    std::fs::write(&pdf, render(&slips, Layout::A4).unwrap()).unwrap();
    if let Some(keep) = std::env::var_os("PAYDESK_KEEP_SLIP") {
        std::fs::copy(&pdf, keep).unwrap();
    }
    for dpi in [203, 300] {
        assert_eq!(decode(&pdf, dpi), expected(&slips), "at {dpi} dpi");
    }
    let fonts = tool("pdffonts", &[pdf.to_str().unwrap()]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 1, "one font for every page: {fonts}");
    let cols: Vec<&str> = rows[0].split_whitespace().collect();
    assert!(
        rows[0].contains('+'),
        "the font is a subset (ABCDEF+Name): {fonts}"
    );
    assert_eq!(
        &cols[cols.len() - 5..cols.len() - 2],
        &["yes", "yes", "yes"],
        "embedded, subset, unicode: {fonts}"
    );
}

#[test]
fn korean_and_japanese_text_extracts_intact() {
    let dir = tempfile::tempdir().unwrap();
    let slips = vec![slip(1, Lang::Ko), slip(2, Lang::Ja), slip(3, Lang::En)];
    let pdf = dir.path().join("text.pdf");
    std::fs::write(&pdf, render(&slips, Layout::A4).unwrap()).unwrap();
    let text = tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    for needle in [
        "카페 소나무",
        "김민준",
        "아메리카노 두 잔과 抹茶ラテ",
        "₩29,900",
        "편의점 결제 안내",
        "コンビニ払込票",
        "お支払期限",
        "Pay by",
        "9012 3456 7890 01",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

#[test]
fn an_invoice_page_carries_its_link_as_a_qr_code() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("invoice.pdf");
    let url = "https://pay.bootpay.co.kr/invoice/abc123def456";
    let doc = InvoiceDoc {
        store: "카페 소나무".into(),
        customer: Some("김민준".into()),
        item: "Professional 플랜 구독".into(),
        amount: "₩29,900".into(),
        tax_free: "₩1,000".into(),
        order_id: "PD01JD".into(),
        deadline: "2026-11-25 23:59 (KST)".into(),
        payment_url: url.into(),
        lang: Lang::Ko,
        logo: None,
    };
    std::fs::write(&pdf, render_invoice(&doc).unwrap()).unwrap();
    assert_eq!(decode(&pdf, 150), vec![format!("QR-Code:{url}")]);
    let text = tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    for needle in [
        "청구서",
        "카페 소나무",
        "Professional 플랜 구독",
        "₩29,900",
        "₩1,000",
        "PD01JD",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

/// A 240 × 80 logo: a pure red block on a transparent background.
fn logo_png() -> Vec<u8> {
    let (w, h) = (240u32, 80u32);
    let mut pixels = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let inside = (20..220).contains(&x) && (10..70).contains(&y);
            pixels.extend_from_slice(if inside {
                &[230, 0, 0, 255]
            } else {
                &[0, 0, 0, 0]
            });
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header()
        .unwrap()
        .write_image_data(&pixels)
        .unwrap();
    out
}

/// Pixels of the page that are clearly red (the logo), counted from a colour render.
fn red_pixels(pdf: &Path, page_prefix: &str) -> usize {
    let dir = pdf.parent().unwrap();
    let prefix = dir.join(page_prefix);
    tool(
        "pdftoppm",
        &[
            "-r",
            "72",
            "-singlefile",
            "-png",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let file = std::fs::File::open(prefix.with_extension("png")).unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    buf[..info.buffer_size()]
        .chunks(step)
        .filter(|p| p[0] > 180 && p[1] < 60 && p[2] < 60)
        .count()
}

#[test]
fn the_store_logo_prints_on_every_slip_and_is_embedded_once() {
    let dir = tempfile::tempdir().unwrap();
    let logo = Logo::decode(&logo_png()).unwrap();
    assert_eq!(logo.pixels(), (240, 80));
    let slips: Vec<Slip> = (0..3).map(|n| slip(n, Lang::Ko)).collect();
    let pdf = dir.path().join("logo.pdf");
    std::fs::write(
        &pdf,
        render_with_logo(&slips, Layout::A4, Some(&logo)).unwrap(),
    )
    .unwrap();
    // pdfimages lists every use of an image with its object number: three slips, one
    // object (its transparency is a soft mask beside it).
    let list = tool("pdfimages", &["-list", pdf.to_str().unwrap()]);
    let objects: Vec<&str> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|cols| cols.get(2) == Some(&"image"))
        .map(|cols| cols[10])
        .collect();
    assert_eq!(objects.len(), 3, "{list}");
    assert!(objects.iter().all(|o| *o == objects[0]), "{list}");
    // It is really drawn, and covers neither barcode nor QR code.
    assert!(red_pixels(&pdf, "with-logo") > 500);
    assert_eq!(decode(&pdf, 203), expected(&slips));
    // Without a logo nothing red is on the page.
    let plain = dir.path().join("plain").join("plain.pdf");
    std::fs::create_dir_all(plain.parent().unwrap()).unwrap();
    std::fs::write(&plain, render(&slips, Layout::A4).unwrap()).unwrap();
    assert_eq!(red_pixels(&plain, "without-logo"), 0);
}

#[test]
fn the_invoice_page_carries_the_logo_above_its_qr_code() {
    let dir = tempfile::tempdir().unwrap();
    let url = "https://pay.example/i/logo";
    let doc = InvoiceDoc {
        store: "카페 소나무".into(),
        customer: None,
        item: "원두 1kg".into(),
        amount: "₩32,000".into(),
        tax_free: "₩0".into(),
        order_id: "PD01LOGO".into(),
        deadline: "2026-12-09 23:59 (KST)".into(),
        payment_url: url.into(),
        lang: Lang::Ko,
        logo: Some(Logo::decode(&logo_png()).unwrap()),
    };
    let pdf = dir.path().join("invoice.pdf");
    std::fs::write(&pdf, render_invoice(&doc).unwrap()).unwrap();
    assert!(red_pixels(&pdf, "invoice") > 500);
    assert_eq!(decode(&pdf, 150), vec![format!("QR-Code:{url}")]);
}

#[test]
fn a_logo_that_is_not_a_small_png_or_jpeg_is_refused_with_the_reason() {
    let err = |b: &[u8]| match Logo::decode(b) {
        Err(SlipError::Logo(m)) => m,
        other => panic!("{other:?}"),
    };
    assert!(err(b"GIF89a....").contains("PNG or JPEG"));
    assert!(err(b"%PDF-1.7 not an image").contains("PNG or JPEG"));
    // A PNG signature with nothing behind it.
    assert!(err(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").contains("cannot be read"));
    let mut big = logo_png();
    big.resize(paydesk_slips::LOGO_MAX_BYTES + 1, 0);
    assert!(err(&big).contains("at most 1024 KB"));
}
