//! `cancuoc serve` driven by a real HTTP client (ureq) and a real WebSocket client (tungstenite):
//! token, Origin allowlist and CORS, reads with our JSON and FHIR, retention, body limit,
//! "reader busy", live events, and refusal to listen beyond loopback.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use tungstenite::client::IntoClientRequest;

mod common;

const ALLOWED: &str = "http://his.local";

/// `cancuoc serve --simulated` (tests/common) with the allowed origin, its token file in a folder
/// of its own.
struct Server {
    url: String,
    token: String,
    _serve: common::Serve,
    _dir: tempfile::TempDir,
}

fn start(extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["--allow-origin", ALLOWED];
    args.extend(extra);
    let serve = common::Serve::start(dir.path(), &args, &[]);
    assert_eq!(serve.token.len(), 64);
    Server { url: serve.url.clone(), token: serve.token.clone(), _serve: serve, _dir: dir }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

impl Server {
    fn get(&self, path: &str, token: Option<&str>, origin: Option<&str>) -> (u16, Option<String>, Value) {
        let mut req = agent().get(format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        let mut r = req.call().unwrap();
        let acao = r.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_string());
        let body = r.body_mut().read_to_string().unwrap();
        (r.status().as_u16(), acao, serde_json::from_str(&body).unwrap_or(Value::Null))
    }
    fn read(&self, body: &str) -> (u16, Value) {
        let mut r = agent()
            .post(format!("{}/v1/read", self.url))
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Content-Type", "application/json")
            .send(body)
            .unwrap();
        let text = r.body_mut().read_to_string().unwrap();
        (r.status().as_u16(), serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[test]
fn token_and_origin_are_enforced() {
    let s = start(&[]);
    assert_eq!(s.get("/v1/readers", None, None).0, 401);
    assert_eq!(s.get("/v1/readers", Some("0123456789"), None).0, 401);
    let (code, acao, body) = s.get("/v1/readers", Some(&s.token), None);
    assert_eq!(code, 200);
    assert_eq!(acao, None);
    assert!(body["readers"].as_array().unwrap().iter().any(|r| r["name"] == "simulated"));
    // A page from another site may not use the API, even with the token.
    let (code, _, body) = s.get("/v1/readers", Some(&s.token), Some("https://evil.example"));
    assert_eq!(code, 403);
    assert_eq!(body["error"], "origin_not_allowed");
    let (code, acao, _) = s.get("/v1/readers", Some(&s.token), Some(ALLOWED));
    assert_eq!(code, 200);
    assert_eq!(acao.as_deref(), Some(ALLOWED));
    // CORS preflight.
    let pre = |origin: &str| {
        let req = ureq::http::Request::builder()
            .method("OPTIONS")
            .uri(format!("{}/v1/read", s.url))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .body(())
            .unwrap();
        agent().run(req).unwrap()
    };
    let ok = pre(ALLOWED);
    assert_eq!(ok.status().as_u16(), 204);
    assert_eq!(ok.headers()["access-control-allow-origin"], ALLOWED);
    assert!(ok.headers()["access-control-allow-headers"].to_str().unwrap().contains("authorization"));
    assert_eq!(pre("https://evil.example").status().as_u16(), 403);
}

#[test]
fn reads_return_our_json_and_fhir_and_expire() {
    let s = start(&["--retention-secs", "2"]);
    let (code, v) = s.read(r#"{"reader":"simulated","can":"012345","photo":true}"#);
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["report"]["status"], "verified");
    assert_eq!(v["report"]["person"]["full_name"], "Nguyễn Thị Thu Hà");
    assert_eq!(v["fhir"]["resourceType"], "Patient");
    assert_eq!(v["fhir"]["identifier"][0]["value"], "079195012345");
    assert_eq!(v["fhir"]["photo"][0]["contentType"], "image/jpeg");
    let id = v["id"].as_str().unwrap().to_string();
    let (code, _, again) = s.get(&format!("/v1/read/{id}"), Some(&s.token), None);
    assert_eq!(code, 200);
    assert_eq!(again["id"], id.as_str());
    // MRZ fields, and a forged card.
    let (code, v) = s.read(
        r#"{"variant":"tampered-dg13","id_number":"079195012345","date_of_birth":"15/03/1995","date_of_expiry":"15/03/2035"}"#,
    );
    assert_eq!(code, 200);
    assert_eq!(v["report"]["status"], "not_verified");
    assert_eq!(v["fhir"]["meta"]["tag"][0]["code"], "not_verified");
    // Errors.
    let (code, v) = s.read(r#"{"can":"654321"}"#);
    assert_eq!(code, 422);
    assert_eq!(v["error"], "access_denied");
    assert_eq!(s.read("{not json").0, 400);
    assert_eq!(s.read(r#"{"can":"012345","surprise":1}"#).0, 400);
    assert_eq!(s.read(r#"{"can":"12"}"#).0, 400);
    let big = format!(r#"{{"can":"012345","variant":"{}"}}"#, "x".repeat(20_000));
    assert_eq!(s.read(&big).0, 413);
    // Results leave memory after the retention period.
    std::thread::sleep(Duration::from_millis(3200));
    assert_eq!(s.get(&format!("/v1/read/{id}"), Some(&s.token), None).0, 404);
}

#[test]
fn concurrent_reads_on_one_reader_are_serialised_with_reader_busy() {
    let s = start(&["--simulated-latency-ms", "20"]);
    let (a, b) = std::thread::scope(|sc| {
        let first = sc.spawn(|| s.read(r#"{"can":"012345"}"#));
        std::thread::sleep(Duration::from_millis(150));
        let second = sc.spawn(|| s.read(r#"{"can":"012345"}"#));
        (first.join().unwrap(), second.join().unwrap())
    });
    assert_eq!(a.0, 200, "{}", a.1);
    assert_eq!(b.0, 409, "{}", b.1);
    assert_eq!(b.1["error"], "reader_busy");
    // Once the first is done, the reader is free again.
    assert_eq!(s.read(r#"{"can":"012345"}"#).0, 200);
}

#[test]
fn websocket_events_need_the_token_and_an_allowed_origin() {
    let s = start(&["--simulated-latency-ms", "5"]);
    let ws_url = s.url.replace("http://", "ws://");
    let connect = |token: Option<&str>, origin: &str| {
        let url = match token {
            Some(t) => format!("{ws_url}/v1/events?token={t}"),
            None => format!("{ws_url}/v1/events"),
        };
        let mut req = url.into_client_request().unwrap();
        req.headers_mut().insert("Origin", origin.parse().unwrap());
        tungstenite::connect(req)
    };
    match connect(Some(&s.token), "https://evil.example") {
        Err(tungstenite::Error::Http(r)) => assert_eq!(r.status().as_u16(), 403),
        other => panic!("a foreign origin must be refused: {:?}", other.map(|(_, r)| r.status())),
    }
    match connect(None, ALLOWED) {
        Err(tungstenite::Error::Http(r)) => assert_eq!(r.status().as_u16(), 401),
        other => panic!("no token must be refused: {:?}", other.map(|(_, r)| r.status())),
    }
    let (mut ws, _) = connect(Some(&s.token), ALLOWED).unwrap();
    let first: Value = serde_json::from_str(ws.read().unwrap().to_text().unwrap()).unwrap();
    assert_eq!(first["type"], "hello");
    let reader = std::thread::scope(|sc| {
        let h = sc.spawn(|| s.read(r#"{"can":"012345"}"#));
        let mut kinds = Vec::new();
        let mut result_id = None;
        while result_id.is_none() {
            let ev: Value = serde_json::from_str(ws.read().unwrap().to_text().unwrap()).unwrap();
            kinds.push(ev["type"].as_str().unwrap().to_string());
            assert_ne!(ev["type"], "error", "the read failed instead of giving a result: {ev}");
            if ev["type"] == "result" {
                result_id = Some(ev["id"].as_str().unwrap().to_string());
                assert_eq!(ev["status"], "verified");
            }
        }
        assert!(kinds.iter().filter(|k| *k == "progress").count() >= 5, "{kinds:?}");
        // Events never carry personal data.
        (h.join().unwrap(), result_id.unwrap())
    });
    assert_eq!(reader.0.0, 200);
    assert_eq!(reader.0.1["id"], reader.1.as_str());
}

#[test]
fn refuses_to_listen_beyond_loopback_without_the_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
        .args(["serve", "--listen", "0.0.0.0", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
}

#[test]
fn wrong_access_keys_back_off_per_reader_and_a_right_key_clears_it() {
    let s = start(&[]);
    // First wrong key: refused by the chip (422); the reader now waits a second.
    let (code, body) = s.read(r#"{"can":"654321"}"#);
    assert_eq!(code, 422, "{body}");
    assert_eq!(body["error"], "access_denied");
    let (code, body) = s.read(r#"{"can":"654321"}"#);
    assert_eq!(code, 429, "an immediate retry is held back: {body}");
    assert_eq!(body["error"], "too_many_attempts");
    // After the wait the chip is asked again; a second wrong key doubles the wait.
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(s.read(r#"{"can":"654321"}"#).0, 422);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(s.read(r#"{"can":"012345"}"#).0, 429, "still inside the 2 s back-off");
    std::thread::sleep(Duration::from_millis(1000));
    let (code, body) = s.read(r#"{"can":"012345"}"#);
    assert_eq!(code, 200, "{body}");
    // The right key cleared the count: a wrong one now waits only a second again.
    assert_eq!(s.read(r#"{"can":"654321"}"#).0, 422);
    assert_eq!(s.read(r#"{"can":"012345"}"#).0, 429);
    assert_eq!(cancuoc_bridge::api::back_off(1), Duration::from_secs(1));
    assert_eq!(cancuoc_bridge::api::back_off(3), Duration::from_secs(4));
    assert_eq!(cancuoc_bridge::api::back_off(30), Duration::from_secs(60));
}

#[test]
fn malformed_bodies_get_400_and_the_server_keeps_serving() {
    let s = start(&[]);
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        br#"{"can":123456}"#.to_vec(),
        br#"{"can":"12345"}"#.to_vec(),
        br#"{"unknown":1}"#.to_vec(),
        br#"{"id_number":"07919501234"}"#.to_vec(),
        br#"{"date_of_birth":"31/02/1995","date_of_expiry":"15/03/2035","id_number":"079195012345"}"#.to_vec(),
        "{\"can\":\"\u{0}\u{ffff}\"}".as_bytes().to_vec(),
        vec![0xFF; 64],
    ];
    for _ in 0..100 {
        // xorshift: random bytes of random length, some JSON-looking.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 300) as usize;
        let mut b: Vec<u8> = (0..len).map(|i| (seed.rotate_left(i as u32 % 64) & 0xFF) as u8).collect();
        if seed.is_multiple_of(3) {
            b.insert(0, b'{');
        }
        bodies.push(b);
    }
    for b in &bodies {
        let mut r = agent()
            .post(format!("{}/v1/read", s.url))
            .header("Authorization", format!("Bearer {}", s.token))
            .header("Content-Type", "application/json")
            .send(&b[..])
            .unwrap();
        let code = r.status().as_u16();
        let _ = r.body_mut().read_to_string();
        assert!(code == 400 || code == 422, "body {:?} got {code}", String::from_utf8_lossy(b));
    }
    // Bodies over the limit are refused without being read into memory.
    let big = vec![b' '; 2 * 1024 * 1024];
    let r = agent()
        .post(format!("{}/v1/read", s.url))
        .header("Authorization", format!("Bearer {}", s.token))
        .header("Content-Type", "application/json")
        .send(&big[..]);
    assert!(r.map(|r| r.status().as_u16() == 413).unwrap_or(true));
    assert_eq!(s.read(r#"{"can":"012345"}"#).0, 200, "still serving");
}
