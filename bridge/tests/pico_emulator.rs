//! The real reader image in the loop: the RP2040 board binary (target/on-target/
//! cancuoc-rp2040.elf, built by `bash scripts/on-target`) runs in rp2040js (firmware/emu/
//! harness.mjs, its package pinned and installed by `npm ci`), with a simulated PN532 on its SPI
//! bus whose card is the chip simulator, and its USB CDC port behind a pseudo-terminal that
//! `cancuoc read --usb` opens as it opens /dev/ttyACM0. embassy-rp's clocks, SPI and USB drivers,
//! the PN532 driver on the bus, the two cores and their channels, the link framing on the
//! reader: all of it is the image a technician flashes.
//!
//! The emulator reports boot milestones and each read's cycles on its stderr (JSON lines); the
//! figures go to docs/performance.md and docs/hardware.md.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cancuoc_link::{Decoder, ErrorCode, HostMsg, PROTOCOL_VERSION, ReaderMsg};
use cancuoc_sim::card_server::{self, Antenna};
use cancuoc_sim::usb_reader::pty_pair;
use cancuoc_sim::{Pki, simulated_card};
use serde_json::Value;
use sha2::Digest;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn image() -> PathBuf {
    let elf = std::env::var_os("CANCUOC_RP2040_ELF")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/on-target/cancuoc-rp2040.elf"));
    assert!(elf.exists(), "{} is missing: build the board images first (bash scripts/on-target)", elf.display());
    elf
}

fn harness() -> PathBuf {
    let dir = root().join("firmware/emu");
    assert!(
        dir.join("node_modules/rp2040js").exists(),
        "rp2040js is not installed: npm ci --prefix firmware/emu (bash scripts/test-all does it)"
    );
    dir.join("harness.mjs")
}

// Each test runs one emulator (one core's work: a read is 0.6–1.1 G emulated cycles, 30–60 s)
// and the test harness runs as many tests at once as the machine has cores, so there are never
// more emulators than cores — the bridge's 35 s between a reader's messages holds. (The two long
// reads took turns behind a lock until 7 December 2026: 120 s for this file on two cores, 63 s
// without it.)

/// An emulated Pico with its card on the antenna; the emulator stops when this is dropped.
struct Pico {
    child: Child,
    port: String,
    antenna: Antenna,
    events: Arc<Mutex<Vec<Value>>>,
    stop: Arc<AtomicBool>,
    _trust: tempfile::NamedTempFile,
}

impl Pico {
    fn boot(variant: &str) -> Self {
        Self::boot_with(variant, &[])
    }

    /// With extra harness options (fault injection).
    fn boot_with(variant: &str, options: &[&str]) -> Self {
        let antenna = Antenna::new(simulated_card(variant).unwrap());
        let card_port = card_server::spawn(antenna.clone()).unwrap();
        let mut trust = tempfile::NamedTempFile::new().unwrap();
        trust.write_all(&card_server::trust_image()).unwrap();
        let (master, port) = pty_pair().unwrap();
        let mut child = Command::new("node")
            .arg(harness())
            .arg("--elf")
            .arg(image())
            .arg("--card")
            .arg(card_port.to_string())
            .arg("--flash")
            .arg(format!("0x1F0000:{}", trust.path().display()))
            .args(std::env::var_os("CANCUOC_EMU_PROFILE").map(|_| "--profile"))
            .args(options)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node runs (Node.js 20 is on the machines; scripts/deps installs it otherwise)");
        let stop = Arc::new(AtomicBool::new(false));
        let events = Arc::new(Mutex::new(Vec::new()));
        // Host → reader: what the bridge writes to the pseudo-terminal goes to the emulator's USB.
        let mut to_pico: ChildStdin = child.stdin.take().unwrap();
        let mut from_host = master.try_clone_native().unwrap();
        let s = stop.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while !s.load(Ordering::Relaxed) {
                match from_host.read(&mut buf) {
                    Ok(0) => std::thread::sleep(Duration::from_millis(10)),
                    Ok(n) => {
                        if to_pico.write_all(&buf[..n]).and_then(|_| to_pico.flush()).is_err() {
                            break;
                        }
                    }
                    // Nothing within the port's 100 ms timeout: look again.
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        // Reader → host.
        let mut from_pico = child.stdout.take().unwrap();
        let mut to_host = master;
        std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while let Ok(n) = from_pico.read(&mut buf) {
                if n == 0 || to_host.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        });
        let stderr = child.stderr.take().unwrap();
        let e = events.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                match serde_json::from_str::<Value>(&line) {
                    Ok(v) => e.lock().unwrap().push(v),
                    Err(_) => eprintln!("emulator: {line}"),
                }
            }
        });
        let pico = Self { child, port, antenna, events, stop, _trust: trust };
        pico.wait_for("ready", 0, Duration::from_secs(120));
        pico
    }

    /// The `n`-th (from 0) event of this name, waiting for it in wall time.
    fn wait_for(&self, name: &str, n: usize, within: Duration) -> Value {
        self.wait_for_where(name, n, within, |_| true)
    }

    /// The `n`-th event of this name for which `matches` holds.
    fn wait_for_where(&self, name: &str, n: usize, within: Duration, matches: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            {
                let events = self.events.lock().unwrap();
                if let Some(e) = events.iter().filter(|e| e["event"] == name && matches(e)).nth(n) {
                    return e.clone();
                }
                if let Some(f) = events.iter().find(|e| e["event"] == "fatal" || e["event"] == "exit") {
                    panic!("the emulator stopped while waiting for {name}: {f}\n{events:?}");
                }
            }
            assert!(start.elapsed() < within, "no {name} event within {within:?}: {:?}", self.events.lock().unwrap());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn count(&self, name: &str) -> usize {
        self.events.lock().unwrap().iter().filter(|e| e["event"] == name).count()
    }

    /// The emulator met nothing it does not model but what docs/hardware.md names — the image
    /// zeroing the USB controller's registers at start, eight of which rp2040js does not have —
    /// and the reader never reset.
    fn assert_nothing_unexpected(&self) {
        let known = |e: &Value| {
            e["component"] == "USB"
                && e["sim_ms"].as_f64().is_some_and(|t| t < 5.0)
                && e["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("Unimplemented peripheral write") && m.ends_with(": 0x0"))
        };
        let events = self.events.lock().unwrap();
        let unexpected: Vec<&Value> = events
            .iter()
            .filter(|e| {
                (e["event"] == "emulator-warning" && !known(e))
                    || ["system-reset", "watchdog-reset", "fatal"].iter().any(|n| e["event"] == *n)
            })
            .collect();
        assert!(unexpected.is_empty(), "{unexpected:?}");
    }
}

impl Drop for Pico {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn trust_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::load();
    for n in ["csca-rsa", "csca-p256", "csca-bp256"] {
        std::fs::write(dir.path().join(format!("{n}.cer")), pki.cert(n)).unwrap();
    }
    dir
}

/// `cancuoc read --usb PORT --can 012345 --json --trust-dir TRUST`, as a clerk's PC runs it.
fn read(port: &str, trust: &tempfile::TempDir) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
        .args(["read", "--usb", port, "--can", "012345", "--json", "--trust-dir"])
        .arg(trust.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn the_board_image_boots_in_rp2040js_and_a_card_read_through_it_is_verified() {
    let pico = Pico::boot("rsa");
    let boot = pico.wait_for("usb-configured", 0, Duration::from_secs(5));
    let ready = pico.wait_for("ready", 0, Duration::from_secs(5));
    eprintln!("boot: USB configured {boot}\nfront end ready {ready}");
    assert!(pico.count("core1-started") == 1, "core 1 started once");

    // A reader at the counter has been idle before the card comes: core 1 draws the next read's
    // two ephemeral key pairs ahead (≈ 0.3 s each). Let 2 s of emulated time pass so that the
    // read starts from that state, not from whatever the host's timing gives.
    let idle = pico.wait_for_where("second", 0, Duration::from_secs(60), |e| e["second"] == 2);
    eprintln!("idle until {}", idle["sim_ms"]);
    let trust = trust_dir();
    let (code, j, err) = read(&pico.port, &trust);
    assert_eq!(code, 0, "{err}\n{j}\n{:?}", pico.events.lock().unwrap());
    assert_eq!(j["verified"], true, "{j}");
    assert_eq!(j["person"]["full_name"], "Nguyễn Thị Thu Hà");
    // The verdict of the image itself, and the PC's own re-verification agreeing with it.
    assert_eq!(j["reader"]["board"], "rp2040", "{j}");
    assert_eq!(j["reader"]["verified_on_reader"], true, "{j}");
    assert_eq!(j["reader"]["agrees"], true, "{j}");
    assert!(j["reader"]["access"].as_str().unwrap().contains("PACE"), "{j}");
    // The card offers 212 and 424 kbit/s (TA(1) 0xB3): the reader switched to 424 and says so.
    assert!(j["reader"]["access"].as_str().unwrap().ends_with("radio 424 kbit/s"), "{j}");
    assert_eq!(pico.wait_for("pps", 0, Duration::from_secs(1))["kbps"], 424);
    assert_eq!(j["checks"]["active_authentication"], "passed", "{j}");

    let r = pico.wait_for("read", 0, Duration::from_secs(10));
    eprintln!("read: {r}");
    // Each file goes to the PC as soon as it is read: the holder's data (DG1, DG13) was on the
    // PC before the reader's own checks ended, within issue 39's 1.5 s of the read's start
    // (emulated time, which follows from the cycle counts: the same on every host;
    // docs/performance.md has the figure).
    let holder = pico.wait_for("holder-data", 0, Duration::from_secs(1));
    eprintln!("holder's data on the PC: {holder}");
    let early = holder["ms_from_read_start"].as_f64().unwrap();
    assert!(early > 0.0 && early < r["read_ms"].as_f64().unwrap() && early <= 1500.0, "{holder} {r}");
    // The light a clerk looks at: on for 3 s after a verified read (plus the reading blink's
    // last on-phase before it and the idle blink's 50 ms after it: 3.0–3.13 s). The reading
    // blink's last on-phase may end on its own first, a little late when core 0's timer comes
    // during the field switching off (seen: 101.6 ms instead of 80), then the 3 s follow.
    let after = r["sim_ms"].as_f64().unwrap();
    let long = |e: &Value| e["sim_ms"].as_f64() > Some(after) && e["on_ms"].as_f64() >= Some(1000.0);
    let lit = pico.wait_for_where("led", 0, Duration::from_secs(60), long);
    assert!((3000.0..3200.0).contains(&lit["on_ms"].as_f64().unwrap()), "{lit}");
    let blinks: Vec<Value> = pico
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| {
            e["event"] == "led" && e["sim_ms"].as_f64() > Some(after) && e["sim_ms"].as_f64() < lit["sim_ms"].as_f64()
        })
        .cloned()
        .collect();
    assert!(blinks.len() <= 1 && blinks.iter().all(|e| e["on_ms"].as_f64() < Some(200.0)), "{blinks:?}");
    if std::env::var_os("CANCUOC_EMU_PROFILE").is_some() {
        eprintln!("profile: {}", pico.wait_for("profile", 0, Duration::from_secs(1)));
    }
    // Counts, not times: the emulator's cycle counts repeat to within a few thousand cycles, so
    // they are held to a budget like QEMU's instruction counts (7 December 2026 + 15 %: 255 M
    // cycles of core 1, 252 M of them its own work, with the M0+ multiply, the 4.8 MHz SPI
    // clock, the radio at 424 kbit/s, the Jacobian scalar multiplication, the key pairs drawn
    // ahead, RSA by square-and-multiply, passive authentication on core 0, the PN532's IRQ line
    // and core 1 asleep while it waits; docs/performance.md). Core 1 sleeps through the radio's
    // time now: a busy wait would show as 80 M more cycles. Core 0 (USB, LED, watchdog: 2.5–3.3 M
    // cycles a read before) runs passive authentication: 41.5 M. The SPI bytes, status reads
    // included, are counted too: reading each answer by its maximum would show here.
    assert_eq!(r["apdus"], 23, "{r}");
    let cycles = r["core1_cycles"].as_u64().unwrap();
    let working = r["core1_work_cycles"].as_u64().unwrap();
    assert!((200_000_000..293_000_000).contains(&cycles), "{r}");
    assert!((200_000_000..289_000_000).contains(&working), "{r}");
    assert!((20_000_000..48_000_000).contains(&r["core0_cycles"].as_u64().unwrap()), "{r}");
    assert!(r["spi_bytes"].as_u64().unwrap() < 29_000, "{r}");
    // Readiness came from the PN532's IRQ line: not one status read on the bus during the read.
    assert_eq!(r["status_reads"], 0, "{r}");
    pico.assert_nothing_unexpected();
}

#[test]
fn a_card_pulled_mid_read_is_reported_and_the_next_read_succeeds() {
    // A card whose PN532 exchange refuses the bit-rate change: the reads stay at 106 kbit/s. And
    // a board whose PN532 IRQ line is not connected: the reader keeps to the status byte.
    let pico = Pico::boot_with("rsa", &["--refuse-pps", "--no-irq"]);
    let trust = trust_dir();
    // The card leaves the field in the middle of the files, after PACE and the first reads.
    let before = pico.antenna.apdus.load(Ordering::Relaxed);
    pico.antenna.remove_after.store(before + 13, Ordering::Relaxed);
    let (code, j, err) = read(&pico.port, &trust);
    eprintln!("card pulled: exit {code}, {j}\n{err}");
    assert_eq!(code, 4, "{j}");
    assert_ne!(j["verified"], true, "{j}");
    assert_eq!(j["error"], "no_card", "{j}");
    assert!(j["message"].as_str().unwrap_or_default().contains("the card was removed from the reader"), "{j}");
    assert_eq!(j["retryable"], true, "{j}");
    let first = pico.wait_for("read", 0, Duration::from_secs(10));
    assert_eq!(first["apdus"], 13, "{first}");
    // Read but not verified: three short flashes, after the LED goes off (the reading blink's
    // last on-phase, up to 80 ms and cut short when the read ends, may come first: only it).
    let after = first["sim_ms"].as_f64().unwrap();
    let since = |e: &Value| e["sim_ms"].as_f64() > Some(after);
    let flash = |e: &Value| since(e) && e["on_ms"].as_f64() > Some(100.0);
    let third = pico.wait_for_where("led", 2, Duration::from_secs(30), flash);
    let seen: Vec<Value> = pico
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "led" && since(e) && e["sim_ms"].as_f64() <= third["sim_ms"].as_f64())
        .cloned()
        .collect();
    let (flashes, tail): (Vec<&Value>, Vec<&Value>) = seen.iter().partition(|e| flash(e));
    assert!(flashes.iter().all(|f| (110.0..130.0).contains(&f["on_ms"].as_f64().unwrap())), "{seen:?}");
    assert!(tail.len() <= 1 && tail.iter().all(|e| e["on_ms"].as_f64() <= Some(81.0)), "{seen:?}");

    // Back on the reader: the next read works, with no reset of the reader.
    pico.antenna.remove_after.store(0, Ordering::Relaxed);
    pico.antenna.present.store(true, Ordering::Relaxed);
    let (code, j, err) = read(&pico.port, &trust);
    assert_eq!(code, 0, "{err}\n{j}");
    assert_eq!(j["verified"], true);
    assert!(j["reader"]["access"].as_str().unwrap().ends_with("radio 106 kbit/s"), "{j}");
    assert_eq!(pico.count("pps"), 0);
    let second = pico.wait_for("read", 1, Duration::from_secs(10));
    eprintln!("after the card came back: {second}");
    // Readiness from the status byte: read on the bus before each ACK and each answer.
    assert!(second["status_reads"].as_u64().unwrap() > 2 * 200, "{second}");
    pico.assert_nothing_unexpected();
}

#[test]
fn a_malformed_frame_from_the_host_gets_an_error_and_the_link_carries_on() {
    let pico = Pico::boot("rsa");
    let mut port = serialport::new(&pico.port, 115_200).timeout(Duration::from_millis(100)).open().unwrap();
    let _ = port.write_data_terminal_ready(true);
    let mut decoder = Decoder::new();
    // Reads messages until one matches, returning it with everything seen before it.
    let mut until = |port: &mut Box<dyn serialport::SerialPort>, wanted: &dyn Fn(&ReaderMsg) -> bool| {
        let start = Instant::now();
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        while start.elapsed() < Duration::from_secs(30) {
            if let Ok(n) = port.read(&mut buf) {
                decoder.feed::<ReaderMsg>(&buf[..n], |m| seen.extend(m.ok()));
            }
            if let Some(i) = seen.iter().position(wanted) {
                let hit = seen.remove(i);
                return (Some(hit), seen);
            }
        }
        (None, seen)
    };
    // A frame whose checksum is wrong: the bytes of a real Hello with one flipped.
    let mut bad = cancuoc_link::encode(&HostMsg::Hello { protocol: PROTOCOL_VERSION }).unwrap().to_vec();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x5A;
    port.write_all(&[0]).unwrap();
    port.write_all(&bad).unwrap();
    let (error, seen) = until(&mut port, &|m| matches!(m, ReaderMsg::Error { .. } | ReaderMsg::Info(_)));
    assert!(matches!(error, Some(ReaderMsg::Error { code: ErrorCode::BadFrame, .. })), "{error:?} after {seen:?}");
    // Garbage longer than any frame (no delimiter for 3000 bytes): dropped to the next delimiter
    // and reported once, with the reader's fixed 1 KB of frame memory.
    port.write_all(&[0x55; 3000]).unwrap();
    port.write_all(&[0]).unwrap();
    let (error, seen) = until(&mut port, &|m| matches!(m, ReaderMsg::Error { .. } | ReaderMsg::Info(_)));
    assert!(matches!(error, Some(ReaderMsg::Error { code: ErrorCode::FrameTooLong, .. })), "{error:?} after {seen:?}");
    // The same link, a good frame: the reader answers as if nothing had happened.
    port.write_all(&cancuoc_link::encode(&HostMsg::Hello { protocol: PROTOCOL_VERSION }).unwrap()).unwrap();
    let (info, seen) = until(&mut port, &|m| matches!(m, ReaderMsg::Info(_)));
    let Some(ReaderMsg::Info(info)) = info else { panic!("no Info after a good Hello: {seen:?}") };
    assert_eq!(info.board, "rp2040");
    assert!(info.front_end.contains("PN532"), "{info:?}");
    pico.assert_nothing_unexpected();
    assert_eq!(info.trust_count, 3);
}

#[test]
fn a_trust_store_pushed_over_usb_is_written_to_the_emulated_flash() {
    let pico = Pico::boot("rsa");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("csca-p256.cer"), Pki::load().cert("csca-p256")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
        .args(["trust", "push", "--usb", &pico.port, "--trust-dir"])
        .arg(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}\n{:?}",
        String::from_utf8_lossy(&out.stderr),
        pico.events.lock().unwrap()
    );
    assert!(stdout.contains("1 CSCA"), "{stdout}");
    // Through the boot ROM's erase and program functions (core 1 paused over the FIFO while
    // core 0 runs from RAM), the last 64 KB of the first 2 MB now hold exactly the new store.
    let erase = pico.wait_for("flash-erase", 0, Duration::from_secs(10));
    assert_eq!(erase["offset"], 0x1F_0000, "{erase}");
    let mut block = card_server::trust_image_of(&[Pki::load().cert("csca-p256")]);
    block.resize(0x1_0000, 0xFF);
    let expected: String = sha2::Sha256::digest(&block).iter().map(|b| format!("{b:02x}")).collect();
    let programs =
        pico.events.lock().unwrap().iter().filter(|e| e["event"] == "flash-program").cloned().collect::<Vec<_>>();
    let last = programs.last().unwrap_or_else(|| panic!("no flash-program event"));
    assert_eq!(last["block"], 0x1F_0000, "{last}");
    assert_eq!(last["block_sha256"], expected.as_str(), "{programs:?}");
    let reader = cancuoc_bridge::transport::usb::UsbReader::open(&pico.port).unwrap();
    assert_eq!(reader.info.trust_count, 1);
    pico.assert_nothing_unexpected();
}

#[test]
fn a_hung_core_1_makes_the_watchdog_reset_the_reader() {
    // Core 1 stops half a second after reset, as a read stuck in a loop would: core 0 stops
    // feeding the watchdog once core 1 has been quiet for 2.5 s, and the watchdog resets the chip.
    let pico = Pico::boot_with("rsa", &["--hang-core1-after-ms", "500"]);
    let hung = pico.wait_for("core1-hung", 0, Duration::from_secs(30));
    let reset = pico.wait_for("watchdog-reset", 0, Duration::from_secs(60));
    let quiet = reset["sim_ms"].as_f64().unwrap() - hung["sim_ms"].as_f64().unwrap();
    eprintln!("watchdog reset {quiet:.0} ms (emulated) after core 1 stopped");
    assert!((2500.0..6500.0).contains(&quiet), "{hung} {reset}");
}
