//! The simulated chip on a loopback TCP port, for the RP2040 emulator's simulated PN532
//! (firmware/emu/harness.mjs, docs/hardware.md "The board image in an emulator").
//!
//! The protocol is as small as the antenna: each message is a 4-byte big-endian length and the
//! bytes. The emulator sends a command APDU and gets the chip's response; a command of length 0
//! is "the field went off" (the chip starts afresh, as a real card does) and is answered with
//! length 0; the one-byte command 01 asks whether a card lies on the antenna (answer 01 or 00);
//! a response of length 0 to an APDU means the chip did not answer (a fault hook).
//! The chip is shared so that a test can take the card away or change it meanwhile: while
//! `present` is false every APDU goes unanswered, as a card that left the field.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cancuoc_core::apdu::Transport;

use crate::SimChip;

/// The card on the emulated reader's antenna.
#[derive(Clone)]
pub struct Antenna {
    pub chip: Arc<Mutex<SimChip>>,
    /// Whether the card lies on the reader.
    pub present: Arc<AtomicBool>,
    /// APDUs the chip has answered since the server started.
    pub apdus: Arc<AtomicUsize>,
    /// Take the card away once this many APDUs have been answered (0: never).
    pub remove_after: Arc<AtomicUsize>,
}

impl Antenna {
    pub fn new(chip: SimChip) -> Self {
        Self {
            chip: Arc::new(Mutex::new(chip)),
            present: Arc::new(AtomicBool::new(true)),
            apdus: Arc::default(),
            remove_after: Arc::default(),
        }
    }

    /// One exchange; `None` when nothing answers.
    pub fn exchange(&self, command: &[u8]) -> Option<Vec<u8>> {
        let mut chip = self.chip.lock().ok()?;
        if command.is_empty() {
            chip.reinsert_keeping_faults();
            return Some(Vec::new());
        }
        if command == [0x01] {
            return Some(vec![u8::from(self.present.load(Ordering::Relaxed))]);
        }
        if !self.present.load(Ordering::Relaxed) {
            return None;
        }
        let limit = self.remove_after.load(Ordering::Relaxed);
        if limit != 0 && self.apdus.load(Ordering::Relaxed) >= limit {
            self.present.store(false, Ordering::Relaxed);
            return None;
        }
        let r = chip.transmit(command).ok()?;
        self.apdus.fetch_add(1, Ordering::Relaxed);
        Some(r)
    }
}

/// Serves one emulator connection until it closes.
pub fn serve_stream(mut stream: TcpStream, antenna: &Antenna) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut len = [0u8; 4];
    loop {
        match stream.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        let n = u32::from_be_bytes(len) as usize;
        if n > 65_544 {
            return Err(std::io::Error::other("command longer than an extended APDU"));
        }
        let mut command = vec![0u8; n];
        stream.read_exact(&mut command)?;
        // Presence is a separate question (length 0 with the field off is the reset).
        let response = antenna.exchange(&command).unwrap_or_default();
        let mut out = Vec::with_capacity(4 + response.len());
        out.extend_from_slice(&(response.len() as u32).to_be_bytes());
        out.extend_from_slice(&response);
        stream.write_all(&out)?;
    }
}

/// Listens on a loopback port; returns the port. Connections are served one after another on
/// a background thread for as long as the process lives.
pub fn spawn(antenna: Antenna) -> std::io::Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    let port = listener.local_addr()?.port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = serve_stream(stream, &antenna);
        }
    });
    Ok(port)
}

/// The reader's trust store image (the test PKI's three CSCAs) as the board keeps it in flash.
pub fn trust_image() -> Vec<u8> {
    let pki = crate::Pki::load();
    let certs: Vec<Vec<u8>> = ["csca-rsa", "csca-p256", "csca-bp256"].iter().map(|n| pki.cert(n)).collect();
    trust_image_of(&certs)
}

/// The flash image of a trust store holding these certificates (DER).
pub fn trust_image_of(certs: &[Vec<u8>]) -> Vec<u8> {
    let packed = cancuoc_link::pack_trust_store(certs.iter().map(|c| c.as_slice())).unwrap_or_default();
    cancuoc_reader::TrustImage::encode(&packed)
}
