//! The one entry point: transport + access key + options → every file's raw bytes, the parsed
//! fields and the verdict. A failed read returns what it had read so a retry resumes there.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use rand_core::CryptoRng;

use crate::apdu::{Command, Transport};
use crate::error::{Error, Step};
use crate::files::{Card, FileId, LinkStats};
use crate::lds::card_access::CardAccess;
use crate::lds::{self, ParseError, com::Com, dg1::Dg1, dg2::Dg2, dg13::Dg13, dg14::Dg14, dg15::Dg15, sod::Sod};
use crate::trust::TrustStore;
use crate::verdict::Verdict;

pub use crate::files::FileProgress as Progress;

/// What to read and how to judge it.
/// What to read and check, against which trust store and at which time.
#[derive(Clone, Debug)]
pub struct ReadOptions<'a> {
    /// Data groups to read (EF.COM and EF.SOD are always read). Only those EF.COM lists are read.
    pub data_groups: Vec<u8>,
    /// Run active authentication when the chip has DG15.
    pub active_auth: bool,
    /// Run chip authentication when DG14 offers it.
    pub chip_auth: bool,
    /// The CSCAs (and their revocation lists) passive authentication checks against.
    pub trust: &'a TrustStore,
    /// The time certificates are checked at, in seconds since the Unix epoch.
    pub now_unix: u64,
    /// The active-authentication challenge to send; `None` draws a fresh one from the generator.
    /// A host that re-verifies what a reader read gives its own, so that the reader cannot replay
    /// an old answer.
    pub aa_challenge: Option<[u8; 8]>,
}

impl<'a> ReadOptions<'a> {
    /// The CCCD's data groups (DG1, DG2, DG13, DG14, DG15) with active authentication on.
    pub fn cccd(trust: &'a TrustStore, now_unix: u64) -> Self {
        Self {
            data_groups: alloc::vec![1, 2, 13, 14, 15],
            active_auth: true,
            chip_auth: true,
            trust,
            now_unix,
            aa_challenge: None,
        }
    }
}

/// Files read so far: whole files, and the one being read when the read stopped.
/// `Debug` shows file names and sizes only: the bytes are personal data.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PartialRead {
    /// Files read whole.
    pub complete: BTreeMap<FileId, Vec<u8>>,
    /// The file being read when the read stopped, and its bytes so far.
    pub in_progress: Option<(FileId, Vec<u8>)>,
}

impl core::fmt::Debug for PartialRead {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut d = f.debug_map();
        for (id, b) in &self.complete {
            d.entry(id, &alloc::format!("{} bytes", b.len()));
        }
        if let Some((id, b)) = &self.in_progress {
            d.entry(id, &alloc::format!("{} bytes (incomplete)", b.len()));
        }
        d.finish()
    }
}

impl PartialRead {
    /// Total bytes held.
    pub fn bytes(&self) -> usize {
        self.complete.values().map(Vec::len).sum::<usize>() + self.in_progress.as_ref().map_or(0, |(_, b)| b.len())
    }
}

/// A read that stopped: the error, and everything read up to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadFailure {
    /// Why the read stopped.
    pub error: Error,
    /// What had been read by then (a retry resumes from it).
    pub partial: PartialRead,
}

/// A whole read.
#[derive(Clone, Debug)]
pub struct CardRead {
    /// Every file exactly as read.
    pub files: BTreeMap<FileId, Vec<u8>>,
    /// EF.COM, parsed.
    pub com: Option<Com>,
    /// EF.SOD, parsed.
    pub sod: Option<Sod>,
    /// DG1, the MRZ.
    pub dg1: Option<Dg1>,
    /// DG2, the face.
    pub dg2: Option<Dg2>,
    /// DG13, the Vietnamese personal data.
    pub dg13: Option<Dg13>,
    /// DG14, the chip authentication keys.
    pub dg14: Option<Dg14>,
    /// DG15, the active authentication key.
    pub dg15: Option<Dg15>,
    /// Files that were read but could not be parsed (the verdict still covers their hashes).
    pub parse_errors: Vec<(FileId, ParseError)>,
    /// What every check found.
    pub verdict: Verdict,
    /// APDUs and bytes on the link for this read.
    pub stats: LinkStats,
    /// The active-authentication challenge and the chip's answer, for re-verification elsewhere.
    pub aa_exchange: Option<([u8; 8], Vec<u8>)>,
}

pub use crate::access::Credentials;

mod proofs;
mod session;
mod verify;

use verify::Parsed;

/// EF.CardAccess from the master file, or `None` when the chip has none. Some chips answer SELECT
/// MF with 6D00 or 6A82; that is not an error.
pub fn read_card_access<T: Transport>(card: &mut Card<T>) -> Result<Option<CardAccess>, Error> {
    let mf = Command::new(0x00, 0xA4, 0x00, 0x0C).with_data(alloc::vec![0x3F, 0x00]);
    if let Err(e @ Error::Transport { .. }) = card.transmit_plain(Step::ReadCardAccess, &mf) {
        return Err(e);
    }
    let mut buf = Vec::new();
    match card.read_file(FileId::CardAccess, &mut buf, &mut |_| {}) {
        Ok(()) => Ok(lds::card_access::parse(&buf).ok()),
        Err(e @ Error::Transport { .. }) => Err(e),
        // File not found, not allowed, or not understood: the chip offers no PACE we can see.
        Err(_) => Ok(None),
    }
}

/// Where the read's last checks run. Once every file is read, passive authentication needs only
/// those files and the trust store, while active and chip authentication need the chip: the two
/// can run at the same time on a processor with two cores (the reader board hands passive
/// authentication to its core 0 while core 1 talks to the chip; docs/performance.md, issue 39).
pub trait Overlap {
    /// Runs `elsewhere` (passive authentication) and `here` (the chip's proofs), each once, and
    /// returns only when both have finished: `elsewhere` borrows the read's files and must not
    /// outlive this call.
    fn both(&mut self, elsewhere: &mut (dyn FnMut() + Send), here: &mut dyn FnMut());
}

/// One processor: the chip's proofs, then passive authentication.
pub struct InTurn;

impl Overlap for InTurn {
    fn both(&mut self, elsewhere: &mut (dyn FnMut() + Send), here: &mut dyn FnMut()) {
        here();
        elsewhere();
    }
}

/// Reads and verifies a card. `resume` carries what an earlier, interrupted read got; those bytes
/// are kept and reading continues where it stopped.
pub fn read_card<T: Transport, R: CryptoRng + ?Sized>(
    transport: T,
    credentials: &Credentials,
    options: &ReadOptions<'_>,
    rng: &mut R,
    resume: Option<PartialRead>,
    progress: &mut dyn FnMut(Progress),
) -> Result<CardRead, ReadFailure> {
    read_card_overlapped(transport, credentials, options, rng, resume, progress, &mut InTurn)
}

/// [`read_card`], with passive authentication run where `overlap` puts it.
pub fn read_card_overlapped<T: Transport, R: CryptoRng + ?Sized>(
    transport: T,
    credentials: &Credentials,
    options: &ReadOptions<'_>,
    rng: &mut R,
    resume: Option<PartialRead>,
    progress: &mut dyn FnMut(Progress),
    overlap: &mut dyn Overlap,
) -> Result<CardRead, ReadFailure> {
    let mut partial = resume.unwrap_or_default();
    let mut card = Card::new(transport);
    match read_steps(&mut card, credentials, options, rng, &mut partial, progress, overlap) {
        Ok(read) => Ok(read),
        // What was read stays with the failure, so that a retry resumes there.
        Err(error) => Err(ReadFailure { error, partial }),
    }
}

/// The whole read as one list of named steps (as gmrtd's reader reads a document). A step that
/// fails ends the read with its typed error; `partial` keeps every byte read so far.
// Not inlined into its caller: the board image is 0.5–1 KB smaller so (docs/performance.md).
#[inline(never)]
fn read_steps<T: Transport, R: CryptoRng + ?Sized>(
    card: &mut Card<T>,
    credentials: &Credentials,
    options: &ReadOptions<'_>,
    rng: &mut R,
    partial: &mut PartialRead,
    progress: &mut dyn FnMut(Progress),
    overlap: &mut dyn Overlap,
) -> Result<CardRead, Error> {
    // 1–2. A secure session (PACE, else BAC), then EF.COM, EF.SOD and the data groups.
    let mut com_dgs: Vec<u8> = Vec::new();
    let (access, cam, short_reads) =
        session::open_and_read(card, credentials, options, rng, partial, &mut com_dgs, progress)?;
    // 3. Every file parsed; what does not parse is listed, not fatal.
    let files = partial.complete.clone();
    let Parsed { com, sod, dg1, dg2, dg13, dg14, dg15, parse_errors } = verify::parse_files(&files);
    let has_dg15 = com_dgs.contains(&15) || files.contains_key(&FileId::Dg(15));
    // 4–5 with 6: passive authentication runs where `overlap` puts it, while the chip is asked
    // for its proofs here.
    let mut chip_proofs = || -> Result<_, Error> {
        // 4. Active authentication: the chip has DG15 when EF.COM lists it or we read it.
        let aa = proofs::active_authentication(card, options, rng, dg15.as_ref(), dg14.as_ref(), has_dg15)?;
        // 5. Chip authentication, after active authentication (a failed CA leaves no usable
        // session).
        let ca = proofs::chip_authentication(card, options, rng, cam.as_ref(), dg14.as_ref(), aa.session_ended)?;
        Ok((aa, ca))
    };
    let (mut passive, mut proven) = (None, None);
    overlap.both(&mut || passive = Some(verify::passive_of(sod.as_ref(), &files, &com_dgs, options)), &mut || {
        proven = Some(chip_proofs())
    });
    // 6. The verdict, and what the link did. An `Overlap` that left either part undone has it
    // done here.
    let (aa, chip_auth) = match proven {
        Some(r) => r?,
        None => chip_proofs()?,
    };
    let passive = passive.unwrap_or_else(|| verify::passive_of(sod.as_ref(), &files, &com_dgs, options));
    let verdict = verify::verdict_with(passive, &files, aa.status, chip_auth, Some(access));
    let mut stats = card.stats();
    stats.short_apdu_fallback = short_reads;
    let (sfi, whole) = card.read_strategy();
    stats.sfi_refused = sfi == Some(false);
    stats.whole_block_refused = whole == Some(false);
    Ok(CardRead { files, com, sod, dg1, dg2, dg13, dg14, dg15, parse_errors, verdict, stats, aa_exchange: aa.exchange })
}

pub use verify::verify_files;
