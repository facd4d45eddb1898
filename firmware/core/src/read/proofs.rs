//! Steps 4 and 5 of a read: the chip proves it holds a key a clone cannot copy — active
//! authentication (DG15's key signs our challenge) and chip authentication (DG14's key agrees
//! new session keys, or PACE-CAM's proof). A link that failed or garbled an answer (no answer,
//! bad MAC, broken secure-messaging objects) says nothing about the chip's key: that is an error,
//! and a retry redoes the step; a chip that answers with a refusal fails the proof.

use alloc::string::ToString;
use alloc::vec::Vec;

use rand_core::CryptoRng;

use super::ReadOptions;
use crate::apdu::Transport;
use crate::auth::active;
use crate::auth::chip as ca;
use crate::error::Error;
use crate::files::{Card, FileId};
use crate::lds::{dg14::Dg14, dg15::Dg15};
use crate::pace::CamProof;
use crate::verdict::ActiveAuthStatus;

/// What active authentication gave.
pub(super) struct ActiveAuth {
    pub(super) status: ActiveAuthStatus,
    /// The challenge and the chip's answer, for re-verification elsewhere.
    pub(super) exchange: Option<([u8; 8], Vec<u8>)>,
    /// The chip refused with a plain status word, which ends secure messaging: chip
    /// authentication cannot run after it in this session.
    pub(super) session_ended: bool,
}

/// Step 4: active authentication, when the chip has DG15 (`has_dg15`) and the options ask for it.
pub(super) fn active_authentication<T: Transport, R: CryptoRng + ?Sized>(
    card: &mut Card<T>,
    options: &ReadOptions<'_>,
    rng: &mut R,
    dg15: Option<&Dg15>,
    dg14: Option<&Dg14>,
    has_dg15: bool,
) -> Result<ActiveAuth, Error> {
    let mut out = ActiveAuth { status: ActiveAuthStatus::NotAttempted, exchange: None, session_ended: false };
    out.status = match (dg15, has_dg15, options.active_auth) {
        (_, false, _) => ActiveAuthStatus::NotSupported,
        (_, true, false) | (None, true, true) => ActiveAuthStatus::NotAttempted,
        (Some(k), true, true) => {
            let ch = options.aa_challenge.unwrap_or_else(|| {
                let mut ch = [0u8; 8];
                rng.fill_bytes(&mut ch);
                ch
            });
            match active::challenge(card, &ch) {
                Ok(sig) => {
                    let status = active::verify(k, dg14, &ch, &sig);
                    out.exchange = Some((ch, sig));
                    status
                }
                // The link failed: the files are complete; a retry only redoes this step.
                Err(e @ (Error::Transport { .. } | Error::SecureMessaging { .. })) => return Err(e),
                // The chip refused: a chip that has DG15 but will not prove it holds the key is
                // treated as failing active authentication (a clone can copy DG15, not the key).
                Err(e) => {
                    out.session_ended = true;
                    ActiveAuthStatus::Failed(alloc::format!("the chip refused it: {e}"))
                }
            }
        }
    };
    Ok(out)
}

/// Step 5: chip authentication, once the files are read, in the same session; the probe SELECT
/// right after it verifies only if the chip derived the same keys, i.e. holds DG14's private key.
/// PACE-CAM already carries the proof.
pub(super) fn chip_authentication<T: Transport, R: CryptoRng + ?Sized>(
    card: &mut Card<T>,
    options: &ReadOptions<'_>,
    rng: &mut R,
    cam: Option<&CamProof>,
    dg14: Option<&Dg14>,
    session_ended: bool,
) -> Result<ActiveAuthStatus, Error> {
    Ok(match (cam, dg14) {
        // PACE-CAM: CA_IC · PK_IC must equal the chip's mapping key.
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
        (None, _) => match dg14.map(ca::from_dg14) {
            None | Some(Ok(None)) => ActiveAuthStatus::NotSupported,
            Some(Err(status)) => status,
            Some(Ok(Some(_))) if !options.chip_auth || session_ended => ActiveAuthStatus::NotAttempted,
            Some(Ok(Some(info))) => match ca::perform(card, &info, rng) {
                Err(e @ (Error::Transport { .. } | Error::SecureMessaging { .. })) => return Err(e),
                Err(e) => ActiveAuthStatus::Failed(alloc::format!("the chip refused it: {e}")),
                Ok(()) => match card.select_file(FileId::Com) {
                    Ok(()) => ActiveAuthStatus::Passed,
                    Err(e @ (Error::Transport { .. } | Error::SecureMessaging { .. })) => return Err(e),
                    Err(_) => ActiveAuthStatus::Failed(
                        "the chip cannot continue secure messaging with the agreed keys, so it does not hold the DG14 key"
                            .to_string(),
                    ),
                },
            },
        },
    })
}
