//! The USB reader path end to end: the reader's firmware logic (cancuoc-reader's Device, as on
//! the board) runs on this PC behind a pseudo-terminal pair in front of the simulated chip; the
//! bridge opens the other end exactly as it opens /dev/ttyACM0 — serialport, framing, the
//! PC's own re-verification, cancel, unplug and reconnect, doctor, and pushing the trust store.
//!
//! Long on purpose: one test binary per area is linked once; split into several it would link
//! as many times, which CI pays for on every run (docs/ci.md).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cancuoc_bridge::transport::usb::{self, UsbError, UsbReader};
use cancuoc_core::verdict::ActiveAuthStatus;
use cancuoc_link::{AccessKey, ErrorCode, HostMsg, ReadRequest, ReaderMsg};
use cancuoc_sim::usb_reader::{ReaderOptions, pty_pair, serve};
use cancuoc_sim::{Pki, SimChip, simulated_card};

mod common;
use common::Serve;

const NOW: u64 = 1_795_392_000;

/// A simulated reader plugged in: its port is reached through `link`, a symlink like the one
/// the udev rule makes (/dev/cancuoc-reader), so that a re-plugged reader has the same name.
struct Plugged {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Plugged {
    fn new(chip: Arc<Mutex<SimChip>>, options: ReaderOptions, link: &Path) -> Self {
        let (master, pts) = pty_pair().unwrap();
        let _ = std::fs::remove_file(link);
        std::os::unix::fs::symlink(&pts, link).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || serve(master, chip, options, s));
        Self { stop, thread: Some(thread) }
    }
    fn unplug(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Plugged {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn chip(variant: &str) -> Arc<Mutex<SimChip>> {
    Arc::new(Mutex::new(simulated_card(variant).unwrap()))
}

fn trust_dir(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::load();
    for n in names {
        std::fs::write(dir.path().join(format!("{n}.cer")), pki.cert(n)).unwrap();
    }
    dir
}

fn cancuoc(args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cancuoc")).args(args).stdin(Stdio::null()).output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&out.stderr).into())
}

/// `cancuoc read --usb PORT --can 012345 --json --trust-dir TRUST`.
fn read_json(port: &Path, trust: &tempfile::TempDir) -> (i32, serde_json::Value, String) {
    cancuoc(&[
        "read",
        "--usb",
        port.to_str().unwrap(),
        "--can",
        "012345",
        "--json",
        "--trust-dir",
        trust.path().to_str().unwrap(),
    ])
}

fn link(dir: &Path) -> PathBuf {
    dir.join("cancuoc-reader")
}

#[test]
fn a_card_read_through_the_usb_reader_is_verified_again_by_the_pc() {
    let tmp = tempfile::tempdir().unwrap();
    let _reader = Plugged::new(chip("rsa"), ReaderOptions::default(), &link(tmp.path()));
    let trust = trust_dir(&["csca-rsa", "csca-p256", "csca-bp256"]);
    let port = link(tmp.path());
    let (code, j, err) = read_json(&port, &trust);
    assert_eq!(code, 0, "{err}\n{j}");
    assert_eq!(j["verified"], true);
    assert_eq!(j["person"]["full_name"], "Nguyễn Thị Thu Hà");
    assert_eq!(j["reader"]["verified_on_reader"], true);
    assert_eq!(j["reader"]["agrees"], true);
    assert_eq!(j["reader"]["board"], "host");
    assert!(j["reader"]["access"].as_str().unwrap().contains("PACE"), "{j}");
    assert_eq!(j["checks"]["active_authentication"], "passed", "{j}");
}

#[test]
fn a_reader_that_says_verified_does_not_make_a_card_verified() {
    // The reader trusts the rogue CSCA that signed this card's DS; the PC does not.
    let pki = Pki::load();
    let mut options = ReaderOptions::default();
    options.trust.push(pki.cert("csca-rogue"));
    let tmp = tempfile::tempdir().unwrap();
    let _reader = Plugged::new(chip("unknown-csca"), options, &link(tmp.path()));
    let trust = trust_dir(&["csca-rsa", "csca-p256", "csca-bp256"]);
    let port = link(tmp.path());
    let (code, j, err) = read_json(&port, &trust);
    assert_eq!(code, 1, "{err}\n{j}");
    assert_eq!(j["verified"], false);
    assert_eq!(j["reader"]["verified_on_reader"], true, "the reader was fooled");
    assert_eq!(j["reader"]["agrees"], false);
    assert!(j["failures"].as_array().unwrap().iter().any(|f| f["check"] == "certificate_chain"), "{j}");
}

#[test]
fn a_forged_card_over_usb_names_the_altered_group() {
    let tmp = tempfile::tempdir().unwrap();
    let _reader = Plugged::new(chip("tampered-dg13"), ReaderOptions::default(), &link(tmp.path()));
    let trust = trust_dir(&["csca-rsa", "csca-p256", "csca-bp256"]);
    let port = link(tmp.path());
    let (code, j, _) = read_json(&port, &trust);
    assert_eq!(code, 1);
    assert!(
        j["failures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["check"] == "data_group_hash" && f["message"].as_str().unwrap().contains("DG13")),
        "{j}"
    );
    assert_eq!(j["reader"]["verified_on_reader"], false);
}

fn request(challenge: [u8; 8]) -> ReadRequest {
    ReadRequest {
        data_groups: vec![1, 2, 13, 14, 15],
        active_auth: true,
        chip_auth: true,
        now_unix: NOW,
        aa_challenge: Some(challenge),
    }
}

#[test]
fn active_authentication_counts_only_for_the_pcs_own_challenge() {
    let tmp = tempfile::tempdir().unwrap();
    let _reader = Plugged::new(chip("ecdsa-p256"), ReaderOptions::default(), &link(tmp.path()));
    let mut r = UsbReader::open(link(tmp.path()).to_str().unwrap()).unwrap();
    assert_eq!(r.info.trust_count, 3);
    let ours = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
    let read = r.read(AccessKey::Can("012345".into()), request(ours), &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(read.aa_answer.as_ref().map(|a| a.0), Some(ours), "the reader used our challenge");
    let trust = cancuoc_sim::trust_store();
    let good = usb::verify(&read, &trust, NOW, ours);
    assert_eq!(good.verdict.active_auth, ActiveAuthStatus::Passed);
    assert!(good.verdict.is_verified(), "{}", good.verdict.summary());
    // An answer to another challenge (a replay) is worth nothing.
    let replayed = usb::verify(&read, &trust, NOW, [0; 8]);
    assert!(matches!(replayed.verdict.active_auth, ActiveAuthStatus::Failed(_)));
    assert!(!replayed.verdict.is_verified());
    // A chip that cannot sign with the DG15 key fails on the PC too.
    drop(r);
    let tmp2 = tempfile::tempdir().unwrap();
    let _clone = Plugged::new(chip("wrong-aa-key"), ReaderOptions::default(), &link(tmp2.path()));
    let mut r = UsbReader::open(link(tmp2.path()).to_str().unwrap()).unwrap();
    let read = r.read(AccessKey::Can("012345".into()), request(ours), &mut |_| {}, &AtomicBool::new(false)).unwrap();
    let v = usb::verify(&read, &trust, NOW, ours);
    assert!(matches!(v.verdict.active_auth, ActiveAuthStatus::Failed(_)), "{:?}", v.verdict.active_auth);
}

#[test]
fn cancel_stops_the_read_and_the_link_stays_usable() {
    let tmp = tempfile::tempdir().unwrap();
    let options = ReaderOptions { latency: Duration::from_millis(20), ..ReaderOptions::default() };
    let _reader = Plugged::new(chip("rsa"), options, &link(tmp.path()));
    let mut r = UsbReader::open(link(tmp.path()).to_str().unwrap()).unwrap();
    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    let mut progress = 0;
    let result = r.read(
        AccessKey::Can("012345".into()),
        request([1; 8]),
        &mut |_| {
            progress += 1;
            if progress == 3 {
                cancel.store(true, Ordering::Relaxed);
            }
        },
        &cancel,
    );
    assert!(matches!(result, Err(UsbError::Reader { code: ErrorCode::Cancelled, .. })), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Same link, new read: completes.
    let read = r.read(AccessKey::Can("012345".into()), request([2; 8]), &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert!(read.reader_verdict.verified);
    // A wrong key: the reader says so, with its code.
    let e = r.read(AccessKey::Can("000000".into()), request([3; 8]), &mut |_| {}, &AtomicBool::new(false)).unwrap_err();
    assert!(matches!(e, UsbError::Reader { code: ErrorCode::AccessDenied, .. }), "{e:?}");
    assert_eq!(e.kind(), "access_denied");
}

#[test]
fn unplugged_mid_read_the_cli_waits_for_the_reader_and_finishes() {
    let tmp = tempfile::tempdir().unwrap();
    let port = link(tmp.path());
    let card = chip("rsa");
    let slow = ReaderOptions { latency: Duration::from_millis(25), ..ReaderOptions::default() };
    let reader = Plugged::new(card.clone(), slow.clone(), &port);
    let trust = trust_dir(&["csca-rsa", "csca-p256", "csca-bp256"]);
    let child = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
        .args([
            "read",
            "--usb",
            port.to_str().unwrap(),
            "--can",
            "012345",
            "--json",
            "--trust-dir",
            trust.path().to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Unplug once the read is well under way (the card has answered a dozen APDUs).
    let deadline = Instant::now() + Duration::from_secs(30);
    while slow.apdus.load(Ordering::Relaxed) < 12 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(slow.apdus.load(Ordering::Relaxed) >= 12, "the read did not start");
    reader.unplug();
    std::thread::sleep(Duration::from_millis(200));
    card.lock().unwrap().reinsert();
    let _again = Plugged::new(card, slow, &port);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(out.status.code(), Some(0), "{err}\n{j}");
    assert!(err.contains("unplugged"), "{err}");
    assert_eq!(j["verified"], true);
}

#[test]
fn doctor_and_trust_push_talk_to_the_reader() {
    let tmp = tempfile::tempdir().unwrap();
    let port = link(tmp.path());
    let _reader = Plugged::new(chip("rsa"), ReaderOptions { trust: Vec::new(), ..ReaderOptions::default() }, &port);
    let p = port.to_str().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let (_, j, _) = cancuoc(&["doctor", "--json", "--usb", p, "--trust-dir", empty.path().to_str().unwrap()]);
    let checks = j.as_array().unwrap();
    let find = |name: &str| checks.iter().find(|c| c["name"] == name).cloned().unwrap_or_default();
    assert_eq!(find("usb_reader")["level"], "ok", "{j}");
    assert!(find("usb_reader")["finding"].as_str().unwrap().contains("firmware 0.1.0 on host"));
    assert_eq!(find("usb_reader_trust")["level"], "warning");
    assert!(find("usb_reader_trust")["fix"].as_str().unwrap().contains("cancuoc trust push"));

    // Push one CSCA; the reader reports it.
    let trust = trust_dir(&["csca-p256"]);
    let out = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
        .args(["trust", "push", "--usb", p, "--trust-dir", trust.path().to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 CSCA"), "{stdout}");
    let r = UsbReader::open(p).unwrap();
    assert_eq!(r.info.trust_count, 1);
    drop(r);
    // The RSA card's signer is not in the reader's store now, but it is in the PC's: the PC's
    // verdict stands, and the disagreement shows.
    let full = trust_dir(&["csca-rsa", "csca-p256", "csca-bp256"]);
    let (code, j, _) =
        cancuoc(&["read", "--usb", p, "--can", "012345", "--json", "--trust-dir", full.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["reader"]["verified_on_reader"], false);
    assert_eq!(j["reader"]["agrees"], false);

    // `readers` lists it, one line, with firmware and protocol version.
    let out = Command::new(env!("CARGO_BIN_EXE_cancuoc")).args(["readers", "--usb", p]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l.starts_with("usb ")
            && l.contains("cancuoc 0.1.0 on host")
            && l.contains(&format!("link protocol {}", cancuoc_link::PROTOCOL_VERSION))),
        "{text}"
    );
    let (_, j, _) = cancuoc(&["readers", "--json", "--usb", p]);
    assert!(
        j.as_array().unwrap().iter().any(|r| r["kind"] == "usb" && r["protocol"] == cancuoc_link::PROTOCOL_VERSION),
        "{j}"
    );

    // With no reader named and none on USB (this machine has none plugged in): said as such.
    let (_, j, _) = cancuoc(&["doctor", "--json", "--trust-dir", empty.path().to_str().unwrap()]);
    let usb = j.as_array().unwrap().iter().find(|c| c["name"] == "usb_reader").cloned().unwrap();
    assert_eq!(usb["level"], "info", "{usb}");
    assert!(usb["finding"].as_str().unwrap().contains("no cancuoc USB reader is plugged in"), "{usb}");

    // A port with nothing behind it.
    let (_, j, _) = cancuoc(&[
        "doctor",
        "--json",
        "--usb",
        "/dev/nonexistent-cancuoc",
        "--trust-dir",
        empty.path().to_str().unwrap(),
    ]);
    let bad = j.as_array().unwrap().iter().find(|c| c["name"] == "usb_reader" && c["level"] == "problem").cloned();
    assert!(bad.is_some(), "{j}");
    // And `read --usb` on it is a reader error, said plainly.
    let (code, _, err) = cancuoc(&["read", "--usb", "/dev/nonexistent-cancuoc", "--can", "012345"]);
    assert_eq!(code, 5);
    assert!(err.contains("cannot open /dev/nonexistent-cancuoc"), "{err}");
}

#[test]
fn a_reader_with_another_protocol_version_is_told_apart() {
    // A reader from the future: answers the hello with protocol 99.
    let (mut master, pts) = pty_pair().unwrap();
    let t = std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        let mut decoder = cancuoc_link::Decoder::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(n) = master.read(&mut buf) {
                let mut hello = false;
                decoder.feed::<HostMsg>(&buf[..n], |m| hello |= matches!(m, Ok(HostMsg::Hello { .. })));
                if hello {
                    let mut info = cancuoc_link::Info {
                        protocol: 99,
                        firmware: "9.0.0".into(),
                        board: "rp2350".into(),
                        front_end: "PN532 v1.6".into(),
                        max_command: 261,
                        max_response: 258,
                        extended_length: false,
                        trust_count: 0,
                        trust_crc32: 0,
                    };
                    info.trust_count = 1;
                    let _ = master.write_all(&cancuoc_link::encode(&ReaderMsg::Info(info)).unwrap());
                    // Stay plugged in until the bridge has read it.
                    return master;
                }
            }
        }
        master
    });
    let e = UsbReader::open(&pts).err().unwrap();
    assert!(matches!(e, UsbError::Protocol { reader: 99, bridge: cancuoc_link::PROTOCOL_VERSION }), "{e:?}");
    assert!(e.to_string().contains("update the firmware"));
    t.join().unwrap();
    // Something that is not a reader at all stays silent: said so after the hello times out.
    let (_silent, pts) = pty_pair().unwrap();
    let e = UsbReader::open(&pts).err().unwrap();
    assert!(matches!(e, UsbError::NotAReader(_)), "{e:?}");
}

#[test]
fn the_api_reads_through_the_usb_reader() {
    let tmp = tempfile::tempdir().unwrap();
    let port = link(tmp.path());
    let _reader = Plugged::new(chip("ecdsa-p256"), ReaderOptions::default(), &port);
    let trust = trust_dir(&["csca-rsa", "csca-p256", "csca-bp256"]);
    let server = Serve::start_readers(
        tmp.path(),
        &["--usb", port.to_str().unwrap(), "--trust-dir", trust.path().to_str().unwrap()],
        &[],
    );
    let (url, token) = (server.url.clone(), server.token.clone());
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let name = format!("usb:{}", port.display());
    let mut r =
        agent.get(format!("{url}/v1/readers")).header("Authorization", format!("Bearer {token}")).call().unwrap();
    let readers: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert!(
        readers["readers"].as_array().unwrap().iter().any(|x| x["name"] == name && x["kind"] == "usb"),
        "{readers}"
    );
    let body = serde_json::json!({ "reader": name, "can": "012345" }).to_string();
    let mut r = agent
        .post(format!("{url}/v1/read"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(&body)
        .unwrap();
    let status = r.status().as_u16();
    let j: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(status, 200, "{j}");
    assert_eq!(j["report"]["verified"], true, "{j}");
    assert_eq!(j["report"]["reader"]["agrees"], true);
    assert_eq!(j["fhir"]["resourceType"], "Patient");
    // A wrong CAN through the reader: 422 access_denied, as for PC/SC.
    let body = serde_json::json!({ "reader": name, "can": "000000" }).to_string();
    let mut r = agent
        .post(format!("{url}/v1/read"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(&body)
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let j: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(j["error"], "access_denied", "{j}");
}

#[test]
fn a_malformed_frame_gets_an_error_frame_and_the_link_resyncs() {
    let tmp = tempfile::tempdir().unwrap();
    let port = link(tmp.path());
    let _reader = Plugged::new(chip("rsa"), ReaderOptions::default(), &port);
    let mut p = serialport::new(port.to_str().unwrap(), 115_200).timeout(Duration::from_millis(100)).open().unwrap();
    let mut decoder = cancuoc_link::Decoder::new();
    let mut next = |p: &mut Box<dyn serialport::SerialPort>| -> ReaderMsg {
        let deadline = Instant::now() + Duration::from_secs(3);
        let mut buf = [0u8; 256];
        let mut got = None;
        while got.is_none() && Instant::now() < deadline {
            if let Ok(n) = p.read(&mut buf) {
                decoder.feed::<ReaderMsg>(&buf[..n], |m| {
                    if got.is_none() {
                        got = m.ok();
                    }
                });
            }
        }
        got.expect("an answer from the reader")
    };
    // A frame with a wrong CRC, then garbage longer than any frame, each ended by a delimiter.
    let mut bad = cancuoc_link::encode(&HostMsg::GetInfo).unwrap();
    bad[1] ^= 0x40;
    p.write_all(&bad).unwrap();
    assert!(matches!(next(&mut p), ReaderMsg::Error { code: ErrorCode::BadFrame, .. }));
    let mut long = vec![0x55u8; cancuoc_link::MAX_ENCODED + 10];
    long.push(0);
    p.write_all(&long).unwrap();
    assert!(matches!(next(&mut p), ReaderMsg::Error { code: ErrorCode::FrameTooLong, .. }));
    // The next good frame is answered.
    p.write_all(&cancuoc_link::encode(&HostMsg::GetInfo).unwrap()).unwrap();
    assert!(matches!(next(&mut p), ReaderMsg::Info(_)));
}

#[test]
fn the_usb_reader_falls_back_to_bac_when_the_chip_refuses_pace() {
    let tmp = tempfile::tempdir().unwrap();
    let _reader = Plugged::new(chip("pace-refused"), ReaderOptions::default(), &link(tmp.path()));
    let trust = trust_dir(&["csca-rsa"]);
    let port = link(tmp.path());
    // The ID number with the dates: the host sends both keys, the reader decides.
    let (code, j, err) = cancuoc(&[
        "read",
        "--usb",
        port.to_str().unwrap(),
        "--id-number",
        "079195012345",
        "--dob",
        "15/03/1995",
        "--expiry",
        "15/03/2035",
        "--json",
        "--trust-dir",
        trust.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}\n{j}");
    assert_eq!(j["verified"], true);
    let access = j["reader"]["access"].as_str().unwrap();
    assert!(access.contains("fell back to BAC"), "{access}");
}
