//! Slips per second for a 1,000-slip batch (A4 and receipts), bytes per slip, and the
//! peak memory of the process. Run: `./x bench` (or `cargo bench -p paydesk-slips`).

use std::time::Instant;

use paydesk_slips::{render, Lang, Layout, Slip};

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let slips: Vec<Slip> = (0..1000)
        .map(|n| Slip {
            store: "카페 소나무".into(),
            customer: Some(format!("고객 {n}")),
            item: format!("아메리카노 {n}잔"),
            amount: "₩29,900".into(),
            deadline: "2026-11-25 23:59 (KST)".into(),
            payment_number: format!("{:014}", 90_123_456_789_000u64 + n),
            payment_url: Some(format!("http://127.0.0.1:8787/pay/sbx_{n:06}")),
            order_id: Some(format!("PD{n:06}")),
            lang: Lang::Ko,
        })
        .collect();
    let _warm = render(&slips[..1], Layout::Receipt80).unwrap();
    let one = render(&slips[..1], Layout::Receipt80).unwrap();
    println!("one 80 mm slip: {} bytes", one.len());
    for (name, layout) in [
        ("A4, 8 a page", Layout::A4),
        ("80 mm receipts", Layout::Receipt80),
    ] {
        let start = Instant::now();
        let pdf = render(&slips, layout).unwrap();
        let secs = start.elapsed().as_secs_f64();
        println!(
            "1,000 slips, {name}: {:.2} s, {:.0} slips/s, {:.1} MB, {:.0} bytes/slip",
            secs,
            1000.0 / secs,
            pdf.len() as f64 / 1e6,
            pdf.len() as f64 / 1000.0
        );
    }
    println!(
        "peak memory (VmHWM): {:.1} MB",
        peak_rss_kb() as f64 / 1024.0
    );
}
