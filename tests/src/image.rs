//! Card images: the files of a simulated chip built from a persona, signed by the test PKI, and
//! the forged variants.

use std::collections::BTreeMap;

use cancuoc_core::crypto::{HashAlgorithm, oid};
use cancuoc_core::files::FileId;
use cancuoc_core::lds::{dg2, dg13, dg14, dg15};
use cancuoc_core::tlv;
use cms::cert::CertificateChoices;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;

use crate::pki::{Pki, SignKey, SignKeyExt};
pub use cancuoc_demo::persona::{CAN, PASSPORT_TD3_MRZ, PERSONA, PERSONA_2024, Persona, VARIANTS, passport_access_key};
pub use cancuoc_demo::{CaKey, CardImage};

pub const FACE_JPEG: &[u8] = include_bytes!("../fixtures/face/face.jpg");
/// The same drawing at JPEG quality 60 (`make_face.py`).
pub const FACE_JPEG_SMALL: &[u8] = include_bytes!("../fixtures/face/face-small.jpg");
pub const FACE_JP2: &[u8] = include_bytes!("../fixtures/face/face.jp2");

/// Which document signer signs the SOD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer {
    Rsa,
    P256,
    Bp256,
    /// A DS issued by a CSCA that is not in the trust store.
    Rogue,
    /// A DS whose certificate expired before the read.
    Expired,
    /// A DS claiming the P-256 CSCA as issuer but signed by another key.
    Forged,
    /// A DS the P-256 CSCA has revoked.
    Revoked,
    /// A DS of a CSCA certificate its successor has revoked.
    RevokedCsca,
}

impl Signer {
    fn name(self) -> &'static str {
        match self {
            Self::Rsa => "ds-rsa",
            Self::P256 => "ds-p256",
            Self::Bp256 => "ds-bp256",
            Self::Rogue => "ds-rogue",
            Self::Expired => "ds-expired",
            Self::Forged => "ds-forged",
            Self::Revoked => "ds-revoked",
            Self::RevokedCsca => "ds-rolled-old",
        }
    }
}

/// The chip's active-authentication key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aa {
    Rsa,
    Ec,
    None,
}

/// Forgeries applied after signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forgery {
    TamperDg1,
    TamperDg2,
    TamperDg13,
    BadSodSignature,
    /// DG15 holds the genuine key but the chip signs with another one (a clone).
    WrongAaKey,
    /// DG14 holds the genuine chip-authentication key but the chip has another one (a clone).
    WrongCaKey,
    /// DG15 is on the chip but the chip will not do active authentication (a clone that copied
    /// DG15 without the key answers INTERNAL AUTHENTICATE with 6D00).
    SkipAa,
    /// DG13 is on the chip (and listed in EF.COM) but the SOD carries no hash for it.
    UnsignedDg13,
    /// The SOD hashes the data groups with SHA-1 (a weak algorithm).
    Sha1Hashes,
    /// The chip has no EF.SOD at all.
    NoSod,
    /// The chip's secure-messaging answers lack DO'99' (malformed SM, every time).
    SmWithoutDo99,
    /// The SOD declares SHA-256 but stores 20-byte (SHA-1) hash values, signed as issued.
    HashLengthMismatch,
    /// The document signer's key is on NIST P-224, given as explicit parameters: a curve this
    /// build does not implement, so the SOD signature cannot be checked here (not a forgery).
    DsOnUnsupportedCurve,
}

/// Everything that defines a simulated card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardSpec {
    pub signer: Signer,
    pub aa: Aa,
    pub jpeg2000: bool,
    pub forgery: Option<Forgery>,
    /// Pad DG2 to at least this many bytes (for large-file and odd-INS tests); 0 = natural size.
    pub min_dg2: usize,
    /// The face as a lower-quality JPEG ([`FACE_JPEG_SMALL`], 9.5 KB instead of 17.6 KB): the
    /// small-photo case of the performance report.
    pub small_face: bool,
    /// Whether the chip accepts extended-length APDUs.
    pub extended_length: bool,
    /// The PACE variant offered in EF.CardAccess: (protocol OID, standardized domain parameter
    /// ID). `None`: no EF.CardAccess, BAC only.
    pub pace: Option<(&'static str, u32)>,
    /// Whether the chip also accepts BAC.
    pub bac: bool,
    /// Chip authentication in DG14: (CA protocol OID, curve).
    pub ca: Option<(&'static str, cancuoc_core::ecc::Curve)>,
    /// The status word the chip answers to SELECT of the master file (real cards: 6D00).
    pub select_mf_sw: u16,
    /// The citizen on the card.
    pub persona: &'static Persona,
    /// DG3 (fingerprints) is on the chip, listed and hashed, but protected by terminal
    /// authentication: SELECT answers 6982, as on real cards.
    pub dg3: bool,
    /// The chip lists PACE in EF.CardAccess but refuses it (MSE:Set AT answers 6982): readers must
    /// fall back to BAC.
    pub refuses_pace: bool,
    /// A foreign TD3 passport ([`PASSPORT_TD3_MRZ`]) instead of a CCCD: DG1, DG2, DG15, no DG13.
    pub passport: bool,
    /// How the chip refuses READ BINARY by short EF identifier (ICAO 9303-10 §3.6.2): the status
    /// word it answers in plain, which ends secure messaging; `None` reads by SFI.
    pub refuse_sfi: Option<u16>,
    /// How the chip answers a READ BINARY whose Le runs past the end of the file instead of what
    /// it has with 6282: 6282 with no data, 6C00 (6Cxx naming what it has), or another status
    /// word in plain (ending secure messaging); `None` answers what it has.
    pub refuse_long_le: Option<u16>,
}

/// Chip-authentication protocol OIDs (9303-11 §9.2.5).
pub mod ca_oid {
    pub const ECDH_3DES: &str = "0.4.0.127.0.7.2.2.3.2.1";
    pub const ECDH_AES128: &str = "0.4.0.127.0.7.2.2.3.2.2";
}

/// PACE protocol OIDs (9303-11 table 9) the simulator offers.
pub mod pace_oid {
    pub const ECDH_GM_3DES: &str = "0.4.0.127.0.7.2.2.4.2.1";
    pub const ECDH_GM_AES128: &str = "0.4.0.127.0.7.2.2.4.2.2";
    pub const ECDH_GM_AES192: &str = "0.4.0.127.0.7.2.2.4.2.3";
    pub const ECDH_GM_AES256: &str = "0.4.0.127.0.7.2.2.4.2.4";
    pub const ECDH_IM_AES128: &str = "0.4.0.127.0.7.2.2.4.4.2";
    pub const DH_GM_AES128: &str = "0.4.0.127.0.7.2.2.4.1.2";
    pub const DH_IM_AES128: &str = "0.4.0.127.0.7.2.2.4.3.2";
    pub const ECDH_CAM_AES128: &str = "0.4.0.127.0.7.2.2.4.6.2";
}

/// EF.CardAccess as public readers hard-code it for real cards (shared/cccd.md):
/// TerminalAuthenticationInfo v1; ChipAuthenticationInfo CA-ECDH-AES-CBC-CMAC-128 v1; PACEInfo
/// PACE-ECDH-GM-AES-CBC-CMAC-128 v2 on standardized parameters 13 (brainpoolP256r1).
pub const REAL_CARD_ACCESS: &str =
    "3134300d060804007f0007020202020101300f060a04007f000702020302020201013012060a04007f0007020204020202010202010d";

impl Default for CardSpec {
    fn default() -> Self {
        Self {
            signer: Signer::Rsa,
            aa: Aa::Rsa,
            jpeg2000: false,
            forgery: None,
            min_dg2: 0,
            small_face: false,
            extended_length: true,
            pace: Some((pace_oid::ECDH_GM_AES128, 13)),
            bac: true,
            ca: Some((ca_oid::ECDH_AES128, cancuoc_core::ecc::Curve::BrainpoolP256r1)),
            select_mf_sw: 0x6D00,
            persona: &PERSONA,
            dg3: true,
            refuses_pace: false,
            passport: false,
            refuse_sfi: None,
            refuse_long_le: None,
        }
    }
}

impl CardSpec {
    pub fn variant(name: &str) -> Option<Self> {
        let d = Self::default();
        Some(match name {
            "rsa" => d,
            "ecdsa-p256" => Self {
                signer: Signer::P256,
                aa: Aa::Ec,
                pace: Some((pace_oid::ECDH_GM_AES256, 12)),
                ca: Some((ca_oid::ECDH_AES128, cancuoc_core::ecc::Curve::P256)),
                ..d
            },
            "ca-3des" => {
                Self { aa: Aa::None, ca: Some((ca_oid::ECDH_3DES, cancuoc_core::ecc::Curve::BrainpoolP256r1)), ..d }
            }
            "wrong-ca-key" => Self {
                aa: Aa::None,
                ca: Some((ca_oid::ECDH_AES128, cancuoc_core::ecc::Curve::P256)),
                forgery: Some(Forgery::WrongCaKey),
                ..d
            },
            "ecdsa-bp256" => Self {
                signer: Signer::Bp256,
                aa: Aa::Ec,
                jpeg2000: true,
                pace: Some((pace_oid::ECDH_GM_3DES, 13)),
                ..d
            },
            "bac-only" => Self { pace: None, ..d },
            "pace-only" => Self { pace: Some((pace_oid::ECDH_GM_AES192, 15)), bac: false, ..d },
            "pace-p521" => Self { pace: Some((pace_oid::ECDH_GM_AES256, 18)), ..d },
            "pace-bp384" => Self { pace: Some((pace_oid::ECDH_GM_AES256, 16)), ..d },
            "pace-im" => Self { pace: Some((pace_oid::ECDH_IM_AES128, 13)), ..d },
            "pace-im-p256" => Self { pace: Some((pace_oid::ECDH_IM_AES128, 12)), ..d },
            "pace-dh" => Self { pace: Some((pace_oid::DH_GM_AES128, 2)), ..d },
            "pace-dh-im" => Self { pace: Some((pace_oid::DH_IM_AES128, 0)), ..d },
            "mf-9000" => Self { select_mf_sw: 0x9000, ..d },
            "can-cuoc-2024" => Self { persona: &PERSONA_2024, ..d },
            "pace-refused" => Self { refuses_pace: true, ..d },
            "passport-td3" => Self { passport: true, pace: None, ca: None, dg3: false, ..d },
            "pace-cam" => Self {
                aa: Aa::None,
                pace: Some((pace_oid::ECDH_CAM_AES128, 13)),
                ca: Some((ca_oid::ECDH_AES128, cancuoc_core::ecc::Curve::BrainpoolP256r1)),
                ..d
            },
            "wrong-cam-key" => Self {
                aa: Aa::None,
                pace: Some((pace_oid::ECDH_CAM_AES128, 13)),
                ca: Some((ca_oid::ECDH_AES128, cancuoc_core::ecc::Curve::BrainpoolP256r1)),
                forgery: Some(Forgery::WrongCaKey),
                ..d
            },
            "jpeg2000" => Self { jpeg2000: true, ..d },
            "short-apdu" => Self { extended_length: false, ..d },
            "no-sfi" => Self { refuse_sfi: Some(0x6A81), ..d },
            "strict-le" => Self { refuse_long_le: Some(0x6700), ..d },
            "large-photo" => Self { min_dg2: 40_000, ..d },
            "no-aa" => Self { aa: Aa::None, ..d },
            "tampered-dg1" => Self { forgery: Some(Forgery::TamperDg1), ..d },
            "tampered-dg2" => Self { forgery: Some(Forgery::TamperDg2), ..d },
            "tampered-dg13" => Self { forgery: Some(Forgery::TamperDg13), ..d },
            "bad-sod-signature" => Self { forgery: Some(Forgery::BadSodSignature), ..d },
            "unknown-csca" => Self { signer: Signer::Rogue, ..d },
            "forged-ds" => Self { signer: Signer::Forged, ..d },
            "expired-ds" => Self { signer: Signer::Expired, ..d },
            "revoked-ds" => Self { signer: Signer::Revoked, ..d },
            "revoked-csca" => Self { signer: Signer::RevokedCsca, ..d },
            "wrong-aa-key" => Self { aa: Aa::Ec, forgery: Some(Forgery::WrongAaKey), ..d },
            "wrong-aa-key-rsa" => Self { forgery: Some(Forgery::WrongAaKey), ..d },
            "aa-skipped" => Self { forgery: Some(Forgery::SkipAa), ..d },
            "unsigned-dg13" => Self { forgery: Some(Forgery::UnsignedDg13), ..d },
            "sha1-hashes" => Self { forgery: Some(Forgery::Sha1Hashes), ..d },
            "no-sod" => Self { forgery: Some(Forgery::NoSod), ..d },
            "sm-no-do99" => Self { forgery: Some(Forgery::SmWithoutDo99), ..d },
            "hash-length-mismatch" => Self { forgery: Some(Forgery::HashLengthMismatch), ..d },
            "ds-unsupported-curve" => Self { signer: Signer::P256, forgery: Some(Forgery::DsOnUnsupportedCurve), ..d },
            _ => return None,
        })
    }
}

fn attribute(oid: const_oid::ObjectIdentifier, value: Any) -> Attribute {
    let mut values = SetOfVec::new();
    values.insert(value).expect("one value");
    Attribute { oid, values }
}

/// Builds EF.SOD: CMS SignedData over an LDSSecurityObject with SHA-256 DG hashes, signed
/// attributes (contentType, messageDigest), signed by `ds_key`, carrying `ds_cert`.
pub fn build_sod(dgs: &BTreeMap<u8, Vec<u8>>, ds_cert: &[u8], ds_key: &SignKey) -> Vec<u8> {
    build_sod_hashed(dgs, ds_cert, ds_key, HashAlgorithm::Sha256)
}

/// [`build_sod`] with the data groups hashed by `dg_hash` (the signed attributes stay SHA-256).
pub fn build_sod_hashed(
    dgs: &BTreeMap<u8, Vec<u8>>,
    ds_cert: &[u8],
    ds_key: &SignKey,
    dg_hash: HashAlgorithm,
) -> Vec<u8> {
    build_sod_declared(dgs, ds_cert, ds_key, dg_hash, dg_hash)
}

/// [`build_sod_hashed`] declaring `declared` as the hash algorithm while hashing with `dg_hash`.
pub fn build_sod_declared(
    dgs: &BTreeMap<u8, Vec<u8>>,
    ds_cert: &[u8],
    ds_key: &SignKey,
    dg_hash: HashAlgorithm,
    declared: HashAlgorithm,
) -> Vec<u8> {
    use cancuoc_core::lds::sod::{DataGroupHash, LdsSecurityObject};
    let h = HashAlgorithm::Sha256;
    let sha256 = AlgorithmIdentifierOwned { oid: oid::SHA256, parameters: None };
    let lso = LdsSecurityObject {
        version: 0,
        hash_algorithm: AlgorithmIdentifierOwned { oid: declared.oid(), parameters: None },
        data_group_hash_values: dgs
            .iter()
            .map(|(n, b)| DataGroupHash {
                data_group_number: *n,
                data_group_hash_value: OctetString::new(dg_hash.digest(b)).expect("hash"),
            })
            .collect(),
        lds_version_info: None,
    };
    let econtent = lso.to_der().expect("LDSSecurityObject encodes");
    let mut attrs = SetOfVec::new();
    attrs.insert(attribute(oid::CMS_CONTENT_TYPE, Any::from(&oid::LDS_SECURITY_OBJECT))).expect("attr");
    attrs
        .insert(attribute(
            oid::CMS_MESSAGE_DIGEST,
            Any::new(der::Tag::OctetString, h.digest(&econtent)).expect("digest"),
        ))
        .expect("attr");
    let signed = attrs.to_der().expect("attrs encode");
    let (sig_alg, signature) = ds_key.sign(&signed);
    let cert = x509_cert::Certificate::from_der(ds_cert).expect("DS certificate parses");
    let sid = SignerIdentifier::IssuerAndSerialNumber(cms::cert::IssuerAndSerialNumber {
        issuer: cert.tbs_certificate().issuer().clone(),
        serial_number: cert.tbs_certificate().serial_number().clone(),
    });
    let si = SignerInfo {
        version: CmsVersion::V1,
        sid,
        digest_alg: sha256.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm: sig_alg,
        signature: OctetString::new(signature).expect("signature"),
        unsigned_attrs: None,
    };
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(sha256).expect("alg");
    let mut certs = SetOfVec::new();
    certs.insert(CertificateChoices::Certificate(cert)).expect("cert");
    let mut infos = SetOfVec::new();
    infos.insert(si).expect("signer info");
    let sd = SignedData {
        version: CmsVersion::V3,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oid::LDS_SECURITY_OBJECT,
            econtent: Some(Any::new(der::Tag::OctetString, econtent).expect("econtent")),
        },
        certificates: Some(cms::signed_data::CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(infos),
    };
    let ci = ContentInfo {
        content_type: oid::CMS_SIGNED_DATA,
        content: Any::from_der(&sd.to_der().expect("SignedData encodes")).expect("any"),
    };
    tlv::encode(0x77, &ci.to_der().expect("ContentInfo encodes"))
}

/// Flips one bit of the byte at `at` inside `bytes` (skipping TLV headers is the caller's job).
fn flip(bytes: &mut [u8], at: usize) {
    if let Some(b) = bytes.get_mut(at) {
        *b ^= 0x01;
    }
}

/// Builds the card image for `spec`.
pub fn build(spec: &CardSpec) -> CardImage {
    let pki = Pki::load();
    let p = spec.persona;
    let mut dgs: BTreeMap<u8, Vec<u8>> = BTreeMap::new();
    let mrz_text = if spec.passport { PASSPORT_TD3_MRZ.to_string() } else { p.mrz() };
    dgs.insert(1, tlv::encode(0x61, &tlv::encode(0x5F1F, mrz_text.as_bytes())));
    let (format, image) = if spec.jpeg2000 {
        (dg2::ImageFormat::Jpeg2000, FACE_JP2)
    } else if spec.small_face {
        (dg2::ImageFormat::Jpeg, FACE_JPEG_SMALL)
    } else {
        (dg2::ImageFormat::Jpeg, FACE_JPEG)
    };
    let mut image = image.to_vec();
    if image.len() < spec.min_dg2 {
        // Trailing bytes after the image's end marker are ignored by decoders.
        image.resize(spec.min_dg2, 0);
    }
    let face = dg2::FaceImage {
        format,
        width: 360,
        height: 480,
        gender: 2,
        eye_colour: 2,
        hair_colour: 2,
        expression: 1,
        face_image_type: 1,
        colour_space: 1,
        source_type: 2,
        quality: 0,
        feature_points: 0,
        image,
    };
    dgs.insert(2, dg2::encode(&face));
    if spec.dg3 {
        // A stand-in for the fingerprint templates (ISO 19794-2 in a CBEFF BIT group): the reader
        // never gets it (6982), only its hash in the SOD and its tag in EF.COM matter.
        dgs.insert(3, tlv::encode(0x63, &tlv::encode(0x7F61, &tlv::encode(0x02, &[0]))));
    }
    if !spec.passport {
        dgs.insert(13, dg13::encode(&p.dg13_fields()));
    }
    let genuine_aa = match spec.aa {
        Aa::Rsa => Some(pki.key("aa-rsa")),
        Aa::Ec => Some(pki.key("aa-p256")),
        Aa::None => None,
    };
    let mut infos = Vec::new();
    if let Some(SignKey::P256(_)) = &genuine_aa {
        infos.push(dg14::active_authentication_info(&oid::ECDSA_PLAIN_SHA256));
    }
    let mut ca_key = None;
    if let Some((oid, curve)) = spec.ca {
        let secret = cancuoc_core::ecc::Secret(crate::pki::seeded_scalar_for(&format!("ca-{oid}-{curve:?}")));
        let point = curve.mul(&secret, None).expect("CA key");
        let protocol = const_oid::ObjectIdentifier::new_unwrap(oid);
        infos.extend(ca_security_infos(&protocol, &curve_oid(curve), &point));
        ca_key = Some(CaKey { protocol, curve, secret });
    }
    if !infos.is_empty() {
        dgs.insert(14, dg14::encode(&infos));
    }
    if let Some(k) = &genuine_aa {
        dgs.insert(15, dg15::encode(&k.spki().to_der().expect("SPKI encodes")));
    }
    let ds = spec.signer.name();
    let ds_cert = ds_certificate(&pki, ds);
    let mut sod = build_sod(&dgs, &ds_cert, &pki.key(ds));

    let tags: Vec<u8> = dgs.keys().filter_map(|n| FileId::Dg(*n).tag()).map(|t| t as u8).collect();
    let mut com = tlv::encode(0x5F01, b"0107");
    com.extend(tlv::encode(0x5F36, b"040000"));
    com.extend(tlv::encode(0x5C, &tags));
    let com = tlv::encode(0x60, &com);

    let mut aa_key = genuine_aa;
    match spec.forgery {
        Some(Forgery::TamperDg1) => {
            // The "H" of the given name in the MRZ becomes "I": still a well-formed MRZ.
            let d = dgs.get_mut(&1).expect("DG1");
            let name = p.mrz_name.as_bytes();
            if let Some(pos) = d.windows(name.len()).position(|w| w == name) {
                flip(d, pos + name.len() - 2);
            }
        }
        Some(Forgery::TamperDg2) => {
            let d = dgs.get_mut(&2).expect("DG2");
            let at = d.len() / 2;
            flip(d, at);
        }
        Some(Forgery::TamperDg13) => {
            // "Hà" → "Hà" with the H turned into I: a different name, still valid UTF-8.
            let d = dgs.get_mut(&13).expect("DG13");
            let name = p.full_name.as_bytes();
            if let Some(pos) = d.windows(name.len()).position(|w| w == name) {
                d[pos + name.len() - 3] = b'I';
            }
        }
        Some(Forgery::BadSodSignature) => {
            // The signature is the last OCTET STRING of the SignerInfo: flip its last byte.
            let at = sod.len() - 1;
            flip(&mut sod, at);
        }
        Some(Forgery::WrongAaKey) => aa_key = Some(pki.key("aa-other")),
        Some(Forgery::WrongCaKey) => {
            if let Some(k) = ca_key.as_mut() {
                k.secret = cancuoc_core::ecc::Secret(crate::pki::seeded_scalar_for("ca-clone"));
            }
        }
        Some(Forgery::SkipAa) => aa_key = None,
        Some(Forgery::UnsignedDg13) => {
            let mut signed = dgs.clone();
            signed.remove(&13);
            sod = build_sod(&signed, &ds_cert, &pki.key(ds));
        }
        Some(Forgery::Sha1Hashes) => sod = build_sod_hashed(&dgs, &ds_cert, &pki.key(ds), HashAlgorithm::Sha1),
        Some(Forgery::HashLengthMismatch) => {
            sod = build_sod_declared(&dgs, &ds_cert, &pki.key(ds), HashAlgorithm::Sha1, HashAlgorithm::Sha256)
        }
        Some(Forgery::DsOnUnsupportedCurve) => sod = build_sod(&dgs, &p224_ds_certificate(&pki), &pki.key(ds)),
        Some(Forgery::NoSod | Forgery::SmWithoutDo99) => {}
        None => {}
    }
    let mut files = BTreeMap::new();
    files.insert(FileId::Com.fid(), com);
    if spec.forgery != Some(Forgery::NoSod) {
        files.insert(FileId::Sod.fid(), sod);
    }
    let real_pace = Some((pace_oid::ECDH_GM_AES128, 13));
    let real_ca = Some((ca_oid::ECDH_AES128, cancuoc_core::ecc::Curve::BrainpoolP256r1));
    if spec.pace == real_pace && spec.ca == real_ca {
        files.insert(FileId::CardAccess.fid(), hex::decode(REAL_CARD_ACCESS).expect("hex"));
    } else if let Some((oid, param)) = spec.pace {
        let info = cancuoc_core::lds::card_access::PaceInfo {
            protocol: const_oid::ObjectIdentifier::new_unwrap(oid),
            version: 2,
            parameter_id: Some(param),
        };
        files.insert(FileId::CardAccess.fid(), cancuoc_core::lds::card_access::encode(&[info]));
    }
    for (n, b) in dgs {
        files.insert(FileId::Dg(n).fid(), b);
    }
    CardImage {
        files,
        access_key: if spec.passport { passport_access_key() } else { p.access_key() },
        aa_key,
        extended_length: spec.extended_length,
        can: p.can().to_string(),
        bac: spec.bac,
        ca_key,
        select_mf_sw: spec.select_mf_sw,
        protected: if spec.dg3 { vec![FileId::Dg(3).fid()] } else { vec![] },
        refuses_pace: spec.refuses_pace,
        sm_omits_do99: spec.forgery == Some(Forgery::SmWithoutDo99),
        refuse_sfi: spec.refuse_sfi,
        refuse_long_le: spec.refuse_long_le,
    }
}

/// The DS certificate the simulated card carries (the demo mode can swap it:
/// `CANCUOC_SIM_DS_CERT`, see `cancuoc_demo::card_image`).
fn ds_certificate(pki: &Pki, ds: &str) -> Vec<u8> {
    pki.cert(ds)
}

/// NIST P-224 domain parameters, explicit, as `openssl ecparam -name secp224r1 -param_enc
/// explicit -outform DER` writes them.
const P224_EXPLICIT: &str = "3081df020101302806072a8648ce3d0101021d00ffffffffffffffffffffffffffffffff0000000000000000000000013053041cfffffffffffffffffffffffffffffffefffffffffffffffffffffffe041cb4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4031500bd71344799d5c7fcdc45b59fa3b9ab8f6a948bc5043904b70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21bd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34021d00ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d020101";

/// A DS certificate, issued by the P-256 test CSCA, for a key on P-224 with explicit parameters
/// (the key's point is P-224's generator; nothing can verify with it here).
fn p224_ds_certificate(pki: &Pki) -> Vec<u8> {
    let params = hex::decode(P224_EXPLICIT).expect("hex");
    let base = {
        let p = tlv::expect(&params, 0x30).expect("ECParameters");
        p.children().filter_map(Result::ok).find(|t| t.tag == 0x04).expect("base point").value.to_vec()
    };
    let spki = spki::SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: oid::EC_PUBLIC_KEY,
            parameters: Some(Any::from_der(&params).expect("parameters")),
        },
        subject_public_key: der::asn1::BitString::from_bytes(&base).expect("point"),
    };
    crate::pki::issue(
        "CN=CANCUOC TEST DS P-224 explicit,O=cancuoc test PKI - not for production,C=VN",
        &spki,
        crate::pki::CSCA_P256,
        &pki.key("csca-p256"),
        4242,
        "2025-01-01T00:00:00Z",
        "2036-12-31T23:59:59Z",
        crate::pki::Role::DocumentSigner,
    )
}

fn curve_oid(c: cancuoc_core::ecc::Curve) -> const_oid::ObjectIdentifier {
    use cancuoc_core::ecc::Curve;
    match c {
        Curve::P256 => oid::P256,
        Curve::P384 => oid::P384,
        Curve::P521 => oid::P521,
        Curve::BrainpoolP256r1 => oid::BRAINPOOL_P256R1,
        Curve::BrainpoolP384r1 => oid::BRAINPOOL_P384R1,
        Curve::BrainpoolP512r1 => oid::BRAINPOOL_P512R1,
    }
}

/// DG14's ChipAuthenticationInfo and ChipAuthenticationPublicKeyInfo (9303-11 §9.2.5, §9.2.6).
fn ca_security_infos(
    protocol: &const_oid::ObjectIdentifier,
    curve: &const_oid::ObjectIdentifier,
    point: &[u8],
) -> Vec<Vec<u8>> {
    let mut info = tlv::encode(0x06, protocol.as_bytes());
    info.extend(tlv::encode(0x02, &[if protocol.as_bytes().last() == Some(&1) { 1 } else { 2 }]));
    let spki = spki::SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned { oid: oid::EC_PUBLIC_KEY, parameters: Some(Any::from(curve)) },
        subject_public_key: der::asn1::BitString::from_bytes(point).expect("point"),
    };
    let mut pk = tlv::encode(0x06, cancuoc_core::ca::ID_PK_ECDH.as_bytes());
    pk.extend(spki.to_der().expect("SPKI"));
    vec![tlv::encode(0x30, &info), tlv::encode(0x30, &pk)]
}
