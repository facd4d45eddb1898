//! `cancuoc` against a real PC/SC stack: pcscd with the vsmartcard vpcd driver, the simulated chip
//! inserted into the "Virtual PCD" reader as a vpcd client. A full verified read, the reader
//! listing, a card pulled away mid-read, and a read after putting it back.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use cancuoc_bridge::transport::pcsc;
use cancuoc_sim::vpcd::{self, VPCD_PORT};
use cancuoc_sim::{Fault, simulated_card};
use serde_json::Value;

mod common;
use common::Serve;

const READER: &str = "Virtual PCD 00 00";

/// The tests share pcscd and the vpcd port: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The trust store the reads use: the test CSCA imported with `cancuoc trust import`.
static TRUST: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();

fn cancuoc(args: &[&str]) -> (i32, String, String) {
    let dir = TRUST.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        let csca = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/pki/csca-rsa.cer");
        let ok = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
            .args(["trust", "import", csca])
            .env("CANCUOC_TRUST_DIR", d.path())
            .status()
            .unwrap();
        assert!(ok.success());
        d
    });
    let out = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
        .args(args)
        .env("CANCUOC_TRUST_DIR", dir.path())
        .output()
        .expect("cancuoc runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A child process killed when dropped, panics included, so a failing test never leaves a daemon
/// holding the test runner's output pipe open.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts pcscd when it is not already serving (CI runs as root; the test command installs it).
fn ensure_pcscd() -> Option<Guard> {
    if pcsc::readers().is_ok_and(|r| r.iter().any(|x| x.name == READER)) {
        return None;
    }
    let child = Guard(
        Command::new("pcscd")
            .arg("--foreground")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("pcscd is installed (apt-get install pcscd vsmartcard-vpcd)"),
    );
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if pcsc::readers().is_ok_and(|r| r.iter().any(|x| x.name == READER)) {
            return Some(child);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(child);
    panic!("pcscd did not list {READER:?} within 15 s (is vsmartcard-vpcd installed?)");
}

fn wait_card(present: bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if pcsc::readers().is_ok_and(|r| r.iter().any(|x| x.name == READER && x.card_present == present)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("card present = {present} not seen on {READER:?}");
}

const KEY: [&str; 6] = ["--id-number", "079195012345", "--dob", "15/03/1995", "--expiry", "15/03/2035"];

#[test]
fn reads_and_verifies_through_pcscd_and_vpcd() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let _daemon = ensure_pcscd();

    // A full verified read through the daemon.
    let card = vpcd::insert(simulated_card("rsa").unwrap(), VPCD_PORT).expect("vpcd port reachable");
    wait_card(true);
    let (code, out, _) = cancuoc(&["readers"]);
    assert_eq!(code, 0);
    assert!(out.contains(&format!("{READER}  (card present")), "{out}");
    let mut args = vec!["read", "--reader", READER, "--json"];
    args.extend(KEY);
    let (code, out, err) = cancuoc(&args);
    assert_eq!(code, 0, "{out}\n{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["status"], "verified");
    assert_eq!(j["person"]["full_name"], "Nguyễn Thị Thu Hà");
    // The ID number's last 6 digits opened the chip by PACE (the dates stay for a BAC fallback).
    assert_eq!(j["checks"]["access"]["pace"]["password"], "can");
    // Without --reader: the first reader with a card; and the CAN.
    let (code, out, _) = cancuoc(&["read", "--can", "012345"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("✔ CHIP ĐÃ XÁC THỰC"), "{out}");
    assert!(out.contains(&format!("Đầu đọc / reader: {READER}")), "{out}");
    card.remove();
    wait_card(false);

    // A T=0 card: short APDUs only, answers fetched with GET RESPONSE (61xx) through pcscd.
    let card = vpcd::insert_with_atr(simulated_card("rsa").unwrap().t0(), VPCD_PORT, &vpcd::ATR_T0).unwrap();
    wait_card(true);
    let mut args = vec!["read", "--reader", READER, "--json"];
    args.extend(KEY);
    let (code, out, err) = cancuoc(&args);
    assert_eq!(code, 0, "{out}\n{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["status"], "verified");
    let chip = card.remove();
    wait_card(false);
    let get_responses = chip.log.iter().filter(|(c, _)| c.get(1) == Some(&0xC0)).count();
    assert!(get_responses > 20, "{get_responses} GET RESPONSE");
    assert!(chip.log.iter().all(|(c, _)| c.len() <= 261), "only short APDUs on T=0");

    // No card on the reader: exit 4 with the fix.
    let mut args = vec!["read", "--reader", READER];
    args.extend(KEY);
    let (code, _, err) = cancuoc(&args);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("place the card on the reader"), "{err}");

    // The card is pulled away in the middle of DG2.
    let mut chip = simulated_card("rsa").unwrap();
    chip.inject(11, Fault::Remove); // SELECT MF, EF.CardAccess, PACE (5), SELECT app, COM, SOD, DG1, DG2
    let card = vpcd::insert(chip, VPCD_PORT).unwrap();
    wait_card(true);
    let mut args = vec!["read", "--reader", READER, "--json"];
    args.extend(KEY);
    let (code, out, err) = cancuoc(&args);
    assert_eq!(code, 4, "{out}\n{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["error"], "no_card");
    assert_eq!(j["retryable"], true);
    assert!(j["files_read"]["EF.SOD"].as_u64().unwrap() > 0, "{j}");
    // The virtual card's thread ends once pcscd has seen it leave; the CLI may exit first.
    let gone_by = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !card.is_gone() && std::time::Instant::now() < gone_by {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(card.is_gone(), "the card left the virtual reader");
    let _ = card.remove();
    wait_card(false);

    // Put back on the reader: the read completes.
    let card = vpcd::insert(simulated_card("rsa").unwrap(), VPCD_PORT).unwrap();
    wait_card(true);
    let (code, out, _) = cancuoc(&args);
    assert_eq!(code, 0, "{out}");
    card.remove();
}

/// The API's event stream reports a card put on and taken off the virtual reader.
#[test]
fn api_events_follow_the_card_on_the_reader() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let _daemon = ensure_pcscd();
    let _ = cancuoc(&["readers"]); // prepares the trust store
    let dir = tempfile::tempdir().unwrap();
    let server = Serve::start_readers(dir.path(), &[], &[("CANCUOC_TRUST_DIR", dir.path().as_os_str())]);
    let (api, token) = (server.ws_url(), server.token.clone());
    let (mut ws, _) = tungstenite::connect(format!("{api}/v1/events?token={}", token.trim())).unwrap();
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    }
    let mut next = |want: &str| loop {
        let ev: Value = serde_json::from_str(ws.read().expect("event in time").to_text().unwrap()).unwrap();
        if ev["type"] == want {
            return ev;
        }
    };
    next("hello");
    std::thread::sleep(Duration::from_millis(1200)); // the watcher's first look
    let card = vpcd::insert(simulated_card("rsa").unwrap(), VPCD_PORT).unwrap();
    assert_eq!(next("card_present")["reader"], READER);
    card.remove();
    assert_eq!(next("card_removed")["reader"], READER);
    drop(server);
}

#[test]
fn a_reader_that_cannot_carry_extended_apdus_is_read_with_short_ones() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let _daemon = ensure_pcscd();
    // ACR122U-class readers: their own 6700 to an extended command, or an answer cut at 256 bytes.
    for kind in [vpcd::ReaderKind::RefusesExtended, vpcd::ReaderKind::CutsLongAnswers] {
        let card = vpcd::insert_with(simulated_card("rsa").unwrap(), VPCD_PORT, &vpcd::ATR, kind).unwrap();
        wait_card(true);
        let mut args = vec!["read", "--reader", READER, "--json"];
        args.extend(KEY);
        let (code, out, err) = cancuoc(&args);
        assert_eq!(code, 0, "{kind:?}: {out}\n{err}");
        let j: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(j["status"], "verified", "{kind:?}");
        assert_eq!(j["link"]["short_apdu_fallback"], true, "{kind:?}");
        assert_eq!(j["person"]["full_name"], "Nguyễn Thị Thu Hà");
        let mut args = vec!["read", "--reader", READER];
        args.extend(KEY);
        let (code, out, _) = cancuoc(&args);
        assert_eq!(code, 0);
        assert!(out.contains("cannot carry extended-length APDUs: read with short ones"), "{out}");
        card.remove();
        wait_card(false);
    }
    // A reader that carries them: no fallback.
    let card = vpcd::insert(simulated_card("rsa").unwrap(), VPCD_PORT).unwrap();
    wait_card(true);
    let mut args = vec!["read", "--reader", READER, "--json"];
    args.extend(KEY);
    let (_, out, _) = cancuoc(&args);
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["link"]["short_apdu_fallback"], false);
    card.remove();
}
