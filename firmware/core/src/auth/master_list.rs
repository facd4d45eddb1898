//! ICAO CSCA master lists (9303-12 §9): a CMS SignedData over `CscaMasterList ::= SEQUENCE {
//! version INTEGER, certList SET OF Certificate }`. Its certificates are trusted only when the
//! list's signature verifies with its signer certificate and that certificate chains to a CSCA
//! already trusted, in date.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use const_oid::ObjectIdentifier;

use crate::auth::passive;
use crate::lds::sod;
use crate::tlv;
use crate::trust::TrustStore;
use crate::verdict::{ChainStatus, SignatureStatus};

/// id-icao-cscaMasterList (9303-12 §9).
pub const CSCA_MASTER_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.2");

/// Verifies a master list and returns its certificates (DER), or why it cannot be trusted.
pub fn verify(content_info: &[u8], trust: &TrustStore, now: u64) -> Result<Vec<Vec<u8>>, String> {
    let sc = sod::parse_signed_data(content_info).map_err(|e| e.to_string())?;
    if sc.econtent_type != CSCA_MASTER_LIST {
        return Err(format!("content type {} is not a CSCA master list", sc.econtent_type));
    }
    let signer = passive::signer_certificate_of(&sc.certificates, &sc.signer.id)
        .ok_or_else(|| String::from("the list carries no signer certificate"))?;
    match passive::check_content_signature(&sc.econtent_type, &sc.econtent, &sc.signer, &signer).0 {
        SignatureStatus::Valid => {}
        SignatureStatus::Invalid => return Err("its signature is invalid (altered or forged)".into()),
        other => return Err(format!("its signature cannot be checked: {other:?}")),
    }
    match passive::check_chain(&signer, trust, now).0 {
        ChainStatus::Valid => {}
        ChainStatus::CscaUnknown => {
            return Err(
                "its signer is not issued by a CSCA in the trust store; import that CSCA first or give it with --signer-ca"
                    .into(),
            );
        }
        other => return Err(format!("its signer certificate is not valid: {other:?}")),
    }
    certificates(&sc.econtent)
}

/// The certificates of a `CscaMasterList` body (no signature check: for [`verify`] and tooling).
pub fn certificates(body: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let list = tlv::expect(body, 0x30).map_err(|_| String::from("malformed content"))?;
    let set = list.children().find(0x31).ok().flatten().ok_or_else(|| String::from("no certificate list"))?;
    let certs: Vec<Vec<u8>> = set.children().filter_map(Result::ok).map(|t| t.raw.to_vec()).collect();
    if certs.is_empty() {
        return Err("the list is empty".into());
    }
    Ok(certs)
}

/// Encodes a `CscaMasterList` body (for tests and tooling).
pub fn encode(certs: &[Vec<u8>]) -> Vec<u8> {
    let mut body = tlv::encode(0x02, &[0]);
    body.extend(tlv::encode(0x31, &certs.concat()));
    tlv::encode(0x30, &body)
}
