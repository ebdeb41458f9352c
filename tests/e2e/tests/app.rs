//! The real PayDesk window, driven like a clerk would: create a sandbox payment link,
//! see it in the list, get a field error for a bad amount, then watch the list turn
//! `paid` by itself after the customer pays on the sandbox's side.
//!
//! Needs: the app and `paydesk` binaries built (PAYDESK_APP_BIN / PAYDESK_CLI_BIN or
//! the target dir), `tauri-driver` and `WebKitWebDriver` on PATH, a display (the test
//! starts its own Xvfb when DISPLAY is unset) and a session bus (`./x test` runs it
//! inside `dbus-run-session`).

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::*;
use thirtyfour::prelude::*;

/// The new-link button's label in ui/src/locales/ja.json.
const JA_NEW_LINK: &str = "新しい支払いリンク";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_creates_a_sandbox_link_and_sees_it_paid() {
    let app = binary("PAYDESK_APP_BIN", "paydesk-app");
    let cli = binary("PAYDESK_CLI_BIN", "paydesk");
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("data");
    let sandbox_port = free_port();
    let xvfb = start_xvfb_if_needed();
    // A real print system with a printer that keeps its jobs, for "print" to reach.
    let cups = cups::Cups::start();
    cups.add_printer("counter", true);
    cups.add_printer("office", false);
    let (_driver, driver) = open_app(
        &app,
        home.path(),
        &[
            ("PAYDESK_DATA_DIR", data_dir.display().to_string()),
            ("PAYDESK_SANDBOX_PORT", sandbox_port.to_string()),
            ("PAYDESK_SYNC_INTERVAL_SECS", "1".into()),
            ("CUPS_SERVER", cups.server.clone()),
        ],
        xvfb.as_ref().map(|x| x.1.as_str()),
    )
    .await;

    // A real SMTP server on 127.0.0.1 for the e-mail the clerk sends from the window.
    let maildir = home.path().join("mail");
    let mut smtp = Command::new("/usr/bin/python3")
        .arg(manifest_dir().join("../smtp/smtp_server.py"))
        .args([
            "--mode",
            "none",
            "--user",
            "shop",
            "--password",
            "e2e-smtp-pw",
            "--maildir",
        ])
        .arg(&maildir)
        .stderr(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (apt install python3-aiosmtpd)");
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(smtp.stdout.take().unwrap()),
        &mut ready,
    )
    .unwrap();
    let smtp_port: u16 = ready.trim().trim_start_matches("READY ").parse().unwrap();
    let _smtp = Guard(smtp);
    let mut result = drive(&driver, &cli, &data_dir, &maildir, smtp_port).await;
    if result.is_ok() {
        result = slips_go_to_the_chosen_printer(&driver, &cups).await;
    }
    if result.is_ok() {
        result = send_panel_follows_the_invoice(&driver, &maildir).await;
    }
    if result.is_ok() {
        result = the_list_sorts_and_acts_on_a_selection(&driver, &maildir).await;
    }
    if result.is_ok() {
        result = an_under_paid_link_is_finished(&driver).await;
    }
    if result.is_ok() {
        result = an_invoice_is_duplicated(&driver).await;
    }
    if result.is_ok() {
        result = search_by_phone_and_e_mail(&driver).await;
    }
    if result.is_ok() {
        result = a_cash_payment_is_refunded_to_an_account(&driver, &cli, &data_dir).await;
    }
    if result.is_ok() {
        result = a_japanese_store(&driver).await;
    }
    if result.is_ok() {
        result = the_store_database_can_be_shared(&driver, &cli, &data_dir).await;
    }

    if result.is_ok() {
        result = second_launch(
            &driver,
            &app,
            &data_dir,
            home.path(),
            xvfb.as_ref().map(|x| x.1.as_str()),
        )
        .await;
    }
    if result.is_err() {
        // What the window showed when it went wrong.
        if let Ok(png) = driver.screenshot_as_png().await {
            let p = std::env::temp_dir().join("paydesk-e2e-failure.png");
            let _ = std::fs::write(&p, png);
            eprintln!("screenshot of the failure: {}", p.display());
        }
    }
    let _ = driver.quit().await;
    drop(xvfb);
    result.unwrap();
}

/// Clicks the button `id` and confirms in the window's own dialog (never the system's
/// `confirm()`, which speaks English); gives the question asked. A click that lands
/// while the panel re-renders opens none: an open dialog is answered first, and the
/// button is clicked again only when no dialog came (so nothing is confirmed twice).
async fn click_and_confirm(driver: &WebDriver, id: &'static str) -> String {
    let open_question = || async {
        let d = driver.find(By::Id("confirm-dialog")).await.ok()?;
        d.attr("open").await.ok()??;
        let text = driver
            .find(By::Id("confirm-text"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        driver
            .find(By::Id("confirm-yes"))
            .await
            .ok()?
            .click()
            .await
            .ok()?;
        Some(text)
    };
    wait_for(
        "the confirmation dialog",
        Duration::from_secs(20),
        || async {
            if let Some(t) = open_question().await {
                return Some(t);
            }
            assert!(
                driver.get_alert_text().await.is_err(),
                "the system's confirm() is never used"
            );
            if let Ok(button) = driver.find(By::Id(id)).await {
                let _ = button.click().await;
            }
            for _ in 0..10 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if let Some(t) = open_question().await {
                    return Some(t);
                }
            }
            None
        },
    )
    .await
}

/// A second launch while the app runs hands over to the first window and exits 0;
/// the first keeps working.
async fn second_launch(
    driver: &WebDriver,
    app: &Path,
    data_dir: &Path,
    home: &Path,
    display: Option<&str>,
) -> WebDriverResult<()> {
    let mut cmd = Command::new(app);
    cmd.env("PAYDESK_DATA_DIR", data_dir)
        .env("PAYDESK_SANDBOX_PORT", free_port().to_string())
        .env("XDG_DATA_HOME", home.join("xdg-data"))
        .env("XDG_CONFIG_HOME", home.join("xdg-config"))
        .env("XDG_CACHE_HOME", home.join("xdg-cache"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(d) = display {
        cmd.env("DISPLAY", d);
    }
    let mut second = cmd.spawn().expect("the app starts a second time");
    let started = Instant::now();
    let status = loop {
        if let Some(s) = second.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = second.kill();
            panic!("the second launch did not hand over and exit");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "the second launch exits 0: {status}");
    driver.find(By::Id("invoice-search")).await?;
    Ok(())
}

async fn drive(
    driver: &WebDriver,
    cli: &Path,
    data_dir: &Path,
    maildir: &Path,
    smtp_port: u16,
) -> WebDriverResult<()> {
    // First run: the window greets the clerk, who names the store (Korean by default).
    let store = wait_for("the welcome", Duration::from_secs(60), || async {
        driver.find(By::Id("welcome-store-name")).await.ok()
    })
    .await;
    driver.find(By::Id("welcome-start")).await?.click().await?;
    let refused = wait_for(
        "the empty name refused",
        Duration::from_secs(10),
        || async {
            driver
                .find(By::Css("#welcome .field-error[data-field='store_name']"))
                .await
                .ok()
        },
    )
    .await;
    // In the clerk's language, not the engine's English.
    assert_eq!(refused.text().await?, "입력해 주세요.");
    store.send_keys("하나상회").await?;
    driver.find(By::Id("welcome-start")).await?.click().await?;
    // Then the create form, labelled as the sandbox.
    wait_for("the create form", Duration::from_secs(20), || async {
        driver.find(By::Id("new-link-name")).await.ok()
    })
    .await;

    // The page may call the app's own commands and nothing else: Tauri's core and the
    // plugins the shell uses from Rust are refused to it (src-tauri/capabilities).
    let calls = driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const ask = (cmd, args) => window.__TAURI_INTERNALS__.invoke(cmd, args)
               .then(() => cmd + ': allowed', (e) => cmd + ': refused ' + String(e));
             Promise.all([ask('app_info', {}), ask('plugin:app|version', {}),
                          ask('plugin:opener|open_url', { url: 'https://example.com' }),
                          ask('plugin:window|close', { label: 'main' })]).then(done);",
            Vec::new(),
        )
        .await?;
    let calls: Vec<String> = serde_json::from_value(calls.json().clone()).unwrap();
    assert_eq!(calls[0], "app_info: allowed", "{calls:?}");
    for refused in &calls[1..] {
        assert!(refused.contains(": refused"), "{calls:?}");
    }

    // Settings: the store's name, and an e-mail channel whose password goes to the
    // keyring; a bad channel name is refused next to its field.
    driver
        .find(By::Id("settings-button"))
        .await?
        .click()
        .await?;
    // (Once the saved settings are in the form: typing before they arrive is overwritten.)
    let store = wait_for("the settings", Duration::from_secs(10), || async {
        let f = driver.find(By::Id("store-name")).await.ok()?;
        (f.prop("value").await.ok()?? == "하나상회").then_some(f)
    })
    .await;
    store.clear().await?;
    store.send_keys("하나상회").await?;
    // How often providers are checked: 0 s is refused next to the field, 10 s is kept.
    let interval = driver.find(By::Id("sync-interval")).await?;
    interval.clear().await?;
    interval.send_keys("0").await?;
    driver.find(By::Id("save-profile")).await?.click().await?;
    let refused = wait_for("the interval's error", Duration::from_secs(10), || async {
        driver
            .find(By::Css(
                "#store-profile .field-error[data-field='sync_interval']",
            ))
            .await
            .ok()
    })
    .await
    .text()
    .await?;
    assert!(refused.contains("3600초"), "in Korean: {refused}");
    interval.clear().await?;
    interval.send_keys("10").await?;
    driver.find(By::Id("save-profile")).await?.click().await?;
    wait_for("the profile saved", Duration::from_secs(10), || async {
        driver.find(By::Id("profile-saved")).await.ok()
    })
    .await;
    let settings = Command::new(cli)
        .env("PAYDESK_DATA_DIR", data_dir)
        .args(["settings", "--json"])
        .output()
        .unwrap();
    let settings = String::from_utf8_lossy(&settings.stdout);
    assert!(settings.contains("\"sync_interval\": \"10\""), "{settings}");
    // The store's logo: a file that is not an image is refused next to its field; a PNG
    // is kept (for slips and e-mails) and shown.
    let not_image = data_dir.with_file_name("notes.txt");
    std::fs::write(&not_image, "not a logo").unwrap();
    driver
        .find(By::Id("store-logo-file"))
        .await?
        .send_keys(not_image.display().to_string())
        .await?;
    wait_for("the logo's error", Duration::from_secs(10), || async {
        driver
            .find(By::Css("#store-logo .field-error[data-field='logo']"))
            .await
            .ok()
    })
    .await;
    assert!(!data_dir.join("logo").exists());
    let png = manifest_dir().join("../../icons/128x128.png");
    driver
        .find(By::Id("store-logo-file"))
        .await?
        .send_keys(png.canonicalize().unwrap().display().to_string())
        .await?;
    wait_for("the logo shown", Duration::from_secs(10), || async {
        driver.find(By::Id("store-logo-preview")).await.ok()
    })
    .await;
    assert_eq!(
        std::fs::read(data_dir.join("logo")).unwrap(),
        std::fs::read(&png).unwrap()
    );
    // Where the data is, for the clerk (and support).
    let folder = driver.find(By::Id("data-folder")).await?.text().await?;
    assert_eq!(folder, data_dir.display().to_string());
    let fill = |id: &'static str, text: String| async move {
        let f = driver.find(By::Id(id)).await?;
        f.clear().await?;
        f.send_keys(text).await
    };
    fill("channel-name", "Bad Name!".into()).await?;
    fill("channel-host", "127.0.0.1".into()).await?;
    fill("channel-port", smtp_port.to_string()).await?;
    driver
        .find(By::Css("#channel-tls option[value='none']"))
        .await?
        .click()
        .await?;
    fill("channel-username", "shop".into()).await?;
    fill("channel-from", "하나상회 <shop@hana.kr>".into()).await?;
    fill("channel-secret-password", "e2e-smtp-pw".into()).await?;
    driver
        .find(By::Id("add-channel-submit"))
        .await?
        .click()
        .await?;
    wait_for("the name's error", Duration::from_secs(10), || async {
        driver
            .find(By::Css("#add-channel .field-error[data-field='name']"))
            .await
            .ok()
    })
    .await;
    fill("channel-name", "mail".into()).await?;
    // Without its password (the user name needs one) the channel is not saved.
    let password = driver.find(By::Id("channel-secret-password")).await?;
    set_value(driver, &password, "").await?;
    driver
        .find(By::Id("add-channel-submit"))
        .await?
        .click()
        .await?;
    let refused = wait_for("the password's error", Duration::from_secs(10), || async {
        driver
            .find(By::Css("#add-channel .field-error[data-field='password']"))
            .await
            .ok()?
            .text()
            .await
            .ok()
    })
    .await;
    assert_eq!(refused, "입력해 주세요.");
    assert!(driver
        .find(By::Css("#channels li[data-name='mail']"))
        .await
        .is_err());
    fill("channel-secret-password", "e2e-smtp-pw".into()).await?;
    driver
        .find(By::Id("add-channel-submit"))
        .await?
        .click()
        .await?;
    let added = wait_for("the new channel", Duration::from_secs(10), || async {
        driver
            .find(By::Css(
                "#channels li[data-name='mail'] .secret-state[data-state='set']",
            ))
            .await
            .ok()
    })
    .await;
    assert!(
        !added.text().await?.contains("e2e-smtp-pw"),
        "a secret is never shown"
    );
    // (Scrolled into the panel's view first: WebKitWebDriver does not scroll a panel.)
    let test = driver
        .find(By::Css("#channels li[data-name='mail'] .test-channel"))
        .await?;
    test.scroll_into_view().await?;
    test.click().await?;
    let tested = wait_for("the connection test", Duration::from_secs(20), || async {
        let t = driver
            .find(By::Css("#channels li[data-name='mail'] .test-result"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        t.starts_with('✓').then_some(t)
    })
    .await;
    // In the window's words; the server's own answer in the tooltip.
    assert_eq!(tested, "✓ 연결을 확인했습니다.");
    let answer = driver
        .find(By::Css("#channels li[data-name='mail'] .test-result"))
        .await?
        .attr("title")
        .await?
        .unwrap_or_default();
    assert!(answer.contains("logged in as shop"), "{answer}");
    // Changed in place: a new sender address, the password left empty (kept).
    let edit = driver
        .find(By::Css("#channels li[data-name='mail'] .edit-channel"))
        .await?;
    edit.scroll_into_view().await?;
    edit.click().await?;
    let from = wait_for(
        "the channel's settings in the form",
        Duration::from_secs(10),
        || async {
            let f = driver.find(By::Id("channel-from")).await.ok()?;
            let v = f.prop("value").await.ok()??;
            v.contains("shop@hana.kr").then_some(f)
        },
    )
    .await;
    set_value(driver, &from, "하나상회 카운터 <counter@hana.kr>").await?;
    click_in_view(driver, "add-channel-submit").await?;
    let changed = wait_for("the changed channel", Duration::from_secs(10), || async {
        driver
            .find(By::Id("settings-message"))
            .await
            .ok()?
            .text()
            .await
            .ok()
            .filter(|t| t.contains("수정했습니다"))
    })
    .await;
    assert!(changed.contains("mail"), "{changed}");
    let shown = driver
        .find(By::Css("#channels li[data-name='mail'] .channel-from"))
        .await?
        .text()
        .await?;
    assert!(
        shown.contains("counter@hana.kr") && shown.contains("127.0.0.1:"),
        "{shown}"
    );
    assert!(
        driver
            .find(By::Css("#channels li[data-name='mail'] .test-result"))
            .await
            .is_err(),
        "the earlier test result is gone with the old settings"
    );
    let test = driver
        .find(By::Css("#channels li[data-name='mail'] .test-channel"))
        .await?;
    test.scroll_into_view().await?;
    test.click().await?;
    wait_for(
        "the test with the kept password",
        Duration::from_secs(20),
        || async {
            let t = driver
                .find(By::Css("#channels li[data-name='mail'] .test-result"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            let r = driver
                .find(By::Css("#channels li[data-name='mail'] .test-result"))
                .await
                .ok()?;
            let title = r.attr("title").await.ok()??;
            (t.starts_with('✓') && title.contains("logged in as shop")).then_some(t)
        },
    )
    .await;
    // The SMS wording: a text without the link is refused; the preview shows the rest.
    let text = driver.find(By::Id("template-text")).await?;
    text.clear().await?;
    text.send_keys("[{store}] {item} {amount} 결제 부탁드립니다")
        .await?;
    driver.find(By::Id("template-save")).await?.click().await?;
    let refused = wait_for("the template's error", Duration::from_secs(10), || async {
        driver
            .find(By::Css("#templates .field-error[data-field='template']"))
            .await
            .ok()
    })
    .await
    .text()
    .await?;
    // The reason in Korean, not the engine's English.
    assert!(refused.contains("{link}가 있어야"), "{refused}");
    text.send_keys(" {link}").await?;
    let shown = wait_for("the template preview", Duration::from_secs(20), || async {
        let p = driver
            .find(By::Id("template-preview"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        p.contains("https://pay.example/i/AbC123").then_some(p)
    })
    .await;
    // (A Korean text writes won as 원: ₩ costs a carrier 7 bytes.)
    assert!(shown.contains("[하나상회] 테스트 상품 29,900원"), "{shown}");
    driver.find(By::Id("template-save")).await?.click().await?;

    // A provider account: BTCPay needs its server's address, said next to the field;
    // the sandbox account answers its connection test.
    driver
        .find(By::Css("#account-provider option[value='btcpay']"))
        .await?
        .click()
        .await?;
    fill("account-name", "coin".into()).await?;
    fill("account-secret-api_key", "e2e-btcpay-key".into()).await?;
    // An address without its scheme (as a merchant often types it).
    fill("account-base_url", "btcpay.hana.kr".into()).await?;
    driver
        .find(By::Id("add-account-submit"))
        .await?
        .click()
        .await?;
    let refused = wait_for("the base URL's error", Duration::from_secs(10), || async {
        driver
            .find(By::Css("#add-account .field-error[data-field='base_url']"))
            .await
            .ok()
    })
    .await
    .text()
    .await?;
    assert!(refused.contains("https://로 시작하는 주소"), "{refused}");
    driver
        .find(By::Css("#accounts li[data-name='sandbox'] .test-account"))
        .await?
        .click()
        .await?;
    wait_for("the sandbox's answer", Duration::from_secs(20), || async {
        let t = driver
            .find(By::Css("#accounts li[data-name='sandbox'] .test-result"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        t.starts_with('✓').then_some(t)
    })
    .await;
    let page = driver.source().await?;
    assert!(
        !page.contains("e2e-smtp-pw") && !page.contains("e2e-btcpay-key"),
        "a secret never reaches the web view"
    );
    driver
        .find(By::Id("new-link-button"))
        .await?
        .click()
        .await?;
    let name = wait_for("the create form again", Duration::from_secs(10), || async {
        driver.find(By::Id("new-link-name")).await.ok()
    })
    .await;
    let banner = driver.find(By::Id("sandbox-banner")).await?;
    assert!(!banner.text().await?.is_empty(), "the sandbox is labelled");

    // Bad input: a KRW amount with decimals is refused next to the field, nothing saved.
    name.send_keys("잘못된 금액").await?;
    driver
        .find(By::Id("new-link-amount"))
        .await?
        .send_keys("12.345")
        .await?;
    driver
        .find(By::Id("new-link-submit"))
        .await?
        .click()
        .await?;
    let err = wait_for("the amount's error", Duration::from_secs(30), || async {
        driver
            .find(By::Css(".field-error[data-field='amount']"))
            .await
            .ok()
    })
    .await;
    let shown = err.text().await?;
    assert!(
        shown.contains("소수점") || shown.contains("decimal"),
        "{shown}"
    );
    assert!(
        row_status(driver, "잘못된 금액").await.is_none(),
        "nothing was created"
    );

    // A good link: it appears in the list as open, with its amount formatted.
    let name = driver.find(By::Id("new-link-name")).await?;
    name.clear().await?;
    name.send_keys("테스트 상품").await?;
    let amount = driver.find(By::Id("new-link-amount")).await?;
    amount.clear().await?;
    amount.send_keys("29900").await?;
    let preview = driver.find(By::Id("amount-preview")).await?;
    assert!(preview.text().await?.contains("₩29,900"));
    amount.send_keys(Key::Enter).await?;
    let (id, status) = wait_for(
        "the new link in the list",
        Duration::from_secs(20),
        || async { row_status(driver, "테스트 상품").await },
    )
    .await;
    assert_eq!(status, "open");
    let row = driver
        .find(By::Css(&format!("tr.invoice-row[data-id='{id}']")))
        .await?;
    let row_text = row.text().await?;
    if !row_text.contains("₩29,900") {
        if let Ok(png) = driver.screenshot_as_png().await {
            let _ = std::fs::write(std::env::temp_dir().join("paydesk-e2e-row.png"), png);
        }
    }
    assert!(row_text.contains("₩29,900"), "{row_text:?}");
    // The row's own button copies its link without opening anything else.
    let copy = row.find(By::Css("button.copy-link")).await?;
    copy.click().await?;
    wait_for("the copied mark", Duration::from_secs(5), || async {
        let t = copy.attr("title").await.ok()??;
        (t == "복사됨").then_some(())
    })
    .await;
    let shown = driver.find(By::Id("invoice-detail")).await?;
    assert_eq!(shown.attr("data-id").await?.as_deref(), Some(id.as_str()));
    let url = driver.find(By::Id("payment-url")).await?.text().await?;
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    // The detail shows the link as a QR code a phone can scan: a screenshot of the
    // window, read by zbarimg, gives the link (read again while the panel settles).
    let f = std::env::temp_dir().join(format!("paydesk-e2e-qr-{}.png", std::process::id()));
    let decoded = wait_for(
        "the QR code to read as the link",
        Duration::from_secs(20),
        || async {
            let qr = driver.find(By::Css("#invoice-qr svg")).await.ok()?;
            qr.scroll_into_view().await.ok()?;
            let png = driver.screenshot_as_png().await.ok()?;
            std::fs::write(&f, png).ok()?;
            let out = Command::new("zbarimg")
                .args(["--quiet", "--raw"])
                .arg(&f)
                .output()
                .expect("zbarimg (zbar-tools)");
            let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
            (text == url).then_some(text)
        },
    )
    .await;
    assert_eq!(decoded, url, "the QR code opens the link");
    let detail = driver.find(By::Id("invoice-detail")).await?;
    assert!(detail.text().await?.contains("테스트 상품"));

    // The clerk saves the one-page invoice PDF for the link.
    driver.find(By::Id("print-invoice")).await?.click().await?;
    let saved = wait_for("the saved invoice PDF", Duration::from_secs(20), || async {
        driver
            .find(By::Id("print-saved"))
            .await
            .ok()?
            .text()
            .await
            .ok()
    })
    .await;
    let path = saved
        .split_once(": ")
        .map(|(_, p)| p.trim().to_string())
        .unwrap_or_default();
    let pdf = std::fs::read(&path).unwrap_or_default();
    assert!(pdf.starts_with(b"%PDF"), "{saved}");
    assert!(
        path.starts_with(data_dir.to_str().unwrap()),
        "saved in the data folder: {path}"
    );

    // The clerk e-mails the link: the exact message is previewed, sent once, listed.
    let to = wait_for("the send form", Duration::from_secs(20), || async {
        driver.find(By::Id("send-to")).await.ok()
    })
    .await;
    to.send_keys("kim@example.kr").await?;
    let preview = wait_for("the message preview", Duration::from_secs(10), || async {
        driver
            .find(By::Id("message-preview"))
            .await
            .ok()?
            .text()
            .await
            .ok()
    })
    .await;
    assert!(
        preview.contains(&url) && preview.contains("₩29,900") && preview.contains("[하나상회]"),
        "{preview}"
    );
    driver.find(By::Id("send-message")).await?.click().await?;
    wait_for(
        "the sent message in the list",
        Duration::from_secs(20),
        || async {
            driver
                .find(By::Css("#deliveries li[data-state='sent']"))
                .await
                .ok()
        },
    )
    .await;
    let mails: Vec<_> = std::fs::read_dir(maildir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(mails.len(), 1, "exactly one e-mail arrived");
    let mail = String::from_utf8_lossy(&std::fs::read(mails[0].path()).unwrap()).to_string();
    assert!(mail.contains("kim@example.kr"));

    // The customer opens the link the window showed and presses Pay on the sandbox's
    // payment page (served by the running app, as for a real customer); the app's
    // background sync notices and the list turns paid by itself.
    let page = press_on_sandbox_page(&url, "pay");
    assert!(page.contains("₩29,900"), "{page}");
    let status = wait_for("the list to show paid", Duration::from_secs(20), || async {
        match row_status(driver, "테스트 상품").await {
            Some((_, s)) if s == "paid" => Some(s),
            _ => None,
        }
    })
    .await;
    assert_eq!(status, "paid");
    // A paid row says when it was paid instead of its deadline (read as shown:
    // WebKitWebDriver's text() leaves this cell out).
    let cell = driver
        .find(By::Css(&format!(
            "tr.invoice-row[data-id='{id}'] td.when[data-when='paid']"
        )))
        .await?;
    let when = driver
        .execute("return arguments[0].innerText;", vec![cell.to_json()?])
        .await?;
    let when = when.json().as_str().unwrap_or_default().to_string();
    assert!(when.starts_with("결제 20"), "{when}");
    // Above the list, today's money counts it.
    wait_for(
        "today's money above the list",
        Duration::from_secs(20),
        || async {
            let t = driver
                .find(By::Id("list-totals"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            t.contains("오늘 받은 돈 ₩29,900").then_some(t)
        },
    )
    .await;
    // The open detail updated too, with the sync in its timeline.
    if let Ok(png) = driver.screenshot_as_png().await {
        let _ = std::fs::write(std::env::temp_dir().join("paydesk-e2e.png"), png);
    }
    let detail = wait_for(
        "the detail to show paid",
        Duration::from_secs(10),
        || async {
            let d = driver.find(By::Id("invoice-detail")).await.ok()?;
            (d.attr("data-status").await.ok()?? == "paid").then_some(d)
        },
    )
    .await;
    let timeline = detail.find(By::Id("timeline")).await?.text().await?;
    assert!(timeline.contains("동기화"), "{timeline}");
    // In the clerk's words: the engine's English record is folded away (what shows).
    let shown = driver
        .execute(
            "return document.getElementById('timeline').innerText;",
            Vec::new(),
        )
        .await?;
    let shown = shown.json().as_str().unwrap_or_default().to_string();
    assert!(
        shown.contains("결제 대기 → 결제 완료") && !shown.contains("draft → open"),
        "{shown}"
    );

    // Refunds from the detail: more than was paid is refused next to the amount, then
    // part of it, then the rest (each confirmed by the clerk).
    let refund_amount = driver.find(By::Id("refund-amount")).await?;
    refund_amount.send_keys("99999").await?;
    click_and_confirm(driver, "refund-link").await;
    wait_for("the refund's error", Duration::from_secs(20), || async {
        driver
            .find(By::Css("#invoice-detail .field-error[data-field='amount']"))
            .await
            .ok()
    })
    .await;
    let d = driver.find(By::Id("invoice-detail")).await?;
    assert_eq!(d.attr("data-status").await?.as_deref(), Some("paid"));
    let refund_amount = driver.find(By::Id("refund-amount")).await?;
    refund_amount.clear().await?;
    refund_amount.send_keys("9900").await?;
    let asked = click_and_confirm(driver, "refund-link").await;
    assert!(
        asked.contains("₩9,900") && asked.contains("환불"),
        "{asked}"
    );
    wait_for("a partial refund", Duration::from_secs(20), || async {
        let d = driver.find(By::Id("invoice-detail")).await.ok()?;
        (d.attr("data-status").await.ok()?? == "partially_refunded").then_some(())
    })
    .await;
    // The detail says what was given back and what is left, the refund form how much
    // can still be refunded, and the timeline the refund with its amount.
    let money = wait_for("the refunded amounts", Duration::from_secs(10), || async {
        let refunded = driver
            .find(By::Id("refunded-amount"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        let kept = driver
            .find(By::Id("kept-amount"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        Some((refunded, kept))
    })
    .await;
    assert_eq!(money, ("₩9,900".to_string(), "₩20,000".to_string()));
    let left = driver.find(By::Id("refund-left")).await?.text().await?;
    assert!(left.contains("₩20,000"), "{left}");
    let timeline = driver.find(By::Id("timeline")).await?.text().await?;
    assert!(timeline.contains("환불 ₩9,900"), "{timeline}");
    // More than is left is refused next to the amount, in the clerk's language.
    let refund_amount = driver.find(By::Id("refund-amount")).await?;
    refund_amount.send_keys("25000").await?;
    click_and_confirm(driver, "refund-link").await;
    let refused = wait_for("the refund's error", Duration::from_secs(20), || async {
        driver
            .find(By::Css("#invoice-detail .field-error[data-field='amount']"))
            .await
            .ok()?
            .text()
            .await
            .ok()
    })
    .await;
    assert!(refused.contains("남은 환불 가능 금액"), "{refused}");
    let refund_amount = driver.find(By::Id("refund-amount")).await?;
    set_value(driver, &refund_amount, "").await?;
    let asked = click_and_confirm(driver, "refund-link").await;
    assert!(asked.contains("₩20,000"), "the rest: {asked}");
    wait_for("the full refund", Duration::from_secs(20), || async {
        let d = driver.find(By::Id("invoice-detail")).await.ok()?;
        (d.attr("data-status").await.ok()?? == "refunded").then_some(())
    })
    .await;

    // A convenience-store payment number for a walk-in customer, and its slip.
    driver
        .find(By::Id("new-link-button"))
        .await?
        .click()
        .await?;
    wait_for("the create form", Duration::from_secs(10), || async {
        driver.find(By::Id("kind-cvs")).await.ok()
    })
    .await
    .click()
    .await?;
    let fill = |id: &'static str, text: &'static str| async move {
        let f = driver.find(By::Id(id)).await?;
        f.clear().await?;
        f.send_keys(text).await
    };
    fill("new-link-name", "편의점 상품").await?;
    driver.find(By::Id("expiry-custom")).await?.click().await?;
    fill("new-link-amount", "5000").await?;
    fill("new-link-phone", "010-2345-6789").await?;
    fill("new-link-customer-name", "이서연").await?;
    // Choosing how to send it shows the message as the customer will get it.
    driver
        .find(By::Css("input[name='expiry'][value='24h']"))
        .await?
        .click()
        .await?;
    driver.find(By::Id("send-by-email")).await?.click().await?;
    wait_for("the message preview", Duration::from_secs(20), || async {
        let t = driver
            .find(By::Id("new-link-message"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (t.contains("편의점 상품") && t.contains("₩5,000") && t.contains("이서연")).then_some(())
    })
    .await;
    driver.find(By::Id("send-by-email")).await?.click().await?;
    driver.find(By::Id("expiry-custom")).await?.click().await?;
    // A custom deadline left empty is refused by the backend next to its field...
    driver
        .find(By::Id("new-link-submit"))
        .await?
        .click()
        .await?;
    wait_for("the deadline's error", Duration::from_secs(10), || async {
        driver
            .find(By::Css(".field-error[data-field='expires_at']"))
            .await
            .ok()
    })
    .await;
    // ...and a deadline picked in the clerk's local time (in 30 days) is taken.
    let in_30_days = Command::new("date")
        .args(["-d", "+30 days", "+%Y-%m-%dT%H:%M"])
        .output()
        .expect("date runs");
    let picker = driver.find(By::Id("new-link-expires-at")).await?;
    set_value(
        driver,
        &picker,
        String::from_utf8_lossy(&in_30_days.stdout).trim(),
    )
    .await?;
    driver
        .find(By::Id("new-link-submit"))
        .await?
        .click()
        .await?;
    let (cvs_id, status) = wait_for(
        "the payment number in the list",
        Duration::from_secs(20),
        || async { row_status(driver, "편의점 상품").await },
    )
    .await;
    assert_eq!(status, "open");
    // The list tells a convenience-store number from a link.
    driver
        .find(By::Css(&format!(
            "tr.invoice-row[data-id='{cvs_id}'] .badge.kind"
        )))
        .await?;
    let row = driver
        .find(By::Css(&format!("tr.invoice-row[data-id='{cvs_id}']")))
        .await?
        .text()
        .await?;
    assert!(row.contains("편의점편의점 상품"), "{row}");
    driver.find(By::Id("print-slip")).await?.click().await?;
    let saved = wait_for("the saved slip", Duration::from_secs(20), || async {
        driver
            .find(By::Id("print-saved"))
            .await
            .ok()?
            .text()
            .await
            .ok()
    })
    .await;
    let path = saved
        .split_once(": ")
        .map(|(_, p)| p.trim().to_string())
        .unwrap_or_default();
    assert!(
        std::fs::read(&path)
            .unwrap_or_default()
            .starts_with(b"%PDF"),
        "{saved}"
    );
    // The detail shows the slip as it prints: its barcode, read from the window by
    // zbarimg, is the payment number the provider issued.
    let shown = Command::new(cli)
        .args(["--json", "--data-dir"])
        .arg(data_dir)
        .args(["link", "show", &cvs_id])
        .output()
        .expect("paydesk runs");
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let number = shown["payment_number"].as_str().unwrap().to_string();
    let f = std::env::temp_dir().join("paydesk-e2e-slip-preview.png");
    let decoded = wait_for(
        "the slip's barcode to read as its number",
        Duration::from_secs(20),
        || async {
            let barcode = driver.find(By::Id("slip-barcode")).await.ok()?;
            barcode.scroll_into_view().await.ok()?;
            // The whole window (WebKit's element screenshots come out partly black);
            // only Code 128 is looked for, so the link's QR code does not count.
            std::fs::write(&f, driver.screenshot_as_png().await.ok()?).ok()?;
            let out = Command::new("zbarimg")
                .args(["--quiet", "--raw", "-Sdisable", "-Scode128.enable"])
                .arg(&f)
                .output()
                .expect("zbarimg (zbar-tools)");
            let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
            (text == number).then_some(text)
        },
    )
    .await;
    assert_eq!(decoded, number);
    eprintln!("screenshot: {}", f.display());
    let printed = driver.find(By::Id("slip-number")).await?.text().await?;
    assert_eq!(printed.replace(' ', ""), number);
    let words = driver.find(By::Id("slip-preview")).await?.text().await?;
    assert!(
        words.contains("편의점 결제 안내") && words.contains("이서연"),
        "{words}"
    );

    // The customer book has her, with that invoice.
    driver
        .find(By::Id("customers-button"))
        .await?
        .click()
        .await?;
    let search = wait_for("the customer book", Duration::from_secs(10), || async {
        driver.find(By::Id("customer-search")).await.ok()
    })
    .await;
    search.send_keys("이서연").await?;
    let her = wait_for("the customer", Duration::from_secs(10), || async {
        driver
            .find(By::Css("#customer-list li[data-id] button.customer"))
            .await
            .ok()
    })
    .await;
    // With how many invoices she has (the payment number, not paid yet: nothing kept).
    let line = her.text().await?;
    assert!(
        line.contains("이서연") && line.contains("청구 1건"),
        "{line}"
    );
    her.click().await?;
    wait_for("her invoices", Duration::from_secs(10), || async {
        driver
            .find(By::Css(&format!(
                "#customer-invoices li[data-id='{cvs_id}']"
            )))
            .await
            .ok()
    })
    .await;
    // A customer added by hand: a phone number that is not one is refused next to it,
    // then the corrected one is kept and listed.
    let fill = |id: &'static str, text: &'static str| async move {
        let f = driver.find(By::Id(id)).await?;
        f.clear().await?;
        f.send_keys(text).await
    };
    fill("customer-name", "박지훈").await?;
    fill("customer-phone", "12345").await?;
    driver
        .find(By::Id("add-customer-submit"))
        .await?
        .click()
        .await?;
    let refused = wait_for("the phone's error", Duration::from_secs(10), || async {
        driver
            .find(By::Css("#add-customer .field-error[data-field='phone']"))
            .await
            .ok()
    })
    .await;
    let refused = refused.text().await?;
    assert!(
        refused.contains("휴대폰 번호") && refused.contains("010-1234-5678"),
        "{refused}"
    );
    fill("customer-phone", "010-2222-3333").await?;
    driver
        .find(By::Id("add-customer-submit"))
        .await?
        .click()
        .await?;
    fill("customer-search", "박지훈").await?;
    wait_for(
        "the new customer listed",
        Duration::from_secs(10),
        || async {
            let t = driver
                .find(By::Id("customer-list"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            t.contains("010-2222-3333").then_some(())
        },
    )
    .await;

    // A link made by mistake is cancelled from its detail (confirmed by the clerk).
    driver
        .find(By::Id("new-link-button"))
        .await?
        .click()
        .await?;
    let name = wait_for("the create form", Duration::from_secs(10), || async {
        driver.find(By::Id("new-link-name")).await.ok()
    })
    .await;
    driver.find(By::Id("kind-link")).await?.click().await?;
    name.send_keys("잘못 만든 링크").await?;
    // The customer comes from the book: typing part of her name offers her.
    driver
        .find(By::Id("new-link-customer-search"))
        .await?
        .send_keys("서연")
        .await?;
    wait_for("the customer offered", Duration::from_secs(10), || async {
        driver.find(By::Css("#customer-matches button")).await.ok()
    })
    .await
    .click()
    .await?;
    let picked = driver
        .find(By::Id("new-link-phone"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert!(!picked.is_empty(), "the phone comes from the book");
    let saved_before = customer_book(cli, data_dir);
    // A new address typed over hers: the window says it differs from the saved
    // customer and offers (unticked) to save it; left unticked, the book keeps hers.
    // (She was saved without an address, so the field is empty.)
    driver
        .find(By::Id("new-link-email"))
        .await?
        .send_keys("seoyeon.new@example.kr")
        .await?;
    let differs = wait_for(
        "the saved customer differs",
        Duration::from_secs(10),
        || async { driver.find(By::Id("new-link-customer-differs")).await.ok() },
    )
    .await;
    assert!(differs.text().await?.contains("이서연"));
    let tick = driver.find(By::Id("new-link-update-customer")).await?;
    assert!(
        !tick.is_selected().await?,
        "not saved unless the clerk ticks it"
    );
    driver
        .find(By::Id("new-link-amount"))
        .await?
        .send_keys("1000")
        .await?;
    driver
        .find(By::Id("new-link-submit"))
        .await?
        .click()
        .await?;
    // The detail shows the new link (open) before the clerk acts on it.
    wait_for("the new link's detail", Duration::from_secs(20), || async {
        let d = driver.find(By::Id("invoice-detail")).await.ok()?;
        let title = d.find(By::Css("h2")).await.ok()?.text().await.ok()?;
        let open = d.attr("data-status").await.ok()?? == "open";
        (title == "잘못 만든 링크" && open).then_some(())
    })
    .await;
    assert_eq!(
        customer_book(cli, data_dir),
        saved_before,
        "the saved customer is as it was"
    );
    click_and_confirm(driver, "cancel-link").await;
    let status = wait_for("the link cancelled", Duration::from_secs(20), || async {
        match row_status(driver, "잘못 만든 링크").await {
            Some((_, s)) if s == "cancelled" => Some(s),
            _ => None,
        }
    })
    .await;
    assert_eq!(status, "cancelled");

    // The overview counts what the shop kept today: the one payment was refunded in
    // full, so nothing (the list's total above says the same); the chart still shows
    // the day's payment.
    driver
        .find(By::Id("dashboard-button"))
        .await?
        .click()
        .await?;
    let today = wait_for("today's figures", Duration::from_secs(10), || async {
        driver
            .find(By::Css("#dashboard .period[data-period='today']"))
            .await
            .ok()?
            .text()
            .await
            .ok()
    })
    .await;
    assert!(
        !today.contains("₩29,900"),
        "refunded money is not kept: {today}"
    );
    let totals = driver.find(By::Id("list-totals")).await?.text().await?;
    assert!(totals.contains("₩0"), "{totals}");
    driver.find(By::Css("#paid-chart rect")).await?;

    // In Japanese: the same screen, every label in Japanese.
    driver
        .find(By::Css("#language option[value='ja']"))
        .await?
        .click()
        .await?;
    wait_for("the Japanese overview", Duration::from_secs(10), || async {
        let t = driver
            .find(By::Css("#dashboard h2"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (t == "概況").then_some(())
    })
    .await;
    let header = driver.find(By::Css("header")).await?.text().await?;
    assert!(header.contains(JA_NEW_LINK), "{header}");
    if let Ok(png) = driver.screenshot_as_png().await {
        let p = std::env::temp_dir().join("paydesk-e2e-ja.png");
        let _ = std::fs::write(&p, png);
        eprintln!("screenshot: {}", p.display());
    }

    // The clerk switches to English: the same screen, in English.
    driver
        .find(By::Css("#language option[value='en']"))
        .await?
        .click()
        .await?;
    let title = wait_for("the English overview", Duration::from_secs(10), || async {
        let t = driver
            .find(By::Css("#dashboard h2"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (t == "Overview").then_some(t)
    })
    .await;
    assert_eq!(title, "Overview");
    if let Ok(png) = driver.screenshot_as_png().await {
        let p = std::env::temp_dir().join("paydesk-e2e-customers.png");
        let _ = std::fs::write(&p, png);
        eprintln!("screenshot: {}", p.display());
    }
    Ok(())
}

/// Creates a link for `name` with the customer's e-mail from the create form and waits
/// for its detail; gives the invoice's id.
async fn create_with_email(
    driver: &WebDriver,
    name: &str,
    amount: &str,
    customer: &str,
    email: &str,
) -> WebDriverResult<String> {
    driver
        .find(By::Id("new-link-button"))
        .await?
        .click()
        .await?;
    wait_for("the create form", Duration::from_secs(10), || async {
        driver.find(By::Id("kind-link")).await.ok()
    })
    .await
    .click()
    .await?;
    for (id, text) in [
        ("new-link-name", name),
        ("new-link-amount", amount),
        ("new-link-customer-name", customer),
    ] {
        let f = driver.find(By::Id(id)).await?;
        f.clear().await?;
        f.send_keys(text).await?;
    }
    // (An empty e-mail field is typed into, not cleared: WebKitWebDriver refuses that.)
    driver
        .find(By::Id("new-link-email"))
        .await?
        .send_keys(email)
        .await?;
    driver
        .find(By::Id("new-link-submit"))
        .await?
        .click()
        .await?;
    let id = wait_for("the new link's detail", Duration::from_secs(20), || async {
        let d = driver.find(By::Id("invoice-detail")).await.ok()?;
        let title = d.find(By::Css("h2")).await.ok()?.text().await.ok()?;
        (title == name).then_some(())?;
        d.attr("data-id").await.ok()?
    })
    .await;
    Ok(id)
}

/// Clicks the element `id` once it is scrolled into the panel's view (WebKitWebDriver
/// does not scroll a nested scrolling panel by itself).
async fn click_in_view(driver: &WebDriver, id: &str) -> WebDriverResult<()> {
    let e = driver.find(By::Id(id)).await?;
    e.scroll_into_view().await?;
    e.click().await
}

/// Settings → printing: straight to a printer of the test's own CUPS scheduler, chosen
/// from the list it gives; "print all open slips" then reaches that printer with the
/// very PDF it saved, and the notice names the printer. Then the viewer again.
async fn slips_go_to_the_chosen_printer(
    driver: &WebDriver,
    cups: &cups::Cups,
) -> WebDriverResult<()> {
    driver
        .find(By::Id("settings-button"))
        .await?
        .click()
        .await?;
    wait_for("the printing settings", Duration::from_secs(10), || async {
        driver.find(By::Id("print-to-printer")).await.ok()
    })
    .await;
    click_in_view(driver, "print-to-printer").await?;
    let office = wait_for("the printers listed", Duration::from_secs(10), || async {
        driver
            .find(By::Css("#printer option[value='office']"))
            .await
            .ok()
    })
    .await;
    let default = driver
        .find(By::Css("#printer option[value='counter']"))
        .await?
        .text()
        .await?;
    assert!(
        default.contains('✓'),
        "the default printer is marked: {default}"
    );
    office.click().await?;
    wait_for("the printer kept", Duration::from_secs(10), || async {
        driver.find(By::Id("printing-saved")).await.ok()
    })
    .await;
    driver.find(By::Id("settings-close")).await?.click().await?;
    click_in_view(driver, "print-open-slips").await?;
    let notice = wait_for("the print's notice", Duration::from_secs(20), || async {
        let t = driver
            .find(By::Id("notice"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        t.contains("office").then_some(t)
    })
    .await;
    // (The window is in English by this step.)
    assert!(notice.contains("printer office"), "{notice}");
    let path = notice
        .split_whitespace()
        .find(|w| w.starts_with('/') && w.ends_with(".pdf"))
        .unwrap_or_default()
        .to_string();
    let jobs = cups.wait_for_jobs("office", 1);
    assert_eq!(
        jobs[0],
        std::fs::read(&path).unwrap_or_default(),
        "the printer got the saved slips ({notice})"
    );
    assert!(jobs[0].starts_with(b"%PDF"));
    assert!(cups.jobs("counter").is_empty(), "only the chosen printer");
    driver.find(By::Id("notice-close")).await?.click().await?;
    // The viewer again (the steps after this one read the saved file's path).
    driver
        .find(By::Id("settings-button"))
        .await?
        .click()
        .await?;
    wait_for("the printing settings", Duration::from_secs(10), || async {
        driver.find(By::Id("print-to-viewer")).await.ok()
    })
    .await;
    click_in_view(driver, "print-to-viewer").await?;
    wait_for("the viewer kept", Duration::from_secs(10), || async {
        driver.find(By::Id("printing-saved")).await.ok()
    })
    .await;
    driver.find(By::Id("settings-close")).await?.click().await?;
    Ok(())
}

/// The recipients of the e-mails the SMTP server has received, one per message.
fn mail_recipients(maildir: &Path) -> Vec<(String, String)> {
    std::fs::read_dir(maildir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .map(|e| {
            let mail = String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).to_string();
            let to = mail
                .lines()
                .find_map(|l| l.strip_prefix("To: "))
                .unwrap_or_default()
                .to_string();
            (to, mail)
        })
        .collect()
}

/// The send panel belongs to its invoice: after sending invoice A, opening invoice B
/// from the list shows B's customer (not A's address, message or "sent" notice), and
/// B's link goes to B's customer.
async fn send_panel_follows_the_invoice(driver: &WebDriver, maildir: &Path) -> WebDriverResult<()> {
    let b = create_with_email(
        driver,
        "패널 B 롤케이크",
        "2980",
        "佐藤 美咲",
        "misaki.sato@example.jp",
    )
    .await?;
    create_with_email(
        driver,
        "패널 A 도시락",
        "240000",
        "장수빈",
        "subin.jang@example.kr",
    )
    .await?;
    let to = wait_for("A's recipient", Duration::from_secs(20), || async {
        let v = driver
            .find(By::Id("send-to"))
            .await
            .ok()?
            .prop("value")
            .await
            .ok()??;
        (v == "subin.jang@example.kr").then_some(v)
    })
    .await;
    assert_eq!(to, "subin.jang@example.kr");
    click_in_view(driver, "send-message").await?;
    wait_for("A's message sent", Duration::from_secs(20), || async {
        driver
            .find(By::Css("#deliveries li[data-state='sent']"))
            .await
            .ok()
    })
    .await;
    driver.find(By::Id("send-result")).await?;

    // The clerk clicks B in the list.
    driver
        .find(By::Css(&format!("tr.invoice-row[data-id='{b}'] td.name")))
        .await?
        .click()
        .await?;
    wait_for("B's detail", Duration::from_secs(20), || async {
        let d = driver.find(By::Id("invoice-detail")).await.ok()?;
        (d.attr("data-id").await.ok()?? == b).then_some(())
    })
    .await;
    let shown = wait_for("B's recipient", Duration::from_secs(20), || async {
        let v = driver
            .find(By::Id("send-to"))
            .await
            .ok()?
            .prop("value")
            .await
            .ok()??;
        let preview = driver
            .find(By::Id("message-preview"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (!v.is_empty() && !preview.is_empty()).then_some((v, preview))
    })
    .await;
    assert_eq!(shown.0, "misaki.sato@example.jp", "B's customer, not A's");
    assert!(
        shown.1.contains("롤케이크") && !shown.1.contains("도시락"),
        "{}",
        shown.1
    );
    assert!(
        driver.find(By::Id("send-result")).await.is_err(),
        "A's \"sent\" notice is not shown on B"
    );
    assert!(
        driver.find(By::Css("#deliveries li")).await.is_err(),
        "B has sent nothing yet"
    );
    click_in_view(driver, "send-message").await?;
    wait_for("B's message sent", Duration::from_secs(20), || async {
        driver
            .find(By::Css("#deliveries li[data-state='sent']"))
            .await
            .ok()
    })
    .await;
    let mails = mail_recipients(maildir);
    let to_a: Vec<_> = mails
        .iter()
        .filter(|(to, _)| to.contains("subin.jang@example.kr"))
        .collect();
    let to_b: Vec<_> = mails
        .iter()
        .filter(|(to, _)| to.contains("misaki.sato@example.jp"))
        .collect();
    assert_eq!((to_a.len(), to_b.len()), (1, 1), "{mails:?}");
    Ok(())
}

/// Sets a field the way typing or its picker does (value, then an input event), so
/// the form sees it: WebKitWebDriver's `clear()` fires no input event.
async fn set_value(driver: &WebDriver, field: &WebElement, text: &str) -> WebDriverResult<()> {
    driver
        .execute(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
            vec![field.to_json()?, serde_json::json!(text)],
        )
        .await
        .map(|_| ())
}

/// Presses a button (`pay`, `less`, `more`, `expire`) on the sandbox's payment page
/// of `url`, as the customer would (the button must be on the page); gives the page as
/// it was before the press.
fn press_on_sandbox_page(url: &str, action: &str) -> String {
    let curl = |args: &[&str]| {
        let out = Command::new("curl")
            .args(["-sS", "--fail"])
            .args(args)
            .output()
            .expect("curl runs");
        assert!(
            out.status.success(),
            "curl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let page = curl(&[url]);
    let target = page
        .split("action=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|a| a.ends_with(&format!("/{action}")))
        .unwrap_or_else(|| panic!("no {action} button on {page}"))
        .to_string();
    let token = page
        .split("name=token value=")
        .nth(1)
        .and_then(|t| t.split('>').next())
        .expect("the page's token");
    let origin = &url[..url.find("/pay/").expect("a sandbox payment page")];
    curl(&[
        "-X",
        "POST",
        "-d",
        &format!("token={token}"),
        &format!("{origin}{target}"),
    ]);
    page
}

/// A customer pays less than asked: the detail says what is still owed and that the
/// same link takes it; once the link has expired, the clerk asks for the rest with a new
/// link for exactly that, which names the first.
async fn an_under_paid_link_is_finished(driver: &WebDriver) -> WebDriverResult<()> {
    let id = create_with_email(
        driver,
        "유기농 사과",
        "39800",
        "김민준",
        "minjun@example.kr",
    )
    .await?;
    let url = driver.find(By::Id("payment-url")).await?.text().await?;
    press_on_sandbox_page(&url, "less");
    let due = wait_for("what is still owed", Duration::from_secs(20), || async {
        driver
            .find(By::Id("due-amount"))
            .await
            .ok()?
            .text()
            .await
            .ok()
    })
    .await;
    assert_eq!(due, "₩19,900");
    driver.find(By::Id("due-hint")).await?;
    // Sending it again asks for what is owed, not the whole.
    let preview = wait_for("the message preview", Duration::from_secs(20), || async {
        let p = driver
            .find(By::Id("message-preview"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        p.contains("₩19,900").then_some(p)
    })
    .await;
    assert!(!preview.contains("₩39,800"), "{preview}");
    press_on_sandbox_page(&url, "expire");
    let ask = wait_for("the rest offered", Duration::from_secs(20), || async {
        driver.find(By::Id("request-rest")).await.ok()
    })
    .await;
    assert!(ask.text().await?.contains("₩19,900"));
    click_in_view(driver, "request-rest").await?;
    let rest = wait_for("the rest's link", Duration::from_secs(20), || async {
        let d = driver.find(By::Id("invoice-detail")).await.ok()?;
        let rest = d.attr("data-id").await.ok()??;
        (rest != id).then_some(d)
    })
    .await;
    let text = rest.text().await?;
    assert!(
        text.contains("₩19,900") && text.contains("유기농 사과"),
        "{text}"
    );
    // It names the first, and the first names it: no second offer.
    click_in_view(driver, "open-rest-of").await?;
    wait_for(
        "the first invoice again",
        Duration::from_secs(20),
        || async {
            let d = driver.find(By::Id("invoice-detail")).await.ok()?;
            (d.attr("data-id").await.ok()?? == id).then_some(())
        },
    )
    .await;
    driver.find(By::Id("open-rest-link")).await?;
    assert!(driver.find(By::Id("request-rest")).await.is_err());
    Ok(())
}

/// A customer orders the same again: "Duplicate" (in the detail, and per row) opens the
/// create form filled like the invoice (item, amount, customer, e-mail), saying so; the
/// clerk submits it and gets a new invoice, the first untouched.
async fn an_invoice_is_duplicated(driver: &WebDriver) -> WebDriverResult<()> {
    let first = driver
        .find(By::Id("invoice-detail"))
        .await?
        .attr("data-id")
        .await?
        .unwrap();
    click_in_view(driver, "duplicate").await?;
    wait_for("the copied form", Duration::from_secs(10), || async {
        driver.find(By::Id("copied-from")).await.ok()
    })
    .await;
    let value = |id: &'static str| async move {
        driver
            .find(By::Id(id))
            .await?
            .prop("value")
            .await
            .map(|v| v.unwrap_or_default())
    };
    assert_eq!(value("new-link-name").await?, "유기농 사과");
    assert_eq!(value("new-link-amount").await?, "39800");
    assert_eq!(value("new-link-customer-name").await?, "김민준");
    assert_eq!(value("new-link-email").await?, "minjun@example.kr");
    click_in_view(driver, "new-link-submit").await?;
    let copy = wait_for("the copy's detail", Duration::from_secs(20), || async {
        let d = driver.find(By::Id("invoice-detail")).await.ok()?;
        let id = d.attr("data-id").await.ok()??;
        (id != first).then_some(d)
    })
    .await;
    let text = copy.text().await?;
    assert!(
        text.contains("유기농 사과") && text.contains("₩39,800") && text.contains("김민준"),
        "{text}"
    );
    // From the list: the row's own button fills the form the same way.
    let row = wait_for("the copy's row", Duration::from_secs(10), || async {
        let rows = driver.find_all(By::Css("tr.invoice-row")).await.ok()?;
        for r in rows {
            if r.text().await.ok()?.contains("유기농 사과") {
                return Some(r);
            }
        }
        None
    })
    .await;
    let button = row.find(By::Css(".row-duplicate")).await?;
    button.scroll_into_view().await?;
    button.click().await?;
    wait_for(
        "the form copied from the row",
        Duration::from_secs(10),
        || async { driver.find(By::Id("copied-from")).await.ok() },
    )
    .await;
    assert_eq!(value("new-link-name").await?, "유기농 사과");
    assert!(driver.find(By::Id("invoice-detail")).await.is_err());
    Ok(())
}

/// A convenience-store payment is cash: its refund goes to the customer's bank account,
/// which the refund form asks for (holder, a bank from the list, account number); without
/// it the refund is refused next to the form, with it the invoice is refunded.
async fn a_cash_payment_is_refunded_to_an_account(
    driver: &WebDriver,
    cli: &Path,
    data_dir: &Path,
) -> WebDriverResult<()> {
    let paydesk = |args: &[&str]| {
        let out = Command::new(cli)
            .args(["--json", "--data-dir"])
            .arg(data_dir)
            .args(args)
            .output()
            .expect("paydesk runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let cvs = paydesk(&[
        "cvs",
        "issue",
        "--account",
        "sandbox",
        "--name",
        "현금 환불 상품",
        "--amount",
        "15000",
    ]);
    let id = cvs["id"].as_str().unwrap().to_string();
    paydesk(&["sandbox", "pay", &id]);
    let search = driver.find(By::Id("invoice-search")).await?;
    set_value(driver, &search, "현금 환불 상품").await?;
    let cell = wait_for(
        "the paid number in the list",
        Duration::from_secs(30),
        || async {
            let row = driver
                .find(By::Css(&format!("tr.invoice-row[data-id='{id}']")))
                .await
                .ok()?;
            (row.attr("data-status").await.ok()?? == "paid").then_some(())?;
            row.find(By::Css("td.name")).await.ok()
        },
    )
    .await;
    cell.click().await?;
    let holder = wait_for(
        "the refund account fields",
        Duration::from_secs(20),
        || async { driver.find(By::Id("refund-holder")).await.ok() },
    )
    .await;
    // No account: refused before anything is asked of the provider.
    click_and_confirm(driver, "refund-link").await;
    let refused = wait_for("the refund's error", Duration::from_secs(20), || async {
        driver
            .find(By::Css("#invoice-detail .field-error[data-field='amount']"))
            .await
            .ok()?
            .text()
            .await
            .ok()
    })
    .await;
    assert!(
        refused.contains("계좌") || refused.contains("account"),
        "{refused}"
    );
    set_value(driver, &holder, "최유나").await?;
    // The bank list comes from the engine.
    let banks = wait_for("the bank list", Duration::from_secs(10), || async {
        let n = driver
            .find_all(By::Css("#refund-bank option"))
            .await
            .ok()?
            .len();
        (n > 10).then_some(n)
    })
    .await;
    assert!(banks > 10);
    driver
        .execute(
            "const s = document.getElementById('refund-bank'); s.value = '004'; s.dispatchEvent(new Event('change'));",
            Vec::new(),
        )
        .await?;
    let account = driver.find(By::Id("refund-account")).await?;
    set_value(driver, &account, "123-4567-8901").await?;
    click_and_confirm(driver, "refund-link").await;
    wait_for("the refund", Duration::from_secs(20), || async {
        let d = driver.find(By::Id("invoice-detail")).await.ok()?;
        (d.attr("data-status").await.ok()?? == "refunded").then_some(())
    })
    .await;
    set_value(driver, &search, "").await?;
    Ok(())
}

/// The list and the customer book find a customer's invoices by the full phone number in
/// every common form and by e-mail; a search that finds nothing says so (not "no
/// invoices yet"), and one invoice is "1 invoice".
async fn search_by_phone_and_e_mail(driver: &WebDriver) -> WebDriverResult<()> {
    let search = driver.find(By::Id("invoice-search")).await?;
    let set = |text: &'static str| {
        let search = search.clone();
        async move { set_value(driver, &search, text).await }
    };
    // 이서연's convenience-store payment (her phone: 010-2345-6789).
    for q in ["010-2345-6789", "01023456789", "+82 10-2345-6789"] {
        set(q).await?;
        let names = wait_for("the phone search", Duration::from_secs(10), || async {
            let rows = driver
                .find_all(By::Css("tr.invoice-row td.name"))
                .await
                .ok()?;
            let mut names = Vec::new();
            for r in rows {
                names.push(r.text().await.ok()?);
            }
            names
                .iter()
                .any(|n| n.contains("편의점 상품"))
                .then_some(names)
        })
        .await;
        assert!(
            names.iter().all(|n| !n.contains("테스트 상품")),
            "{q}: {names:?}"
        );
    }
    set("minjun@example.kr").await?;
    let count = wait_for("the e-mail search", Duration::from_secs(10), || async {
        let c = driver
            .find(By::Id("invoice-count"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        let rows = driver.find_all(By::Css("tr.invoice-row")).await.ok()?;
        (rows.len() == 3).then_some(c)
    })
    .await;
    // The under-paid one, the link for its rest, and its copy.
    assert_eq!(count, "3 invoices");
    set("misaki.sato@example.jp").await?;
    let one = wait_for("one invoice", Duration::from_secs(10), || async {
        let c = driver
            .find(By::Id("invoice-count"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (c == "1 invoice").then_some(c)
    })
    .await;
    assert_eq!(one, "1 invoice");
    set("PD-nothing-like-it").await?;
    let empty = wait_for("the empty search", Duration::from_secs(10), || async {
        driver
            .find(By::Id("list-empty"))
            .await
            .ok()?
            .text()
            .await
            .ok()
    })
    .await;
    assert_eq!(empty, "No invoices match.");
    set("").await?;
    wait_for("the whole list again", Duration::from_secs(10), || async {
        driver.find(By::Css("tr.invoice-row")).await.ok()
    })
    .await;
    Ok(())
}

/// The names of the list's rows, top to bottom.
async fn row_names(driver: &WebDriver) -> Option<Vec<String>> {
    let v = driver
        .execute(
            "return [...document.querySelectorAll('tr.invoice-row td.name')].map(c => c.innerText);",
            vec![],
        )
        .await
        .ok()?;
    serde_json::from_value(v.json().clone()).ok()
}

/// The list sorts by a column header (amount: largest first, then the other way), sends
/// one row's link again the way it last went (one more mail to the same address), and
/// cancels a selection of two with one confirmation.
async fn the_list_sorts_and_acts_on_a_selection(
    driver: &WebDriver,
    maildir: &Path,
) -> WebDriverResult<()> {
    let search = driver.find(By::Id("invoice-search")).await?;
    set_value(driver, &search, "패널").await?;
    let two = |first: &'static str| async move {
        wait_for("the sorted rows", Duration::from_secs(10), || async {
            let names = row_names(driver).await?;
            (names.len() == 2 && names[0].contains(first)).then_some(names)
        })
        .await
    };
    driver
        .find(By::Css("button.sort[data-sort='amount']"))
        .await?
        .click()
        .await?;
    two("패널 A").await; // ₩240,000 before ₩2,980
    driver
        .find(By::Css("button.sort[data-sort='amount']"))
        .await?
        .click()
        .await?;
    let names = two("패널 B").await;
    assert!(names[1].contains("패널 A"), "{names:?}");
    let header = driver.find(By::Css("th[aria-sort='ascending']")).await?;
    assert!(
        header.text().await?.contains("Amount"),
        "the sorted column says so"
    );

    // Send B's link again from its row: one more mail, to the same address.
    let before = mail_recipients(maildir)
        .iter()
        .filter(|(to, _)| to.contains("misaki.sato@example.jp"))
        .count();
    let question = wait_for("B's resend button", Duration::from_secs(10), || async {
        let rows = driver.find_all(By::Css("tr.invoice-row")).await.ok()?;
        for r in rows {
            if r.text().await.ok()?.contains("패널 B") {
                return r.find(By::Css(".row-resend")).await.ok();
            }
        }
        None
    })
    .await;
    question.scroll_into_view().await?;
    question.click().await?;
    let asked = wait_for("the resend question", Duration::from_secs(10), || async {
        let d = driver.find(By::Id("confirm-text")).await.ok()?;
        let text = d.text().await.ok()?;
        (!text.is_empty()).then_some(text)
    })
    .await;
    assert!(asked.contains("again"), "{asked}");
    driver.find(By::Id("confirm-yes")).await?.click().await?;
    let after = wait_for("the mail sent again", Duration::from_secs(20), || async {
        let n = mail_recipients(maildir)
            .iter()
            .filter(|(to, _)| to.contains("misaki.sato@example.jp"))
            .count();
        (n > before).then_some(n)
    })
    .await;
    assert_eq!(after, before + 1, "exactly one more");

    // Both ticked, cancelled with one confirmation.
    for b in driver
        .find_all(By::Css("tr.invoice-row input.pick"))
        .await?
    {
        b.click().await?;
    }
    let count = driver.find(By::Id("bulk-count")).await?.text().await?;
    assert!(count.contains('2'), "{count}");
    let asked = click_and_confirm(driver, "bulk-cancel").await;
    assert!(asked.contains("Cancel 2 "), "{asked}");
    wait_for("both cancelled", Duration::from_secs(20), || async {
        let rows = driver.find_all(By::Css("tr.invoice-row")).await.ok()?;
        let mut cancelled = 0;
        for r in &rows {
            if r.attr("data-status").await.ok()?.as_deref() == Some("cancelled") {
                cancelled += 1;
            }
        }
        (rows.len() == 2 && cancelled == 2).then_some(())
    })
    .await;
    let notice = driver.find(By::Id("notice")).await?.text().await?;
    assert!(notice.contains("Cancelled: 2."), "{notice}");
    // A third click goes back to the list's own order.
    driver
        .find(By::Css("button.sort[data-sort='amount']"))
        .await?
        .click()
        .await?;
    wait_for("the list's own order", Duration::from_secs(10), || async {
        driver
            .find(By::Css(
                "th[aria-sort='ascending'], th[aria-sort='descending']",
            ))
            .await
            .err()
    })
    .await;
    set_value(driver, &search, "").await?;
    Ok(())
}

/// The store's country set to Japan in Settings: new links start in yen, the phone
/// example is Japanese, a domestic 090 number is taken as +81, and the customer's
/// message starts in Japanese.
async fn a_japanese_store(driver: &WebDriver) -> WebDriverResult<()> {
    driver
        .find(By::Id("settings-button"))
        .await?
        .click()
        .await?;
    wait_for("the settings", Duration::from_secs(10), || async {
        driver
            .find(By::Css("#store-country option[value='JP']"))
            .await
            .ok()
    })
    .await
    .click()
    .await?;
    driver
        .find(By::Css("#store-currency option[value='JPY']"))
        .await?
        .click()
        .await?;
    driver.find(By::Id("save-profile")).await?.click().await?;
    wait_for("the profile saved", Duration::from_secs(10), || async {
        driver.find(By::Id("profile-saved")).await.ok()
    })
    .await;
    driver
        .find(By::Id("new-link-button"))
        .await?
        .click()
        .await?;
    let currency = wait_for(
        "the create form in yen",
        Duration::from_secs(10),
        || async {
            let c = driver
                .find(By::Id("new-link-currency"))
                .await
                .ok()?
                .prop("value")
                .await
                .ok()??;
            (c == "JPY").then_some(c)
        },
    )
    .await;
    assert_eq!(currency, "JPY");
    let phone = driver.find(By::Id("new-link-phone")).await?;
    assert_eq!(
        phone.attr("placeholder").await?.as_deref(),
        Some("090-1234-5678")
    );
    driver
        .find(By::Id("new-link-name"))
        .await?
        .send_keys("抹茶ロールケーキ")
        .await?;
    driver
        .find(By::Id("new-link-amount"))
        .await?
        .send_keys("2980")
        .await?;
    phone.send_keys("090-1234-5678").await?;
    driver
        .find(By::Id("new-link-customer-name"))
        .await?
        .send_keys("佐藤 美咲")
        .await?;
    let preview = driver.find(By::Id("amount-preview")).await?.text().await?;
    assert!(preview.contains("¥2,980"), "{preview}");
    driver
        .find(By::Id("new-link-submit"))
        .await?
        .click()
        .await?;
    let detail = wait_for("the yen link's detail", Duration::from_secs(20), || async {
        let d = driver.find(By::Id("invoice-detail")).await.ok()?;
        let text = d.text().await.ok()?;
        text.contains("抹茶ロールケーキ").then_some(text)
    })
    .await;
    assert!(
        detail.contains("¥2,980") && detail.contains("+81"),
        "{detail}"
    );
    let lang = wait_for("the message language", Duration::from_secs(10), || async {
        driver
            .find(By::Id("send-lang"))
            .await
            .ok()?
            .prop("value")
            .await
            .ok()?
    })
    .await;
    assert_eq!(lang, "ja", "her message starts in Japanese");
    Ok(())
}

/// Settings → store database: a bad address is refused naming it; the test PostgreSQL
/// server's (password typed beside it) is checked, set up and chosen — "start again to
/// use it", the password never in the page or the data folder; then this computer again.
async fn the_store_database_can_be_shared(
    driver: &WebDriver,
    cli: &Path,
    data_dir: &Path,
) -> WebDriverResult<()> {
    // postgres://pd:PASSWORD@127.0.0.1:PORT/DB → the address and the password apart.
    let url = fresh_database("app");
    let (userinfo, rest) = url
        .trim_start_matches("postgres://")
        .split_once('@')
        .unwrap();
    let (user, password) = userinfo.split_once(':').unwrap();
    let address = format!("postgres://{user}@{rest}");
    let name = rest.rsplit_once('/').unwrap().1;

    driver
        .find(By::Id("settings-button"))
        .await?
        .click()
        .await?;
    let chosen = |backend: &'static str| async move {
        driver
            .find(By::Id("db-chosen"))
            .await
            .ok()?
            .attr("data-backend")
            .await
            .ok()?
            .filter(|b| b == backend)
    };
    wait_for(
        "the store database section",
        Duration::from_secs(10),
        || chosen("local"),
    )
    .await;
    let field = driver.find(By::Id("db-address")).await?;
    set_value(driver, &field, "mysql://shop@db.lan/paydesk").await?;
    click_in_view(driver, "db-use-shared").await?;
    wait_for("the address refused", Duration::from_secs(10), || async {
        driver
            .find(By::Css(
                "#db-address ~ .field-error[data-field='url'], .field-error[data-field='url']",
            ))
            .await
            .ok()
    })
    .await;
    set_value(driver, &field, &address).await?;
    let secret = driver.find(By::Id("db-password")).await?;
    set_value(driver, &secret, password).await?;
    click_in_view(driver, "db-use-shared").await?;
    wait_for("the shared store chosen", Duration::from_secs(30), || {
        chosen("postgres")
    })
    .await;
    driver.find(By::Id("db-restart")).await?;
    let page = driver.source().await?;
    assert!(
        !page.contains(password),
        "the password never reaches the page"
    );
    let kept = std::fs::read_to_string(data_dir.join("store.json")).unwrap();
    assert!(kept.contains(&name) && !kept.contains(password), "{kept}");
    let shown = Command::new(cli)
        .env("PAYDESK_DATA_DIR", data_dir)
        .args(["--json", "store", "show"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&shown.stdout).contains("\"postgres\""));

    click_in_view(driver, "db-use-local").await?;
    wait_for("this computer again", Duration::from_secs(10), || {
        chosen("local")
    })
    .await;
    assert!(
        driver.find(By::Id("db-restart")).await.is_err(),
        "nothing to restart for"
    );
    assert!(!data_dir.join("store.json").exists());
    Ok(())
}

/// This package's folder, as cargo tells the running test (a test binary built in another
/// clone that shares the target directory keeps that clone's compile-time path).
/// The saved customers as `paydesk customer list --json` prints them, without their
/// invoice totals (a new invoice changes those, not the customer).
fn customer_book(cli: &Path, data_dir: &Path) -> String {
    let out = Command::new(cli)
        .env("PAYDESK_DATA_DIR", data_dir)
        .args(["--json", "customer", "list"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut book: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for c in book.as_array_mut().into_iter().flatten() {
        c.as_object_mut().map(|o| o.remove("totals"));
    }
    book.to_string()
}

fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
