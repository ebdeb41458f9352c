//! What the API channels put on the wire, read back by a plain TCP listener: the
//! Solapi signature is recomputed from the header's own date and salt with the secret,
//! and HTTP failures are classified by what they prove about the message.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use hmac::{Hmac, Mac};
use paydesk_notify::solapi::{Solapi, SolapiSettings};
use paydesk_notify::twilio::{Twilio, TwilioSettings};
use paydesk_notify::{Outcome, Via};
use sha2::Sha256;

/// Serves one request with `status` and `body`; sends back (headers, body) it received.
fn one_shot(
    status: &'static str,
    body: &'static str,
) -> (String, mpsc::Receiver<(Vec<String>, String)>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut headers = Vec::new();
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            let line = line.trim_end().to_string();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            headers.push(line);
        }
        let mut buf = vec![0; len];
        r.read_exact(&mut buf).unwrap();
        let mut s = s;
        write!(
            s,
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        tx.send((headers, String::from_utf8(buf).unwrap())).unwrap();
    });
    (url, rx)
}

fn solapi(url: &str, fallback: bool) -> Solapi {
    Solapi::new(
        SolapiSettings {
            base_url: Some(url.into()),
            sender: "02-930-2266".into(),
            pf_id: Some("KA01PF190227072057634pRBhbpAw1w1".into()),
            template_id: Some("KA01TP190227072156209Xo4DgrWaAEF".into()),
            alimtalk_fallback: fallback,
        },
        "NCSAYU7YDBXYORXC".to_string().into(),
        "wire-test-secret".to_string().into(),
    )
}

const ACCEPTED: &str = r#"{"failedMessageList":[],"groupInfo":{"groupId":"G4V1","count":{"total":1}},"messageList":[{"messageId":"M4V-1","statusCode":"2000"}]}"#;

#[tokio::test]
async fn solapi_signature_recomputes_from_the_header_and_the_secret() {
    let (url, rx) = one_shot("200 OK", ACCEPTED);
    let sent = solapi(&url, false)
        .send_text(
            "+821012345678",
            "[하나상회] 결제 링크 https://p.example/i/1",
            None,
        )
        .await
        .unwrap();
    assert_eq!((sent.message_id.as_str(), sent.via), ("M4V-1", Via::Sms));
    let (headers, body) = rx.recv().unwrap();
    let auth = headers
        .iter()
        .find_map(|h| {
            h.strip_prefix("authorization: ")
                .or_else(|| h.strip_prefix("Authorization: "))
        })
        .expect("an Authorization header");
    let rest = auth.strip_prefix("HMAC-SHA256 ").unwrap();
    let parts: std::collections::BTreeMap<&str, &str> = rest
        .split(", ")
        .map(|kv| kv.split_once('=').unwrap())
        .collect();
    assert_eq!(parts["apiKey"], "NCSAYU7YDBXYORXC");
    let date = chrono::DateTime::parse_from_rfc3339(parts["date"]).expect("ISO 8601 date");
    assert!(
        (chrono::Utc::now() - date.with_timezone(&chrono::Utc))
            .num_minutes()
            .abs()
            < 15
    );
    assert!((12..=64).contains(&parts["salt"].len()));
    let mut mac = Hmac::<Sha256>::new_from_slice(b"wire-test-secret").unwrap();
    mac.update(format!("{}{}", parts["date"], parts["salt"]).as_bytes());
    assert_eq!(parts["signature"], hex::encode(mac.finalize().into_bytes()));
    // Digits only, from the registered sender and the Korean number.
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    let m = &body["messages"][0];
    assert_eq!(
        (m["to"].as_str(), m["from"].as_str(), m["type"].as_str()),
        (Some("01012345678"), Some("029302266"), Some("SMS"))
    );
}

#[tokio::test]
async fn a_long_text_goes_as_lms_with_a_subject() {
    let (url, rx) = one_shot("200 OK", ACCEPTED);
    let text = "가".repeat(46);
    let sent = solapi(&url, false)
        .send_text("+821012345678", &text, Some("하나상회 결제 요청"))
        .await
        .unwrap();
    assert_eq!(sent.via, Via::Lms);
    let (_, body) = rx.recv().unwrap();
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["messages"][0]["type"], "LMS");
    assert_eq!(body["messages"][0]["subject"], "하나상회 결제 요청");
}

#[tokio::test]
async fn a_refused_message_is_a_permanent_failure_with_solapi_s_reason() {
    let (url, _rx) = one_shot(
        "200 OK",
        r#"{"failedMessageList":[{"to":"01012345678","statusCode":"1062","statusMessage":"발신번호 미등록"}],"groupInfo":{"groupId":"G4V2"}}"#,
    );
    let e = solapi(&url, false)
        .send_text("+821012345678", "hi", None)
        .await
        .unwrap_err();
    assert_eq!(e.outcome, Outcome::NotAccepted { retry: false });
    assert_eq!(e.code.as_deref(), Some("1062"));
    assert!(e.to_string().contains("발신번호 미등록"), "{e}");
}

#[tokio::test]
async fn server_errors_are_passing_and_auth_errors_are_not() {
    let (url, _rx) = one_shot(
        "503 Service Unavailable",
        r#"{"errorCode":"ServiceUnavailable","errorMessage":"busy"}"#,
    );
    let e = solapi(&url, false)
        .send_text("+821012345678", "hi", None)
        .await
        .unwrap_err();
    assert_eq!(e.outcome, Outcome::NotAccepted { retry: true });
    let (url, _rx) = one_shot(
        "403 Forbidden",
        r#"{"errorCode":"SignatureDoesNotMatch","errorMessage":"signature mismatch"}"#,
    );
    let e = solapi(&url, false)
        .send_text("+821012345678", "hi", None)
        .await
        .unwrap_err();
    assert_eq!(e.outcome, Outcome::NotAccepted { retry: false });
    assert_eq!(e.code.as_deref(), Some("SignatureDoesNotMatch"));
    assert!(e.to_string().contains("api_secret"), "{e}");
    assert!(!e.to_string().contains("wire-test-secret"));
}

#[tokio::test]
async fn a_dropped_connection_after_the_request_leaves_the_outcome_unknown() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        // Read the request, then hang up without an answer.
    });
    let e = solapi(&url, false)
        .send_text("+821012345678", "hi", None)
        .await
        .unwrap_err();
    assert_eq!(e.outcome, Outcome::Unknown, "{e}");
}

#[tokio::test]
async fn nothing_listening_is_passing_and_proves_nothing_was_sent() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = solapi(&format!("http://127.0.0.1:{port}"), false)
        .send_text("+821012345678", "hi", None)
        .await
        .unwrap_err();
    assert_eq!(e.outcome, Outcome::NotAccepted { retry: true }, "{e}");
}

#[tokio::test]
async fn a_refused_alimtalk_falls_back_to_sms_when_the_merchant_allows_it() {
    // First answer refuses the AlimTalk, second accepts the SMS.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for answer in [
            r#"{"failedMessageList":[{"statusCode":"3034","statusMessage":"템플릿 불일치"}],"groupInfo":{"groupId":"G1"}}"#,
            ACCEPTED,
        ] {
            let (s, _) = l.accept().unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut len = 0;
            loop {
                let mut line = String::new();
                r.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            r.read_exact(&mut body).unwrap();
            tx.send(String::from_utf8(body).unwrap()).unwrap();
            let mut s = s;
            write!(s, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}", answer.len()).unwrap();
        }
    });
    let vars = [(
        "#{결제링크}".to_string(),
        "https://p.example/i/1".to_string(),
    )]
    .into_iter()
    .collect();
    let sent = solapi(&url, true)
        .send_alimtalk("+821012345678", &vars, "[하나상회] https://p.example/i/1")
        .await
        .unwrap();
    assert_eq!(sent.via, Via::Sms);
    assert!(sent.note.as_deref().unwrap().contains("템플릿 불일치"));
    let first: serde_json::Value = serde_json::from_str(&rx.recv().unwrap()).unwrap();
    assert_eq!(first["messages"][0]["type"], "ATA");
    assert_eq!(first["messages"][0]["kakaoOptions"]["disableSms"], false);
    let second: serde_json::Value = serde_json::from_str(&rx.recv().unwrap()).unwrap();
    assert_eq!(second["messages"][0]["type"], "SMS");
}

#[tokio::test]
async fn twilio_sends_form_fields_with_basic_auth() {
    let (url, rx) = one_shot(
        "201 Created",
        r#"{"sid":"SM1234567890abcdef1234567890abcdef","status":"queued","to":"+14155552671","body":"hi"}"#,
    );
    let t = Twilio::new(
        TwilioSettings {
            base_url: Some(url),
            sender: "+15005550006".into(),
        },
        "AC0123456789abcdef0123456789abcdef".to_string().into(),
        "token".to_string().into(),
    );
    let sent = t
        .send("+14155552671", "pay here: https://p.example/i/1")
        .await
        .unwrap();
    assert_eq!(sent.message_id, "SM1234567890abcdef1234567890abcdef");
    let (headers, body) = rx.recv().unwrap();
    assert!(headers.iter().any(|h| h.starts_with(
        "POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
    )));
    let basic = headers
        .iter()
        .find_map(|h| {
            h.to_ascii_lowercase()
                .strip_prefix("authorization: basic ")
                .map(str::to_string)
        })
        .unwrap();
    assert!(!basic.is_empty());
    let form: Vec<(String, String)> = url_pairs(&body);
    assert!(form.contains(&("To".into(), "+14155552671".into())));
    assert!(form.contains(&("From".into(), "+15005550006".into())));
    assert!(form.contains(&("Body".into(), "pay here: https://p.example/i/1".into())));
}

fn url_pairs(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}
