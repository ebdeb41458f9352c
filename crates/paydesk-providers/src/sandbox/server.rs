//! The sandbox's payment page on 127.0.0.1: Pay / Pay less / Pay more / Expire.
//! Its buttons change only the sandbox's own records; PayDesk learns of them by polling.

use std::net::SocketAddr;

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};
use chrono::Utc;

use super::{SandboxPayment, SandboxStore};
use crate::ProviderError;

/// The router serving the sandbox's pages (for embedding or tests).
pub fn router(store: SandboxStore) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/pay/{id}", get(page))
        .route("/pay/{id}/{action}", post(act))
        .with_state(store)
}

/// Binds `127.0.0.1:port` (0 picks a free port) and returns the bound address and the
/// server future, which runs until dropped.
pub async fn bind(
    store: SandboxStore,
    port: u16,
) -> std::io::Result<(
    SocketAddr,
    impl std::future::Future<Output = std::io::Result<()>>,
)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let app = router(store);
    Ok((addr, async move { axum::serve(listener, app).await }))
}

async fn index() -> Html<&'static str> {
    Html(
        "<!doctype html><meta charset=utf-8><title>PayDesk sandbox</title>\
         <p>PayDesk sandbox payment pages — no real money moves here. \
         샌드박스 결제 페이지입니다. 실제 결제가 아닙니다.</p>",
    )
}

async fn page(State(store): State<SandboxStore>, Path(id): Path<String>) -> Response {
    match store.get(&id, Utc::now()).await {
        Ok(p) => Html(render(&p, None)).into_response(),
        Err(e) => error_page(e),
    }
}

async fn act(
    State(store): State<SandboxStore>,
    Path((id, action)): Path<(String, String)>,
) -> Response {
    let now = Utc::now();
    let result = match action.as_str() {
        "pay" => store.pay(&id, None, false, now).await,
        "less" => store.pay_less(&id, now).await,
        "more" => store.pay_more(&id, now).await,
        "expire" => store.expire(&id, now).await,
        _ => return (StatusCode::NOT_FOUND, "unknown action").into_response(),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/pay/{}", escape(&id))).into_response(),
        Err(ProviderError::Rejected { message, .. }) => match store.get(&id, now).await {
            Ok(p) => (StatusCode::CONFLICT, Html(render(&p, Some(&message)))).into_response(),
            Err(e) => error_page(e),
        },
        Err(e) => error_page(e),
    }
}

fn error_page(e: ProviderError) -> Response {
    let status = match e {
        ProviderError::NotFound { .. } => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (
        status,
        Html(format!(
            "<!doctype html><meta charset=utf-8><title>PayDesk sandbox</title><p id=error>{}</p>",
            escape(&e.to_string())
        )),
    )
        .into_response()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn render(p: &SandboxPayment, message: Option<&str>) -> String {
    let amount = p.amount().to_display();
    let paid = paydesk_core::Money::from_minor(p.paid_minor, p.currency)
        .map(|m| m.to_display())
        .unwrap_or_default();
    let open = matches!(p.state.as_str(), "waiting" | "partial");
    let disabled = if open { "" } else { " disabled" };
    let id = escape(&p.id);
    let button = |action: &str, dom_id: &str, label: &str| {
        format!(
            "<form method=post action=\"/pay/{id}/{action}\"><button id={dom_id} type=submit{disabled}>{label}</button></form>"
        )
    };
    let number = p
        .payment_number
        .as_deref()
        .map(|n| {
            format!(
                "<p>편의점 결제번호 / CVS payment number: <b id=number>{}</b></p>",
                escape(n)
            )
        })
        .unwrap_or_default();
    let message = message
        .map(|m| format!("<p id=message class=message>{}</p>", escape(m)))
        .unwrap_or_default();
    format!(
        r#"<!doctype html>
<html lang=ko><head><meta charset=utf-8><meta name=viewport content="width=device-width">
<title>SANDBOX · {name}</title>
<style>
 body {{ font-family: system-ui, sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem; }}
 .banner {{ background: #ffe8a3; border: 2px dashed #b58100; padding: .6rem; font-weight: 600; }}
 .amount {{ font-size: 2rem; margin: .5rem 0; }}
 form {{ display: inline-block; margin: .25rem; }}
 button {{ font-size: 1rem; padding: .5rem 1rem; }}
 .message {{ color: #a00; }}
</style></head>
<body>
<p class=banner id=sandbox-banner>SANDBOX — 테스트 결제입니다. 실제 돈이 오가지 않습니다. / Test payment, no real money moves.</p>
<h1 id=name>{name}</h1>
<p class=amount id=amount>{amount}</p>
<p>상태 / Status: <b id=state>{state}</b> · 받은 금액 / Received: <span id=paid>{paid}</span></p>
<p>결제 기한 / Pay by: <time id=expires>{expires}</time></p>
{number}{message}
{pay}{less}{more}{expire}
</body></html>"#,
        name = escape(&p.name),
        amount = escape(&amount),
        state = escape(&p.state),
        paid = escape(&paid),
        expires = paydesk_core::format_instant(p.expires_at),
        pay = button("pay", "pay", "결제 Pay"),
        less = button("less", "pay-less", "덜 결제 Pay less"),
        more = button("more", "pay-more", "더 결제 Pay more"),
        expire = button("expire", "expire", "만료 Expire"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::SandboxProvider;
    use crate::{CreateRequest, Provider};
    use paydesk_core::{Currency, InvoiceKind, Money, Status};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn http(addr: SocketAddr, method: &str, path: &str) -> (u16, String) {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        let code = out[9..12].parse().unwrap();
        (code, out)
    }

    #[tokio::test]
    async fn the_page_changes_only_the_sandbox_and_the_provider_sees_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = SandboxStore::open(dir.path()).await.unwrap();
        let (addr, server) = bind(store.clone(), 0).await.unwrap();
        tokio::spawn(server);
        let provider = SandboxProvider::new(store, format!("http://{addr}"));
        let r = provider
            .create(&CreateRequest {
                kind: InvoiceKind::Link,
                order_id: "PD-page".into(),
                name: "<script>alert(1)</script> 상품".into(),
                amount: Money::from_minor(29900, Currency::Krw).unwrap(),
                tax_free: Money::zero(Currency::Krw),
                expires_at: Utc::now() + chrono::Duration::days(1),
                customer: None,
            })
            .await
            .unwrap();
        let path = format!("/pay/{}", r.provider_id);
        let (code, body) = http(addr, "GET", &path).await;
        assert_eq!(code, 200);
        assert!(body.contains("SANDBOX"));
        assert!(body.contains("₩29,900"));
        assert!(body.contains("&lt;script&gt;"), "names are escaped");
        let (code, _) = http(addr, "POST", &format!("{path}/pay")).await;
        assert_eq!(code, 303);
        assert_eq!(
            provider.get(&r.provider_id).await.unwrap().status,
            Status::Paid
        );
        let (code, body) = http(addr, "POST", &format!("{path}/expire")).await;
        assert_eq!(code, 409);
        assert!(body.contains("cannot expire"));
        let (code, _) = http(addr, "GET", "/pay/sbx_nope").await;
        assert_eq!(code, 404);
    }
}
