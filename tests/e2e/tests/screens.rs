//! A screenshot of every screen in Korean, Japanese and English, for people to look at:
//! `tests/e2e/screens/{lang}-{screen}.png` (not kept in git). The data folder is filled
//! first with the `paydesk` command (links with customers, one paid, one paid short and
//! partly refunded, a convenience-store number), then the window is opened on it. Each
//! screen is checked to be in its language by one word of its own.

mod support;

use std::path::Path;
use std::time::Duration;

use support::*;
use thirtyfour::prelude::*;

fn seed(cli: &Path, data_dir: &Path) {
    paydesk(
        cli,
        data_dir,
        &["settings", "set", "store_name", "하나상회 성수점"],
    );
    let link = |name: &str, money: &str, customer: &str, phone: &str, email: &str| {
        let (amount, currency) = money.split_once(' ').unwrap_or((money, "KRW"));
        paydesk(
            cli,
            data_dir,
            &[
                "link",
                "create",
                "--account",
                "sandbox",
                "--name",
                name,
                "--amount",
                amount,
                "--currency",
                currency,
                "--expires-in",
                "3d",
                "--customer-name",
                customer,
                "--phone",
                phone,
                "--email",
                email,
            ],
        )
    };
    link(
        "케이터링 도시락 20인분",
        "240000",
        "장수빈",
        "010-2345-6789",
        "subin@example.kr",
    );
    let paid = link(
        "유기농 사과 한 상자",
        "39800",
        "김민준",
        "010-1234-5678",
        "minjun@example.kr",
    );
    let short = link(
        "抹茶ロールケーキ",
        "2980 JPY",
        "佐藤 美咲",
        "+81 90-1234-5678",
        "misaki@example.jp",
    );
    let id = |v: &serde_json::Value| v["id"].as_str().unwrap().to_string();
    paydesk(cli, data_dir, &["sandbox", "pay", &id(&paid)]);
    paydesk(
        cli,
        data_dir,
        &["sandbox", "pay", &id(&short), "--amount", "1000"],
    );
    paydesk(cli, data_dir, &["sync", "--once"]);
    paydesk(
        cli,
        data_dir,
        &["link", "refund", &id(&paid), "--amount", "9800"],
    );
    paydesk(
        cli,
        data_dir,
        &[
            "cvs",
            "issue",
            "--account",
            "sandbox",
            "--name",
            "편의점 상품",
            "--amount",
            "5000",
            "--expires-in",
            "2d",
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_in_every_language() {
    let app = binary("PAYDESK_APP_BIN", "paydesk-app");
    let cli = binary("PAYDESK_CLI_BIN", "paydesk");
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("data");
    seed(&cli, &data_dir);
    let xvfb = start_xvfb_if_needed();
    // (The running test's own folder: a binary built in another clone keeps that
    // clone's compile-time path.)
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("screens");
    std::fs::create_dir_all(&dir).unwrap();
    // One window per language: WebKitWebDriver sometimes stops answering screenshots
    // after a dozen in one session; a language whose window stops is tried once more.
    for (i, lang) in ["ko", "ja", "en"].into_iter().enumerate() {
        for attempt in 1..=2 {
            let (_driver, driver) = open_app(
                &app,
                home.path(),
                &[
                    ("PAYDESK_DATA_DIR", data_dir.display().to_string()),
                    ("PAYDESK_SANDBOX_PORT", free_port().to_string()),
                ],
                xvfb.as_ref().map(|x| x.1.as_str()),
            )
            .await;
            let result = tour(&driver, &dir, i, lang).await;
            let _ = driver.quit().await;
            match result {
                Ok(()) => break,
                Err(e) if attempt == 1 => eprintln!("screens in {lang}: again after {e}"),
                Err(e) => eprintln!("screens in {lang}: not all taken ({e})"),
            }
        }
    }
    eprintln!("screens: {}", dir.display());
    drop(xvfb);
}

/// Every screen in `lang` (the `i`th of ko, ja, en), each checked to be in it.
async fn tour(driver: &WebDriver, dir: &Path, i: usize, lang: &str) -> WebDriverResult<()> {
    wait_for("the list", Duration::from_secs(60), || async {
        driver.find(By::Css("tr.invoice-row")).await.ok()
    })
    .await;
    // (the screen, the id of its button or "" for an invoice's detail, a word it shows
    // in ko, ja and en)
    let screens: [(&str, &str, [&str; 3]); 5] = [
        (
            "create",
            "new-link-button",
            ["새 결제 링크", "新しい支払いリンク", "New payment link"],
        ),
        ("detail", "", ["받은 금액", "入金額", "Received"]),
        (
            "overview",
            "dashboard-button",
            ["이번 달", "今月", "This month"],
        ),
        (
            "customers",
            "customers-button",
            ["고객", "顧客", "Customers"],
        ),
        (
            "settings",
            "settings-button",
            ["상점 정보", "店舗情報", "Store"],
        ),
    ];
    driver
        .find(By::Css(&format!("#language option[value='{lang}']")))
        .await?
        .click()
        .await?;
    for (screen, button, words) in &screens {
        if button.is_empty() {
            // The detail of an invoice paid and partly refunded.
            let row = wait_for("the paid row", Duration::from_secs(10), || async {
                for r in driver.find_all(By::Css("tr.invoice-row")).await.ok()? {
                    if r.text().await.ok()?.contains("유기농 사과") {
                        return r.find(By::Css("td.name")).await.ok();
                    }
                }
                None
            })
            .await;
            row.click().await?;
        } else {
            driver.find(By::Id(*button)).await?.click().await?;
        }
        let word = words[i];
        wait_for(
            &format!("the {screen} screen in {lang}"),
            Duration::from_secs(10),
            || async {
                let side = driver.find(By::Css("section.side")).await.ok()?;
                side.text().await.ok()?.contains(word).then_some(())
            },
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = driver.screenshot_as_png().await?;
        std::fs::write(dir.join(format!("{lang}-{screen}.png")), png).unwrap();
    }
    Ok(())
}
