//! A Japanese shop: the store's country (Settings) decides the currency of new links and
//! convenience-store payments, how a domestic phone number is read, and the language a
//! customer is written to and printed for when none is chosen.

mod support;

use std::process::Command;

use paydesk::core::{Currency, Lang};
use paydesk::{Engine, EngineError, NewCustomer, NewLink};
use paydesk_secrets::SecretStore;

async fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::open_with(
        dir.path(),
        SecretStore::with_service(support::service("japan")),
    )
    .await
    .unwrap();
    (dir, e)
}

fn link(name: &str, phone: Option<&str>) -> NewLink {
    NewLink {
        account: "sandbox".into(),
        name: name.into(),
        amount: "2980".into(),
        expires_in: Some("1d".into()),
        customer_name: Some("佐藤 美咲".into()),
        phone: phone.map(str::to_string),
        ..Default::default()
    }
}

fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("doc.pdf");
    std::fs::write(&f, bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&f)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn a_korean_store_reads_090_as_no_korean_number() {
    let (_d, e) = engine().await;
    let err = e
        .create_link(link("抹茶ロールケーキ", Some("090-1234-5678")))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, EngineError::Input(l) if l[0].field == "phone"),
        "{err:?}"
    );
    // Its currency is KRW unless the store says otherwise.
    let inv = e.create_link(link("김밥", None)).await.unwrap();
    assert_eq!(inv.currency, "KRW");
}

#[tokio::test]
async fn a_japanese_store_charges_in_yen_and_writes_in_japanese() {
    let (_d, e) = engine().await;
    e.set_setting("country", "jp").await.unwrap();
    let s = e.settings().await.unwrap();
    assert_eq!(
        (s["country"].as_str(), s["currency"].as_str()),
        ("JP", "JPY")
    );

    // A domestic mobile number is Japan's; the link is in yen.
    let inv = e
        .create_link(link("抹茶ロールケーキ", Some("090-1234-5678")))
        .await
        .unwrap();
    assert_eq!(inv.currency, "JPY");
    assert_eq!(inv.amount_display, "¥2,980");
    assert!(
        inv.customer
            .as_ref()
            .unwrap()
            .phone
            .as_deref()
            .unwrap()
            .starts_with("+81"),
        "{:?}",
        inv.customer
    );
    // The message and the invoice PDF are in her language without being asked.
    let preview = e.preview_message(&inv.id, "email", None).await.unwrap();
    assert!(preview.text.contains("佐藤 美咲"), "{}", preview.text);
    assert!(
        preview
            .subject
            .as_deref()
            .unwrap_or_default()
            .contains("お支払い")
            || preview.text.contains("お支払い"),
        "{preview:?}"
    );
    let text = pdf_text(&e.invoice_pdf(&inv.id, None, None).await.unwrap());
    assert!(text.contains("請求書"), "{text}");

    // A convenience-store payment is in yen too, its slip in Japanese.
    let cvs = e
        .issue_cvs(NewLink {
            account: "sandbox".into(),
            name: "コンビニ払い".into(),
            amount: "5000".into(),
            expires_in: Some("3d".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(cvs.amount_display, "¥5,000");
    let text = pdf_text(
        &e.slips(std::slice::from_ref(&cvs.id), None, None, None)
            .await
            .unwrap(),
    );
    assert!(text.contains("コンビニ払込票"), "{text}");

    // A customer with a Korean number is written to in Korean, in a Japanese store too.
    let kim = e
        .add_customer(NewCustomer {
            name: "김민준".into(),
            phone: Some("+82 10-2345-6789".into()),
            email: Some("minjun@example.kr".into()),
        })
        .await
        .unwrap();
    let for_kim = e
        .create_link(NewLink {
            customer_id: Some(kim.id.clone()),
            ..link("선물", None)
        })
        .await
        .unwrap();
    let preview = e.preview_message(&for_kim.id, "email", None).await.unwrap();
    assert!(preview.text.contains("안녕하세요"), "{}", preview.text);
    assert_eq!(for_kim.lang, Lang::Ko);
    assert_eq!(inv.lang, Lang::Ja);

    // The store's currency can differ from its country's.
    e.set_setting("currency", "usd").await.unwrap();
    let usd = e
        .create_link(NewLink {
            amount: "12.50".into(),
            ..link("gift card", None)
        })
        .await
        .unwrap();
    assert_eq!(usd.currency, Currency::Usd.code());
    assert!(e.set_setting("country", "US").await.is_err());
}
