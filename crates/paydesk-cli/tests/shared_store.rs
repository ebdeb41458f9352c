//! `paydesk store use / show` against the throw-away PostgreSQL server `./x test`
//! starts: two counters' data folders on one database list one set of links; a bad
//! address is exit 2 naming `url`, a wrong password exit 1, and neither changes anything.

mod support;
use support::*;

#[path = "../../paydesk-store/tests/common/mod.rs"]
mod common;

#[tokio::test]
async fn two_counters_share_one_store_from_the_command_line() {
    let mut url = url::Url::parse(&common::fresh_postgres_database().await).unwrap();
    let password = url.password().unwrap().to_string();
    url.set_password(None).unwrap();
    let address = url.to_string();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    // Checked before anything is tried or written.
    for bad in [
        "mysql://x@y/z",
        "postgres://db.shop.lan/paydesk",
        "postgres://x@y/z?sslmode=maybe",
    ] {
        let o = run(a.path(), &["--json", "store", "use", bad], None);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("\"field\":\"url\""), "{}", stderr(&o));
    }
    let o = run(
        a.path(),
        &["store", "use", &address, "--password-stdin"],
        Some("wrong\n"),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).contains(&password));
    assert_eq!(ok(a.path(), &["store", "show"])["backend"], "local");

    let used = json(&run(
        a.path(),
        &["--json", "store", "use", &address, "--password-stdin"],
        Some(&format!("{password}\n")),
    ));
    assert_eq!(used["backend"], "postgres");
    assert_eq!(used["url"], address.as_str());
    // Counter B: the same database's password is already in the keyring.
    ok(b.path(), &["store", "use", &address]);
    let shown = run(b.path(), &["store", "show"], None);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("Shared (PostgreSQL)"));

    let made = ok(
        a.path(),
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "2번 카운터 라떼",
            "--amount",
            "5500",
        ],
    );
    let listed = ok(b.path(), &["link", "list"]);
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![made["id"].as_str().unwrap()]);

    // Back to its own file at counter A; B still sees the shared list.
    assert_eq!(ok(a.path(), &["store", "use", "local"])["backend"], "local");
    assert!(ok(a.path(), &["link", "list"])
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(ok(b.path(), &["link", "list"]).as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_counter_s_history_moves_into_the_shared_store() {
    let url = common::fresh_postgres_database().await;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let made = ok(
        a.path(),
        &[
            "link",
            "create",
            "--account",
            "sandbox",
            "--name",
            "옮길 링크",
            "--amount",
            "7000",
        ],
    );
    let moved = ok(a.path(), &["store", "move", "--to", &url]);
    assert_eq!(moved["location"]["backend"], "postgres");
    assert_eq!(moved["moved"]["invoices_copied"], 1);
    assert_eq!(moved["moved"]["invoices"], 1);
    // Counter A now works on the shared store; the local file stays as it was.
    assert!(a.path().join("paydesk.sqlite").is_file());
    assert_eq!(ok(a.path(), &["store", "show"])["backend"], "postgres");
    ok(b.path(), &["store", "use", &url]);
    let at_b = ok(b.path(), &["link", "show", made["id"].as_str().unwrap()]);
    assert_eq!(at_b["name"], "옮길 링크");
    assert_eq!(at_b["status"], made["status"]);
    // Moving again from the local file copies nothing twice.
    ok(a.path(), &["store", "use", "local"]);
    let again = ok(a.path(), &["store", "move", "--to", &url]);
    assert_eq!(again["moved"]["invoices_copied"], 0);
    assert_eq!(ok(b.path(), &["link", "list"]).as_array().unwrap().len(), 1);
}

#[test]
fn a_password_typed_in_the_address_never_reaches_the_log() {
    let mut url = url::Url::parse(&common::postgres_admin_url()).unwrap();
    url.set_password(Some("Canary-9f3b7e")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Refused (a wrong password), with every info-level event and span written out.
    let o = support::run_env(
        dir.path(),
        &["store", "use", url.as_str()],
        None,
        &[("RUST_LOG", "info")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = format!("{}{}", stderr(&o), String::from_utf8_lossy(&o.stdout));
    assert!(!said.contains("Canary-9f3b7e"), "{said}");
    assert!(!dir.path().join("store.json").exists());
}
