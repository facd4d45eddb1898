//! Steps 1 and 2 of a read: a secure session (PACE when EF.CardAccess offers a variant we run,
//! else BAC), then every file, with a new session where the chip taught us how it reads.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use rand_core::CryptoRng;

use super::{Credentials, PartialRead, Progress, ReadOptions, read_card_access};
use crate::apdu::{SwKind, Transport, TransportError};
use crate::error::{Error, PaceError, Step};
use crate::files::{Card, FileId};
use crate::lds;
use crate::pace::{self, CamProof, Password};
use crate::verdict::SessionAccess;

/// Steps 1 and 2: a session, then every file into `partial`. A chip that taught us how it reads
/// (short EF identifiers, a whole first block) and ended secure messaging gets a new session, at
/// most one per thing learned; a chip or reader without extended length, once, a new session
/// with short reads. Returns the session's access, PACE-CAM's proof, and whether short reads
/// were needed.
pub(super) fn open_and_read<T: Transport, R: CryptoRng + ?Sized>(
    card: &mut Card<T>,
    credentials: &Credentials,
    options: &ReadOptions<'_>,
    rng: &mut R,
    partial: &mut PartialRead,
    com_dgs: &mut Vec<u8>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(SessionAccess, Option<CamProof>, bool), Error> {
    let (mut access, mut cam) = open_session(card, credentials, rng)?;
    let mut short_reads = false;
    let mut relearned = 0;
    loop {
        match read_files(card, options, partial, com_dgs, progress) {
            Ok(()) => return Ok((access, cam, short_reads)),
            Err(_) if card.take_learned() && card.session().is_none() && relearned < 2 => {
                relearned += 1;
                (access, cam) = open_session(card, credentials, rng)?;
            }
            Err(e) if !short_reads && card.uses_extended_length() && short_reads_may_help(&e) => {
                short_reads = true;
                card.set_chip_extended(false);
                (access, cam) = open_session(card, credentials, rng)?;
            }
            Err(e) => return Err(e),
        }
    }
}

/// A chip without extended-length support rejects the APDU outright (plain 6700 or 6Cxx), which
/// ends secure messaging; a reader that cannot carry extended APDUs (the ACR122U class) fails the
/// exchange itself: a transmit error, its own 6700, or an answer cut short (a broken
/// secure-messaging object). Either way a new session with short reads may go on.
fn short_reads_may_help(e: &Error) -> bool {
    match e {
        Error::Status { step: Step::ReadBinary(_), sw } => {
            matches!(sw.kind(), SwKind::WrongLength | SwKind::WrongLe(_))
        }
        Error::Transport { step: Step::ReadBinary(_), error: TransportError::Reader(_) | TransportError::Timeout } => {
            true
        }
        Error::SecureMessaging { step: Step::ReadBinary(_), .. } => true,
        _ => false,
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
