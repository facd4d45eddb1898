//! A recorded card session, replayed: the chip's side of a real read (recorded from the
//! simulator on a PC) played back to the core running on a microcontroller or under QEMU.
//!
//! The terminal's randomness comes from [`SeededRng`] with the recorded seed, so the core sends
//! exactly the commands it sent when the session was recorded; the replay checks every command
//! byte for byte and answers with the recorded response. The core still does all of its work —
//! key agreement, secure messaging with MAC checks, parsing, hashing, signature and chain checks,
//! active authentication — only the chip's answers are canned.

use alloc::string::String;
use alloc::vec::Vec;
use cancuoc_core::apdu::{Transport, TransportError, TransportLimits};

/// A deterministic generator for replays and tests only: the SHA-256 counter stream from a fixed
/// seed. It must never feed a real session (the board seeds [`Sha256Ctr`] from hardware entropy).
pub type SeededRng = crate::rng::Sha256Ctr;

/// The access key of a recorded session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordedKey {
    Can(String),
    Mrz { document_number: String, date_of_birth: String, date_of_expiry: String },
}

/// A recorded session. Binary layout (all integers little-endian):
/// `"CCTR"` · version 1 · seed[32] · now_unix u64 · limits (max_command u32, max_response u32,
/// extended u8) · key (0 = CAN: str; 1 = MRZ: str str str; str = u16 length + UTF-8) · trust
/// store (u32 length + packed certificates) · expected verdict u8 · exchanges u32 × (command:
/// u32 length + bytes, response: u32 length + bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    pub seed: [u8; 32],
    pub now_unix: u64,
    pub limits: TransportLimits,
    pub key: RecordedKey,
    pub trust: Vec<u8>,
    pub expect_verified: bool,
    pub exchanges: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Transcript {
    const MAGIC: [u8; 4] = *b"CCTR";

    pub fn encode(&self) -> Vec<u8> {
        fn bytes(v: &mut Vec<u8>, b: &[u8]) {
            v.extend_from_slice(&(b.len() as u32).to_le_bytes());
            v.extend_from_slice(b);
        }
        fn text(v: &mut Vec<u8>, s: &str) {
            v.extend_from_slice(&(s.len() as u16).to_le_bytes());
            v.extend_from_slice(s.as_bytes());
        }
        let mut v = Vec::new();
        v.extend_from_slice(&Self::MAGIC);
        v.push(1);
        v.extend_from_slice(&self.seed);
        v.extend_from_slice(&self.now_unix.to_le_bytes());
        v.extend_from_slice(&(self.limits.max_command as u32).to_le_bytes());
        v.extend_from_slice(&(self.limits.max_response as u32).to_le_bytes());
        v.push(u8::from(self.limits.extended_length));
        match &self.key {
            RecordedKey::Can(c) => {
                v.push(0);
                text(&mut v, c);
            }
            RecordedKey::Mrz { document_number, date_of_birth, date_of_expiry } => {
                v.push(1);
                text(&mut v, document_number);
                text(&mut v, date_of_birth);
                text(&mut v, date_of_expiry);
            }
        }
        bytes(&mut v, &self.trust);
        v.push(u8::from(self.expect_verified));
        v.extend_from_slice(&(self.exchanges.len() as u32).to_le_bytes());
        for (c, r) in &self.exchanges {
            bytes(&mut v, c);
            bytes(&mut v, r);
        }
        v
    }

    /// Parses a transcript; `None` if it is not one or is cut short.
    pub fn decode(b: &[u8]) -> Option<Self> {
        let mut r = Reader(b);
        if r.take(4)? != Self::MAGIC || r.u8()? != 1 {
            return None;
        }
        let seed = r.take(32)?.try_into().ok()?;
        let now_unix = u64::from_le_bytes(r.take(8)?.try_into().ok()?);
        let limits = TransportLimits {
            max_command: r.u32()? as usize,
            max_response: r.u32()? as usize,
            extended_length: r.u8()? != 0,
        };
        let key = match r.u8()? {
            0 => RecordedKey::Can(r.text()?),
            1 => RecordedKey::Mrz { document_number: r.text()?, date_of_birth: r.text()?, date_of_expiry: r.text()? },
            _ => return None,
        };
        let trust = r.bytes()?.to_vec();
        let expect_verified = r.u8()? != 0;
        let n = r.u32()?;
        let mut exchanges = Vec::new();
        for _ in 0..n {
            exchanges.push((r.bytes()?.to_vec(), r.bytes()?.to_vec()));
        }
        r.0.is_empty().then_some(Self { seed, now_unix, limits, key, trust, expect_verified, exchanges })
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (a, b) = self.0.split_at_checked(n)?;
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn text(&mut self) -> Option<String> {
        let n = u16::from_le_bytes(self.take(2)?.try_into().ok()?);
        core::str::from_utf8(self.take(usize::from(n))?).ok().map(String::from)
    }
}

/// Plays a transcript's responses back, checking that each command is the recorded one.
pub struct Replay<'a> {
    exchanges: &'a [(Vec<u8>, Vec<u8>)],
    limits: TransportLimits,
    next: usize,
    /// Index of the first command that differed from the recording, if any.
    pub diverged_at: Option<usize>,
}

impl<'a> Replay<'a> {
    pub fn new(t: &'a Transcript) -> Self {
        Self { exchanges: &t.exchanges, limits: t.limits, next: 0, diverged_at: None }
    }
    /// Whether every recorded exchange was used.
    pub fn finished(&self) -> bool {
        self.next == self.exchanges.len()
    }
    pub fn exchanges_done(&self) -> usize {
        self.next
    }
}

impl Transport for Replay<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let Some((c, r)) = self.exchanges.get(self.next) else {
            self.diverged_at.get_or_insert(self.next);
            return Err(TransportError::CardRemoved);
        };
        if c.as_slice() != command {
            self.diverged_at.get_or_insert(self.next);
            return Err(TransportError::Reader("command differs from the recorded session".into()));
        }
        self.next += 1;
        Ok(r.clone())
    }
    fn limits(&self) -> TransportLimits {
        self.limits
    }
}

/// Records a session: wraps the simulator (or any transport) and keeps every exchange.
pub struct Recorder<T> {
    pub inner: T,
    pub exchanges: Vec<(Vec<u8>, Vec<u8>)>,
}

impl<T: Transport> Transport for Recorder<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let r = self.inner.transmit(command)?;
        self.exchanges.push((command.to_vec(), r.clone()));
        Ok(r)
    }
    fn limits(&self) -> TransportLimits {
        self.inner.limits()
    }
}
