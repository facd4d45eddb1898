//! The example HIS page (docs/example/his.html) in headless Chromium against a running
//! `cancuoc serve`: served from an allowed origin it reads and shows a verified card; served from
//! another origin the browser is refused and the page says it could not connect.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};

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
    let token_file = dir.path().join("token");
    let mut server = Guard(
        Command::new(env!("CARGO_BIN_EXE_cancuoc"))
            .args([
                "serve",
                "--simulated",
                "--port",
                "0",
                "--allow-origin",
                &allowed,
                "--token-file",
                token_file.to_str().unwrap(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let api = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_string();
    let token = std::fs::read_to_string(&token_file).unwrap();
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

/// Kills the server when dropped, panics included (so it never holds the test output pipe).
struct Guard(std::process::Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
