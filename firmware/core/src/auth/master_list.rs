//! ICAO CSCA master lists (9303-12 §9): a CMS SignedData over `CscaMasterList ::= SEQUENCE {
//! version INTEGER, certList SET OF Certificate }`. Its certificates are trusted only when the
//! list's signature verifies with its signer certificate and that certificate chains to a CSCA
//! already trusted, in date.

use alloc::vec::Vec;
use core::fmt;

use const_oid::ObjectIdentifier;

use crate::auth::passive;
use crate::lds::sod;
use crate::parse::ParseError;
use crate::tlv;
use crate::trust::TrustStore;
use crate::verdict::{ChainStatus, SignatureStatus};

/// id-icao-cscaMasterList (9303-12 §9).
pub const CSCA_MASTER_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.2");

/// Why a master list's certificates cannot be trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MasterListError {
    /// The CMS envelope (ContentInfo, SignedData) cannot be parsed.
    Envelope(ParseError),
    /// The envelope signs something else (this content type).
    NotAMasterList(ObjectIdentifier),
    /// The list names a signer but carries no certificate for it.
    NoSignerCertificate,
    /// The list's signature does not verify with its signer's key: altered or forged.
    SignatureInvalid,
    /// The list's signature could not be checked (this status says why).
    SignatureUnchecked(SignatureStatus),
    /// The signer certificate was not issued by a CSCA of the trust store.
    SignerNotTrusted,
    /// The signer certificate is not valid (this status says why: expired, revoked, bad signature…).
    SignerInvalid(ChainStatus),
    /// The signed content is not a `CscaMasterList` (what is wrong with it).
    Body(BodyError),
}

/// What is wrong with a `CscaMasterList` body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyError {
    /// Not a DER SEQUENCE.
    Malformed,
    /// The SEQUENCE has no SET of certificates.
    NoCertificateList,
    /// The SET is empty.
    Empty,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "malformed content",
            Self::NoCertificateList => "no certificate list",
            Self::Empty => "the list is empty",
        })
    }
}

impl fmt::Display for MasterListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Envelope(e) => e.fmt(f),
            Self::NotAMasterList(oid) => write!(f, "content type {oid} is not a CSCA master list"),
            Self::NoSignerCertificate => f.write_str("the list carries no signer certificate"),
            Self::SignatureInvalid => f.write_str("its signature is invalid (altered or forged)"),
            Self::SignatureUnchecked(s) => write!(f, "its signature cannot be checked: {s:?}"),
            Self::SignerNotTrusted => f.write_str(
                "its signer is not issued by a CSCA in the trust store; import that CSCA first or give it with --signer-ca",
            ),
            Self::SignerInvalid(s) => write!(f, "its signer certificate is not valid: {s:?}"),
            Self::Body(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for MasterListError {}

/// Verifies a master list and returns its certificates (DER), or why it cannot be trusted.
pub fn verify(content_info: &[u8], trust: &TrustStore, now: u64) -> Result<Vec<Vec<u8>>, MasterListError> {
    let sc = sod::parse_signed_data(content_info).map_err(MasterListError::Envelope)?;
    if sc.econtent_type != CSCA_MASTER_LIST {
        return Err(MasterListError::NotAMasterList(sc.econtent_type));
    }
    let signer =
        passive::signer_certificate_of(&sc.certificates, &sc.signer.id).ok_or(MasterListError::NoSignerCertificate)?;
    match passive::check_content_signature(&sc.econtent_type, &sc.econtent, &sc.signer, &signer).0 {
        SignatureStatus::Valid => {}
        SignatureStatus::Invalid => return Err(MasterListError::SignatureInvalid),
        other => return Err(MasterListError::SignatureUnchecked(other)),
    }
    match passive::check_chain(&signer, trust, now).0 {
        ChainStatus::Valid => {}
        ChainStatus::CscaUnknown => return Err(MasterListError::SignerNotTrusted),
        other => return Err(MasterListError::SignerInvalid(other)),
    }
    certificates(&sc.econtent).map_err(MasterListError::Body)
}

/// The certificates of a `CscaMasterList` body (no signature check: for [`verify`] and tooling).
pub fn certificates(body: &[u8]) -> Result<Vec<Vec<u8>>, BodyError> {
    let list = tlv::expect(body, 0x30).map_err(|_| BodyError::Malformed)?;
    let set = list.children().find(0x31).ok().flatten().ok_or(BodyError::NoCertificateList)?;
    let certs: Vec<Vec<u8>> = set.children().filter_map(Result::ok).map(|t| t.raw.to_vec()).collect();
    if certs.is_empty() {
        return Err(BodyError::Empty);
    }
    Ok(certs)
}

/// Encodes a `CscaMasterList` body (for tests and tooling).
pub fn encode(certs: &[Vec<u8>]) -> Vec<u8> {
    let mut body = tlv::encode(0x02, &[0]);
    body.extend(tlv::encode(0x31, &certs.concat()));
    tlv::encode(0x30, &body)
}
