//! The sandbox's payment page on 127.0.0.1: Pay / Pay less / Pay more / Expire.
//! Its buttons change only the sandbox's own records; PayDesk learns of them by polling.
//! A button works only from the page itself: each form carries a token (an HMAC of the
//! payment id under a key made when the server starts), and a request whose `Host` is
//! not this computer or whose `Origin` is another site is refused — so another web page
//! open in the clerk's browser cannot pay or expire a sandbox link.

use std::net::SocketAddr;

use axum::{
    extract::{Form, Path, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};
use chrono::Utc;

use hmac::{Hmac, Mac};

use super::{SandboxPayment, SandboxStore};
use crate::ProviderError;

#[derive(Clone)]
struct Pages {
    store: SandboxStore,
    /// The key of this server's page tokens (random, made at start, never stored).
    key: [u8; 64],
}

impl Pages {
    fn mac(&self, id: &str) -> Hmac<sha2::Sha256> {
        // A key of SHA-256's block size: HMAC takes it as it is.
        let mut m = <Hmac<sha2::Sha256> as hmac::digest::KeyInit>::new(&self.key.into());
        m.update(id.as_bytes());
        m
    }

    /// The token the page of `id` carries in its forms.
    fn token(&self, id: &str) -> String {
        hex::encode(self.mac(id).finalize().into_bytes())
    }

    /// Whether `token` is the one of the page of `id` (in constant time).
    fn accepts(&self, id: &str, token: &str) -> bool {
        hex::decode(token).is_ok_and(|t| self.mac(id).verify_slice(&t).is_ok())
    }
}

/// The router serving the sandbox's pages (for embedding or tests).
pub fn router(store: SandboxStore) -> Router {
    let mut key = [0u8; 64];
    if getrandom::fill(&mut key).is_err() {
        // No OS randomness: a key from the clock and this process, still unguessable
        // to a page that cannot read this computer.
        let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
        key[..32].copy_from_slice(&<sha2::Sha256 as sha2::Digest>::digest(seed.as_bytes()));
    }
    Router::new()
        .route("/", get(index))
        .route("/pay/{id}", get(page))
        .route("/pay/{id}/{action}", post(act))
        .with_state(Pages { store, key })
}

/// Whether a button's request comes from this computer's own page: `Host` names this
/// computer (not a name some site points here), and `Origin`, when sent, is that host.
fn from_own_page(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let Some(host) = text("host") else {
        return false;
    };
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    if !matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
        return false;
    }
    match text("origin") {
        None => true,
        Some(o) => o == format!("http://{host}"),
    }
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

async fn page(State(pages): State<Pages>, Path(id): Path<String>) -> Response {
    match pages.store.get(&id, Utc::now()).await {
        Ok(p) => Html(render(&p, &pages.token(&p.id), None)).into_response(),
        Err(e) => error_page(e),
    }
}

async fn act(
    State(pages): State<Pages>,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let token = form.get("token").map(String::as_str).unwrap_or_default();
    if !from_own_page(&headers) || !pages.accepts(&id, token) {
        return (
            StatusCode::FORBIDDEN,
            "the sandbox's buttons work only from its own page",
        )
            .into_response();
    }
    let store = &pages.store;
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
            Ok(p) => (
                StatusCode::CONFLICT,
                Html(render(&p, &pages.token(&p.id), Some(&message))),
            )
                .into_response(),
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

fn render(p: &SandboxPayment, token: &str, message: Option<&str>) -> String {
    let amount = p.amount().to_display();
    let paid = paydesk_core::Money::from_minor(p.paid_minor, p.currency)
        .map(|m| m.to_display())
        .unwrap_or_default();
    let open = matches!(p.state.as_str(), "waiting" | "partial");
    let disabled = if open { "" } else { " disabled" };
    let id = escape(&p.id);
    let button = |action: &str, dom_id: &str, label: &str| {
        format!(
            "<form method=post action=\"/pay/{id}/{action}\"><input type=hidden name=token value={token}><button id={dom_id} type=submit{disabled}>{label}</button></form>"
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
        let host = addr.to_string();
        send(addr, method, path, &host, None, "").await
    }

    /// A raw request with the `Host`, `Origin` and form body a browser would send.
    async fn send(
        addr: SocketAddr,
        method: &str,
        path: &str,
        host: &str,
        origin: Option<&str>,
        form: &str,
    ) -> (u16, String) {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let origin = origin
            .map(|o| format!("Origin: {o}\r\n"))
            .unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{origin}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            form.len()
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
                callback_url: None,
            })
            .await
            .unwrap();
        let path = format!("/pay/{}", r.provider_id);
        let (code, body) = http(addr, "GET", &path).await;
        assert_eq!(code, 200);
        assert!(body.contains("SANDBOX"));
        assert!(body.contains("₩29,900"));
        assert!(body.contains("&lt;script&gt;"), "names are escaped");
        let token = body
            .split("name=token value=")
            .nth(1)
            .and_then(|t| t.split('>').next())
            .unwrap()
            .to_string();
        let form = format!("token={token}");
        let host = addr.to_string();
        // Another site's page, a name pointed here, or no token: refused, nothing paid.
        for (host, origin, form) in [
            (host.as_str(), Some("https://evil.example"), form.as_str()),
            ("evil.example", None, form.as_str()),
            (host.as_str(), None, ""),
            (host.as_str(), None, "token=00"),
        ] {
            let (code, _) = send(addr, "POST", &format!("{path}/pay"), host, origin, form).await;
            assert_eq!(code, 403, "{host} {origin:?} {form}");
        }
        assert_eq!(
            provider.get(&r.provider_id).await.unwrap().status,
            Status::Open
        );
        let own = format!("http://{host}");
        let (code, _) = send(
            addr,
            "POST",
            &format!("{path}/pay"),
            &host,
            Some(&own),
            &form,
        )
        .await;
        assert_eq!(code, 303);
        assert_eq!(
            provider.get(&r.provider_id).await.unwrap().status,
            Status::Paid
        );
        let (code, body) = send(addr, "POST", &format!("{path}/expire"), &host, None, &form).await;
        assert_eq!(code, 409);
        assert!(body.contains("cannot expire"));
        let (code, _) = http(addr, "GET", "/pay/sbx_nope").await;
        assert_eq!(code, 404);
    }
}
