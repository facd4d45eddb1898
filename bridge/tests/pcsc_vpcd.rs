//! `cancuoc` against a real PC/SC stack: pcscd with the vsmartcard vpcd driver, the simulated chip
//! inserted into the "Virtual PCD" reader as a vpcd client. A full verified read, the reader
//! listing, a card pulled away mid-read, and a read after putting it back.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use cancuoc_bridge::pcsc_reader;
use cancuoc_sim::vpcd::{self, VPCD_PORT};
use cancuoc_sim::{Fault, simulated_card};
use serde_json::Value;

const READER: &str = "Virtual PCD 00 00";

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

/// Starts pcscd when it is not already serving (CI runs as root; the test command installs it).
fn ensure_pcscd() -> Option<Child> {
    if pcsc_reader::readers().is_ok_and(|r| r.iter().any(|x| x.name == READER)) {
        return None;
    }
    let child = Command::new("pcscd")
        .arg("--foreground")
        .spawn()
        .expect("pcscd is installed (apt-get install pcscd vsmartcard-vpcd)");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if pcsc_reader::readers().is_ok_and(|r| r.iter().any(|x| x.name == READER)) {
            return Some(child);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut child = child;
    let _ = child.kill();
    let _ = child.wait();
    panic!("pcscd did not list {READER:?} within 15 s (is vsmartcard-vpcd installed?)");
}

fn wait_card(present: bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if pcsc_reader::readers().is_ok_and(|r| r.iter().any(|x| x.name == READER && x.card_present == present)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("card present = {present} not seen on {READER:?}");
}

const KEY: [&str; 6] = ["--id-number", "079195012345", "--dob", "15/03/1995", "--expiry", "15/03/2035"];

#[test]
fn reads_and_verifies_through_pcscd_and_vpcd() {
    let mut daemon = ensure_pcscd();

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
    assert_eq!(j["checks"]["access"]["pace"]["password"], "mrz");
    // Without --reader: the first reader with a card; and the CAN.
    let (code, out, _) = cancuoc(&["read", "--can", "123456"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("✔ CHIP ĐÃ XÁC THỰC"), "{out}");
    assert!(out.contains(&format!("Đầu đọc / reader: {READER}")), "{out}");
    card.remove();
    wait_card(false);

    // No card on the reader: exit 4 with the fix.
    let mut args = vec!["read", "--reader", READER];
    args.extend(KEY);
    let (code, _, err) = cancuoc(&args);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("place the card on the reader"), "{err}");

    // The card is pulled away in the middle of DG2.
    let mut chip = simulated_card("rsa").unwrap();
    chip.inject(18, Fault::Remove);
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
    assert!(card.is_gone());
    let _ = card.remove();
    wait_card(false);

    // Put back on the reader: the read completes.
    let card = vpcd::insert(simulated_card("rsa").unwrap(), VPCD_PORT).unwrap();
    wait_card(true);
    let (code, out, _) = cancuoc(&args);
    assert_eq!(code, 0, "{out}");
    card.remove();

    if let Some(d) = daemon.as_mut() {
        let _ = d.kill();
        let _ = d.wait();
    }
}
