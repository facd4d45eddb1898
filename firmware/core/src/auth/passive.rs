//! Passive authentication (ICAO 9303-11 §5.1): each data group's hash against the
//! LDSSecurityObject, the SOD's signature with the DS certificate, and the DS certificate
//! against a trusted CSCA at a given time.

use alloc::collections::BTreeMap;
use alloc::string::ToString;
use alloc::vec::Vec;

use const_oid::ObjectIdentifier;

use super::sig::{self, SigError};
use crate::cert::Cert;
use crate::crypto::{self, HashAlgorithm, oid};
use crate::files::FileId;
use crate::lds::sod::{SignerId, Sod};
use crate::trust::{RevocationList, TrustStore};
use crate::verdict::{CertRole, ChainStatus, DgCheck, HashStatus, SignatureStatus};

/// The outcome of passive authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassiveResult {
    /// Every data group's hash check.
    pub data_groups: Vec<DgCheck>,
    /// The SOD's hash algorithm, when readable.
    pub hash_algorithm: Option<HashAlgorithm>,
    /// The SOD's signature.
    pub sod_signature: SignatureStatus,
    /// The DS certificate's chain.
    pub chain: ChainStatus,
    /// Algorithms that are too weak to count as verified (e.g. SHA-1), by name.
    pub weak_algorithms: Vec<&'static str>,
    /// Weak algorithms accepted by policy (not failures), to be shown as a note.
    pub notices: Vec<&'static str>,
}

/// Checks every data group hash. `files` holds the raw bytes as read; `present` lists the DGs the
/// chip has (from EF.COM), so that a DG on the chip but missing from the SOD is caught.
pub fn check_hashes(
    sod: &Sod,
    files: &BTreeMap<FileId, Vec<u8>>,
    present: &[u8],
) -> (Option<HashAlgorithm>, Vec<DgCheck>) {
    let alg = HashAlgorithm::from_oid(&sod.hash_algorithm_oid());
    // Every data group the SOD, the files read or EF.COM name, once each, in order.
    let mut named = [false; 256];
    let in_sod = sod.lds_security_object.data_group_hash_values.iter().map(|h| h.data_group_number);
    let read = files.keys().filter_map(|f| if let FileId::Dg(n) = f { Some(*n) } else { None });
    for n in in_sod.chain(read).chain(present.iter().copied()) {
        if let Some(slot) = named.get_mut(usize::from(n)) {
            *slot = true;
        }
    }
    let checks = (0..=u8::MAX)
        .filter(|n| named.get(usize::from(*n)).copied().unwrap_or(false))
        .map(|dg| {
            let status = match (sod.dg_hash(dg), files.get(&FileId::Dg(dg)), alg) {
                (None, _, _) => HashStatus::NotInSod,
                (Some(_), None, _) => HashStatus::NotRead,
                (Some(_), Some(_), None) => HashStatus::UnsupportedAlgorithm,
                (Some(expected), Some(bytes), Some(a)) => {
                    let actual = a.digest(bytes);
                    if actual.len() != expected.len() {
                        HashStatus::HashLengthMismatch
                    } else if crypto::ct_eq(&actual, expected) {
                        HashStatus::Match
                    } else {
                        HashStatus::Mismatch
                    }
                }
            };
            DgCheck { dg, status }
        })
        .collect();
    (alg, checks)
}

/// Finds the DS certificate the SignerInfo names (falls back to the only certificate).
fn signer_certificate(sod: &Sod) -> Option<Cert> {
    signer_certificate_of(&sod.certificates, &sod.signer.id)
}

/// The certificate among `certificates` that `id` names (or the only one).
pub fn signer_certificate_of(certificates: &[Vec<u8>], id: &SignerId) -> Option<Cert> {
    let parsed: Vec<Cert> = certificates.iter().filter_map(|d| Cert::from_der(d).ok()).collect();
    let matches = |c: &Cert| match id {
        SignerId::IssuerSerial { issuer_der, serial } => c.issuer == *issuer_der && c.serial == *serial,
        SignerId::SubjectKeyIdentifier(id) => c.subject_key_id.as_ref() == Some(id),
    };
    if let Some(i) = parsed.iter().position(matches) {
        return parsed.into_iter().nth(i);
    }
    if parsed.len() == 1 { parsed.into_iter().next() } else { None }
}

fn sig_status(e: SigError) -> SignatureStatus {
    match e {
        SigError::Invalid | SigError::KeyMismatch => SignatureStatus::Invalid,
        SigError::UnsupportedAlgorithm(o) | SigError::UnsupportedCurve(o) => SignatureStatus::UnsupportedAlgorithm(o),
        SigError::BadKey => SignatureStatus::Malformed("the DS public key cannot be decoded"),
    }
}

/// eContent types under which real SODs carry their LDSSecurityObject.
const LDS_CONTENT_TYPES: [ObjectIdentifier; 4] = [
    oid::LDS_SECURITY_OBJECT,
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1"),
    ObjectIdentifier::new_unwrap("1.3.27.1.1.1"),
    ObjectIdentifier::new_unwrap("1.2.528.1.1006.1.20.1"),
];

/// Verifies the SOD's signature with the DS certificate.
pub fn check_signature(sod: &Sod, ds: &Cert) -> (SignatureStatus, Option<HashAlgorithm>) {
    // The SOD's eContent already decoded as an LDSSecurityObject (lds::sod::parse). Besides
    // ICAO's id-icao-ldsSecurityObject, real issuers label it id-data (a Chinese passport),
    // the pre-standard 1.3.27.1.1.1 (Belgium, France) or the Dutch 1.2.528.1.1006.1.20.1; the
    // contentType signed attribute must name the same type (checked with the signature).
    if !LDS_CONTENT_TYPES.contains(&sod.econtent_type) {
        return (SignatureStatus::Malformed("eContent is not an LDSSecurityObject"), None);
    }
    check_content_signature(&sod.econtent_type, &sod.econtent, &sod.signer, ds)
}

/// Verifies a CMS signature over `econtent` (signed attributes bound to it) with `cert`.
pub fn check_content_signature(
    econtent_type: &ObjectIdentifier,
    econtent: &[u8],
    signer: &crate::lds::sod::Signer,
    cert: &Cert,
) -> (SignatureStatus, Option<HashAlgorithm>) {
    let Some(digest) = HashAlgorithm::from_oid(&signer.digest_algorithm) else {
        return (SignatureStatus::UnsupportedAlgorithm(signer.digest_algorithm.to_string()), None);
    };
    let message: &[u8] = match &signer.signed_attrs {
        Some(attrs) => {
            // RFC 5652 §5.4 / §11.1–11.2: signed attributes must bind the content.
            let ok_digest =
                signer.message_digest.as_deref().is_some_and(|d| crypto::ct_eq(d, &digest.digest(econtent)));
            if !ok_digest {
                return (SignatureStatus::Invalid, Some(digest));
            }
            if signer.content_type.is_some_and(|c| c != *econtent_type) {
                return (SignatureStatus::Invalid, Some(digest));
            }
            attrs
        }
        None => econtent,
    };
    match sig::verify(&cert.public_key, &signer.signature_algorithm, Some(digest), message, &signer.signature) {
        Ok(_) => (SignatureStatus::Valid, Some(digest)),
        Err(e) => (sig_status(e), Some(digest)),
    }
}

/// The revocation date of `cert` (Unix seconds) if a revocation list of its issuer lists it and
/// a trusted CSCA of that issuer name, allowed to sign CRLs, signed that list. A list whose
/// signature does not verify is ignored: it can neither revoke nor clear anything. Revocation
/// stands whatever the list's nextUpdate: a stale list still revokes.
pub fn revocation(cert: &Cert, trust: &TrustStore) -> Option<u64> {
    trust
        .crls_by_issuer(&cert.issuer)
        .find_map(|crl| crl.revocation_of(&cert.serial).filter(|_| crl_signed_by_trusted(crl, trust)))
}

/// Whether a trusted CSCA with the list's issuer name, allowed to sign CRLs, signed it.
pub fn crl_signed_by_trusted(crl: &RevocationList, trust: &TrustStore) -> bool {
    let (Some(tbs), Some(signature)) = (sig::first_inner(&crl.der), crl.crl.signature.as_bytes()) else {
        return false;
    };
    trust.by_subject(&crl.issuer_der).any(|csca| {
        if csca.cert.key_usage.is_some_and(|ku| !ku.crl_sign()) {
            return false;
        }
        sig::verify(&csca.cert.public_key, &crl.crl.signature_algorithm, None, &tbs, signature).is_ok()
    })
}

/// Checks the DS certificate against the trust store at `now` (seconds since the Unix epoch).
pub fn check_chain(ds: &Cert, trust: &TrustStore, now: u64) -> (ChainStatus, Option<HashAlgorithm>) {
    let candidates: Vec<_> = trust.by_subject(&ds.issuer).collect();
    if candidates.is_empty() {
        return (ChainStatus::CscaUnknown, None);
    }
    let mut last = ChainStatus::BadSignature;
    let mut hash = None;
    for csca in candidates {
        match sig::verify(&csca.cert.public_key, &ds.signature_algorithm, None, &ds.tbs, &ds.signature) {
            Ok(h) => {
                hash = Some(h);
                // Signature good: now the roles and dates.
                if csca.cert.key_usage.is_some_and(|ku| !ku.key_cert_sign()) {
                    return (ChainStatus::KeyUsage(CertRole::Csca), hash);
                }
                if ds.key_usage.is_some_and(|ku| !ku.digital_signature()) {
                    return (ChainStatus::KeyUsage(CertRole::DocumentSigner), hash);
                }
                for (role, cert) in [(CertRole::DocumentSigner, ds), (CertRole::Csca, &csca.cert)] {
                    if let Some(revoked_at) = revocation(cert, trust) {
                        return (ChainStatus::Revoked { role, revoked_at }, hash);
                    }
                }
                for (role, cert) in [(CertRole::DocumentSigner, ds), (CertRole::Csca, &csca.cert)] {
                    let (nb, na) = (cert.not_before, cert.not_after);
                    if now > na {
                        return (ChainStatus::Expired { role, not_after: na }, hash);
                    }
                    if now < nb {
                        return (ChainStatus::NotYetValid { role, not_before: nb }, hash);
                    }
                }
                return (ChainStatus::Valid, hash);
            }
            Err(SigError::Invalid) | Err(SigError::KeyMismatch) => last = ChainStatus::BadSignature,
            Err(SigError::UnsupportedAlgorithm(o)) | Err(SigError::UnsupportedCurve(o)) => {
                last = ChainStatus::UnsupportedAlgorithm(o)
            }
            Err(SigError::BadKey) => last = ChainStatus::Malformed("CSCA public key cannot be decoded"),
        }
    }
    (last, hash)
}

/// Runs all of passive authentication.
pub fn verify(
    sod: &Sod,
    files: &BTreeMap<FileId, Vec<u8>>,
    present: &[u8],
    trust: &TrustStore,
    now: u64,
) -> PassiveResult {
    let (hash_algorithm, data_groups) = check_hashes(sod, files, present);
    let mut weak = Vec::new();
    let mut notices = Vec::new();
    // Policy (docs/architecture.md): SHA-1 data-group hashes are accepted and noted. ICAO 9303
    // still allows them on documents in circulation, and forging a data group against a stored
    // SHA-1 hash needs a second preimage, which no known attack finds; the hashes are signed by
    // the issuer, so collisions an attacker prepares do not help. A SHA-1 signature stays a failure.
    if hash_algorithm == Some(HashAlgorithm::Sha1) {
        notices.push("SHA-1 data group hashes (accepted: permitted by ICAO 9303 on documents in circulation)");
    }
    let (sod_signature, chain) = match signer_certificate(sod) {
        None => (SignatureStatus::NoCertificate, ChainStatus::NoCertificate),
        Some(ds) => {
            let (s, h) = check_signature(sod, &ds);
            if h == Some(HashAlgorithm::Sha1) {
                weak.push("SHA-1 SOD signature");
            }
            let (c, ch) = check_chain(&ds, trust, now);
            if ch == Some(HashAlgorithm::Sha1) {
                weak.push("SHA-1 DS certificate signature");
            }
            (s, c)
        }
    };
    PassiveResult { data_groups, hash_algorithm, sod_signature, chain, weak_algorithms: weak, notices }
}
