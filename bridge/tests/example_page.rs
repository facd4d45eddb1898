//! The example HIS page (docs/example/his.html) in headless Chromium against a running
//! `cancuoc serve`: served from an allowed origin it reads and shows a verified card; served from
//! another origin the browser is refused and the page says it could not connect.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};

mod common;
use common::Serve;

const PAGE: &str = include_str!("../../docs/example/his.html");

/// Serves the page on a free port; returns the port.
fn serve_page() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let body = PAGE.as_bytes();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(body);
        }
    });
    port
}

fn chromium(url: &str, profile: &std::path::Path) -> String {
    let out = Command::new("chromium")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
            "--virtual-time-budget=20000",
            "--dump-dom",
            url,
        ])
        .output()
        .expect("chromium is installed (the test command installs Debian's chromium)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_example_page_reads_a_card_only_from_an_allowed_origin() {
    let page_port = serve_page();
    let allowed = format!("http://127.0.0.1:{page_port}");
    let dir = tempfile::tempdir().unwrap();
    let server = Serve::start(dir.path(), &["--allow-origin", &allowed], &[]);
    let (api, token) = (server.url.clone(), server.token.clone());
    let fragment = format!("#token={}&api={api}&can=012345&auto=1", token.trim());

    let dom = chromium(&format!("{allowed}/his.html{fragment}"), &dir.path().join("p1"));
    assert!(dom.contains("✔ CHIP ĐÃ XÁC THỰC"), "{dom}");
    assert!(dom.contains("Nguyễn Thị Thu Hà"), "{dom}");
    assert!(dom.contains("079195012345"), "{dom}");

    // The same page from another origin (localhost is not 127.0.0.1): the browser gets no card.
    let dom = chromium(&format!("http://localhost:{page_port}/his.html{fragment}"), &dir.path().join("p2"));
    assert!(!dom.contains("Nguyễn Thị Thu Hà"), "{dom}");
    assert!(dom.contains("Không kết nối được với cancuoc"), "{dom}");

    drop(server);
}
