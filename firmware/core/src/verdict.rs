//! The structured verdict: one status per check, "verified" only when every applicable check
//! passed, and a one-line reason when not.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::crypto::HashAlgorithm;

/// One data group's hash check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DgCheck {
    /// The data group's number (1–16).
    pub dg: u8,
    /// How its hash check ended.
    pub status: HashStatus,
}

/// How one data group's hash check ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum HashStatus {
    /// The bytes read hash to the value in the SOD.
    Match,
    /// They do not: the data group was altered.
    Mismatch,
    /// In the SOD but not read (not requested, or protected by terminal authentication).
    NotRead,
    /// Read (or listed in EF.COM) but the SOD has no hash for it.
    NotInSod,
    /// The SOD's hash algorithm is not supported.
    UnsupportedAlgorithm,
    /// The SOD's stored hash does not have the length of the hash algorithm it declares: the SOD
    /// is inconsistent (malformed or mis-issued), which says nothing about the data group itself.
    HashLengthMismatch,
}

/// How the check of the SOD's signature with its DS certificate ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum SignatureStatus {
    /// The signature verifies with the DS certificate's key.
    Valid,
    /// It does not: the SOD was altered or forged.
    Invalid,
    /// The OID of the algorithm or curve this build cannot check.
    UnsupportedAlgorithm(String),
    /// The SOD carries no usable DS certificate.
    NoCertificate,
    /// The SOD or its signer information cannot be parsed (what).
    Malformed(&'static str),
    /// The chip has no security object (EF.SOD): nothing it holds can be verified.
    Missing,
}

/// Which certificate of the chain a status speaks of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum CertRole {
    /// The document signer certificate carried in the SOD.
    DocumentSigner,
    /// The country signing CA certificate it chains to.
    Csca,
}

impl fmt::Display for CertRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::DocumentSigner => "document signer (DS) certificate",
            Self::Csca => "CSCA certificate",
        })
    }
}

/// How the check of the DS certificate against the trust store's CSCAs ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum ChainStatus {
    /// The DS certificate is signed by a trusted CSCA and both are in date and not revoked.
    Valid,
    /// No CSCA in the trust store has the DS certificate's issuer name.
    CscaUnknown,
    /// A certificate had expired at the time of the check (not_after in Unix seconds).
    Expired {
        /// Which certificate.
        role: CertRole,
        /// Its end of validity, Unix seconds.
        not_after: u64,
    },
    /// A certificate was not yet valid at the time of the check (not_before in Unix seconds).
    NotYetValid {
        /// Which certificate.
        role: CertRole,
        /// Its start of validity, Unix seconds.
        not_before: u64,
    },
    /// A certificate is listed in a revocation list that a trusted CSCA of its issuer signed
    /// (revocation date in Unix seconds).
    Revoked {
        /// Which certificate.
        role: CertRole,
        /// When the list says it was revoked, Unix seconds.
        revoked_at: u64,
    },
    /// The DS certificate's signature does not verify with the CSCA's key.
    BadSignature,
    /// A certificate lacks the key usage its role needs.
    KeyUsage(CertRole),
    /// The CSCA's signature algorithm or key cannot be checked by this build (OID).
    UnsupportedAlgorithm(String),
    /// The SOD carries no DS certificate.
    NoCertificate,
    /// A certificate cannot be parsed (what).
    Malformed(&'static str),
}

/// How active authentication (or chip authentication) ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum ActiveAuthStatus {
    /// The chip signed our fresh challenge with the DG15 key.
    Passed,
    /// The chip's answer does not verify (cloned chip, or the key in DG15 is not the chip's).
    Failed(String),
    /// The chip has no DG15: it does not support active authentication.
    NotSupported,
    /// DG15 is present but active authentication was switched off or could not run.
    NotAttempted,
    /// DG15 names an algorithm this build cannot check (OID).
    UnsupportedAlgorithm(String),
}

/// Chip authentication's outcome has the same shape as active authentication's.
pub type ChipAuthStatus = ActiveAuthStatus;

/// Everything the checks found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Verdict {
    /// Every data group's hash check, by number.
    pub data_groups: Vec<DgCheck>,
    /// The SOD's data-group hash algorithm, when the SOD could be read.
    pub hash_algorithm: Option<HashAlgorithm>,
    /// The SOD's signature.
    pub sod_signature: SignatureStatus,
    /// The DS certificate's chain to a trusted CSCA.
    pub chain: ChainStatus,
    /// Active authentication (DG15): the chip signed our challenge.
    pub active_auth: ActiveAuthStatus,
    /// Chip authentication (DG14), the other proof that the chip is not a clone.
    pub chip_auth: ChipAuthStatus,
    /// Weak algorithms in use (e.g. "SHA-1 SOD signature"): a card that uses them is not verified.
    pub weak_algorithms: Vec<String>,
    /// Weak algorithms accepted by policy (SHA-1 data-group hashes): not failures, shown as notes.
    pub notices: Vec<String>,
    /// Which protocol secured the session with the chip.
    pub access: Option<SessionAccess>,
}

/// How the session with the chip was secured.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "snake_case"))]
pub enum SessionAccess {
    /// Basic Access Control with the MRZ key (3DES secure messaging).
    Bac,
    /// PACE, with the protocol, curve and password used.
    Pace {
        /// The protocol, as [`crate::pace::PaceProtocol`] writes it.
        protocol: String,
        /// The domain parameters' name.
        curve: String,
        /// The password used.
        password: crate::access::PasswordKind,
    },
    /// BAC with the MRZ key after the chip refused PACE or PACE failed (`pace_error` says how),
    /// as real readers do (AndyQ/NFCPassportReader #187).
    BacAfterPace {
        /// Why PACE did not secure the session.
        pace_error: String,
    },
}

impl fmt::Display for SessionAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bac => f.write_str("BAC (MRZ), 3DES secure messaging"),
            Self::BacAfterPace { pace_error } => {
                write!(f, "BAC (MRZ), 3DES secure messaging — PACE did not succeed ({pace_error}), fell back to BAC")
            }
            Self::Pace { protocol, curve, password } => {
                let pw = match password {
                    crate::access::PasswordKind::Can => "CAN",
                    crate::access::PasswordKind::Mrz => "MRZ",
                };
                write!(f, "{protocol} on {curve} ({pw})")
            }
        }
    }
}

/// One failed check, for display.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(tag = "check", rename_all = "snake_case"))]
pub enum Failure {
    /// A data group's hash does not match the SOD (its number, how).
    DataGroupHash {
        /// The data group's number.
        dg: u8,
        /// How its check ended.
        status: HashStatus,
    },
    /// The SOD's signature did not verify.
    SodSignature {
        /// How the check ended.
        status: SignatureStatus,
    },
    /// The DS certificate does not chain to a trusted CSCA, in date.
    CertificateChain {
        /// How the check ended.
        status: ChainStatus,
    },
    /// Active authentication failed or could not be checked.
    ActiveAuthentication {
        /// How it ended.
        status: ActiveAuthStatus,
    },
    /// Chip authentication failed or could not be checked.
    ChipAuthentication {
        /// How it ended.
        status: ChipAuthStatus,
    },
    /// An algorithm too weak to be trusted (which).
    WeakAlgorithm {
        /// Which algorithm, where ("SHA-1 SOD signature").
        what: String,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DataGroupHash { dg, status: HashStatus::Mismatch } => {
                write!(f, "DG{dg} was altered: its hash does not match the signed SOD")
            }
            Self::DataGroupHash { dg, status: HashStatus::NotInSod } => {
                write!(f, "DG{dg} is on the chip but not covered by the signed SOD")
            }
            Self::DataGroupHash { dg, status: HashStatus::UnsupportedAlgorithm } => {
                write!(f, "DG{dg} hash uses an unsupported algorithm")
            }
            Self::DataGroupHash { dg, status: HashStatus::HashLengthMismatch } => write!(
                f,
                "the SOD is inconsistent: its hash for DG{dg} does not have the length of the hash algorithm it declares"
            ),
            Self::DataGroupHash { dg, status } => write!(f, "DG{dg}: {status:?}"),
            Self::SodSignature { status: SignatureStatus::Invalid } => {
                f.write_str("the SOD signature is invalid (security data forged or altered)")
            }
            Self::SodSignature { status: SignatureStatus::UnsupportedAlgorithm(o) } => {
                write!(f, "the SOD signature could not be checked here: {o} is not supported")
            }
            Self::SodSignature { status: SignatureStatus::NoCertificate } => {
                f.write_str("the SOD carries no document signer certificate")
            }
            Self::SodSignature { status: SignatureStatus::Malformed(w) } => write!(f, "the SOD is malformed: {w}"),
            Self::SodSignature { status: SignatureStatus::Missing } => {
                f.write_str("the chip has no security object (EF.SOD): its data cannot be verified")
            }
            Self::SodSignature { status: SignatureStatus::Valid } => f.write_str("SOD signature valid"),
            Self::CertificateChain { status } => match status {
                ChainStatus::CscaUnknown => {
                    f.write_str("the document signer is not issued by any CSCA in the trust store")
                }
                ChainStatus::Expired { role, .. } => write!(f, "the {role} has expired"),
                ChainStatus::NotYetValid { role, .. } => write!(f, "the {role} is not yet valid"),
                ChainStatus::Revoked { role, .. } => {
                    write!(f, "the {role} has been revoked (listed on a trusted CSCA's revocation list)")
                }
                ChainStatus::BadSignature => {
                    f.write_str("the document signer certificate's signature does not verify with the CSCA key")
                }
                ChainStatus::KeyUsage(role) => write!(f, "the {role} lacks the key usage its role needs"),
                ChainStatus::UnsupportedAlgorithm(o) => {
                    write!(f, "the document signer certificate could not be checked here: {o} is not supported")
                }
                ChainStatus::NoCertificate => f.write_str("no document signer certificate to check"),
                ChainStatus::Malformed(w) => write!(f, "certificate malformed: {w}"),
                ChainStatus::Valid => f.write_str("certificate chain valid"),
            },
            Self::ActiveAuthentication { status } => match status {
                ActiveAuthStatus::Failed(why) => {
                    write!(f, "active authentication failed ({why}): possible cloned chip")
                }
                ActiveAuthStatus::NotAttempted => f.write_str("active authentication was not performed"),
                ActiveAuthStatus::UnsupportedAlgorithm(o) => {
                    write!(f, "active authentication uses an unsupported algorithm ({o})")
                }
                ActiveAuthStatus::Passed | ActiveAuthStatus::NotSupported => f.write_str("active authentication ok"),
            },
            Self::ChipAuthentication { status } => match status {
                ActiveAuthStatus::Failed(why) => write!(f, "chip authentication failed ({why}): possible cloned chip"),
                ActiveAuthStatus::NotAttempted => f.write_str("chip authentication was not performed"),
                ActiveAuthStatus::UnsupportedAlgorithm(o) => {
                    write!(f, "chip authentication uses an unsupported algorithm ({o})")
                }
                ActiveAuthStatus::Passed | ActiveAuthStatus::NotSupported => f.write_str("chip authentication ok"),
            },
            Self::WeakAlgorithm { what } => write!(f, "weak algorithm in use: {what}"),
        }
    }
}

impl Failure {
    /// Whether this is a check that could not be made here — an algorithm, curve or parameter
    /// set this build does not implement — rather than a check that was made and failed. Shown
    /// amber with the algorithm named, never as the red of a forgery (docs/architecture.md).
    pub fn is_unchecked(&self) -> bool {
        matches!(
            self,
            Self::DataGroupHash { status: HashStatus::UnsupportedAlgorithm, .. }
                | Self::SodSignature { status: SignatureStatus::UnsupportedAlgorithm(_) }
                | Self::CertificateChain { status: ChainStatus::UnsupportedAlgorithm(_) }
                | Self::ActiveAuthentication { status: ActiveAuthStatus::UnsupportedAlgorithm(_) }
                | Self::ChipAuthentication { status: ActiveAuthStatus::UnsupportedAlgorithm(_) }
        )
    }
}

impl Verdict {
    /// Every failed check, in order of importance.
    pub fn failures(&self) -> Vec<Failure> {
        let mut out = Vec::new();
        for d in &self.data_groups {
            if matches!(
                d.status,
                HashStatus::Mismatch
                    | HashStatus::NotInSod
                    | HashStatus::UnsupportedAlgorithm
                    | HashStatus::HashLengthMismatch
            ) {
                out.push(Failure::DataGroupHash { dg: d.dg, status: d.status });
            }
        }
        if self.sod_signature != SignatureStatus::Valid {
            out.push(Failure::SodSignature { status: self.sod_signature.clone() });
        }
        if self.chain != ChainStatus::Valid {
            out.push(Failure::CertificateChain { status: self.chain.clone() });
        }
        // Clone proof: active or chip authentication. A failure of either is a failure; a proof
        // that could not run only counts against the card when the other did not pass.
        // A proof that could not run adds nothing when the other one failed: that failure is
        // already the verdict (e.g. chip authentication cannot run once the chip refused active
        // authentication and ended the session).
        let aa_decided = matches!(self.active_auth, ActiveAuthStatus::Passed | ActiveAuthStatus::Failed(_));
        let ca_decided = matches!(self.chip_auth, ActiveAuthStatus::Passed | ActiveAuthStatus::Failed(_));
        let counts = |s: &ActiveAuthStatus, other_decided: bool| match s {
            ActiveAuthStatus::Passed | ActiveAuthStatus::NotSupported => false,
            ActiveAuthStatus::Failed(_) => true,
            ActiveAuthStatus::NotAttempted | ActiveAuthStatus::UnsupportedAlgorithm(_) => !other_decided,
        };
        if counts(&self.active_auth, ca_decided) {
            out.push(Failure::ActiveAuthentication { status: self.active_auth.clone() });
        }
        if counts(&self.chip_auth, aa_decided) {
            out.push(Failure::ChipAuthentication { status: self.chip_auth.clone() });
        }
        for w in &self.weak_algorithms {
            out.push(Failure::WeakAlgorithm { what: w.clone() });
        }
        out
    }

    /// True only when every applicable check passed: all data groups read match, the SOD
    /// signature is valid, the DS chains to a trusted CSCA that is in date, active authentication
    /// passed (or the chip has none), and no weak algorithm is in use.
    pub fn is_verified(&self) -> bool {
        self.failures().is_empty() && self.data_groups.iter().any(|d| d.status == HashStatus::Match)
    }

    /// The verdict of passive authentication alone — for files verified away from the chip
    /// (`cancuoc verify DIR`), where active and chip authentication cannot run: the same
    /// verdict with those two proofs set aside (they stay in the report as not attempted).
    pub fn passive_only(&self) -> Self {
        let mut v = self.clone();
        v.active_auth = ActiveAuthStatus::NotSupported;
        v.chip_auth = ActiveAuthStatus::NotSupported;
        v
    }

    /// Whether the only failure is an unknown CSCA: the data is intact and signed, but by a signer
    /// this store does not trust (shown amber, not red).
    pub fn only_signer_untrusted(&self) -> bool {
        let f = self.failures();
        !f.is_empty() && f.iter().all(|x| matches!(x, Failure::CertificateChain { status: ChainStatus::CscaUnknown }))
    }

    /// Whether nothing failed, but at least one check could not be made here (an unsupported
    /// algorithm or curve, [`Failure::is_unchecked`]); an unknown CSCA beside it changes nothing:
    /// "not checked" (amber), never "forged" (red).
    pub fn only_unchecked(&self) -> bool {
        let f = self.failures();
        f.iter().any(Failure::is_unchecked)
            && f.iter().all(|x| {
                x.is_unchecked() || matches!(x, Failure::CertificateChain { status: ChainStatus::CscaUnknown })
            })
    }

    /// One line: "verified" or the first failure and how many more.
    pub fn summary(&self) -> String {
        let f = self.failures();
        match f.split_first() {
            None if self.is_verified() => String::from("verified: every check passed"),
            None => String::from("NOT verified: no data group was checked"),
            Some((first, [])) => format!("NOT verified: {first}"),
            Some((first, rest)) => format!("NOT verified: {first} (+{} more)", rest.len()),
        }
    }
}
