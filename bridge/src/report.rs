//! What a read becomes for people and scripts: [`Report`] (everything `cancuoc read --json`
//! prints, the API's answer and the desk app's verdict are made from it), [`ErrorReport`] for a read
//! that did not complete, and the MRZ dates they show.

use std::collections::BTreeMap;

use cancuoc_core::TransportError;
use cancuoc_core::error::Error;
use cancuoc_core::lds::dg13::Dg13;
use cancuoc_core::read::{CardRead, ReadFailure};
use cancuoc_core::verdict::{ActiveAuthStatus, ChainStatus, DgCheck, SessionAccess, SignatureStatus};
use serde::Serialize;

use crate::{address, exit, now_unix};

/// The overall result, as a word scripts and the UI switch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every check passed.
    Verified,
    /// Data intact and signed, but the signer's CSCA is not in the trust store (amber).
    SignerUntrusted,
    /// Nothing failed, but a check could not be made here: an algorithm or curve this build does
    /// not implement, named in the failures (amber — not the red of a forgery).
    NotChecked,
    /// At least one check failed (red).
    NotVerified,
}

#[derive(Clone, Debug, Serialize)]
pub struct FailureReport {
    /// Machine-readable check name.
    pub check: &'static str,
    /// The reason, in technical English (logs, scripts).
    pub message: String,
    /// The check itself, for wording it in a language ([`words::failure`]).
    #[serde(skip)]
    pub failure: cancuoc_core::verdict::Failure,
}

#[derive(Clone, Debug, Serialize)]
pub struct MrzReport {
    pub document_code: String,
    pub issuing_state: String,
    pub document_number: String,
    pub date_of_birth: String,
    pub sex: String,
    pub date_of_expiry: String,
    pub nationality: String,
    pub name: String,
    pub check_digits_valid: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct PhotoReport {
    /// "image/jpeg" or "image/jp2".
    pub mime: &'static str,
    pub width: u16,
    pub height: u16,
    pub bytes: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Checks {
    pub data_groups: Vec<DgCheck>,
    pub hash_algorithm: Option<String>,
    pub sod_signature: SignatureStatus,
    pub certificate_chain: ChainStatus,
    pub active_authentication: ActiveAuthStatus,
    pub chip_authentication: ActiveAuthStatus,
    pub weak_algorithms: Vec<String>,
    /// Weak algorithms accepted by policy (SHA-1 data-group hashes): notes, not failures.
    pub notices: Vec<String>,
    /// Which protocol secured the session (BAC, or PACE with curve and password).
    pub access: Option<SessionAccess>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LinkReport {
    /// The reader (or the chip) could not carry extended-length APDUs: the read went on with
    /// short ones (slower, same data).
    pub short_apdu_fallback: bool,
    /// The chip does not read by short EF identifier: each file was selected first.
    pub sfi_refused: bool,
    /// The chip refused a read longer than the file: each file's length was probed first.
    pub whole_block_refused: bool,
    pub apdus: usize,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// File name → size in bytes.
    pub files: BTreeMap<String, usize>,
}

/// The document itself, from DG1's MRZ: what kind, its number and issuer, and whether it has
/// expired (a passport of a foreign patient has no DG13; a CCCD's number is in `person` too).
#[derive(Clone, Debug, Serialize)]
pub struct DocumentReport {
    /// "passport", "identity_card" or "other" (from the MRZ document code).
    pub kind: &'static str,
    pub number: String,
    pub issuing_state: String,
    /// dd/mm/yyyy, from the MRZ.
    pub date_of_expiry: Option<String>,
    /// The expiry date is before today (the chip may still be genuine; the document is not valid).
    pub expired: bool,
}

/// `YYMMDD` → `dd/mm/yyyy`. Birth dates take the century that puts them in the past; expiry dates
/// are this century.
pub fn mrz_date(yymmdd: &str, birth: bool, now_unix: u64) -> Option<String> {
    let d = yymmdd.as_bytes();
    if d.len() != 6 || !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |i: usize| u32::from(d[i] - b'0') * 10 + u32::from(d[i + 1] - b'0');
    let (yy, mm, dd) = (n(0), n(2), n(4));
    let this_year = der::DateTime::from_unix_duration(std::time::Duration::from_secs(now_unix))
        .map_or(2026, |t| u32::from(t.year()));
    let year = if birth && 2000 + yy > this_year { 1900 + yy } else { 2000 + yy };
    Some(format!("{dd:02}/{mm:02}/{year}"))
}

/// Whether `dd/mm/yyyy` is before the day of `now_unix`.
pub fn date_passed(dmy: &str, now_unix: u64) -> bool {
    let Some((d, m, y)) = cancuoc_core::lds::dg13::parse_date(dmy) else { return false };
    let Ok(t) = der::DateTime::from_unix_duration(std::time::Duration::from_secs(now_unix)) else { return false };
    (y, m, d) < (u32::from(t.year()), u32::from(t.month()), u32::from(t.day()))
}

/// Everything `cancuoc read --json` prints.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub status: Status,
    pub verified: bool,
    pub summary: String,
    pub failures: Vec<FailureReport>,
    /// The personal data from DG13 (the full name falls back to DG1's MRZ when DG13 lacks it).
    pub person: Dg13,
    /// The residence and the place of origin in today's administrative units (the chip's text
    /// is `person`'s, as the issuer signed it).
    pub addresses: address::Addresses,
    pub mrz: Option<MrzReport>,
    /// The document (from DG1): kind, number, issuer, expiry and whether it has expired.
    pub document: Option<DocumentReport>,
    /// Which Vietnamese card (2021 CCCD or 2024 căn cước), from DG13's date of issue.
    pub card_generation: Option<cancuoc_core::lds::dg13::Generation>,
    pub photo: Option<PhotoReport>,
    pub checks: Checks,
    pub link: LinkReport,
    /// Files that were read but could not be parsed.
    pub parse_errors: Vec<String>,
    /// When a cancuoc USB reader did the read: the reader and its own verdict. The verdict above
    /// is the PC's, from the files the reader sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reader: Option<ReaderReport>,
}

/// A cancuoc USB reader's part in a read.
#[derive(Clone, Debug, Serialize)]
pub struct ReaderReport {
    pub port: String,
    pub firmware: String,
    pub board: String,
    /// The reader's own verdict (with its own trust store).
    pub verified_on_reader: bool,
    pub reader_failures: Vec<String>,
    /// Whether the reader and the PC came to the same verdict. When they differ the PC's stands.
    pub agrees: bool,
    /// How the reader secured the session with the chip.
    pub access: String,
}

fn failure_check(f: &cancuoc_core::verdict::Failure) -> &'static str {
    use cancuoc_core::verdict::Failure as F;
    match f {
        F::DataGroupHash { .. } => "data_group_hash",
        F::SodSignature { .. } => "sod_signature",
        F::CertificateChain { .. } => "certificate_chain",
        F::ActiveAuthentication { .. } => "active_authentication",
        F::ChipAuthentication { .. } => "chip_authentication",
        F::WeakAlgorithm { .. } => "weak_algorithm",
    }
}

impl Report {
    pub fn from_read(r: &CardRead) -> Self {
        Self::judged(r, &r.verdict)
    }

    /// The report of files verified away from the chip: the status and failures are passive
    /// authentication's; active and chip authentication show as not attempted.
    pub fn from_files(r: &CardRead) -> Self {
        Self::judged(r, &r.verdict.passive_only())
    }

    fn judged(r: &CardRead, v: &cancuoc_core::Verdict) -> Self {
        let status = if v.is_verified() {
            Status::Verified
        } else if v.only_signer_untrusted() {
            Status::SignerUntrusted
        } else if v.only_unchecked() {
            Status::NotChecked
        } else {
            Status::NotVerified
        };
        let d = r.dg13.clone().unwrap_or_default();
        let mrz = r.dg1.as_ref().map(|d1| {
            let m = &d1.mrz;
            MrzReport {
                document_code: m.document_code.clone(),
                issuing_state: m.issuing_state.clone(),
                document_number: m.document_number.clone(),
                date_of_birth: m.date_of_birth.clone(),
                sex: m.sex.to_string(),
                date_of_expiry: m.date_of_expiry.clone(),
                nationality: m.nationality.clone(),
                name: format!("{} {}", m.primary_identifier, m.secondary_identifier).trim().to_string(),
                check_digits_valid: m.checks.all_valid(),
            }
        });
        let now = now_unix();
        let mut person = d;
        if person.full_name.is_none() {
            person.full_name = mrz.as_ref().map(|m| m.name.clone());
        }
        if r.dg13.is_none()
            && let Some(d1) = &r.dg1
        {
            // No DG13 (a passport, a foreign ID card): what DG1 holds, so the form is not empty.
            let m = &d1.mrz;
            person.date_of_birth = mrz_date(&m.date_of_birth, true, now);
            person.sex = match m.sex {
                'M' => Some("Nam".into()),
                'F' => Some("Nữ".into()),
                _ => None,
            };
            person.nationality = Some(m.nationality.clone()).filter(|n| !n.is_empty());
            person.date_of_expiry = mrz_date(&m.date_of_expiry, false, now);
        }
        let document = r.dg1.as_ref().map(|d1| {
            let m = &d1.mrz;
            let expiry = mrz_date(&m.date_of_expiry, false, now);
            DocumentReport {
                kind: match m.document_code.chars().next() {
                    Some('P') => "passport",
                    Some('I' | 'A' | 'C') => "identity_card",
                    _ => "other",
                },
                number: m.document_number.clone(),
                issuing_state: m.issuing_state.clone(),
                expired: expiry.as_deref().is_some_and(|e| date_passed(e, now)),
                date_of_expiry: expiry,
            }
        });
        let photo = r.dg2.as_ref().and_then(|d2| d2.faces.first()).map(|f| PhotoReport {
            mime: f.format.mime(),
            width: f.width,
            height: f.height,
            bytes: f.image.len(),
        });
        Report {
            status,
            verified: v.is_verified(),
            summary: v.summary(),
            failures: v
                .failures()
                .iter()
                .map(|f| FailureReport { check: failure_check(f), message: f.to_string(), failure: f.clone() })
                .collect(),
            card_generation: person.generation(),
            addresses: address::Addresses::of(&person),
            person,
            mrz,
            document,
            photo,
            checks: Checks {
                data_groups: v.data_groups.clone(),
                hash_algorithm: v.hash_algorithm.map(|h| h.name().to_string()),
                sod_signature: v.sod_signature.clone(),
                certificate_chain: v.chain.clone(),
                active_authentication: r.verdict.active_auth.clone(),
                chip_authentication: r.verdict.chip_auth.clone(),
                weak_algorithms: v.weak_algorithms.clone(),
                notices: v.notices.clone(),
                access: v.access.clone(),
            },
            link: LinkReport {
                short_apdu_fallback: r.stats.short_apdu_fallback,
                sfi_refused: r.stats.sfi_refused,
                whole_block_refused: r.stats.whole_block_refused,
                apdus: r.stats.apdus,
                bytes_sent: r.stats.bytes_sent,
                bytes_received: r.stats.bytes_received,
                files: r.files.iter().map(|(k, b)| (k.to_string(), b.len())).collect(),
            },
            parse_errors: r.parse_errors.iter().map(|(f, e)| format!("{f}: {e}")).collect(),
            reader: None,
        }
    }

    pub fn exit_code(&self) -> u8 {
        if self.verified { exit::VERIFIED } else { exit::NOT_VERIFIED }
    }
}

/// A read that did not complete, for people and scripts.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorReport {
    /// "access_denied", "no_card", "reader_error".
    pub error: &'static str,
    pub message: String,
    /// Whether trying again (card on the reader, same key) may succeed.
    pub retryable: bool,
    /// Files fully read before the error, with sizes (kept for the retry).
    pub files_read: BTreeMap<String, usize>,
}

impl ErrorReport {
    pub fn from_failure(f: &ReadFailure) -> Self {
        let error = match &f.error {
            Error::AccessDenied { .. } | Error::Key(_) => "access_denied",
            Error::NeedCredential(_) => "credentials_needed",
            Error::Transport { error: TransportError::CardRemoved, .. } => "no_card",
            _ => "reader_error",
        };
        Self {
            error,
            message: f.error.to_string(),
            retryable: f.error.is_retryable(),
            files_read: f.partial.complete.iter().map(|(k, b)| (k.to_string(), b.len())).collect(),
        }
    }
    pub fn exit_code(&self) -> u8 {
        match self.error {
            "access_denied" | "credentials_needed" => exit::ACCESS_DENIED,
            "no_card" => exit::NO_CARD,
            _ => exit::READER_ERROR,
        }
    }
}

/// The face image bytes of a read, if any.
pub fn photo_bytes(r: &CardRead) -> Option<&[u8]> {
    r.dg2.as_ref().and_then(|d| d.faces.first()).map(|f| f.image.as_slice())
}
