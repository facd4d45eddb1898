//! Wire counts of a full read and a model of its air time, for docs/performance.md and the
//! budget test (tests/tests/performance_budget.rs). Everything here is deterministic: the same
//! card and the same strategy give the same bytes.
//!
//! The air-time model (ISO/IEC 14443, type A framing):
//! - every APDU travels in ISO-DEP I-blocks of at most `fsc` bytes: a PCB byte and a 2-byte CRC
//!   around at most `fsc − 3` bytes of the APDU; a longer APDU is chained, and the other side
//!   acknowledges each chained block with a 3-byte R(ACK);
//! - each byte costs 9 bit times (8 data bits and a parity bit), each frame 2 more (start and
//!   end of frame);
//! - each frame is followed by the minimum frame delay time, 1172/fc ≈ 86.4 µs;
//! - the chip's own computing time (key agreement, signing, EEPROM reads) is not modelled: it
//!   depends on the chip, not on how we read it.

use std::collections::BTreeMap;

use cancuoc_core::apdu::{Transport, TransportError, TransportLimits};
use cancuoc_core::crypto::SmCipher;
use cancuoc_core::files::FileId;
use cancuoc_core::pace::Can;
use cancuoc_core::sm;
use cancuoc_core::{Credentials, ReadOptions, read_card};

use crate::{CardSpec, SimChip, build};

/// The time the read is verified at (2026-11-23).
pub const NOW: u64 = 1_795_392_000;

/// Minimum frame delay time, 1172 / 13.56 MHz, in seconds.
pub const FRAME_DELAY_S: f64 = 1172.0 / 13.56e6;

/// ISO 14443 bit rates, kbit/s.
pub const RATES: [u32; 4] = [106, 212, 424, 848];

/// How the file bytes are fetched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Ours: one extended-length READ BINARY per file (after an 8-byte header probe), as far as
    /// the transport's response limit allows.
    Extended,
    /// Extended length through the reader's PN532 transport (4 KB responses, firmware/reader).
    Pn532,
    /// Short READ BINARYs of this many plain bytes (the peers' 160 and 223).
    Blocks(usize),
}

impl Strategy {
    pub fn label(self) -> String {
        match self {
            Self::Extended => "extended length (ours, PC/SC)".into(),
            Self::Pn532 => "extended length, 4 KB (ours, PN532 reader)".into(),
            Self::Blocks(n) => format!("{n}-byte blocks"),
        }
    }
}

/// One command/response pair as it crossed the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub command: usize,
    pub response: usize,
    /// A SELECT or READ BINARY under secure messaging: moving a file, not setting up the session.
    pub file_access: bool,
    /// The instruction byte (0xC0: GET RESPONSE, the chip's answer did not fit one response).
    pub ins: u8,
}

/// The counts of one full read.
#[derive(Clone, Debug)]
pub struct ReadCounts {
    pub exchanges: Vec<Exchange>,
    /// Size of each file read (the payload).
    pub files: BTreeMap<String, usize>,
    pub verified: bool,
}

impl ReadCounts {
    pub fn apdus(&self) -> usize {
        self.exchanges.len()
    }
    pub fn sent(&self) -> usize {
        self.exchanges.iter().map(|e| e.command).sum()
    }
    pub fn received(&self) -> usize {
        self.exchanges.iter().map(|e| e.response).sum()
    }
    pub fn payload(&self) -> usize {
        self.files.values().sum()
    }
    /// APDU bytes spent moving the files (SELECTs, READ BINARYs) beyond the file bytes
    /// themselves: APDU headers, Le, status words and the secure-messaging wrapping.
    pub fn transfer_overhead(&self) -> usize {
        let moved: usize = self.exchanges.iter().filter(|e| e.file_access).map(|e| e.command + e.response).sum();
        moved.saturating_sub(self.payload())
    }
    /// APDU bytes of everything else: EF.CardAccess, PACE or BAC, active and chip authentication.
    pub fn session_bytes(&self) -> usize {
        self.exchanges.iter().filter(|e| !e.file_access).map(|e| e.command + e.response).sum()
    }
    /// ISO-DEP framing (PCB, CRC, R(ACK)s) of the file-moving exchanges, at frame size `fsc`.
    pub fn transfer_framing(&self, fsc: usize) -> usize {
        self.exchanges.iter().filter(|e| e.file_access).map(|e| air(e, fsc).0 - e.command - e.response).sum()
    }
    /// Modelled air time of the whole read, seconds.
    pub fn air_time(&self, fsc: usize, kbps: u32) -> f64 {
        let bit = 1.0 / (f64::from(kbps) * 1000.0);
        self.exchanges
            .iter()
            .map(|e| {
                let (bytes, frames) = air(e, fsc);
                (bytes * 9 + frames * 2) as f64 * bit + frames as f64 * FRAME_DELAY_S
            })
            .sum()
    }
}

/// Bytes and frames on the air for one exchange at frame size `fsc`.
fn air(e: &Exchange, fsc: usize) -> (usize, usize) {
    let inf = fsc.saturating_sub(3).max(1);
    let side = |n: usize| {
        let blocks = n.div_ceil(inf).max(1);
        // The I-blocks, and an R(ACK) from the other side after each but the last.
        (n + 3 * blocks + 3 * (blocks - 1), blocks + (blocks - 1))
    };
    let (cb, cf) = side(e.command);
    let (rb, rf) = side(e.response);
    (cb + rb, cf + rf)
}

/// A transport that caps the response size, to read in blocks of a given size.
struct Capped(SimChip, TransportLimits);

impl Transport for Capped {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.0.transmit(command)
    }
    fn limits(&self) -> TransportLimits {
        self.1
    }
}

/// The response limit that makes the core read `plain` bytes per READ BINARY under `cipher`
/// (it keeps 4 bytes for a DO'53' header; see `files::max_read_block`).
pub fn response_limit_for_block(cipher: SmCipher, plain: usize) -> usize {
    plain + sm::response_overhead(cipher, plain) + 4
}

/// Reads the card `spec` describes with the CAN (PACE) or, for a BAC-only card, the MRZ key,
/// fetching files by `strategy`, and counts what crossed the wire.
pub fn full_read(spec: &CardSpec, strategy: Strategy) -> ReadCounts {
    let image = build(spec);
    let creds = if spec.pace.is_some() {
        Credentials { can: Can::new(crate::image::CAN).ok(), mrz: None }
    } else {
        Credentials::mrz(crate::PERSONA.access_key())
    };
    // PACE OIDs end in 1 for 3DES, 2–4 for AES (9303-11 §9.2.1); BAC is 3DES. Only the block
    // size matters here, and every AES key length has the same.
    let cipher = match spec.pace {
        Some((oid, _)) if !oid.ends_with(".1") => SmCipher::Aes128,
        _ => SmCipher::Tdes,
    };
    let limits = match strategy {
        Strategy::Extended => TransportLimits::EXTENDED,
        Strategy::Pn532 => cancuoc_reader::pn532::LIMITS,
        Strategy::Blocks(n) => TransportLimits {
            max_command: 261,
            max_response: response_limit_for_block(cipher, n),
            extended_length: false,
        },
    };
    let mut t = Capped(SimChip::new(image), limits);
    let trust = crate::trust_store();
    let opts = ReadOptions::cccd(&trust, NOW);
    let r = read_card(&mut t, &creds, &opts, &mut crate::os_rng(), None, &mut |_| {});
    let exchanges =
        t.0.log
            .iter()
            .map(|(c, a)| Exchange {
                command: c.len(),
                response: a.len(),
                file_access: c.first() == Some(&0x0C) && matches!(c.get(1), Some(0xA4 | 0xB0 | 0xB1)),
                ins: c.get(1).copied().unwrap_or(0),
            })
            .collect();
    match r {
        Ok(read) => ReadCounts {
            exchanges,
            files: read.files.iter().map(|(f, b)| (name(*f), b.len())).collect(),
            verified: read.verdict.is_verified(),
        },
        Err(_) => ReadCounts { exchanges, files: BTreeMap::new(), verified: false },
    }
}

fn name(f: FileId) -> String {
    match f {
        FileId::Com => "EF.COM".into(),
        FileId::Sod => "EF.SOD".into(),
        FileId::CardAccess => "EF.CardAccess".into(),
        FileId::Dg(n) => format!("DG{n}"),
    }
}
