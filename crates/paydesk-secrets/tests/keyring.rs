//! Against the real Secret Service (run by `./x test` inside `dbus-run-session` with an
//! unlocked `gnome-keyring-daemon`). Each test uses its own service name.
use paydesk_secrets::*;
use secrecy::ExposeSecret;

fn store(test: &str) -> SecretStore {
    SecretStore::with_service(format!("paydesk-test-{test}-{}", std::process::id()))
}

#[test]
fn set_get_replace_delete() {
    let s = store("cycle");
    let owner = Owner::Account("bootpay-main");
    assert!(s
        .get(owner, "secret_key")
        .expect("a Secret Service must be running (use ./x test)")
        .is_none());
    s.set(owner, "secret_key", &SecretString::from("s3cr3t-키"))
        .unwrap();
    assert_eq!(
        s.get(owner, "secret_key").unwrap().unwrap().expose_secret(),
        "s3cr3t-키"
    );
    assert!(s.is_set(owner, "secret_key").unwrap());
    s.set(owner, "secret_key", &SecretString::from("replaced"))
        .unwrap();
    assert_eq!(
        s.get(owner, "secret_key").unwrap().unwrap().expose_secret(),
        "replaced"
    );
    // Entries are per owner and per name.
    assert!(s
        .get(Owner::Account("other"), "secret_key")
        .unwrap()
        .is_none());
    assert!(s
        .get(Owner::Channel("bootpay-main"), "secret_key")
        .unwrap()
        .is_none());
    assert!(s.get(owner, "client_key").unwrap().is_none());
    s.delete(owner, "secret_key").unwrap();
    assert!(s.get(owner, "secret_key").unwrap().is_none());
    s.delete(owner, "secret_key").unwrap();
}

#[test]
fn saving_empty_deletes() {
    let s = store("empty");
    let owner = Owner::Channel("smtp");
    s.set(owner, "password", &SecretString::from("pw")).unwrap();
    s.set(owner, "password", &SecretString::from("")).unwrap();
    assert!(s.get(owner, "password").unwrap().is_none());
}

#[test]
fn secrets_never_show_in_debug_output() {
    let s = store("debug");
    let owner = Owner::Account("x");
    s.set(owner, "api_key", &SecretString::from("CANARY-debug-7f3a"))
        .unwrap();
    let v = s.get(owner, "api_key").unwrap();
    assert!(!format!("{v:?}").contains("CANARY"));
    s.delete(owner, "api_key").unwrap();
}

#[test]
fn bad_names_are_refused() {
    let s = store("names");
    assert!(matches!(
        s.get(Owner::Account("x"), ""),
        Err(SecretError::Invalid(_))
    ));
}
