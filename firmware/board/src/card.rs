//! Core 1: the card. It owns the PN532 and runs the whole eMRTD job with the no_std core
//! (cancuoc-reader's `Device`), blocking on the card; it talks to core 0 only through the
//! channels and atomics in main.rs, and shows it is alive by its heartbeat.

use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;

use cancuoc_core::ecc::{Curve, spare};
use cancuoc_core::read::Overlap;
use cancuoc_link::{ErrorCode, ReaderMsg, ReaderState};
use cancuoc_reader::pn532::{LIMITS, Pn532};
use cancuoc_reader::{Action, Device, FIRMWARE_VERSION};
use defmt::info;
use embassy_rp::clocks::RoscRng;
use embassy_time::{Duration, Instant};

use crate::sleep::Sleep;
use sha2::{Digest, Sha256};

use super::{
    BOARD, CANCEL, CHECK, CHECKED, HEARTBEAT, LED_FAULT, LED_IDLE, LED_NOT_VERIFIED, LED_READING, LED_STATE,
    LED_VERIFIED, READING, REBOOT, STORE, STORED, TO_DEVICE, TO_HOST,
};

/// Sends a message to the host, waiting while the USB side catches up.
pub(crate) fn send(m: ReaderMsg) {
    beat();
    let mut m = m;
    loop {
        match TO_HOST.try_send(m) {
            Ok(()) => return,
            Err(embassy_sync::channel::TrySendError::Full(back)) => {
                m = back;
                Sleep::nap(Duration::from_millis(1));
                beat();
            }
        }
    }
}

pub(crate) fn beat() {
    HEARTBEAT.store(HEARTBEAT.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
}

/// Whether a front end knows the PN532 is ready from its IRQ line (a pin read) rather than from
/// a status read on the bus.
pub(crate) trait ReadyLine {
    fn irq_wired(&self) -> bool;
}

impl<B: embedded_hal::spi::SpiBus, CS: embedded_hal::digital::OutputPin, IRQ: embedded_hal::digital::InputPin> ReadyLine
    for cancuoc_reader::pn532::spi::SpiFrontEnd<B, CS, IRQ>
{
    fn irq_wired(&self) -> bool {
        self.irq_wired()
    }
}

impl<I: embedded_hal::i2c::I2c> ReadyLine for pn532::i2c::I2CInterface<I> {
    fn irq_wired(&self) -> bool {
        false
    }
}

pub(crate) fn core1<I: pn532::Interface + ReadyLine>(bus: I, trust_image: Vec<u8>) -> ! {
    // Core 1 sleeps while it waits (sleep.rs): alarm 1's interrupt is enabled here, on core 1.
    let mut pn = Pn532::new(bus, Sleep::on_this_core());
    let front_end = match pn.firmware_version() {
        Ok((ic, ver, rev)) if pn.init().is_ok() => alloc::format!("PN5{ic:02X} v{ver}.{rev}"),
        _ => String::new(),
    };
    // The IRQ line followed the PN532's first answers: look every 20 µs (a pin read, no bus
    // traffic) instead of reading the status byte every millisecond, so that each answer is
    // taken up as it comes (issue 39).
    let irq = pn.bus().irq_wired();
    if irq {
        pn.poll_us = 20;
    }
    info!("PN532 ready line: {}", if irq { "IRQ (GP20)" } else { "status byte" });
    let mut device = Device::new(FIRMWARE_VERSION, BOARD, &front_end, LIMITS, &trust_image);
    drop(trust_image);
    info!("core 1 up; front end {}; {} CSCA certificates", front_end.as_str(), device.info().trust_count);
    let has_front_end = !front_end.is_empty();
    if !has_front_end {
        LED_STATE.store(LED_FAULT, Ordering::Relaxed);
        send(ReaderMsg::State(ReaderState::FrontEndMissing));
    }
    let mut present = false;
    let mut last_poll = Instant::now();
    loop {
        beat();
        if let Ok(msg) = TO_DEVICE.try_receive() {
            match device.handle(msg, &mut send) {
                Some(Action::Read(req)) if has_front_end => {
                    read(&mut pn, &mut device, &req);
                    present = false;
                }
                Some(Action::Read(_)) => {
                    send(ReaderMsg::Error {
                        code: ErrorCode::ReadFailed,
                        detail: "the PN532 does not answer: check wiring and the SPI mode switches".into(),
                    });
                }
                Some(Action::StoreTrust(image)) => {
                    STORED.store(0, Ordering::Relaxed);
                    STORE.signal(image);
                    while STORED.load(Ordering::Relaxed) == 0 {
                        Sleep::nap(Duration::from_millis(5));
                        beat();
                    }
                    if STORED.load(Ordering::Relaxed) != 1 {
                        send(ReaderMsg::Error {
                            code: ErrorCode::TrustStore,
                            detail: "writing the trust store to flash failed".into(),
                        });
                    }
                }
                Some(Action::Reboot { bootloader }) => REBOOT.signal(bootloader),
                None => {}
            }
            continue;
        }
        // Between reads: report cards arriving and leaving, four times a second.
        if has_front_end && last_poll.elapsed() > Duration::from_millis(250) {
            last_poll = Instant::now();
            if !present {
                if let Ok(Some(t)) = pn.poll() {
                    present = true;
                    send(ReaderMsg::CardPresent { kind: t.kind });
                }
            } else if !pn.card_present() {
                present = false;
                let _ = pn.rf_field(false);
                send(ReaderMsg::CardRemoved);
            }
        }
        // Nothing to do: draw the next read's ephemeral key pairs ahead (one scalar
        // multiplication, ≈ 0.3 s on the RP2040, at a time; messages and polls wait for it).
        if has_front_end && spare::wanted() {
            let _ = spare::draw(AHEAD, &mut session_rng());
            beat();
            continue;
        }
        Sleep::nap(Duration::from_millis(5));
    }
}

/// The curve whose key pairs are drawn ahead: brainpoolP256r1, the PACE domain (parameter ID 13)
/// of Vietnamese ID cards' EF.CardAccess and the curve of their chip authentication
/// (docs/performance.md, issue 39). A card on another curve draws its own keys during the read.
const AHEAD: Curve = Curve::BrainpoolP256r1;

pub(crate) fn read<I: pn532::Interface, D: embedded_hal::delay::DelayNs>(
    pn: &mut Pn532<I, D>,
    device: &mut Device,
    req: &cancuoc_link::ReadRequest,
) {
    CANCEL.store(false, Ordering::Relaxed);
    READING.store(true, Ordering::Relaxed);
    LED_STATE.store(LED_READING, Ordering::Relaxed);
    // Wait up to 30 s for a card, polling five times a second.
    if pn.target().is_none() {
        send(ReaderMsg::State(ReaderState::WaitingForCard));
        let since = Instant::now();
        loop {
            beat();
            if CANCEL.load(Ordering::Relaxed) {
                finish(ErrorCode::Cancelled, "read cancelled by the host");
                return;
            }
            match pn.poll() {
                Ok(Some(t)) => {
                    send(ReaderMsg::CardPresent { kind: t.kind });
                    break;
                }
                Ok(None) if since.elapsed() < Duration::from_secs(30) => Sleep::nap(Duration::from_millis(200)),
                _ => {
                    finish(ErrorCode::NoCard, "no card on the reader within 30 s");
                    return;
                }
            }
        }
    }
    send(ReaderMsg::State(ReaderState::Reading));
    let mut rng = session_rng();
    let mut verified = None;
    // The radio's bit rate goes into the report (after the PPS, or 106 kbit/s when the card
    // offered nothing more or refused it).
    let rate = pn.target().map(|t| t.rate);
    device.read(
        &mut *pn,
        req,
        &mut rng,
        &|| {
            beat();
            CANCEL.load(Ordering::Relaxed)
        },
        &mut |mut m| {
            if let ReaderMsg::Verdict(v) = &mut m {
                verified = Some(v.verified);
                if let Some(r) = rate {
                    v.access = alloc::format!("{}, radio {} kbit/s", v.access, r.kbps());
                }
            }
            send(m)
        },
        &mut OtherCore,
    );
    // Field off between cards: the next card starts from a clean reset.
    let _ = pn.release_target();
    let _ = pn.rf_field(false);
    READING.store(false, Ordering::Relaxed);
    LED_STATE.store(
        match verified {
            Some(true) => LED_VERIFIED,
            _ => LED_NOT_VERIFIED,
        },
        Ordering::Relaxed,
    );
    send(ReaderMsg::State(ReaderState::Idle));
}

/// A job for core 0: the read's passive authentication, borrowed from core 1's stack.
pub(crate) struct Job(*mut (dyn FnMut() + Send + 'static));

// SAFETY: the closure is `Send`; `OtherCore::both` does not return (and so the borrow it erases
// does not end) until it has run: on core 0, which says so, or on core 1 when core 0 had not
// taken it.
unsafe impl Send for Job {}

impl Job {
    pub(crate) fn run(self) {
        // SAFETY: see `OtherCore::both`: the closure is alive and nothing else touches it.
        unsafe { (*self.0)() }
    }
}

/// Passive authentication on core 0 while core 1 asks the chip for its proofs (issue 39).
struct OtherCore;

impl Overlap for OtherCore {
    fn both(&mut self, elsewhere: &mut (dyn FnMut() + Send), here: &mut dyn FnMut()) {
        CHECKED.store(false, Ordering::Release);
        let job: *mut (dyn FnMut() + Send + '_) = elsewhere;
        // SAFETY: only the lifetime is erased; the wait below keeps the closure borrowed until
        // core 0 is done with it (a panic resets the chip, so no unwinding ends the borrow early).
        CHECK.signal(Job(unsafe {
            core::mem::transmute::<*mut (dyn FnMut() + Send + '_), *mut (dyn FnMut() + Send + 'static)>(job)
        }));
        here();
        // Core 0 has not taken the job (busy, or its task not running): take it back and run it
        // here, rather than wait on a core that may never come to it. Only one of the two cores
        // takes it out of the signal.
        if let Some(job) = CHECK.try_take() {
            job.run();
            return;
        }
        while !CHECKED.load(Ordering::Acquire) {
            beat();
            Sleep::nap(Duration::from_micros(200));
        }
    }
}

pub(crate) fn finish(code: ErrorCode, detail: &str) {
    READING.store(false, Ordering::Relaxed);
    LED_STATE.store(LED_IDLE, Ordering::Relaxed);
    send(ReaderMsg::Error { code, detail: detail.into() });
    send(ReaderMsg::State(ReaderState::Idle));
}

/// Randomness for the session (BAC/PACE nonces and ephemeral keys): 512 bits from the ring
/// oscillator's random bit and the boot-relative time, hashed into the seed of a SHA-256 counter
/// stream.
pub(crate) fn session_rng() -> cancuoc_reader::rng::Sha256Ctr {
    let mut raw = [0u8; 64];
    RoscRng.fill_bytes(&mut raw);
    let mut h = Sha256::new();
    h.update(raw);
    h.update(Instant::now().as_ticks().to_le_bytes());
    cancuoc_reader::rng::Sha256Ctr::new(h.finalize().into())
}
