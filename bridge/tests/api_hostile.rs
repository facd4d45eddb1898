//! `cancuoc serve` under hostile and careless clients, over real sockets (issue 37): what an
//! attacker with a stolen token, a hostile web page or a careless hospital system would try, and
//! the answer each gets. The table of these is in docs/reliability.md.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;

const ALLOWED: &str = "http://his.local";

/// `cancuoc serve --simulated` (tests/common) with the allowed origin; its address as
/// `host:port` for raw sockets.
struct Server {
    addr: String,
    token: String,
    dir: tempfile::TempDir,
    _serve: common::Serve,
}

fn start(extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().expect("tmp");
    let mut args = vec!["--allow-origin", ALLOWED];
    args.extend(extra);
    let serve = common::Serve::start(dir.path(), &args, &[]);
    let addr = serve.url.trim_start_matches("http://").trim_end_matches('/').to_string();
    Server { addr, token: serve.token.clone(), dir, _serve: serve }
}

/// One raw HTTP/1.1 exchange (`Connection: close`): (status, headers in lower case, body).
fn raw(s: &Server, request: &[u8]) -> (u16, String, Vec<u8>) {
    let mut c = TcpStream::connect(&s.addr).expect("connect");
    c.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    c.write_all(request).expect("write");
    let mut out = Vec::new();
    let _ = c.read_to_end(&mut out);
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").expect("a full answer");
    let head = String::from_utf8_lossy(&out[..split]).to_lowercase();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("status");
    let mut body = out[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = unchunk(&body);
    }
    (status, head, body)
}

fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(nl) = b.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap_or("0").trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + n]);
        b = &b[nl + 2 + n + 2..];
    }
    out
}

/// A request with the token in the header and a loopback Host.
fn req(s: &Server, method: &str, path: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        s.addr,
        s.token,
        body.len()
    )
    .into_bytes()
}

fn post(s: &Server, path: &str, body: &Value) -> (u16, Value) {
    let (code, _, b) = raw(s, &req(s, "POST", path, "", &body.to_string()));
    (code, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

fn read_ok(s: &Server, variant: &str) -> String {
    let (code, v) = post(s, "/v1/read", &json!({ "variant": variant, "id_number": "079195012345" }));
    assert_eq!(code, 200, "{v}");
    v["id"].as_str().expect("id").to_string()
}

/// Point 1: Only readers the server found or was given are opened: a path, a device, a directory, a
/// FIFO nobody reads (opening it would hang) or nonsense all get the same 400.
#[test]
fn only_readers_the_server_knows_are_opened_and_every_other_name_gets_one_answer() {
    let s = start(&[]);
    let fifo = s.dir.path().join("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let names = [
        "usb:/etc/shadow".to_string(),
        "usb:/nonexistent".into(),
        "usb:/tmp".into(),
        "usb:/dev/pts/0".into(),
        format!("usb:{}", fifo.display()),
        "no such reader".into(),
    ];
    let mut answers = Vec::new();
    for n in &names {
        let started = Instant::now();
        let (code, v) = post(&s, "/v1/read", &json!({ "reader": n, "id_number": "079195012345" }));
        assert_eq!(code, 400, "{n}: {v}");
        assert!(started.elapsed() < Duration::from_secs(10), "{n}: nothing was opened");
        answers.push(v);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "one answer for every unknown name: {answers:?}");
    assert_eq!(answers[0]["error"], "unknown_reader");
    assert!(!answers[0].to_string().contains("typewriter") && !answers[0].to_string().contains("shadow"));
}

/// Point 2: Connections are bounded and timed: more idle connections than the cap, and a fresh
/// request still gets its answer (idle ones are closed after the header timeout).
#[test]
fn more_idle_connections_than_the_cap_do_not_starve_a_fresh_request() {
    // Both timeouts short (the body's default, 20 s, made this the test run's longest wait).
    let s = start(&["--max-connections", "16", "--header-timeout-secs", "1", "--body-timeout-secs", "2"]);
    let idle: Vec<TcpStream> = (0..64).filter_map(|_| TcpStream::connect(&s.addr).ok()).collect();
    assert!(idle.len() >= 40, "{} idle connections opened", idle.len());
    let started = Instant::now();
    let (code, head, _) = raw(&s, &req(&s, "GET", "/v1/readers", "", ""));
    assert_eq!(code, 200, "{head}");
    assert!(started.elapsed() < Duration::from_secs(60), "answered while {} idle connections stay open", idle.len());
    // An idle connection is closed by the server once its header time is over.
    let mut one = idle.into_iter().next().expect("one");
    one.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let mut buf = [0u8; 16];
    assert_eq!(one.read(&mut buf).unwrap_or(0), 0, "the idle connection was closed");
    // A slow body: the headers arrive, the body never does — 408 in our JSON.
    let mut slow = TcpStream::connect(&s.addr).expect("connect");
    let head = format!(
        "POST /v1/address HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Length: 100\r\n\r\n{{",
        s.addr, s.token
    );
    slow.write_all(head.as_bytes()).expect("write");
    slow.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    let mut out = Vec::new();
    let _ = slow.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 408") && text.contains("body_timeout"), "{text}");
}

/// Point 3: The reader belongs to the card session: a client that disconnects mid-read does not free
/// it before the session has ended, and a wrong key abandoned before the chip answered counts.
#[test]
fn a_vanished_client_neither_frees_the_reader_early_nor_escapes_the_wrong_key_count() {
    let s = start(&["--simulated-latency-ms", "200"]);
    let body = json!({ "id_number": "079195012345" }).to_string();
    let mut a = TcpStream::connect(&s.addr).expect("connect");
    a.write_all(&req(&s, "POST", "/v1/read", "", &body)).expect("write");
    std::thread::sleep(Duration::from_millis(400));
    drop(a);
    let (code, v) = post(&s, "/v1/read", &json!({ "id_number": "079195012345" }));
    assert_eq!(code, 409, "the first session still holds the reader: {v}");
    assert_eq!(v["error"], "reader_busy");
    // The session ends (cancelled at its next command); the reader is free again — after the
    // back-off, since the abandoned attempt had not been accepted by the chip yet (it counts).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (code, v) = post(&s, "/v1/read", &json!({ "id_number": "079195012345", "variant": "rsa" }));
        if code == 200 {
            break;
        }
        assert!(code == 409 || code == 429, "{v}");
        assert!(Instant::now() < deadline, "the reader was never released");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A wrong key sent and abandoned after 50 ms, before the chip answered: it counts.
    let wrong = json!({ "id_number": "079195099999" }).to_string();
    let mut b = TcpStream::connect(&s.addr).expect("connect");
    b.write_all(&req(&s, "POST", "/v1/read", "", &wrong)).expect("write");
    std::thread::sleep(Duration::from_millis(50));
    drop(b);
    let deadline = Instant::now() + Duration::from_secs(30);
    let v = loop {
        let (code, v) = post(&s, "/v1/read", &json!({ "id_number": "079195012345" }));
        if code != 409 {
            assert_eq!(code, 429, "the abandoned attempt was counted: {v}");
            break v;
        }
        assert!(Instant::now() < deadline, "the reader was never released");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(v["error"], "too_many_attempts");
}

/// Point 4: Forms render off the async workers: while eight forms with long typed fields render, a
/// cheap request is answered before the first of them is done (order, not speed; before, it
/// waited for a worker to finish a PDF, on every try). Up to three tries: on a loaded machine the
/// cheap request's thread can be scheduled late once (seen in CI on 7 December 2026, with two
/// builds running beside the tests); the old code, whose workers were all rendering, fails each.
#[test]
fn a_cheap_request_is_answered_while_eight_forms_render() {
    let s = start(&[]);
    let id = read_ok(&s, "rsa");
    let long = "Đề nghị đăng ký thường trú tại địa chỉ mới cùng các thành viên trong hộ gia đình. ".repeat(22);
    let mid = "Nguyễn Văn Một Hai Ba Bốn Năm Sáu Bảy Tám Chín Mười ".repeat(6);
    let body = json!({ "read_ids": [id], "consent": ["required"], "values": {
        "request": long, "kinh_gui": "Công an phường Hoàn Kiếm", "head_name": mid, "head_relation": mid, "email": mid } })
    .to_string();
    let s = std::sync::Arc::new(s);
    let mut tries = Vec::new();
    for _ in 0..3 {
        let forms: Vec<_> = (0..8)
            .map(|_| {
                let (s, body) = (s.clone(), body.clone());
                std::thread::spawn(move || {
                    let (code, _, _) = raw(&s, &req(&s, "POST", "/v1/forms/ct01", "", &body));
                    assert_eq!(code, 200);
                    Instant::now()
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(5));
        let asked = Instant::now();
        let (code, _, _) = raw(&s, &req(&s, "GET", &format!("/v1/read/{id}"), "", ""));
        let cheap_done = Instant::now();
        assert_eq!(code, 200);
        let first_form = forms.into_iter().map(|f| f.join().expect("form")).min().expect("eight");
        if cheap_done < first_form {
            return;
        }
        tries.push((cheap_done - asked, first_form.saturating_duration_since(asked)));
    }
    panic!("the cheap request waited for a form to render, three times (its time, the first form's): {tries:?}");
}

/// Point 5: Strict input: a key given twice, an unknown field, a non-ASCII or short ID number, an
/// impossible date, an overlong or direction-flipping name — 400, nothing sent; a read that is
/// not verified sends nothing to the insurer unless an override is stated with a reason, and its
/// check-in row names the problem.
#[test]
fn every_input_is_checked_and_unverified_chip_data_is_not_passed_on() {
    let s = start(&[]);
    let base = json!({ "consent": true, "id_number": "079195012345", "full_name": "Nguyễn Thị Thu Hà", "date_of_birth": "15/03/1995" });
    // The same key twice: refused before anything reads it.
    let twice =
        r#"{"consent":false,"consent":true,"id_number":"079195012345","full_name":"A","date_of_birth":"15/03/1995"}"#;
    let (code, _, b) = raw(&s, &req(&s, "POST", "/v1/bhyt", "", twice));
    assert_eq!(code, 400, "{}", String::from_utf8_lossy(&b));
    assert!(String::from_utf8_lossy(&b).contains("given twice"));
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let bad = [
        with("extra", json!(1)),
        with("id_number", json!("０７９１９５０１２３４５")),
        with("id_number", json!("07919501234a")),
        with("date_of_birth", json!("31/02/1995")),
        with("full_name", json!("A".repeat(15_000))),
        with("full_name", json!("Nguyễn\u{202E}Hà")),
        with("full_name", json!("Nguyễn\u{0007}Hà")),
    ];
    for b in &bad {
        let (code, v) = post(&s, "/v1/bhyt", b);
        assert!(code == 400 || code == 413, "{code} {v} for {}", b.to_string().chars().take(120).collect::<String>());
    }
    for path in ["/v1/evidence", "/v1/checkin", "/v1/address"] {
        let (code, v) = post(&s, path, &json!({ "read_id": "x", "text": "x", "consent": true, "nonsense": 1 }));
        assert_eq!(code, 400, "{path}: unknown field: {v}");
    }
    // A forged card's read: its name is not sent to the insurer without a stated override.
    let forged = read_ok(&s, "tampered-dg13");
    let (code, v) = post(&s, "/v1/bhyt", &json!({ "consent": true, "read_id": forged }));
    assert_eq!((code, v["error"].as_str()), (409, Some("not_verified")), "{v}");
    let (code, v) = post(
        &s,
        "/v1/bhyt",
        &json!({ "consent": true, "read_id": forged, "override_unverified": true, "override_reason": "đã đối chiếu hộ chiếu" }),
    );
    assert_eq!(code, 200, "with the reason stated: {v}");
    // Its check-in row names the problem.
    let (code, v) = post(&s, "/v1/checkin", &json!({ "read_id": forged, "visit": { "ma_cskcb": "01001" } }));
    assert_eq!(code, 422, "{v}");
    assert!(v["problems"][0]["problem"].as_str().is_some_and(|p| p.contains("not verified")), "{v}");
    // A non-character in a service name is refused (the XML writer also replaces it).
    let ok = read_ok(&s, "rsa");
    let (code, v) = post(
        &s,
        "/v1/checkin",
        &json!({ "read_id": ok, "visit": { "ma_cskcb": "01001", "ten_dich_vu": "Khám\u{FFFE}" } }),
    );
    assert_eq!(code, 400, "{v}");
}

/// Point 6: The browser edge: the token only in the header (the WebSocket aside), the Host this
/// server's, one readable Origin, CORS answers that expose the documented headers and answer
/// private-network preflights, nothing cached, errors in the documented JSON.
#[test]
fn the_browser_edge_holds() {
    let s = start(&[]);
    let id = read_ok(&s, "rsa");
    let plain = |path: &str, extra: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{extra}\r\n", s.addr).into_bytes()
    };
    // ?token= is for the WebSocket only.
    let (code, _, _) = raw(&s, &plain(&format!("/v1/read/{id}?token={}", s.token), ""));
    assert_eq!(code, 401);
    // A DNS-rebinding page knows the token but not our Host.
    let auth = format!("Authorization: Bearer {}\r\n", s.token);
    let evil = format!("GET /v1/read/{id} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n{auth}\r\n");
    let (code, _, b) = raw(&s, evil.as_bytes());
    assert_eq!(code, 421, "{}", String::from_utf8_lossy(&b));
    for host in ["localhost", "127.0.0.1", &s.addr] {
        let ok = format!("GET /v1/read/{id} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{auth}\r\n");
        assert_eq!(raw(&s, ok.as_bytes()).0, 200, "Host {host}");
    }
    // Two Origins, an unreadable one: refused (never "absent").
    let two = format!("{auth}Origin: {ALLOWED}\r\nOrigin: http://evil.example\r\n");
    assert_eq!(raw(&s, &plain(&format!("/v1/read/{id}"), &two)).0, 400);
    let mut unreadable = plain(&format!("/v1/read/{id}"), &auth);
    let at = unreadable.len() - 2;
    unreadable.splice(at..at, b"Origin: http://h\xffis.local\r\n".iter().copied());
    assert_eq!(raw(&s, &unreadable).0, 400);
    // The allowed origin: its answers expose the documented headers, and nothing is cached.
    let (code, head, _) = raw(&s, &plain(&format!("/v1/read/{id}"), &format!("{auth}Origin: {ALLOWED}\r\n")));
    assert_eq!(code, 200);
    assert!(
        head.contains("access-control-expose-headers: content-disposition, retry-after, x-cancuoc-filled"),
        "{head}"
    );
    assert!(head.contains("cache-control: no-store"), "{head}");
    // Chrome's private-network preflight from the allowed origin.
    let pre = format!(
        "OPTIONS /v1/read HTTP/1.1\r\nHost: {}\r\nOrigin: {ALLOWED}\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Private-Network: true\r\nConnection: close\r\n\r\n",
        s.addr
    );
    let (code, head, _) = raw(&s, pre.as_bytes());
    assert_eq!(code, 204);
    assert!(head.contains("access-control-allow-private-network: true"), "{head}");
    // 405 and 413 in the documented JSON.
    let (code, _, b) = raw(&s, &req(&s, "GET", "/v1/read", "", ""));
    let v: Value = serde_json::from_slice(&b).unwrap_or(Value::Null);
    assert_eq!((code, v["error"].as_str()), (405, Some("method_not_allowed")), "{}", String::from_utf8_lossy(&b));
    let big = format!("{{\"text\":\"{}\"}}", "a".repeat(20_000));
    let (code, _, b) = raw(&s, &req(&s, "POST", "/v1/address", "", &big));
    let v: Value = serde_json::from_slice(&b).unwrap_or(Value::Null);
    assert_eq!((code, v["error"].as_str()), (413, Some("too_large")), "{}", String::from_utf8_lossy(&b));
    assert!(v["message"].is_string());
}

/// Points 6 and 7: At start: `null` or a malformed origin is refused; a token file others can read, or a
/// weak token, is refused with the fix; a new token file is owner-only.
#[test]
fn bad_origins_and_loose_or_weak_token_files_are_refused_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tmp");
    let token = dir.path().join("token");
    let serve = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
            .args(["serve", "--simulated", "--port", "0", "--token-file", token.to_str().expect("utf-8")])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve");
        // A refusal exits at once; a server that starts is stopped after a moment.
        let started = Instant::now();
        let mut child = out;
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                let mut err = String::new();
                let _ = child.stderr.take().expect("stderr").read_to_string(&mut err);
                return (status.code(), err);
            }
            if started.elapsed() > Duration::from_secs(3) {
                let _ = child.kill();
                let _ = child.wait();
                return (None, String::new());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    for origin in ["null", "http://his.local/", "his.local", "http://his.local/path", "HTTP://HIS.LOCAL"] {
        let (code, err) = serve(&["--allow-origin", origin]);
        assert_eq!(code, Some(2), "{origin}: {err}");
        assert!(err.contains("--allow-origin"), "{err}");
    }
    // A new token file: made owner-only.
    let (code, _) = serve(&[]);
    assert_eq!(code, None, "started");
    let mode = std::fs::metadata(&token).expect("token").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Loosened by someone: refused with the fix.
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let (code, err) = serve(&[]);
    assert_ne!(code, None, "refused");
    assert!(err.contains("chmod 600"), "{err}");
    // A weak token: refused, with the fix.
    std::fs::write(&token, "1234").expect("write");
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let (code, err) = serve(&[]);
    assert_ne!(code, None, "refused");
    assert!(err.contains("weak") && err.contains("delete the file"), "{err}");
}
