//! A cancuoc USB reader on the PC: the reader's own firmware logic (`cancuoc-reader`'s
//! `Device`, unchanged) in front of the simulated chip, speaking the link protocol over any byte
//! stream — in practice one side of a pseudo-terminal pair, whose other side the bridge opens
//! exactly as it opens a real reader's /dev/ttyACM0.
//!
//! As on the board, one thread reads and decodes frames (acting on Cancel at once) while another
//! runs the device, including the blocking card read.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cancuoc_core::apdu::{Transport, TransportError, TransportLimits};
use cancuoc_link::{Decoder, HostMsg, ReaderMsg};
use cancuoc_reader::pn532::LIMITS;
use cancuoc_reader::{Action, Device, FIRMWARE_VERSION};

use crate::SimChip;

/// How the simulated reader behaves.
#[derive(Clone, Debug)]
pub struct ReaderOptions {
    /// Delay per APDU (a PN532 at 106 kbit/s takes a few ms per exchange).
    pub latency: Duration,
    /// The CSCA certificates in the reader's flash.
    pub trust: Vec<Vec<u8>>,
    /// Counts the APDUs the reader sent to the card (for tests that act mid-read).
    pub apdus: Arc<std::sync::atomic::AtomicUsize>,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        let pki = crate::Pki::load();
        Self {
            latency: Duration::ZERO,
            trust: ["csca-rsa", "csca-p256", "csca-bp256"].iter().map(|n| pki.cert(n)).collect(),
            apdus: Arc::default(),
        }
    }
}

/// The chip behind the reader's antenna, with the link's latency.
struct Antenna<'a> {
    chip: &'a mut SimChip,
    latency: Duration,
    /// Set when the reader is "unplugged": from then on nothing reaches the card.
    stop: &'a AtomicBool,
    apdus: &'a std::sync::atomic::AtomicUsize,
}

impl Transport for Antenna<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if !self.latency.is_zero() {
            std::thread::sleep(self.latency);
        }
        if self.stop.load(Ordering::Relaxed) {
            return Err(TransportError::Reader("the reader lost power".into()));
        }
        self.apdus.fetch_add(1, Ordering::Relaxed);
        self.chip.transmit(command)
    }
    fn limits(&self) -> TransportLimits {
        LIMITS
    }
}

/// Serves one host on `port` until the host hangs up or `stop` is set. The chip is shared so
/// that a test can pull the card or put another one on the reader meanwhile.
pub fn serve<P>(port: P, chip: Arc<Mutex<SimChip>>, options: ReaderOptions, stop: Arc<AtomicBool>)
where
    P: Read + Write + Send + 'static + TryCloneRw,
{
    let Ok(mut rx_port) = port.try_clone_rw() else { return };
    let (to_device, from_host) = mpsc::channel::<HostMsg>();
    let reading = Arc::new(AtomicBool::new(false));
    let cancel = Arc::new(AtomicBool::new(false));
    let writer = Arc::new(Mutex::new(port));
    let send = {
        let writer = writer.clone();
        let stop = stop.clone();
        move |m: ReaderMsg| {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            if let Ok(frame) = cancuoc_link::encode(&m)
                && let Ok(mut w) = writer.lock()
            {
                let _ = w.write_all(&frame);
                let _ = w.flush();
            }
        }
    };
    {
        let (reading, cancel, stop, send) = (reading.clone(), cancel.clone(), stop.clone(), send.clone());
        std::thread::spawn(move || {
            let mut decoder = Decoder::new();
            let mut buf = [0u8; 256];
            while !stop.load(Ordering::Relaxed) {
                match rx_port.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => decoder.feed::<HostMsg>(&buf[..n], |r| match r {
                        Ok(HostMsg::Cancel) if reading.load(Ordering::Relaxed) => cancel.store(true, Ordering::Relaxed),
                        Ok(m) => {
                            let _ = to_device.send(m);
                        }
                        Err(e) => send(ReaderMsg::Error { code: e.code(), detail: e.to_string() }),
                    }),
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::TimedOut
                                | std::io::ErrorKind::WouldBlock
                                | std::io::ErrorKind::Interrupted
                        ) => {}
                    Err(_) => break,
                }
            }
            stop.store(true, Ordering::Relaxed);
        });
    }
    let image = crate::card_server::trust_image_of(&options.trust);
    let mut device = Device::new(FIRMWARE_VERSION, "host", "simulated PN532", LIMITS, &image);
    let mut out = send.clone();
    while !stop.load(Ordering::Relaxed) {
        let Ok(msg) = from_host.recv_timeout(Duration::from_millis(50)) else { continue };
        match device.handle(msg, &mut out) {
            Some(Action::Read(req)) => {
                cancel.store(false, Ordering::Relaxed);
                reading.store(true, Ordering::Relaxed);
                let Ok(mut chip) = chip.lock() else { break };
                // The field went off after the last read, as the board does: the chip starts afresh.
                chip.reinsert_keeping_faults();
                let antenna = Antenna { chip: &mut chip, latency: options.latency, stop: &stop, apdus: &options.apdus };
                let cancel = cancel.clone();
                // Passive authentication on a second thread, as the board runs it on its core 0.
                device.read(
                    antenna,
                    &req,
                    &mut crate::os_rng(),
                    &move || cancel.load(Ordering::Relaxed),
                    &mut out,
                    &mut crate::TwoThreads::default(),
                );
                reading.store(false, Ordering::Relaxed);
            }
            Some(Action::StoreTrust(_)) | Some(Action::Reboot { .. }) | None => {}
        }
    }
}

/// Ports that can hand out a second handle for the reading thread.
pub trait TryCloneRw: Sized {
    fn try_clone_rw(&self) -> std::io::Result<Self>;
}

#[cfg(unix)]
impl TryCloneRw for serialport::TTYPort {
    fn try_clone_rw(&self) -> std::io::Result<Self> {
        self.try_clone_native().map_err(std::io::Error::other)
    }
}

/// A pseudo-terminal pair: the reader's end (served here) and the path the bridge opens.
/// Unix only (the simulated USB reader is a test and demo tool; Windows builds leave it out).
#[cfg(unix)]
pub fn pty_pair() -> std::io::Result<(serialport::TTYPort, String)> {
    let (mut master, slave) = serialport::TTYPort::pair().map_err(std::io::Error::other)?;
    let _ = serialport::SerialPort::set_timeout(&mut master, Duration::from_millis(100));
    // Neither end may leak into child processes (a bridge started by a test would otherwise
    // hold the reader's end open, and never see it unplugged).
    for fd in [std::os::fd::AsRawFd::as_raw_fd(&master), std::os::fd::AsRawFd::as_raw_fd(&slave)] {
        // SAFETY: fcntl on a descriptor we own; F_SETFD takes an int flag.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    let path = serialport::SerialPort::name(&slave).ok_or_else(|| std::io::Error::other("pty without a name"))?;
    // The slave stays open here too so that the pty does not hang up between the bridge's opens.
    std::mem::forget(slave);
    Ok((master, path))
}
