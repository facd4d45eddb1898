//! EF.SOD (9303-10 §4.6.2): a CMS SignedData over the LDSSecurityObject, which lists the hash of
//! every data group. The SignedData and SignerInfo frames (RFC 5652 §5.1, §5.3) are walked with
//! our TLV reader, their leaves (OIDs, algorithm identifiers, integers, octet strings) decoded with
//! `der`; the bytes that signatures cover (eContent, signed attributes, certificates) are kept
//! exactly as stored, never re-encoded.

use alloc::vec::Vec;

use const_oid::ObjectIdentifier;
use der::asn1::{IntRef, OctetString, OctetStringRef};
use der::{Decode, Sequence};
use spki::AlgorithmIdentifierOwned;

use super::ParseError;
use crate::crypto::oid;
use crate::tlv::{self, Tlv, TlvError, TlvErrorKind};

/// LDSSecurityObject (9303-10 §4.6.2.2).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct LdsSecurityObject {
    /// 0, or 1 with `lds_version_info`.
    pub version: u8,
    /// The data groups' hash algorithm.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// One hash per data group the document holds.
    pub data_group_hash_values: Vec<DataGroupHash>,
    /// LDS and Unicode versions (version 1 only), kept unparsed.
    #[asn1(optional = "true")]
    pub lds_version_info: Option<der::Any>,
}

/// One data group's hash in the SOD.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct DataGroupHash {
    /// The data group's number (1–16).
    pub data_group_number: u8,
    /// Its hash under the SOD's algorithm.
    pub data_group_hash_value: OctetString,
}

/// How the SignerInfo names its certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerId {
    /// Issuer name (DER) and serial number (content octets).
    IssuerSerial {
        /// The issuer's Name, DER.
        issuer_der: Vec<u8>,
        /// The serial number's content octets.
        serial: Vec<u8>,
    },
    /// The certificate's subject key identifier.
    SubjectKeyIdentifier(Vec<u8>),
}

/// What the signer signed and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signer {
    /// Which certificate signed.
    pub id: SignerId,
    /// The hash over the signed attributes (or the content, without them).
    pub digest_algorithm: ObjectIdentifier,
    /// The signature algorithm and its parameters.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// The signature value.
    pub signature: Vec<u8>,
    /// The signed attributes re-tagged as SET (`31`), from the stored bytes: what the signature covers.
    pub signed_attrs: Option<Vec<u8>>,
    /// The messageDigest signed attribute.
    pub message_digest: Option<Vec<u8>>,
    /// The contentType signed attribute.
    pub content_type: Option<ObjectIdentifier>,
}

/// EF.SOD, the document security object (9303-10 §4.6.2): a CMS SignedData over the data
/// groups' hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sod {
    /// The signed content's type (id-icao-mrtd-security-ldsSecurityObject).
    pub econtent_type: ObjectIdentifier,
    /// The LDSSecurityObject DER as stored (content of the eContent OCTET STRING).
    pub econtent: Vec<u8>,
    /// The data groups' hashes, parsed.
    pub lds_security_object: LdsSecurityObject,
    /// Certificates in the SignedData, raw DER as stored (normally just the DS certificate).
    pub certificates: Vec<Vec<u8>>,
    /// The one SignerInfo.
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
    /// The data groups' hash algorithm's identifier.
    pub fn hash_algorithm_oid(&self) -> ObjectIdentifier {
        self.lds_security_object.hash_algorithm.oid
    }
}

/// A CMS SignedData, as far as verification needs it (EF.SOD, EF.CardSecurity, master lists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedContent {
    /// The signed content's type.
    pub econtent_type: ObjectIdentifier,
    /// The eContent OCTET STRING's value as stored.
    pub econtent: Vec<u8>,
    /// Certificates in the SignedData, raw DER as stored.
    pub certificates: Vec<Vec<u8>>,
    /// The one SignerInfo.
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
/// The SignedData frame (RFC 5652 §5.1) is walked element by element: the certificates stay raw
/// DER (decoded later by [`crate::cert::Cert`], one at a time) and the revocation lists, which
/// eMRTDs do not carry, are skipped. Decoding the whole SignedData with `cms` instead would put a
/// decoder for every certificate, CRL and attribute choice into the reader's image (≈ 40 KB)
/// for fields that verification never looks at.
///
/// BER indefinite lengths, which some issuers write (ICAO asks for DER), are made definite
/// first ([`crate::ber`]), only when the strict reading meets one.
pub fn parse_signed_data(content_info: &[u8]) -> Result<SignedContent, ParseError> {
    match parse_signed_data_der(content_info) {
        Err(ParseError::Tlv(TlvError { kind: TlvErrorKind::UnsupportedLength, .. })) => {
            parse_signed_data_der(&crate::ber::definite(content_info)?)
        }
        other => other,
    }
}

fn parse_signed_data_der(content_info: &[u8]) -> Result<SignedContent, ParseError> {
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
    let signer = parse_signer_info(si_tlv)?;
    Ok(SignedContent { econtent_type, econtent, certificates, signer })
}

/// `SignerInfo ::= SEQUENCE { version, sid SignerIdentifier, digestAlgorithm, signedAttrs [0]
/// IMPLICIT OPTIONAL, signatureAlgorithm, signature OCTET STRING, unsignedAttrs [1] IMPLICIT
/// OPTIONAL }`, with `SignerIdentifier ::= CHOICE { IssuerAndSerialNumber, [0] IMPLICIT
/// SubjectKeyIdentifier }` (RFC 5652 §5.3).
fn parse_signer_info(si: &Tlv<'_>) -> Result<Signer, ParseError> {
    const MALFORMED: ParseError = ParseError::Invalid("SignerInfo is malformed");
    if si.tag != 0x30 {
        return Err(ParseError::Invalid("SignerInfo is not a SEQUENCE"));
    }
    let parts = der_children(si.value)?;
    let mut parts = parts.iter().peekable();
    let mut take = |tag: u32| parts.next_if(|t| t.tag == tag);
    let version = take(0x02).ok_or(MALFORMED)?;
    // v1 with issuer and serial number, v3 with a subject key identifier.
    if !matches!(version.value, [1] | [3]) {
        return Err(ParseError::Invalid("SignerInfo version is neither 1 nor 3"));
    }
    let id = if let Some(isn) = take(0x30) {
        let [issuer, serial] = der_children(isn.value)?[..] else { return Err(MALFORMED) };
        if issuer.tag != 0x30 {
            return Err(MALFORMED);
        }
        SignerId::IssuerSerial {
            issuer_der: issuer.raw.to_vec(),
            serial: IntRef::from_der(serial.raw)?.as_bytes().to_vec(),
        }
    } else if let Some(ski) = take(0x80) {
        SignerId::SubjectKeyIdentifier(ski.value.to_vec())
    } else {
        return Err(ParseError::Invalid("SignerInfo names its certificate in an unknown way"));
    };
    let digest_algorithm = AlgorithmIdentifierOwned::from_der(take(0x30).ok_or(MALFORMED)?.raw)?.oid;
    let attrs = take(0xA0);
    let signature_algorithm = AlgorithmIdentifierOwned::from_der(take(0x30).ok_or(MALFORMED)?.raw)?;
    let signature = <&OctetStringRef>::from_der(take(0x04).ok_or(MALFORMED)?.raw)?.as_bytes().to_vec();
    let _unsigned = take(0xA1);
    if parts.next().is_some() {
        return Err(ParseError::Invalid("SignerInfo has unknown fields"));
    }
    let mut message_digest = None;
    let mut content_type = None;
    let mut signed_attrs = None;
    if let Some(attrs) = attrs {
        // Attribute ::= SEQUENCE { attrType OID, attrValues SET OF ANY }. Each of the two
        // attributes verification depends on must be there once, with one value (§11.1, §11.2).
        for a in der_children(attrs.value)? {
            let [kind, values] = (if a.tag == 0x30 { der_children(a.value)? } else { Vec::new() })[..] else {
                return Err(ParseError::Invalid("malformed signed attribute"));
            };
            if values.tag != 0x31 {
                return Err(ParseError::Invalid("malformed signed attribute"));
            }
            let kind = ObjectIdentifier::from_der(kind.raw)?;
            let slot = if kind == oid::CMS_MESSAGE_DIGEST {
                &mut message_digest
            } else if kind == oid::CMS_CONTENT_TYPE {
                &mut content_type
            } else {
                continue;
            };
            let [value] = der_children(values.value)?[..] else {
                return Err(ParseError::Invalid("a signed attribute has more or fewer than one value"));
            };
            if slot.replace(value.raw).is_some() {
                return Err(ParseError::Invalid("a signed attribute appears twice"));
            }
        }
        // RFC 5652 §5.4: the signature covers the signed attributes encoded as a SET OF, i.e. the
        // stored [0] IMPLICIT bytes with their tag changed to 31.
        let mut v = attrs.raw.to_vec();
        if let Some(first) = v.first_mut() {
            *first = 0x31;
        }
        signed_attrs = Some(v);
    }
    Ok(Signer {
        id,
        digest_algorithm,
        signature_algorithm,
        signature,
        signed_attrs,
        message_digest: message_digest.map(<&OctetStringRef>::from_der).transpose()?.map(|o| o.as_bytes().to_vec()),
        content_type: content_type.map(ObjectIdentifier::from_der).transpose()?,
    })
}

/// Parses EF.SOD (tag `77`): the SignedData, its LDSSecurityObject and its one SignerInfo; BER indefinite lengths are accepted.
pub fn parse(bytes: &[u8]) -> Result<Sod, ParseError> {
    let outer = tlv::expect(bytes, 0x77)?;
    let sc = parse_signed_data(outer.value)?;
    let lds_security_object = LdsSecurityObject::from_der(&sc.econtent)?;
    Ok(Sod {
        econtent_type: sc.econtent_type,
        econtent: sc.econtent,
        lds_security_object,
        certificates: sc.certificates,
        signer: sc.signer,
    })
}

#[cfg(test)]
mod tests {
    use der::Encode;

    use super::*;
    use crate::tlv::encode as t;

    fn oid_der(o: ObjectIdentifier) -> Vec<u8> {
        o.to_der().unwrap()
    }
    fn alg(o: ObjectIdentifier) -> Vec<u8> {
        t(0x30, &oid_der(o))
    }
    fn attr(o: ObjectIdentifier, values: &[Vec<u8>]) -> Vec<u8> {
        t(0x30, &[oid_der(o), t(0x31, &values.concat())].concat())
    }
    fn name() -> Vec<u8> {
        t(0x30, &t(0x31, &t(0x30, &[&[0x06, 0x03, 0x55, 0x04, 0x03][..], &t(0x0C, b"DS")].concat())))
    }

    /// A SignerInfo with the given sid and signed attributes (None: no [0] at all), signed by
    /// `signature`, plus any extra trailing elements.
    fn signer_info(version: u8, sid: Vec<u8>, attrs: Option<Vec<Vec<u8>>>, extra: &[Vec<u8>]) -> Vec<u8> {
        let mut body = [t(0x02, &[version]), sid, alg(oid::SHA256)].concat();
        if let Some(a) = attrs {
            body.extend(t(0xA0, &a.concat()));
        }
        body.extend(alg(oid::ECDSA_SHA256));
        body.extend(t(0x04, &[0x5A; 8]));
        body.extend(extra.concat());
        t(0x30, &body)
    }

    fn content_info(si: Vec<u8>) -> Vec<u8> {
        let encap = t(0x30, &[oid_der(oid::LDS_SECURITY_OBJECT), t(0xA0, &t(0x04, b"lds"))].concat());
        let cert = t(0x30, &[0x05, 0x00]);
        let sd = t(0x30, &[t(0x02, &[3]), t(0x31, &alg(oid::SHA256)), encap, t(0xA0, &cert), t(0x31, &si)].concat());
        t(0x30, &[oid_der(oid::CMS_SIGNED_DATA), t(0xA0, &sd)].concat())
    }

    fn issuer_serial() -> Vec<u8> {
        t(0x30, &[name(), t(0x02, &[0x00, 0xC9])].concat())
    }

    fn good_attrs() -> Vec<Vec<u8>> {
        alloc::vec![
            attr(oid::CMS_CONTENT_TYPE, &[oid_der(oid::LDS_SECURITY_OBJECT)]),
            attr(oid::CMS_MESSAGE_DIGEST, &[t(0x04, &[0xD1; 32])]),
            // an attribute verification does not use (signing time) is skipped
            attr(ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5"), &[t(0x17, b"260101000000Z")]),
        ]
    }

    #[test]
    fn signer_info_fields_come_out_as_stored() {
        let ci = content_info(signer_info(1, issuer_serial(), Some(good_attrs()), &[]));
        let sc = parse_signed_data(&ci).unwrap();
        assert_eq!(sc.econtent_type, oid::LDS_SECURITY_OBJECT);
        assert_eq!(sc.econtent, b"lds");
        assert_eq!(sc.certificates, [t(0x30, &[0x05, 0x00])]);
        let s = sc.signer;
        assert_eq!(s.id, SignerId::IssuerSerial { issuer_der: name(), serial: alloc::vec![0x00, 0xC9] });
        assert_eq!(s.digest_algorithm, oid::SHA256);
        assert_eq!(s.signature_algorithm.oid, oid::ECDSA_SHA256);
        assert_eq!(s.signature, [0x5A; 8]);
        assert_eq!(s.message_digest.as_deref(), Some(&[0xD1; 32][..]));
        assert_eq!(s.content_type, Some(oid::LDS_SECURITY_OBJECT));
        // What the signature covers: the stored attributes re-tagged as SET.
        let mut covered = t(0xA0, &good_attrs().concat());
        covered[0] = 0x31;
        assert_eq!(s.signed_attrs, Some(covered));

        let ski = content_info(signer_info(3, t(0x80, &[1, 2, 3]), None, &[t(0xA1, &[])]));
        let s = parse_signed_data(&ski).unwrap().signer;
        assert_eq!(s.id, SignerId::SubjectKeyIdentifier(alloc::vec![1, 2, 3]));
        assert_eq!((s.signed_attrs, s.message_digest, s.content_type), (None, None, None));
    }

    #[test]
    fn a_malformed_signer_info_is_refused() {
        let digest = || attr(oid::CMS_MESSAGE_DIGEST, &[t(0x04, &[0xD1; 32])]);
        let bad = [
            ("version 2", signer_info(2, issuer_serial(), Some(good_attrs()), &[])),
            ("sid of another kind", signer_info(1, t(0x81, &[1]), Some(good_attrs()), &[])),
            ("serial missing", signer_info(1, t(0x30, &name()), Some(good_attrs()), &[])),
            ("messageDigest twice", signer_info(1, issuer_serial(), Some(alloc::vec![digest(), digest()]), &[])),
            (
                "messageDigest with two values",
                signer_info(
                    1,
                    issuer_serial(),
                    Some(alloc::vec![attr(oid::CMS_MESSAGE_DIGEST, &[t(0x04, &[1]), t(0x04, &[2])])]),
                    &[],
                ),
            ),
            (
                "messageDigest not an OCTET STRING",
                signer_info(
                    1,
                    issuer_serial(),
                    Some(alloc::vec![attr(oid::CMS_MESSAGE_DIGEST, &[t(0x02, &[1])])]),
                    &[],
                ),
            ),
            (
                "attribute values not a SET",
                signer_info(1, issuer_serial(), Some(alloc::vec![t(0x30, &oid_der(oid::SHA256))]), &[]),
            ),
            (
                "field after the unsigned attributes",
                signer_info(1, issuer_serial(), None, &[t(0xA1, &[]), t(0x05, &[])]),
            ),
        ];
        for (why, si) in bad {
            assert!(parse_signed_data(&content_info(si)).is_err(), "{why} must be refused");
        }
    }

    #[test]
    fn every_truncation_is_an_error() {
        let ci = content_info(signer_info(1, issuer_serial(), Some(good_attrs()), &[]));
        for n in 0..ci.len() {
            assert!(parse_signed_data(&ci[..n]).is_err());
        }
    }
}
