//! Crash test: `paydesk sync` runs as a child process over 1,000 invoices whose
//! payments keep changing at the (sandbox) provider, and is killed with SIGKILL at
//! random points 50 times. After a last pass the database must equal the provider's
//! truth, and the audit log must hold one entry per real change — none lost, none twice.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use paydesk::{Engine, ListQuery, NewLink};
use support::BIN;

/// A small deterministic generator (no need for a crate to pick kill points).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn killing_sync_at_random_points_loses_and_repeats_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let engine = rt.block_on(Engine::open(dir.path())).unwrap();
    let mut ids = Vec::new();
    rt.block_on(async {
        for i in 0..1000 {
            let v = engine
                .create_link(NewLink {
                    account: "sandbox".into(),
                    name: format!("상품 {i}"),
                    amount: "10000".into(),
                    expires_in: Some("1d".into()),
                    ..Default::default()
                })
                .await
                .unwrap();
            ids.push(v.provider_id.unwrap());
        }
    });
    let mut rng = Lcg(std::process::id() as u64);
    for round in 0..50 {
        // Customers act at the provider between and during syncs.
        rt.block_on(async {
            for _ in 0..30 {
                let pid = &ids[rng.next(ids.len() as u64) as usize];
                let now = Utc::now();
                let sandbox = engine.sandbox();
                let _ = match rng.next(4) {
                    0 => sandbox.pay(pid, None, false, now).await,
                    1 => sandbox.pay_less(pid, now).await,
                    2 => sandbox.pay_more(pid, now).await,
                    _ => sandbox.expire(pid, now).await,
                };
            }
        });
        let mut child = Command::new(BIN)
            .arg("--data-dir")
            .arg(dir.path())
            .args(["sync", "--interval", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + rng.next(400)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let _ = round;
    }
    // One last, uninterrupted pass brings everything to the provider's truth.
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["sync", "--once"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    rt.block_on(async {
        let all = engine
            .invoices(&ListQuery {
                limit: Some(5000),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(all.len(), 1000);
        for inv in all {
            let pid = inv.provider_id.clone().unwrap();
            let truth = engine.sandbox().get(&pid, Utc::now()).await.unwrap();
            let (status, flags) = paydesk_providers_map(&truth);
            assert_eq!(inv.status.as_str(), status, "{} ({})", inv.id, truth.state);
            assert_eq!(inv.paid_amount, truth.paid_minor.to_string(), "{}", inv.id);
            assert_eq!(
                (inv.underpaid, inv.overpaid),
                (flags.0, flags.1),
                "{}",
                inv.id
            );
            // One audit entry per real change: never the same change logged twice in a row.
            let shown = engine.invoice(&inv.id).await.unwrap();
            let changes: Vec<(Option<paydesk::core::Status>, Option<String>)> = shown
                .timeline
                .unwrap()
                .into_iter()
                .filter(|t| t.event == paydesk::core::TimelineEvent::Status)
                .map(|t| (t.status, t.detail))
                .collect();
            for pair in changes.windows(2) {
                assert_ne!(pair[0], pair[1], "{} logged one change twice", inv.id);
            }
        }
    });
}

/// The sandbox's own status words as PayDesk maps them (status, (underpaid, overpaid)).
fn paydesk_providers_map(p: &paydesk_providers::sandbox::SandboxPayment) -> (String, (bool, bool)) {
    let (status, flags) =
        paydesk_providers::sandbox::map_status(&p.state, p.amount_minor, p.paid_minor, p.late)
            .unwrap();
    (
        status.as_str().to_string(),
        (flags.underpaid, flags.overpaid),
    )
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let engine = rt.block_on(Engine::open(dir.path())).unwrap();
    rt.block_on(async {
        for i in 0..1000 {
            engine
                .create_link(NewLink {
                    account: "sandbox".into(),
                    name: format!("상품 {i}"),
                    amount: "10000".into(),
                    ..Default::default()
                })
                .await
                .unwrap();
        }
    });
    // More than a pipe holds (64 KiB: 1,000 rows of either form), so the writer is
    // still writing when the reader takes 100 bytes and leaves (`| head -c 100`).
    for args in [&["--json", "link", "list"][..], &["link", "list"][..]] {
        let mut child = Command::new(BIN)
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 100];
        std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.trim().is_empty(), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(141), "{args:?}");
    }
}

#[test]
fn many_processes_opening_a_new_data_folder_at_once_all_open_it() {
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let children: Vec<_> = (0..12)
            .map(|_| {
                Command::new(BIN)
                    .arg("--data-dir")
                    .arg(dir.path())
                    .args(["--json", "account", "list"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
