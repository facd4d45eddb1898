//! EF.SOD (9303-10 §4.6.2): a CMS SignedData over the LDSSecurityObject, which lists the hash of
//! every data group. The SignedData frame is walked with our TLV reader, its SignerInfo decoded with
//! `cms`; the bytes that signatures cover (eContent, signed
//! attributes, certificates) are kept exactly as stored, never re-encoded.

use alloc::vec::Vec;

use cms::signed_data::{SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

use super::ParseError;
use crate::crypto::oid;
use crate::tlv::{self, Tlv};

/// LDSSecurityObject (9303-10 §4.6.2.2).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct LdsSecurityObject {
    pub version: u8,
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub data_group_hash_values: Vec<DataGroupHash>,
    #[asn1(optional = "true")]
    pub lds_version_info: Option<der::Any>,
}

#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct DataGroupHash {
    pub data_group_number: u8,
    pub data_group_hash_value: OctetString,
}

/// How the SignerInfo names its certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerId {
    /// Issuer name (DER) and serial number (content octets).
    IssuerSerial {
        issuer_der: Vec<u8>,
        serial: Vec<u8>,
    },
    SubjectKeyIdentifier(Vec<u8>),
}

/// What the signer signed and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signer {
    pub id: SignerId,
    pub digest_algorithm: ObjectIdentifier,
    pub signature_algorithm: AlgorithmIdentifierOwned,
    pub signature: Vec<u8>,
    /// The signed attributes re-tagged as SET (`31`), from the stored bytes: what the signature covers.
    pub signed_attrs: Option<Vec<u8>>,
    /// The messageDigest signed attribute.
    pub message_digest: Option<Vec<u8>>,
    /// The contentType signed attribute.
    pub content_type: Option<ObjectIdentifier>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sod {
    pub econtent_type: ObjectIdentifier,
    /// The LDSSecurityObject DER as stored (content of the eContent OCTET STRING).
    pub econtent: Vec<u8>,
    pub lds_security_object: LdsSecurityObject,
    /// Certificates in the SignedData, raw DER as stored (normally just the DS certificate).
    pub certificates: Vec<Vec<u8>>,
    pub signer: Signer,
}

impl Sod {
    /// The hash the SOD records for data group `n`.
    pub fn dg_hash(&self, n: u8) -> Option<&[u8]> {
        self.lds_security_object
            .data_group_hash_values
            .iter()
            .find(|h| h.data_group_number == n)
            .map(|h| h.data_group_hash_value.as_bytes())
    }
    pub fn hash_algorithm_oid(&self) -> ObjectIdentifier {
        self.lds_security_object.hash_algorithm.oid
    }
}

/// A CMS SignedData, as far as verification needs it (EF.SOD, EF.CardSecurity, master lists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedContent {
    pub econtent_type: ObjectIdentifier,
    /// The eContent OCTET STRING's value as stored.
    pub econtent: Vec<u8>,
    /// Certificates in the SignedData, raw DER as stored.
    pub certificates: Vec<Vec<u8>>,
    pub signer: Signer,
}

/// The elements of a DER value, strictly one after another (no padding between them, unlike
/// the card files' BER-TLV).
fn der_children(value: &[u8]) -> Result<Vec<Tlv<'_>>, ParseError> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let (t, r) = tlv::parse_one(rest)?;
        out.push(t);
        rest = r;
    }
    Ok(out)
}

/// Parses a DER ContentInfo that holds SignedData with encapsulated content.
///
/// The SignedData frame (RFC 5652 §5.1) is walked element by element and only the SignerInfo is
/// decoded with `cms`: the certificates stay raw DER (parsed later with `x509-cert`, one at a
/// time) and the revocation lists, which eMRTDs do not carry, are skipped. Decoding the whole
/// SignedData with `cms` instead would put a decoder for every certificate and CRL choice into
/// the reader's image (≈ 25 KB) for fields that verification never looks at.
pub fn parse_signed_data(content_info: &[u8]) -> Result<SignedContent, ParseError> {
    // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
    let ci = tlv::expect(content_info, 0x30)?;
    let [content_type, explicit] = der_children(ci.value)?[..] else {
        return Err(ParseError::Invalid("ContentInfo is not a content type and one content"));
    };
    if content_type.tag != 0x06 || explicit.tag != 0xA0 {
        return Err(ParseError::Invalid("ContentInfo is not a content type and one content"));
    }
    if ObjectIdentifier::from_der(content_type.raw)? != oid::CMS_SIGNED_DATA {
        return Err(ParseError::Invalid("the content is not CMS SignedData"));
    }
    let [sd] = der_children(explicit.value)?[..] else {
        return Err(ParseError::Invalid("ContentInfo holds more than its content"));
    };
    if sd.tag != 0x30 {
        return Err(ParseError::Invalid("SignedData is not a SEQUENCE"));
    }
    // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo SEQUENCE,
    //   certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos SET }
    let parts = der_children(sd.value)?;
    let mut parts = parts.iter();
    let (Some(version), Some(digest_algorithms), Some(encap)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ParseError::Invalid("SignedData is incomplete"));
    };
    if version.tag != 0x02 || digest_algorithms.tag != 0x31 || encap.tag != 0x30 {
        return Err(ParseError::Invalid("SignedData's first fields are not version, digest algorithms, content"));
    }
    let mut next = parts.next();
    let mut certificates = Vec::new();
    if let Some(certs) = next.filter(|t| t.tag == 0xA0) {
        for c in der_children(certs.value)? {
            certificates.push(c.raw.to_vec());
        }
        next = parts.next();
    }
    if next.is_some_and(|t| t.tag == 0xA1) {
        next = parts.next();
    }
    let signer_infos = next.filter(|t| t.tag == 0x31).ok_or(ParseError::Invalid("SignedData has no signerInfos"))?;
    if parts.next().is_some() {
        return Err(ParseError::Invalid("SignedData has fields after signerInfos"));
    }

    // EncapsulatedContentInfo ::= SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
    let encap = der_children(encap.value)?;
    let (econtent_type, econtent) = match encap[..] {
        [t, e] if t.tag == 0x06 && e.tag == 0xA0 => (t, e),
        [t] if t.tag == 0x06 => return Err(ParseError::Invalid("SignedData has no eContent")),
        _ => return Err(ParseError::Invalid("SignedData's encapContentInfo is malformed")),
    };
    let econtent_type = ObjectIdentifier::from_der(econtent_type.raw)?;
    let [octets] = der_children(econtent.value)?[..] else {
        return Err(ParseError::Invalid("eContent is not one OCTET STRING"));
    };
    let econtent = OctetString::from_der(octets.raw)?.as_bytes().to_vec();

    let first = der_children(signer_infos.value)?;
    let si_tlv = first.first().ok_or(ParseError::Invalid("SignedData has no SignerInfo"))?;
    let si = SignerInfo::from_der(si_tlv.raw)?;
    let id = match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => {
            SignerId::IssuerSerial { issuer_der: isn.issuer.to_der()?, serial: isn.serial_number.as_bytes().to_vec() }
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => SignerId::SubjectKeyIdentifier(ski.0.as_bytes().to_vec()),
    };
    let mut message_digest = None;
    let mut content_type = None;
    if let Some(attrs) = &si.signed_attrs {
        for a in attrs.iter() {
            let Some(v) = a.values.iter().next() else { continue };
            if a.oid == oid::CMS_MESSAGE_DIGEST {
                message_digest = Some(v.decode_as::<OctetString>()?.as_bytes().to_vec());
            } else if a.oid == oid::CMS_CONTENT_TYPE {
                content_type = Some(v.decode_as::<ObjectIdentifier>()?);
            }
        }
    }
    // RFC 5652 §5.4: the signature covers the signed attributes encoded as a SET OF, i.e. the
    // stored [0] IMPLICIT bytes with their tag changed to 31.
    let signed_attrs = match der_children(si_tlv.value)?.iter().find(|t| t.tag == 0xA0) {
        Some(a) => {
            let mut v = a.raw.to_vec();
            if let Some(first) = v.first_mut() {
                *first = 0x31;
            }
            Some(v)
        }
        None => None,
    };
    Ok(SignedContent {
        econtent_type,
        econtent,
        certificates,
        signer: Signer {
            id,
            digest_algorithm: si.digest_alg.oid,
            signature_algorithm: si.signature_algorithm.clone(),
            signature: si.signature.as_bytes().to_vec(),
            signed_attrs,
            message_digest,
            content_type,
        },
    })
}

pub fn parse(bytes: &[u8]) -> Result<Sod, ParseError> {
    let outer = tlv::expect(bytes, 0x77)?;
    let (ci_tlv, _) = tlv::parse_one(outer.value)?;
    let sc = parse_signed_data(ci_tlv.raw)?;
    let lds_security_object = LdsSecurityObject::from_der(&sc.econtent)?;
    Ok(Sod {
        econtent_type: sc.econtent_type,
        econtent: sc.econtent,
        lds_security_object,
        certificates: sc.certificates,
        signer: sc.signer,
    })
}
