//! The one entry point: transport + access key + options → every file's raw bytes, the parsed
//! fields and the verdict. A failed read returns what it had read so a retry resumes there.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use rand_core::CryptoRng;

use crate::apdu::{Command, SwKind, Transport, TransportError};
use crate::auth::chip as ca;
use crate::auth::{active, passive};
use crate::error::PaceError;
use crate::error::{Error, Step};
use crate::files::{Card, FileId, LinkStats};
use crate::lds::card_access::CardAccess;
use crate::lds::{self, ParseError, com::Com, dg1::Dg1, dg2::Dg2, dg13::Dg13, dg14::Dg14, dg15::Dg15, sod::Sod};
use crate::pace::{self, CamProof, Password};
use crate::trust::TrustStore;
use crate::verdict::{ActiveAuthStatus, ChainStatus, SessionAccess, SignatureStatus, Verdict};

pub use crate::files::FileProgress as Progress;

/// What to read and how to judge it.
#[derive(Clone, Debug)]
pub struct ReadOptions<'a> {
    /// Data groups to read (EF.COM and EF.SOD are always read). Only those EF.COM lists are read.
    pub data_groups: Vec<u8>,
    /// Run active authentication when the chip has DG15.
    pub active_auth: bool,
    /// Run chip authentication when DG14 offers it.
    pub chip_auth: bool,
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
    pub complete: BTreeMap<FileId, Vec<u8>>,
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
    pub error: Error,
    pub partial: PartialRead,
}

/// A whole read.
#[derive(Clone, Debug)]
pub struct CardRead {
    /// Every file exactly as read.
    pub files: BTreeMap<FileId, Vec<u8>>,
    pub com: Option<Com>,
    pub sod: Option<Sod>,
    pub dg1: Option<Dg1>,
    pub dg2: Option<Dg2>,
    pub dg13: Option<Dg13>,
    pub dg14: Option<Dg14>,
    pub dg15: Option<Dg15>,
    /// Files that were read but could not be parsed (the verdict still covers their hashes).
    pub parse_errors: Vec<(FileId, ParseError)>,
    pub verdict: Verdict,
    /// APDUs and bytes on the link for this read.
    pub stats: LinkStats,
    /// The active-authentication challenge and the chip's answer, for re-verification elsewhere.
    pub aa_exchange: Option<([u8; 8], Vec<u8>)>,
}

fn parse_into<T>(
    files: &BTreeMap<FileId, Vec<u8>>,
    id: FileId,
    errors: &mut Vec<(FileId, ParseError)>,
    f: fn(&[u8]) -> Result<T, ParseError>,
) -> Option<T> {
    let bytes = files.get(&id)?;
    match f(bytes) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push((id, e));
            None
        }
    }
}

pub use crate::access::Credentials;

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

/// Secures a session: PACE when EF.CardAccess offers a variant we run (CAN first, else MRZ),
/// otherwise BAC with the MRZ key. Then selects the eMRTD application.
fn open_session<T: Transport, R: CryptoRng + ?Sized>(
    card: &mut Card<T>,
    credentials: &Credentials,
    rng: &mut R,
) -> Result<(SessionAccess, Option<CamProof>), Error> {
    card.end_session();
    let mut offered: Vec<String> = Vec::new();
    let mut pace_error: Option<String> = None;
    if let Some(ca) = read_card_access(card)? {
        offered = ca.pace.iter().map(|p| p.protocol.to_string()).collect();
        match pace::choose(&ca.pace) {
            Some((info, _, _)) => {
                let password = match (&credentials.can, &credentials.mrz) {
                    (Some(c), _) => Password::Can(c),
                    (None, Some(k)) => Password::Mrz(k),
                    (None, None) => return Err(Error::NeedCredential("enter the CAN or the MRZ fields")),
                };
                // 9303-11 §4.4.4.1: name the domain parameters only when they are ambiguous.
                let ambiguous = ca.pace.iter().any(|p| p.parameter_id != info.parameter_id);
                match pace::establish(card, info, password, ambiguous, rng) {
                    Ok(out) => {
                        card.select_application()?;
                        return Ok((
                            SessionAccess::Pace {
                                protocol: out.protocol.to_string(),
                                curve: out.domain.to_string(),
                                password: out.password,
                            },
                            out.cam,
                        ));
                    }
                    Err(e) if may_fall_back_to_bac(&e, credentials) => {
                        pace_error = Some(e.to_string());
                        card.end_session();
                    }
                    Err(e) => return Err(e),
                }
            }
            None if credentials.mrz.is_none() && !ca.pace.is_empty() => {
                return Err(Error::Pace(PaceError::Unsupported(offered.join(", "))));
            }
            // No PACE variant we run: BAC, if the chip allows it.
            None => {}
        }
    }
    let key = credentials.mrz.as_ref().ok_or(Error::NeedCredential(
        "this card does not offer PACE: enter the document number, date of birth and expiry (the CAN is not enough)",
    ))?;
    card.select_application()?;
    match crate::bac::establish(card, key, rng) {
        Ok(()) => Ok((
            match pace_error {
                Some(pace_error) => SessionAccess::BacAfterPace { pace_error },
                None => SessionAccess::Bac,
            },
            None,
        )),
        // A chip that lists PACE variants we cannot run and also refuses BAC: say which.
        Err(Error::Status { .. }) if !offered.is_empty() => {
            Err(Error::Pace(PaceError::Unsupported(offered.join(", "))))
        }
        Err(e) => Err(e),
    }
}

/// Whether a failed PACE may be followed by BAC: only with an MRZ key to try, never when the
/// card went away, and not after the chip refused the MRZ key itself (BAC would spend another
/// try of the same password). A refused CAN may be the wrong convention for this card series.
fn may_fall_back_to_bac(e: &Error, credentials: &Credentials) -> bool {
    credentials.mrz.is_some()
        && match e {
            Error::Transport { .. } | Error::Key(_) | Error::NeedCredential(_) => false,
            Error::AccessDenied { .. } => credentials.can.is_some(),
            _ => true,
        }
}

/// Reads EF.COM, EF.SOD and the requested data groups that EF.COM lists, into `partial`,
/// skipping files already complete and continuing a file that was cut off.
fn read_files<T: Transport>(
    card: &mut Card<T>,
    options: &ReadOptions<'_>,
    partial: &mut PartialRead,
    com_dgs: &mut Vec<u8>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), Error> {
    let mut order = alloc::vec![FileId::Com, FileId::Sod];
    let mut i = 0;
    while let Some(&id) = order.get(i) {
        i += 1;
        if !partial.complete.contains_key(&id) {
            let mut buf = match partial.in_progress.take() {
                Some((f, b)) if f == id => b,
                other => {
                    partial.in_progress = other;
                    Vec::new()
                }
            };
            match card.read_file(id, &mut buf, progress) {
                Ok(()) => {
                    partial.complete.insert(id, buf);
                }
                // A chip without EF.SOD: read on, the verdict says the data cannot be verified.
                Err(Error::Status { sw, .. })
                    if id == FileId::Sod && buf.is_empty() && sw.kind() == SwKind::FileNotFound => {}
                Err(e) => {
                    if !buf.is_empty() {
                        partial.in_progress = Some((id, buf));
                    }
                    return Err(e);
                }
            }
        }
        if id == FileId::Com {
            let com = partial.complete.get(&FileId::Com).and_then(|b| lds::com::parse(b).ok());
            *com_dgs = com
                .map(|c| {
                    c.data_groups.iter().filter_map(|f| if let FileId::Dg(n) = f { Some(*n) } else { None }).collect()
                })
                .unwrap_or_default();
            for dg in &options.data_groups {
                // An unparseable EF.COM still lets the requested DGs be tried.
                if com_dgs.is_empty() || com_dgs.contains(dg) {
                    order.push(FileId::Dg(*dg));
                }
            }
        }
    }
    Ok(())
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
    let mut partial = resume.unwrap_or_default();
    let mut card = Card::new(transport);
    let fail = |error: Error, partial: PartialRead| ReadFailure { error, partial };

    let (mut access, mut cam) = match open_session(&mut card, credentials, rng) {
        Ok(a) => a,
        Err(e) => return Err(fail(e, partial)),
    };
    let mut com_dgs: Vec<u8> = Vec::new();
    let mut fell_back = false;
    // New sessions after a refusal that taught how this chip reads (short EF identifiers, a
    // whole first block) and ended secure messaging: at most one per thing learned.
    let mut relearned = 0;
    loop {
        match read_files(&mut card, options, &mut partial, &mut com_dgs, progress) {
            Ok(()) => break,
            Err(_) if card.take_learned() && card.session().is_none() && relearned < 2 => {
                relearned += 1;
                match open_session(&mut card, credentials, rng) {
                    Ok((a, c)) => (access, cam) = (a, c),
                    Err(e) => return Err(fail(e, partial)),
                }
            }
            // A chip without extended-length support rejects the APDU outright (plain 6700 or
            // 6Cxx), which ends secure messaging; a reader that cannot carry extended APDUs (the
            // ACR122U class) fails the exchange itself: a transmit error, its own 6700, or an
            // answer cut short (a broken secure-messaging object). Either way, once per session:
            // open a new session and go on with short reads.
            Err(e)
                if !fell_back
                    && card.uses_extended_length()
                    && match &e {
                        Error::Status { step: Step::ReadBinary(_), sw } => {
                            matches!(sw.kind(), SwKind::WrongLength | SwKind::WrongLe(_))
                        }
                        Error::Transport {
                            step: Step::ReadBinary(_),
                            error: TransportError::Reader(_) | TransportError::Timeout,
                        } => true,
                        Error::SecureMessaging { step: Step::ReadBinary(_), .. } => true,
                        _ => false,
                    } =>
            {
                fell_back = true;
                card.set_chip_extended(false);
                match open_session(&mut card, credentials, rng) {
                    Ok((a, c)) => (access, cam) = (a, c),
                    Err(e) => return Err(fail(e, partial)),
                }
            }
            Err(e) => return Err(fail(e, partial)),
        }
    }

    let files = partial.complete.clone();
    let Parsed { com, sod, dg1, dg2, dg13, dg14, dg15, parse_errors } = parse_files(&files);

    // Active authentication: the chip has DG15 when EF.COM lists it or we read it.
    let mut aa_exchange = None;
    // A chip that refuses INTERNAL AUTHENTICATE answers with a plain status word, which ends the
    // secure-messaging session: chip authentication cannot run after it in this session.
    let mut session_ended = false;
    let has_dg15 = com_dgs.contains(&15) || files.contains_key(&FileId::Dg(15));
    let active_auth = match (&dg15, has_dg15, options.active_auth) {
        (_, false, _) => ActiveAuthStatus::NotSupported,
        (_, true, false) => ActiveAuthStatus::NotAttempted,
        (None, true, true) => ActiveAuthStatus::NotAttempted,
        (Some(k), true, true) => {
            let ch = options.aa_challenge.unwrap_or_else(|| {
                let mut ch = [0u8; 8];
                rng.fill_bytes(&mut ch);
                ch
            });
            match active::challenge(&mut card, &ch) {
                Ok(sig) => {
                    let status = active::verify(k, dg14.as_ref(), &ch, &sig);
                    aa_exchange = Some((ch, sig));
                    status
                }
                // The link failed or garbled the answer (no answer, bad MAC, broken SM objects):
                // that says nothing about the chip's key. The files are complete; a retry only
                // redoes this step.
                Err(e @ (Error::Transport { .. } | Error::SecureMessaging { .. })) => return Err(fail(e, partial)),
                // The chip refused: a chip that has DG15 but will not prove it holds the key is
                // treated as failing active authentication (a clone can copy DG15, not the key).
                Err(e) => {
                    session_ended = true;
                    ActiveAuthStatus::Failed(alloc::format!("the chip refused it: {e}"))
                }
            }
        }
    };

    // Chip authentication, after active authentication (a failed CA leaves no usable session).
    // It runs once the files are read, in the same session; the probe SELECT right after it
    // verifies only if the chip derived the same keys, i.e. holds DG14's private key.
    let chip_auth = match (&cam, &dg14) {
        // PACE-CAM already carries the proof: CA_IC · PK_IC must equal the chip's mapping key.
        (Some(proof), Some(d14)) => {
            if ca::static_keys(&d14.infos).iter().any(|(pk, _)| proof.verify(pk)) {
                ActiveAuthStatus::Passed
            } else {
                ActiveAuthStatus::Failed(
                    "PACE-CAM: the chip's mapping key does not match the DG14 chip-authentication key".to_string(),
                )
            }
        }
        (Some(_), None) => ActiveAuthStatus::Failed("PACE-CAM: DG14, with the chip's key, was not read".to_string()),
        (None, _) => match dg14.as_ref().map(ca::from_dg14) {
        None | Some(Ok(None)) => ActiveAuthStatus::NotSupported,
        Some(Err(status)) => status,
        Some(Ok(Some(_))) if !options.chip_auth || session_ended => ActiveAuthStatus::NotAttempted,
        // As for active authentication: a link that failed or garbled an answer (no answer, bad
        // MAC, broken SM objects) says nothing about the chip's key, and a retry redoes the step;
        // a chip that answers with a refusal (a plain status word) fails the proof.
        Some(Ok(Some(info))) => match ca::perform(&mut card, &info, rng) {
            Err(e @ (Error::Transport { .. } | Error::SecureMessaging { .. })) => return Err(fail(e, partial)),
            Err(e) => ActiveAuthStatus::Failed(alloc::format!("the chip refused it: {e}")),
            Ok(()) => match card.select_file(FileId::Com) {
                Ok(()) => ActiveAuthStatus::Passed,
                Err(e @ (Error::Transport { .. } | Error::SecureMessaging { .. })) => return Err(fail(e, partial)),
                Err(_) => ActiveAuthStatus::Failed(
                    "the chip cannot continue secure messaging with the agreed keys, so it does not hold the DG14 key"
                        .to_string(),
                ),
            },
        },
        },
    };

    let verdict = verdict_of(sod.as_ref(), &files, &com_dgs, options, active_auth, chip_auth, Some(access));
    let mut stats = card.stats();
    stats.short_apdu_fallback = fell_back;
    let (sfi, whole) = card.read_strategy();
    stats.sfi_refused = sfi == Some(false);
    stats.whole_block_refused = whole == Some(false);
    Ok(CardRead { files, com, sod, dg1, dg2, dg13, dg14, dg15, parse_errors, verdict, stats, aa_exchange })
}

/// Every file the CCCD holds, parsed; what does not parse is listed, not fatal.
struct Parsed {
    com: Option<Com>,
    sod: Option<Sod>,
    dg1: Option<Dg1>,
    dg2: Option<Dg2>,
    dg13: Option<Dg13>,
    dg14: Option<Dg14>,
    dg15: Option<Dg15>,
    parse_errors: Vec<(FileId, ParseError)>,
}

fn parse_files(files: &BTreeMap<FileId, Vec<u8>>) -> Parsed {
    let mut e = Vec::new();
    Parsed {
        com: parse_into(files, FileId::Com, &mut e, lds::com::parse),
        sod: parse_into(files, FileId::Sod, &mut e, lds::sod::parse),
        dg1: parse_into(files, FileId::Dg(1), &mut e, lds::dg1::parse),
        dg2: parse_into(files, FileId::Dg(2), &mut e, lds::dg2::parse),
        dg13: parse_into(files, FileId::Dg(13), &mut e, lds::dg13::parse),
        dg14: parse_into(files, FileId::Dg(14), &mut e, lds::dg14::parse),
        dg15: parse_into(files, FileId::Dg(15), &mut e, lds::dg15::parse),
        parse_errors: e,
    }
}

fn verdict_of(
    sod: Option<&Sod>,
    files: &BTreeMap<FileId, Vec<u8>>,
    com_dgs: &[u8],
    options: &ReadOptions<'_>,
    active_auth: ActiveAuthStatus,
    chip_auth: ActiveAuthStatus,
    access: Option<SessionAccess>,
) -> Verdict {
    match sod {
        Some(s) => {
            let p = passive::verify(s, files, com_dgs, options.trust, options.now_unix);
            Verdict {
                data_groups: p.data_groups,
                hash_algorithm: p.hash_algorithm,
                sod_signature: p.sod_signature,
                chain: p.chain,
                active_auth,
                chip_auth,
                weak_algorithms: p.weak_algorithms.into_iter().map(Into::into).collect(),
                notices: p.notices.into_iter().map(Into::into).collect(),
                access,
            }
        }
        None => Verdict {
            data_groups: Vec::new(),
            hash_algorithm: None,
            sod_signature: if files.contains_key(&FileId::Sod) {
                SignatureStatus::Malformed("EF.SOD could not be parsed")
            } else {
                SignatureStatus::Missing
            },
            chain: ChainStatus::NoCertificate,
            active_auth,
            chip_auth,
            weak_algorithms: Vec::new(),
            notices: Vec::new(),
            access,
        },
    }
}

/// Verifies files that were read elsewhere — by a cancuoc reader, which the PC does not have to
/// trust: passive authentication with this trust store, and active authentication from the
/// challenge the caller chose (`options.aa_challenge`) and the chip's answer as the reader
/// relayed it. Chip authentication cannot be redone without the chip; the caller passes what the
/// reader reported.
pub fn verify_files(
    files: BTreeMap<FileId, Vec<u8>>,
    options: &ReadOptions<'_>,
    aa_answer: Option<&[u8]>,
    chip_auth: ActiveAuthStatus,
    access: Option<SessionAccess>,
) -> CardRead {
    let Parsed { com, sod, dg1, dg2, dg13, dg14, dg15, parse_errors } = parse_files(&files);
    let com_dgs: Vec<u8> = com
        .as_ref()
        .map(|c| c.data_groups.iter().filter_map(|f| if let FileId::Dg(n) = f { Some(*n) } else { None }).collect())
        .unwrap_or_default();
    let has_dg15 = com_dgs.contains(&15) || files.contains_key(&FileId::Dg(15));
    let mut aa_exchange = None;
    let active_auth = match (&dg15, has_dg15, options.active_auth, options.aa_challenge, aa_answer) {
        (_, false, ..) => ActiveAuthStatus::NotSupported,
        (_, true, false, ..) => ActiveAuthStatus::NotAttempted,
        (Some(k), true, true, Some(ch), Some(answer)) => {
            aa_exchange = Some((ch, answer.to_vec()));
            active::verify(k, dg14.as_ref(), &ch, answer)
        }
        (Some(_), true, true, Some(_), None) => {
            ActiveAuthStatus::Failed("the reader did not relay the chip's answer to our challenge".to_string())
        }
        _ => ActiveAuthStatus::NotAttempted,
    };
    let verdict = verdict_of(sod.as_ref(), &files, &com_dgs, options, active_auth, chip_auth, access);
    CardRead {
        files,
        com,
        sod,
        dg1,
        dg2,
        dg13,
        dg14,
        dg15,
        parse_errors,
        verdict,
        stats: LinkStats::default(),
        aa_exchange,
    }
}
