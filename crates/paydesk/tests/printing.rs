//! Printing through a real CUPS scheduler of the test's own (its printers keep each job
//! as a file): "Print" goes to the viewer unless the store chose a printer, then to the
//! chosen one or the system's default, and a printer's refusal names it and keeps the PDF.

use paydesk::{Engine, EngineError, NewLink, PrintTo, PrinterView};
use paydesk_secrets::SecretStore;
use paydesk_standins::cups::Cups;

#[tokio::test]
async fn print_goes_where_the_store_chose_and_a_refusal_names_the_printer() {
    let cups = Cups::start();
    cups.add_printer("counter", true);
    cups.add_printer("office", false);
    // `lp` and `lpstat`, started by the engine, find this scheduler as any CUPS client does.
    std::env::set_var("CUPS_SERVER", &cups.server);

    let dir = tempfile::tempdir().unwrap();
    let secrets =
        SecretStore::with_service(format!("paydesk-printing-test-{}", std::process::id()));
    let e = Engine::open_with(dir.path(), secrets).await.unwrap();
    let cvs = e
        .issue_cvs(NewLink {
            account: "sandbox".into(),
            name: "편의점 상품".into(),
            amount: "12000".into(),
            expires_in: Some("3d".into()),
            customer_name: Some("이서연".into()),
            ..Default::default()
        })
        .await
        .unwrap();

    // Settings list the printers, the default marked.
    let mut printers = e.printers().await.unwrap();
    printers.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        printers,
        vec![
            PrinterView {
                name: "counter".into(),
                default: true
            },
            PrinterView {
                name: "office".into(),
                default: false
            },
        ]
    );

    // Unless chosen, a print is for the viewer: nothing reaches a printer.
    assert_eq!(e.print_to().await.unwrap(), PrintTo::Viewer);
    let path = e
        .print_slips(std::slice::from_ref(&cvs.id), None)
        .await
        .unwrap();
    let out = e.print_saved(&path, "slips").await.unwrap();
    assert_eq!((out.printer, out.job), (None, None));
    assert_eq!(out.path, path.display().to_string());

    // Straight to the printer: the system's default prints exactly the saved PDF.
    e.set_setting("print_to", "printer").await.unwrap();
    assert_eq!(e.settings().await.unwrap()["print_to"], "printer");
    let out = e.print_saved(&path, "slips").await.unwrap();
    assert_eq!(out.printer.as_deref(), Some("counter"));
    assert!(
        out.job
            .as_deref()
            .unwrap_or_default()
            .starts_with("counter-"),
        "{out:?}"
    );
    let jobs = cups.wait_for_jobs("counter", 1);
    assert_eq!(
        jobs[0],
        std::fs::read(&path).unwrap(),
        "the printer got the saved PDF"
    );
    assert!(cups.jobs("office").is_empty());

    // A chosen printer takes it instead; the invoice PDF prints the same way.
    e.set_setting("printer", "office").await.unwrap();
    let bytes = e.invoice_pdf(&cvs.id, None, None).await.unwrap();
    let invoice = e.save_print("invoice", &bytes).await.unwrap();
    let out = e.print_saved(&invoice, "invoice").await.unwrap();
    assert_eq!(out.printer.as_deref(), Some("office"));
    assert_eq!(cups.wait_for_jobs("office", 1)[0], bytes);
    assert_eq!(cups.jobs("counter").len(), 1);

    // A printer that is gone: refused with its reason and name, the PDF still there.
    e.set_setting("printer", "gone").await.unwrap();
    let err = e.print_saved(&path, "slips").await.unwrap_err();
    assert_eq!(err.kind(), "printer", "{err}");
    let view = paydesk::ErrorView::from(&err);
    assert_eq!(view.code.as_deref(), Some("unknown_printer"), "{err}");
    assert!(matches!(&err, EngineError::Printer { printer: Some(p), .. } if p == "gone"));
    assert!(std::fs::read(&path).unwrap().starts_with(b"%PDF"));

    // Bad settings are refused by field, and nothing changes.
    for (key, value) in [
        ("print_to", "fax"),
        ("printer", "two words"),
        ("printer", "a/b"),
    ] {
        let err = e.set_setting(key, value).await.unwrap_err();
        assert_eq!(err.field(), Some(key), "{key}={value}: {err}");
    }
    let settings = e.settings().await.unwrap();
    assert_eq!(
        (settings["print_to"].as_str(), settings["printer"].as_str()),
        ("printer", "gone")
    );

    // Empty: the system's default again.
    e.set_setting("printer", "").await.unwrap();
    assert_eq!(
        e.print_saved(&path, "slips")
            .await
            .unwrap()
            .printer
            .as_deref(),
        Some("counter")
    );
    cups.wait_for_jobs("counter", 2);

    // No print system reachable: a clear reason, not a hang.
    std::env::set_var("CUPS_SERVER", "127.0.0.1:1");
    let err = e.print_saved(&path, "slips").await.unwrap_err();
    assert_eq!(err.kind(), "printer", "{err}");
    assert!(e.printers().await.unwrap().is_empty());
}
