//! EF.SOD (9303-10 §4.6.2): a CMS SignedData over the LDSSecurityObject, which lists the hash of
//! every data group. Decoded with `cms`; the bytes that signatures cover (eContent, signed
//! attributes, certificates) are kept exactly as stored, never re-encoded.

use alloc::vec::Vec;

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

use super::ParseError;
use crate::crypto::oid;
use crate::tlv::{self, TlvIter};

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

/// Raw-byte views of the SignedData that `cms` does not keep: certificates and signed attributes.
/// Raw certificates and re-tagged signed attributes.
type RawParts = (Vec<Vec<u8>>, Option<Vec<u8>>);

/// Raw certificates and re-tagged signed attributes of a DER ContentInfo holding SignedData.
pub fn raw_parts(content_info: &[u8]) -> Result<RawParts, ParseError> {
    let ci = tlv::expect(content_info, 0x30)?;
    let explicit = ci.children().require(0xA0)?;
    let sd = explicit.children().require(0x30)?;
    let mut certs = Vec::new();
    let mut attrs = None;
    for part in sd.children() {
        let part = part?;
        match part.tag {
            0xA0 => {
                for c in part.children() {
                    certs.push(c?.raw.to_vec());
                }
            }
            0x31 if attrs.is_none() => {
                // signerInfos: the first SignerInfo's [0] signedAttrs.
                if let Some(si) = part.children().next() {
                    let si = si?;
                    if let Some(a) = TlvIter::new(si.value).find(0xA0)? {
                        let mut v = a.raw.to_vec();
                        if let Some(first) = v.first_mut() {
                            *first = 0x31; // RFC 5652 §5.4: the signature covers the SET OF encoding
                        }
                        attrs = Some(v);
                    }
                }
            }
            _ => {}
        }
    }
    Ok((certs, attrs))
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

/// Parses a DER ContentInfo that holds SignedData with encapsulated content.
pub fn parse_signed_data(content_info: &[u8]) -> Result<SignedContent, ParseError> {
    let ci = ContentInfo::from_der(content_info)?;
    if ci.content_type != oid::CMS_SIGNED_DATA {
        return Err(ParseError::Invalid("the content is not CMS SignedData"));
    }
    let sd: SignedData = ci.content.decode_as()?;
    let econtent_type = sd.encap_content_info.econtent_type;
    let econtent_any =
        sd.encap_content_info.econtent.as_ref().ok_or(ParseError::Invalid("SignedData has no eContent"))?;
    let econtent = OctetString::from_der(&econtent_any.to_der()?)?.as_bytes().to_vec();
    let si = sd.signer_infos.0.iter().next().ok_or(ParseError::Invalid("SignedData has no SignerInfo"))?;
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
    let (certificates, signed_attrs) = raw_parts(content_info)?;
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
