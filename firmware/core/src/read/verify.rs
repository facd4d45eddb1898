//! Steps 3 and 6 of a read, and the offline verification of saved files: every file parsed, and
//! the verdict from the SOD, the trust store and the chip's proofs.

use alloc::collections::BTreeMap;
use alloc::string::ToString;
use alloc::vec::Vec;

use super::{CardRead, ReadOptions};
use crate::auth::{active, passive};
use crate::files::{FileId, LinkStats};
use crate::lds::{self, ParseError, com::Com, dg1::Dg1, dg2::Dg2, dg13::Dg13, dg14::Dg14, dg15::Dg15, sod::Sod};
use crate::verdict::{ActiveAuthStatus, ChainStatus, SessionAccess, SignatureStatus, Verdict};

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

/// Every file the CCCD holds, parsed; what does not parse is listed, not fatal.
pub(super) struct Parsed {
    pub(super) com: Option<Com>,
    pub(super) sod: Option<Sod>,
    pub(super) dg1: Option<Dg1>,
    pub(super) dg2: Option<Dg2>,
    pub(super) dg13: Option<Dg13>,
    pub(super) dg14: Option<Dg14>,
    pub(super) dg15: Option<Dg15>,
    pub(super) parse_errors: Vec<(FileId, ParseError)>,
}

pub(super) fn parse_files(files: &BTreeMap<FileId, Vec<u8>>) -> Parsed {
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

/// Passive authentication of what was read: `None` without a parsed EF.SOD.
pub(super) fn passive_of(
    sod: Option<&Sod>,
    files: &BTreeMap<FileId, Vec<u8>>,
    com_dgs: &[u8],
    options: &ReadOptions<'_>,
) -> Option<passive::PassiveResult> {
    sod.map(|s| passive::verify(s, files, com_dgs, options.trust, options.now_unix))
}

pub(super) fn verdict_of(
    sod: Option<&Sod>,
    files: &BTreeMap<FileId, Vec<u8>>,
    com_dgs: &[u8],
    options: &ReadOptions<'_>,
    active_auth: ActiveAuthStatus,
    chip_auth: ActiveAuthStatus,
    access: Option<SessionAccess>,
) -> Verdict {
    verdict_with(passive_of(sod, files, com_dgs, options), files, active_auth, chip_auth, access)
}

/// The verdict from passive authentication's result (`None`: no EF.SOD parsed) and the chip's
/// proofs.
pub(super) fn verdict_with(
    passive: Option<passive::PassiveResult>,
    files: &BTreeMap<FileId, Vec<u8>>,
    active_auth: ActiveAuthStatus,
    chip_auth: ActiveAuthStatus,
    access: Option<SessionAccess>,
) -> Verdict {
    match passive {
        Some(p) => Verdict {
            data_groups: p.data_groups,
            hash_algorithm: p.hash_algorithm,
            sod_signature: p.sod_signature,
            chain: p.chain,
            active_auth,
            chip_auth,
            weak_algorithms: p.weak_algorithms.into_iter().map(Into::into).collect(),
            notices: p.notices.into_iter().map(Into::into).collect(),
            access,
        },
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
