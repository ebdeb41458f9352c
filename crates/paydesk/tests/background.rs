//! The background sync survives its own failures: a pass that panics (a bug reached by
//! data) is reported to the window and the next pass runs, instead of the task dying
//! silently until the app restarts. Its own test binary: it sets the failpoint variable.

use std::time::Duration;

use paydesk::Engine;

#[tokio::test]
async fn a_pass_that_panics_is_reported_and_the_next_pass_runs() {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::open(dir.path()).await.unwrap();
    let mut reports = e.subscribe_sync();
    std::env::set_var("PAYDESK_FAILPOINT", "panic:sync:pass");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let looping = e.clone();
    let task = tokio::spawn(async move {
        looping
            .run_sync(Some(Duration::from_millis(50)), async {
                let _ = stop_rx.await;
            })
            .await
    });
    // Two failed passes: the loop went on after the first.
    for _ in 0..2 {
        let r = tokio::time::timeout(Duration::from_secs(10), reports.recv())
            .await
            .expect("a report")
            .unwrap();
        let failure = r.failure.expect("the failure is reported");
        assert!(failure.contains("stopped unexpectedly"), "{failure}");
    }
    // The bug gone, passes succeed again in the same loop.
    std::env::remove_var("PAYDESK_FAILPOINT");
    let ok = loop {
        let r = tokio::time::timeout(Duration::from_secs(10), reports.recv())
            .await
            .expect("a report")
            .unwrap();
        if r.failure.is_none() {
            break r;
        }
    };
    assert!(ok.errors.is_empty(), "{:?}", ok.errors);
    stop_tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the loop stops when asked")
        .unwrap();
}
