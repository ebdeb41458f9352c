//! A shop with two counters on one shared PostgreSQL store (the throw-away server
//! `./x test` starts, PAYDESK_TEST_POSTGRES): the window at counter B shows a link made
//! at counter A (with the `paydesk` command, in its own data folder) without a reload,
//! and then its cancel.

mod support;

use std::time::Duration;

use support::*;
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_made_at_one_counter_appears_at_the_other() {
    let app = binary("PAYDESK_APP_BIN", "paydesk-app");
    let cli = binary("PAYDESK_CLI_BIN", "paydesk");
    let home = tempfile::tempdir().unwrap();
    let (counter_a, counter_b) = (home.path().join("counter-a"), home.path().join("counter-b"));
    let url = fresh_database("counters");
    for dir in [&counter_a, &counter_b] {
        paydesk(&cli, dir, &["store", "use", &url]);
    }
    paydesk(
        &cli,
        &counter_a,
        &["settings", "set", "store_name", "하나상회"],
    );
    let xvfb = start_xvfb_if_needed();
    let (_driver, driver) = open_app(
        &app,
        home.path(),
        &[
            ("PAYDESK_DATA_DIR", counter_b.display().to_string()),
            ("PAYDESK_SANDBOX_PORT", free_port().to_string()),
            ("PAYDESK_SYNC_INTERVAL_SECS", "1".into()),
        ],
        xvfb.as_ref().map(|x| x.1.as_str()),
    )
    .await;
    let result = async {
        // The shared store's profile: counter B opens on the list, not the welcome.
        driver.find(By::Id("invoice-search")).await?;
        let made = paydesk(
            &cli,
            &counter_a,
            &[
                "link",
                "create",
                "--account",
                "sandbox",
                "--name",
                "카운터 A 라떼",
                "--amount",
                "5500",
            ],
        );
        let (id, status) = wait_for(
            "counter A's link in counter B's list",
            Duration::from_secs(20),
            || async { row_status(&driver, "카운터 A 라떼").await },
        )
        .await;
        assert_eq!(id, made["id"].as_str().unwrap());
        assert_eq!(status, "open");
        paydesk(&cli, &counter_a, &["link", "cancel", &id]);
        wait_for(
            "the cancel at counter B",
            Duration::from_secs(20),
            || async {
                row_status(&driver, "카운터 A 라떼")
                    .await
                    .filter(|(_, s)| s == "cancelled")
            },
        )
        .await;
        WebDriverResult::Ok(())
    }
    .await;
    if result.is_err() {
        if let Ok(png) = driver.screenshot_as_png().await {
            let p = std::env::temp_dir().join("paydesk-e2e-counters-failure.png");
            let _ = std::fs::write(&p, png);
            eprintln!("screenshot of the failure: {}", p.display());
        }
    }
    let _ = driver.quit().await;
    drop(xvfb);
    result.unwrap();
}
