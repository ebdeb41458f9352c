//! What a merchant installs: the `.deb` installs with `dpkg -i`, the installed app opens
//! under Xvfb and shows the invoice list from an existing data folder, and `dpkg -r`
//! removes the program but leaves the merchant's data in place. Then the AppImage (with
//! no package installed) opens the same list.
//!
//! Needs PAYDESK_DEB and PAYDESK_APPIMAGE (made by `./x bundle`, which `./x test` runs
//! first), root (dpkg), and what app.rs needs.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::*;
use thirtyfour::prelude::*;

fn installer(env: &str) -> PathBuf {
    let p = std::env::var_os(env).map(PathBuf::from).unwrap_or_else(|| {
        panic!("{env} is not set: build the installers with ./x bundle (./x test does)")
    });
    assert!(p.is_file(), "{} is missing", p.display());
    p.canonicalize().unwrap()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the command starts");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Opens `app` on `data_dir` and waits until the list shows `item`; saves a screenshot.
async fn list_shows(app: &Path, home: &Path, data_dir: &Path, item: &str, env: &[(&str, String)]) {
    let xvfb = start_xvfb_if_needed();
    let mut all = vec![
        ("PAYDESK_DATA_DIR", data_dir.display().to_string()),
        ("PAYDESK_SANDBOX_PORT", free_port().to_string()),
    ];
    all.extend_from_slice(env);
    let (guard, driver) = open_app(app, home, &all, xvfb.as_ref().map(|x| x.1.as_str())).await;
    let row = wait_for(
        "the invoice in the list",
        Duration::from_secs(60),
        || async {
            let rows = driver.find_all(By::Css("tr.invoice-row")).await.ok()?;
            for r in rows {
                if r.text().await.ok()?.contains(item) {
                    return Some(r);
                }
            }
            None
        },
    )
    .await;
    assert_eq!(
        row.attr("data-status").await.unwrap().as_deref(),
        Some("open")
    );
    let shot = std::env::temp_dir().join(format!(
        "paydesk-e2e-{}.png",
        app.file_name().unwrap().to_string_lossy()
    ));
    if let Ok(png) = driver.screenshot_as_png().await {
        std::fs::write(&shot, png).unwrap();
        eprintln!("screenshot: {}", shot.display());
    }
    driver.quit().await.unwrap();
    drop(guard);
    drop(xvfb);
    // An AppImage stopped from outside leaves its extracted copy behind.
    for e in std::fs::read_dir("/tmp").unwrap().flatten() {
        if e.file_name()
            .to_string_lossy()
            .starts_with("appimage_extracted_")
        {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn installers_install_open_the_list_and_uninstall_keeps_the_data() {
    let deb = installer("PAYDESK_DEB");
    let appimage = installer("PAYDESK_APPIMAGE");
    let package = run(Command::new("dpkg-deb")
        .args(["-f"])
        .arg(&deb)
        .arg("Package"));
    let package = package.trim().to_string();
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("data");

    run(Command::new("dpkg").arg("-i").arg(&deb));
    let app = Path::new("/usr/bin/paydesk-app");
    let cli = Path::new("/usr/bin/paydesk");
    assert!(
        app.is_file() && cli.is_file(),
        "the package installs the app and the command"
    );
    assert!(
        std::fs::read_dir("/usr/share/applications")
            .unwrap()
            .filter_map(|e| e.ok())
            .any(
                |e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("Exec=paydesk-app"))
            ),
        "a desktop entry starts the app"
    );

    // The installed command and the installed app share one data folder.
    let item = "설치 확인 상품";
    run(Command::new(cli).env("PAYDESK_DATA_DIR", &data_dir).args([
        "settings",
        "set",
        "store_name",
        "설치상회",
    ]));
    run(Command::new(cli).env("PAYDESK_DATA_DIR", &data_dir).args([
        "link",
        "create",
        "--account",
        "sandbox",
        "--name",
        item,
        "--amount",
        "1000",
    ]));
    list_shows(app, home.path(), &data_dir, item, &[]).await;

    run(Command::new("dpkg").arg("-r").arg(&package));
    assert!(
        !app.exists() && !cli.exists(),
        "uninstall removes the program"
    );
    assert!(
        data_dir.join("paydesk.sqlite").is_file(),
        "uninstall keeps the data"
    );
    let workspace_cli = binary("PAYDESK_CLI_BIN", "paydesk");
    let listed = run(Command::new(&workspace_cli)
        .env("PAYDESK_DATA_DIR", &data_dir)
        .args(["link", "list"]));
    assert!(
        listed.contains(item),
        "the invoice is still there: {listed}"
    );

    // The AppImage, with nothing installed, opens the same data (extracted to /tmp:
    // containers have no FUSE).
    list_shows(
        &appimage,
        home.path(),
        &data_dir,
        item,
        &[("APPIMAGE_EXTRACT_AND_RUN", "1".into())],
    )
    .await;
}
