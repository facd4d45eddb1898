//! On-target run of the reader pipeline under QEMU.
//!
//! For each recorded card session (firmware/qemu/transcripts, recorded from the simulator through
//! the PN532's transport limits) this replays the chip's answers to the real no_std core — PACE
//! or BAC, secure messaging, reading, parsing, passive and active authentication — checks the
//! verdict is the recorded one, then times the primitives on their own. It also pushes every file
//! through the link encoder and a noisy stream through the link decoder.
//!
//! Output (semihosting, one line each) is parsed by scripts/on-target:
//!   `CAL insns=<n> ticks=<t>`               calibration of the FPGAIO counter against a loop of n instructions
//!   `M <case> <phase> ticks=<t>`            a measured phase
//!   `STAT <name>=<value>`                   stack high-water mark, peak heap, …
//!   `PASS <case>` / `FAIL <case>: <why>`
//! The exit code is 0 only when every case passed.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::mem::MaybeUninit;

use cancuoc_core::access::AccessKey;
use cancuoc_core::auth::passive;
use cancuoc_core::files::FileId;
use cancuoc_core::pace::Can;
use cancuoc_core::read::{CardRead, Credentials, ReadOptions, read_card};
use cancuoc_core::trust::TrustStore;
use cancuoc_link::{Decoder, HostMsg, ReaderMsg};
use cancuoc_reader::replay::{RecordedKey, Replay, SeededRng, Transcript};
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use sha2::{Digest, Sha256};

mod checks;
mod measure;

use checks::{link_noise, link_round_trip, multiply, real_world};
use measure::{HEAP, HEAP_SIZE, heap_peak, heap_reset_peak, measure, paint_stack, spin, stack_used, ticks};

// ---- the cases ----

const CASES: &[(&str, &[u8])] = &[
    ("rsa", include_bytes!("../transcripts/rsa.cctr")),
    ("ecdsa-p256", include_bytes!("../transcripts/ecdsa-p256.cctr")),
    ("ecdsa-bp256", include_bytes!("../transcripts/ecdsa-bp256.cctr")),
    ("bac-only", include_bytes!("../transcripts/bac-only.cctr")),
    ("tampered-dg13", include_bytes!("../transcripts/tampered-dg13.cctr")),
];

/// The instructions of a whole read, split by what the APDU just answered was for (the time
/// after an answer is the time spent on it: unwrapping, key agreement, verifying).
struct Phases {
    last: Cell<u32>,
    last_ins: Cell<u8>,
    reading_started: Cell<bool>,
    session: Cell<u32>,
    reading: Cell<u32>,
    active_auth: Cell<u32>,
    chip_auth: Cell<u32>,
}

impl Phases {
    fn new() -> Self {
        Self {
            last: Cell::new(ticks()),
            last_ins: Cell::new(0),
            reading_started: Cell::new(false),
            session: Cell::new(0),
            reading: Cell::new(0),
            active_auth: Cell::new(0),
            chip_auth: Cell::new(0),
        }
    }
    /// Charges the time since the last APDU to the phase of that APDU.
    fn charge(&self) {
        let now = ticks();
        let d = now.wrapping_sub(self.last.get());
        self.last.set(now);
        let cell = match self.last_ins.get() {
            0x88 => &self.active_auth,
            0x22 | 0x86 | 0x84 | 0x82 if !self.reading_started.get() => &self.session,
            0x22 | 0x86 => &self.chip_auth,
            _ => &self.reading,
        };
        cell.set(cell.get() + d);
    }
    /// Randomness drawn after the INTERNAL AUTHENTICATE answer: active authentication is over
    /// (its challenge was drawn before the command), chip authentication has begun.
    fn drawing(&self) {
        if self.last_ins.get() == 0x88 {
            self.charge();
            self.last_ins.set(0x22);
        }
    }
}

/// The terminal's randomness, watched: after an INTERNAL AUTHENTICATE answer the chip's signature
/// is verified, and the next draw is chip authentication generating its ephemeral key — from
/// there the time is chip authentication's, not active authentication's.
struct TimedRng<'b> {
    inner: SeededRng,
    phases: &'b Phases,
}

impl rand_core::TryRng for TimedRng<'_> {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.phases.drawing();
        self.inner.try_next_u32()
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.phases.drawing();
        self.inner.try_next_u64()
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.phases.drawing();
        self.inner.try_fill_bytes(dst)
    }
}

impl rand_core::TryCryptoRng for TimedRng<'_> {}

struct Timed<'a, 'b> {
    inner: Replay<'a>,
    phases: &'b Phases,
}

impl cancuoc_core::apdu::Transport for Timed<'_, '_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, cancuoc_core::apdu::TransportError> {
        self.phases.charge();
        let ins = command.get(1).copied().unwrap_or(0);
        // SELECT of an application or file after the session is set up starts the reading.
        if (ins == 0xB0 || ins == 0xB1) && command.first().is_some_and(|c| c & 0x0C != 0) {
            self.phases.reading_started.set(true);
        }
        self.phases.last_ins.set(ins);
        let r = self.inner.transmit(command);
        self.phases.charge();
        r
    }
    fn limits(&self) -> cancuoc_core::apdu::TransportLimits {
        self.inner.limits()
    }
}

fn run_case(name: &str, bytes: &[u8]) -> Result<(), String> {
    let t = Transcript::decode(bytes).ok_or("transcript does not decode")?;
    let mut trust = TrustStore::new();
    for c in cancuoc_link::unpack_trust_store(&t.trust).ok_or("trust store does not unpack")? {
        trust.add_der(c).map_err(|_| "CSCA does not parse")?;
    }
    let credentials = match &t.key {
        RecordedKey::Can(c) => Credentials::can(Can::new(c).map_err(|_| "bad CAN")?),
        RecordedKey::Mrz { document_number, date_of_birth, date_of_expiry } => {
            Credentials::mrz(AccessKey::new(document_number, date_of_birth, date_of_expiry).map_err(|_| "bad MRZ key")?)
        }
    };
    let options = ReadOptions::cccd(&trust, t.now_unix);
    heap_reset_peak();
    let phases = Phases::new();
    let mut replay = Timed { inner: Replay::new(&t), phases: &phases };
    let mut rng = TimedRng { inner: SeededRng::new(t.seed), phases: &phases };
    let t0 = ticks();
    let read = read_card(&mut replay, &credentials, &options, &mut rng, None, &mut |_| {});
    let total = ticks().wrapping_sub(t0);
    let tail = ticks().wrapping_sub(phases.last.get());
    let read = read.map_err(|f| alloc::format!("read failed: {}", f.error))?;
    // Passive authentication on its own, on the bytes just read. What the read spent after its
    // last APDU is passive authentication plus, when that APDU was INTERNAL AUTHENTICATE, the
    // verification of the chip's signature.
    let present: Vec<u8> = read
        .com
        .as_ref()
        .map(|c| c.data_groups.iter().filter_map(|f| if let FileId::Dg(n) = f { Some(*n) } else { None }).collect())
        .unwrap_or_default();
    let sod = read.sod.as_ref().ok_or("no SOD")?;
    let t1 = ticks();
    let pa = passive::verify(sod, &read.files, &present, &trust, t.now_unix);
    let pa_ticks = ticks().wrapping_sub(t1);
    core::hint::black_box(&pa);
    let mut active = phases.active_auth.get();
    if phases.last_ins.get() == 0x88 {
        active += tail.saturating_sub(pa_ticks);
    }
    hprintln!("M {} total ticks={}", name, total);
    hprintln!("M {} session ticks={}", name, phases.session.get());
    hprintln!("M {} reading ticks={}", name, phases.reading.get());
    hprintln!("M {} active_auth ticks={}", name, active);
    hprintln!("M {} chip_auth ticks={}", name, phases.chip_auth.get());
    hprintln!("M {} passive_auth ticks={}", name, pa_ticks);
    hprintln!("STAT {}.heap_peak={}", name, heap_peak());
    hprintln!("STAT {}.apdus={}", name, replay.inner.exchanges_done());
    if !replay.inner.finished() {
        return Err(alloc::format!("replay diverged at exchange {:?}", replay.inner.diverged_at));
    }
    if read.verdict.is_verified() != t.expect_verified {
        return Err(alloc::format!("verdict {} (expected verified={})", read.verdict.summary(), t.expect_verified));
    }
    primitives(name, &read, &trust, t.now_unix)?;
    link_round_trip(&read)?;
    Ok(())
}

/// The primitives of passive authentication on their own, on this card's bytes.
fn primitives(name: &str, read: &CardRead, trust: &TrustStore, now: u64) -> Result<(), String> {
    let dgs: Vec<&Vec<u8>> = read.files.iter().filter(|(id, _)| matches!(id, FileId::Dg(_))).map(|(_, b)| b).collect();
    let bytes: usize = dgs.iter().map(|b| b.len()).sum();
    measure(name, "sha256_dgs", || {
        for b in &dgs {
            core::hint::black_box(Sha256::digest(b.as_slice()));
        }
    });
    hprintln!("STAT {}.dg_bytes={}", name, bytes);
    let sod = read.sod.as_ref().ok_or("no SOD")?;
    let ds = passive::signer_certificate_of(&sod.certificates, &sod.signer.id).ok_or("no DS certificate")?;
    let (status, _) = measure(name, "sod_signature", || passive::check_signature(sod, &ds));
    if read.verdict.is_verified() && !matches!(status, cancuoc_core::verdict::SignatureStatus::Valid) {
        return Err(alloc::format!("SOD signature check on its own: {status:?}"));
    }
    let (chain, _) = measure(name, "ds_chain", || passive::check_chain(&ds, trust, now));
    if read.verdict.is_verified() && !matches!(chain, cancuoc_core::verdict::ChainStatus::Valid) {
        return Err(alloc::format!("chain check on its own: {chain:?}"));
    }
    Ok(())
}

/// The reader's algorithm profile (cancuoc-core without `large-curves`): what it leaves out is
/// refused by name, so such a card comes out "not supported on the reader", never verified
/// and never a crash; PACE on a curve it lacks gives way to another offered variant or BAC.
fn profile() -> Result<(), String> {
    use cancuoc_core::auth::sig::{self, EcSignature, SigError};
    use cancuoc_core::ecc::{Curve, EccError};
    use cancuoc_core::lds::card_access::PaceInfo;
    use der::Decode;

    for id in [15u32, 16, 18] {
        match Curve::from_domain_id(id) {
            Err(EccError::UnsupportedDomain(x)) if x == id => {}
            other => return Err(alloc::format!("domain {id} on the reader: {other:?}")),
        }
    }
    for id in [12u32, 13] {
        Curve::from_domain_id(id).map_err(|e| alloc::format!("domain {id} missing on the reader: {e}"))?;
    }
    // A document signer key on P-384: SEQUENCE { SEQUENCE { id-ecPublicKey, secp384r1 }, BIT STRING 04‖X‖Y }.
    let mut spki_der = alloc::vec![
        0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x05, 0x2B, 0x81, 0x04,
        0x00, 0x22, 0x03, 0x62, 0x00, 0x04,
    ];
    spki_der.resize(spki_der.len() + 96, 0x11);
    let spki = spki::SubjectPublicKeyInfoOwned::from_der(&spki_der).map_err(|e| alloc::format!("P-384 SPKI: {e}"))?;
    match sig::verify_ec_prehash(&spki, &[0u8; 48], EcSignature::Plain(&[1u8; 96])) {
        Err(SigError::UnsupportedCurve(name)) if name.contains("1.3.132.0.34") => {}
        other => return Err(alloc::format!("P-384 signature on the reader: {other:?}")),
    }
    let gm_aes256 = const_oid::ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2.4");
    let offer = |ids: &[u32]| -> Vec<PaceInfo> {
        ids.iter().map(|&id| PaceInfo { protocol: gm_aes256, version: 2, parameter_id: Some(id) }).collect()
    };
    // P-521 and brainpoolP256r1 offered: the reader runs brainpoolP256r1 (the host would take P-521).
    match cancuoc_core::pace::choose(&offer(&[18, 13])) {
        Some((info, _, _)) if info.parameter_id == Some(13) => {}
        other => return Err(alloc::format!("PACE choice among P-521 and bp256: {:?}", other.map(|c| c.0))),
    }
    // Only P-384 offered: no PACE on the reader (the read falls back to BAC when the MRZ is known).
    if let Some((info, _, _)) = cancuoc_core::pace::choose(&offer(&[15])) {
        return Err(alloc::format!("PACE on P-384 chosen on the reader: {info:?}"));
    }
    Ok(())
}

#[entry]
fn main() -> ! {
    static mut HEAP_MEM: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
    // cortex-m-rt's #[entry] turns the static into a `&'static mut`.
    let heap: &'static mut [MaybeUninit<u8>; HEAP_SIZE] = HEAP_MEM;
    unsafe { HEAP.heap.init(heap.as_mut_ptr() as usize, HEAP_SIZE) };
    let (bottom, sp) = paint_stack();

    let n = 5_000_000;
    let t0 = ticks();
    spin(n);
    hprintln!("CAL insns={} ticks={}", 2 * n, ticks().wrapping_sub(t0));

    let mut ok = true;
    for (name, bytes) in CASES {
        match run_case(name, bytes) {
            Ok(()) => hprintln!("PASS {}", name),
            Err(e) => {
                ok = false;
                hprintln!("FAIL {}: {}", name, e);
            }
        }
    }
    match profile() {
        Ok(()) => hprintln!("PASS profile"),
        Err(e) => {
            ok = false;
            hprintln!("FAIL profile: {}", e);
        }
    }
    match real_world() {
        Ok(()) => hprintln!("PASS real-world"),
        Err(e) => {
            ok = false;
            hprintln!("FAIL real-world: {}", e);
        }
    }
    match multiply() {
        Ok(()) => hprintln!("PASS multiply"),
        Err(e) => {
            ok = false;
            hprintln!("FAIL multiply: {}", e);
        }
    }
    match link_noise() {
        Ok(()) => hprintln!("PASS link-noise"),
        Err(e) => {
            ok = false;
            hprintln!("FAIL link-noise: {}", e);
        }
    }
    hprintln!("STAT stack_peak={}", stack_used(bottom, sp));
    hprintln!("STAT heap_size={}", HEAP_SIZE);
    debug::exit(if ok { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    loop {
        cortex_m::asm::nop();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("FAIL panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::nop();
    }
}
