//! X.509 certificates (RFC 5280 §4.1) as verification needs them: the DS certificate in EF.SOD,
//! the CSCAs of the trust store, the signers of master lists.
//!
//! Decoded with `der`'s derived decoders from the bytes as stored, with the names kept as their
//! raw DER (compared byte for byte, as ICAO 9303-12 §7.1.1 lets a verifier do) rather than decoded
//! attribute by attribute: a reader needs a name only to find the certificate that issued
//! another. The full `x509-cert` decoder would bring a decoder for every attribute and string
//! type into the reader's image (≈ 35 KB of its 256 KB budget) for values nothing here reads.
//! Everything a check depends on is decoded strictly: the version, serial number, algorithms,
//! validity, public key, key usage; a malformed key-usage extension, an extension that appears
//! twice, or an inner signature algorithm that differs from the outer one makes the whole
//! certificate malformed, never "no restriction".

use alloc::vec::Vec;

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef, IntRef, OctetStringRef};
use der::{Decode, Encode, Sequence, Tag, Tagged};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::KeyUsage;
use x509_cert::time::Validity;

use crate::parse::ParseError;

const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }`
#[derive(Sequence)]
struct CertificateDer<'a> {
    tbs: AnyRef<'a>,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitStringRef<'a>,
}

/// `TBSCertificate` (RFC 5280 §4.1), names as raw DER.
#[derive(Sequence)]
struct TbsDer<'a> {
    #[asn1(context_specific = "0", default = "Default::default")]
    version: Version,
    serial: IntRef<'a>,
    signature: AlgorithmIdentifierOwned,
    issuer: AnyRef<'a>,
    validity: Validity,
    subject: AnyRef<'a>,
    spki: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    issuer_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    subject_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<ExtensionDer<'a>>>,
}

/// `Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`
#[derive(Sequence)]
struct ExtensionDer<'a> {
    id: ObjectIdentifier,
    #[asn1(default = "Default::default")]
    critical: bool,
    value: &'a OctetStringRef,
}

/// A certificate, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cert {
    /// The certificate exactly as stored.
    pub der: Vec<u8>,
    /// The TBSCertificate exactly as stored: what the issuer's signature covers.
    pub tbs: Vec<u8>,
    /// The serial number's content octets (as stored, leading zero included).
    pub serial: Vec<u8>,
    /// DER of the issuer name, as stored.
    pub issuer: Vec<u8>,
    /// DER of the subject name, as stored.
    pub subject: Vec<u8>,
    /// notBefore and notAfter, in seconds since the Unix epoch.
    pub not_before: u64,
    /// See `not_before`.
    pub not_after: u64,
    /// The subject's public key.
    pub public_key: SubjectPublicKeyInfoOwned,
    /// The algorithm the issuer signed with.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// The issuer's signature (the BIT STRING's octets).
    pub signature: Vec<u8>,
    /// The key usage extension, if the certificate has one.
    pub key_usage: Option<KeyUsage>,
    /// The subject key identifier extension's value, if present and well-formed.
    pub subject_key_id: Option<Vec<u8>>,
}

fn name_der(name: AnyRef<'_>) -> Result<Vec<u8>, ParseError> {
    if name.tag() != Tag::Sequence {
        return Err(ParseError::Invalid("certificate name is not a SEQUENCE"));
    }
    Ok(name.to_der()?)
}

impl Cert {
    /// Decodes a DER certificate. Trailing bytes after it are an error.
    pub fn from_der(der: &[u8]) -> Result<Self, ParseError> {
        let outer = CertificateDer::from_der(der)?;
        if outer.tbs.tag() != Tag::Sequence {
            return Err(ParseError::Invalid("TBSCertificate is not a SEQUENCE"));
        }
        let tbs_der = outer.tbs.to_der()?;
        let tbs = TbsDer::from_der(&tbs_der)?;
        if tbs.signature != outer.signature_algorithm {
            return Err(ParseError::Invalid("the certificate's two signature algorithms differ"));
        }
        let mut key_usage = None;
        let mut subject_key_id = None;
        let extensions = tbs.extensions.as_deref().unwrap_or_default();
        if !extensions.is_empty() && tbs.version != Version::V3 {
            return Err(ParseError::Invalid("certificate extensions in a certificate before version 3"));
        }
        for (i, e) in extensions.iter().enumerate() {
            if extensions.iter().take(i).any(|earlier| earlier.id == e.id) {
                return Err(ParseError::Invalid("a certificate extension appears twice"));
            }
            if e.id == KEY_USAGE {
                key_usage = Some(KeyUsage::from_der(e.value.as_bytes())?);
            } else if e.id == SUBJECT_KEY_ID {
                subject_key_id = <&OctetStringRef>::from_der(e.value.as_bytes()).ok().map(|o| o.as_bytes().to_vec());
            }
        }
        let signature =
            outer.signature.as_bytes().ok_or(ParseError::Invalid("certificate signature has unused bits"))?;
        Ok(Self {
            der: der.to_vec(),
            serial: tbs.serial.as_bytes().to_vec(),
            issuer: name_der(tbs.issuer)?,
            subject: name_der(tbs.subject)?,
            not_before: tbs.validity.not_before.to_unix_duration().as_secs(),
            not_after: tbs.validity.not_after.to_unix_duration().as_secs(),
            public_key: tbs.spki,
            signature_algorithm: outer.signature_algorithm,
            signature: signature.to_vec(),
            key_usage,
            subject_key_id,
            tbs: tbs_der,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version 3 certificate built field by field (see `build`), so that each test can vary
    /// one field; the real test PKI's certificates go through this decoder in every
    /// passive-authentication test.
    fn fixture() -> Vec<u8> {
        build(&Parts::default())
    }

    struct Parts {
        version: Option<u8>,
        inner_alg: &'static [u8],
        extensions: Vec<Vec<u8>>,
    }

    const ECDSA_SHA256: &[u8] = &[0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];
    const ECDSA_SHA384: &[u8] = &[0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03];

    impl Default for Parts {
        fn default() -> Self {
            Self {
                version: Some(2),
                inner_alg: ECDSA_SHA256,
                extensions: alloc::vec![
                    // keyUsage critical: keyCertSign, cRLSign
                    alloc::vec![
                        0x30, 0x0E, 0x06, 0x03, 0x55, 0x1D, 0x0F, 0x01, 0x01, 0xFF, 0x04, 0x04, 0x03, 0x02, 0x01, 0x06
                    ],
                    // subjectKeyIdentifier 01 02 03 04
                    alloc::vec![0x30, 0x0D, 0x06, 0x03, 0x55, 0x1D, 0x0E, 0x04, 0x06, 0x04, 0x04, 1, 2, 3, 4],
                ],
            }
        }
    }

    fn tlv(tag: u32, body: &[u8]) -> Vec<u8> {
        crate::tlv::encode(tag, body)
    }

    fn name(cn: &str) -> Vec<u8> {
        let atv = tlv(0x30, &[&[0x06, 0x03, 0x55, 0x04, 0x03][..], &tlv(0x0C, cn.as_bytes())].concat());
        tlv(0x30, &tlv(0x31, &atv))
    }

    fn build(p: &Parts) -> Vec<u8> {
        let mut tbs = Vec::new();
        if let Some(v) = p.version {
            tbs.extend(tlv(0xA0, &[0x02, 0x01, v]));
        }
        tbs.extend([0x02, 0x02, 0x00, 0xC9]);
        tbs.extend_from_slice(p.inner_alg);
        tbs.extend(name("CSCA"));
        let utc = |s: &str| tlv(0x17, s.as_bytes());
        tbs.extend(tlv(0x30, &[utc("250101000000Z"), utc("350101000000Z")].concat()));
        tbs.extend(name("DS"));
        // id-ecPublicKey, prime256v1, the generator point (a valid point; never verified here).
        let alg = [
            &[0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01][..],
            &[0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07],
        ]
        .concat();
        let mut point = alloc::vec![0x00, 0x04];
        point.extend([0x11; 64]);
        tbs.extend(tlv(0x30, &[alg, tlv(0x03, &point)].concat()));
        if !p.extensions.is_empty() {
            tbs.extend(tlv(0xA3, &tlv(0x30, &p.extensions.concat())));
        }
        let tbs = tlv(0x30, &tbs);
        tlv(0x30, &[tbs, ECDSA_SHA256.to_vec(), tlv(0x03, &[0x00, 0xAA, 0xBB])].concat())
    }

    #[test]
    fn decodes_what_verification_needs() {
        let der = fixture();
        let c = Cert::from_der(&der).unwrap();
        assert_eq!(c.serial, [0x00, 0xC9]);
        assert_eq!(c.issuer, name("CSCA"));
        assert_eq!(c.subject, name("DS"));
        assert_eq!(c.not_before, 1_735_689_600);
        assert_eq!(c.not_after, 2_051_222_400);
        assert_eq!(c.signature, [0xAA, 0xBB]);
        let ku = c.key_usage.unwrap();
        assert!(ku.key_cert_sign() && ku.crl_sign() && !ku.digital_signature());
        assert_eq!(c.subject_key_id.as_deref(), Some(&[1, 2, 3, 4][..]));
        // The TBSCertificate is kept byte for byte.
        assert_eq!(der.windows(c.tbs.len()).filter(|w| *w == c.tbs.as_slice()).count(), 1);
    }

    #[test]
    fn refuses_what_would_loosen_a_check() {
        let ok = Parts::default();
        let ext = ok.extensions.clone();
        let cases = [
            Parts { inner_alg: ECDSA_SHA384, ..Parts::default() },
            Parts { extensions: alloc::vec![ext[0].clone(), ext[0].clone()], ..Parts::default() },
            // keyUsage whose value is not a BIT STRING
            Parts {
                extensions: alloc::vec![alloc::vec![
                    0x30, 0x0B, 0x06, 0x03, 0x55, 0x1D, 0x0F, 0x04, 0x04, 0x04, 0x02, 0x01, 0x06
                ]],
                ..Parts::default()
            },
            // extensions in a version 1 certificate
            Parts { version: None, ..Parts::default() },
        ];
        for (i, p) in cases.iter().enumerate() {
            assert!(Cert::from_der(&build(p)).is_err(), "case {i} must be refused");
        }
        let mut trailing = build(&ok);
        trailing.push(0);
        assert!(Cert::from_der(&trailing).is_err());
        let v1 = Parts { version: None, extensions: Vec::new(), ..Parts::default() };
        assert!(Cert::from_der(&build(&v1)).unwrap().key_usage.is_none());
    }

    #[test]
    fn truncations_are_errors_not_panics() {
        let der = fixture();
        for n in 0..der.len() {
            assert!(Cert::from_der(der.get(..n).unwrap()).is_err());
        }
    }
}
