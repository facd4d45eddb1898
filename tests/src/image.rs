//! Card images: the files of a simulated chip built from a persona, signed by the test PKI, and
//! the forged variants.

use std::collections::BTreeMap;

use cancuoc_core::crypto::{HashAlgorithm, oid};
use cancuoc_core::files::FileId;
use cancuoc_core::lds::{dg2, dg13, dg14, dg15};
use cancuoc_core::{mrz, tlv};
use cms::cert::CertificateChoices;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;

use crate::pki::{Pki, SignKey};

/// The fictional citizen on every simulated card. No real person: the ID number's serial part,
/// the names and the address are invented; the face is a drawing (fixtures/face/make_face.py).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Persona {
    pub id_number: &'static str,
    pub full_name: &'static str,
    /// MRZ spelling of the name (ICAO 9303-3 transliteration, no diacritics).
    pub mrz_name: &'static str,
    pub date_of_birth: &'static str,
    pub sex: &'static str,
    pub nationality: &'static str,
    pub ethnicity: &'static str,
    pub religion: &'static str,
    pub place_of_origin: &'static str,
    pub place_of_residence: &'static str,
    pub identifying_marks: &'static str,
    pub date_of_issue: &'static str,
    pub date_of_expiry: &'static str,
    pub father: &'static str,
    pub mother: &'static str,
    pub spouse: &'static str,
    pub old_id_number: &'static str,
    /// Field 16 of DG13 (16 characters, meaning unconfirmed); empty = absent.
    pub field_16: &'static str,
}

pub const PERSONA: Persona = Persona {
    id_number: "079195012345",
    full_name: "Nguyễn Thị Thu Hà",
    mrz_name: "NGUYEN<<THI<THU<HA",
    date_of_birth: "15/03/1995",
    sex: "Nữ",
    nationality: "Việt Nam",
    ethnicity: "Kinh",
    religion: "Không",
    place_of_origin: "Xã Đông Hội, Huyện Đông Anh, Hà Nội",
    place_of_residence: "Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hàng Đào, Quận Hoàn Kiếm, Hà Nội",
    identifying_marks: "Nốt ruồi C:2cm trên sau đuôi mắt trái",
    date_of_issue: "10/08/2021",
    date_of_expiry: "15/03/2035",
    father: "Nguyễn Văn Bình",
    mother: "Trần Thị Cúc",
    spouse: "Lê Minh Đức",
    old_id_number: "012345678",
    field_16: "",
};

/// A citizen whose card is the 2024 "thẻ căn cước" (issued after 1 July 2024): a child born 2017,
/// no spouse, no old ID number, a 16-character field 16. Invented, like [`PERSONA`].
pub const PERSONA_2024: Persona = Persona {
    id_number: "001217004567",
    full_name: "Phạm Gia Bảo",
    mrz_name: "PHAM<<GIA<BAO",
    date_of_birth: "05/11/2017",
    sex: "Nam",
    nationality: "Việt Nam",
    ethnicity: "Kinh",
    religion: "Không",
    place_of_origin: "Phường Hàng Trống, Hà Nội",
    place_of_residence: "Số 8 Phố Lý Thường Kiệt, Phường Cửa Nam, Hà Nội",
    identifying_marks: "",
    date_of_issue: "20/08/2024",
    date_of_expiry: "05/11/2031",
    father: "Phạm Văn Dũng",
    mother: "Đỗ Thị Lan",
    spouse: "",
    old_id_number: "",
    field_16: "3F9A0C51E27B4D86",
};

impl Persona {
    /// `dd/mm/yyyy` → `YYMMDD`.
    fn yymmdd(d: &str) -> String {
        let p: Vec<&str> = d.split('/').collect();
        format!("{}{}{}", &p[2][2..], p[1], p[0])
    }
    /// The MRZ document number: the last 9 digits of the ID number.
    pub fn document_number(&self) -> &'static str {
        &self.id_number[3..]
    }
    pub fn dob_yymmdd(&self) -> String {
        Self::yymmdd(self.date_of_birth)
    }
    pub fn expiry_yymmdd(&self) -> String {
        Self::yymmdd(self.date_of_expiry)
    }
    /// The card access number: the last 6 digits of the ID number (no CAN is printed on
    /// Vietnamese cards; shared/cccd.md).
    pub fn can(&self) -> &'static str {
        &self.id_number[6..]
    }
    /// The access key a clerk would type.
    pub fn access_key(&self) -> cancuoc_core::AccessKey {
        cancuoc_core::AccessKey::new(self.document_number(), &self.dob_yymmdd(), &self.expiry_yymmdd())
            .expect("persona key is valid")
    }
    /// The TD1 MRZ on the card's back (3 × 30).
    pub fn mrz(&self) -> String {
        let doc = self.document_number();
        // Real cards: the 12-digit ID number in the optional data, "<<", then a check digit over
        // it (shared/cccd.md).
        let l1 = format!(
            "IDVNM{doc}{}{}<<{}",
            mrz::check_char(doc).unwrap_or('0'),
            self.id_number,
            mrz::check_char(self.id_number).unwrap_or('0')
        );
        let (dob, exp) = (self.dob_yymmdd(), self.expiry_yymmdd());
        let sex = if self.sex == "Nữ" { 'F' } else { 'M' };
        let mut l2 = format!(
            "{dob}{}{sex}{exp}{}VNM",
            mrz::check_char(&dob).unwrap_or('0'),
            mrz::check_char(&exp).unwrap_or('0')
        );
        while l2.len() < 29 {
            l2.push('<');
        }
        let composite = [&l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]].concat();
        l2.push(mrz::check_char(&composite).unwrap_or('0'));
        let mut l3 = self.mrz_name.to_string();
        while l3.len() < 30 {
            l3.push('<');
        }
        format!("{l1}{l2}{l3}")
    }
    pub fn dg13_fields(&self) -> Vec<(u32, Vec<String>)> {
        let s = |v: &str| vec![v.to_string()];
        let out = vec![
            (1, s(self.id_number)),
            (2, s(self.full_name)),
            (3, s(self.date_of_birth)),
            (4, s(self.sex)),
            (5, s(self.nationality)),
            (6, s(self.ethnicity)),
            (7, s(self.religion)),
            (8, s(self.place_of_origin)),
            (9, s(self.place_of_residence)),
            (10, s(self.identifying_marks)),
            (11, s(self.date_of_issue)),
            (12, s(self.date_of_expiry)),
            (13, vec![self.father.to_string(), self.mother.to_string()]),
            // An absent spouse is the field number alone, as on real cards.
            (14, if self.spouse.is_empty() { vec![] } else { s(self.spouse) }),
        ];
        let mut out = out;
        if !self.old_id_number.is_empty() {
            out.push((15, s(self.old_id_number)));
        }
        if !self.field_16.is_empty() {
            out.push((16, s(self.field_16)));
        }
        out.retain(|(n, v)| *n == 14 || v.iter().any(|x| !x.is_empty()));
        out
    }
}

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
}

/// Chip-authentication protocol OIDs (9303-11 §9.2.5).
pub mod ca_oid {
    pub const ECDH_3DES: &str = "0.4.0.127.0.7.2.2.3.2.1";
    pub const ECDH_AES128: &str = "0.4.0.127.0.7.2.2.3.2.2";
}

/// The chip's static chip-authentication key.
#[derive(Clone, Debug)]
pub struct CaKey {
    pub protocol: const_oid::ObjectIdentifier,
    pub curve: cancuoc_core::ecc::Curve,
    pub secret: cancuoc_core::ecc::Secret,
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

/// The passport specimen of ICAO Doc 9303 Part 4 (Appendix A; the same MRZ is the worked example
/// of Part 11 Appendix D): Anna Maria Eriksson of Utopia, expired on 15 April 2012. A published,
/// fictional document: the simulator's foreign patient.
pub const PASSPORT_TD3_MRZ: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10";

/// The access key printed in that passport's MRZ.
pub fn passport_access_key() -> cancuoc_core::AccessKey {
    cancuoc_core::AccessKey::new("L898902C3", "740812", "120415").expect("specimen key is valid")
}

/// The simulated card's CAN: the last 6 digits of [`PERSONA`]'s ID number (Vietnamese cards print
/// no separate CAN).
pub const CAN: &str = "012345";

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
        }
    }
}

/// Named variants, as `cancuoc read --simulated --variant NAME` takes them.
pub const VARIANTS: &[(&str, &str)] = &[
    (
        "rsa",
        "genuine card built like a real CCCD: EF.CardAccess, EF.COM (DG1, 2, 3, 13, 14, 15), DG13 layout and MRZ as real cards; PACE (brainpoolP256r1, AES-128) with CAN = last 6 ID digits, BAC; chip authentication and RSA active authentication; DG3 refused (6982); RSA-2048 document signer",
    ),
    (
        "can-cuoc-2024",
        "genuine 2024 card (thẻ căn cước, issued 20/08/2024) of another citizen, built like the default card",
    ),
    (
        "passport-td3",
        "a foreign patient's passport: the ICAO 9303 specimen (TD3, Utopia, expired 2012), BAC only, no DG13",
    ),
    ("pace-refused", "genuine card that lists PACE but refuses it (6982): readers fall back to BAC with the MRZ key"),
    ("ecdsa-p256", "genuine card, ECDSA P-256 document signer, EC active authentication; PACE on P-256 with AES-256"),
    ("ecdsa-bp256", "genuine card, ECDSA brainpoolP256r1 document signer, JPEG 2000 face; PACE with 3DES"),
    ("bac-only", "genuine card without EF.CardAccess: BAC only"),
    ("pace-only", "genuine card that refuses BAC; PACE on P-384 with AES-192"),
    ("pace-p521", "genuine card offering PACE on NIST P-521 with AES-256"),
    ("pace-bp384", "genuine card offering PACE on brainpoolP384r1 with AES-256"),
    ("pace-im", "genuine card offering PACE with the integrated mapping on brainpoolP256r1 (AES-128)"),
    ("pace-im-p256", "genuine card offering PACE with the integrated mapping on NIST P-256 (AES-128)"),
    ("pace-dh", "genuine card offering PACE with DH (RFC 5114 2048-bit group, generic mapping)"),
    ("pace-dh-im", "genuine card offering PACE with DH (RFC 5114 1024-bit group, integrated mapping)"),
    ("mf-9000", "genuine card that answers SELECT of the master file with 9000 (real CCCDs answer 6D00)"),
    ("pace-cam", "genuine card offering PACE with the chip-authentication mapping (brainpoolP256r1, AES-128)"),
    ("wrong-cam-key", "CLONE: PACE-CAM chip whose key does not match DG14"),
    ("jpeg2000", "genuine card with a JPEG 2000 face image"),
    ("short-apdu", "genuine card whose chip takes short APDUs only"),
    ("large-photo", "genuine card with a 40 KB DG2 (reads past offset 32 767)"),
    ("no-aa", "genuine card without active authentication (no DG15)"),
    ("tampered-dg1", "FORGED: one MRZ character changed after signing"),
    ("tampered-dg2", "FORGED: one byte of the photo changed after signing"),
    ("tampered-dg13", "FORGED: one letter of the name changed after signing"),
    ("bad-sod-signature", "FORGED: SOD signature altered"),
    ("unknown-csca", "FORGED: document signer from a CSCA not in the trust store"),
    ("forged-ds", "FORGED: document signer certificate not signed by the CSCA it names"),
    ("expired-ds", "document signer certificate expired"),
    ("revoked-ds", "REVOKED: document signer certificate on its CSCA's revocation list"),
    ("revoked-csca", "REVOKED: signed under a CSCA certificate that the CSCA's new key revoked"),
    ("wrong-aa-key", "CLONE: chip cannot prove it holds the DG15 key"),
    ("wrong-ca-key", "CLONE: chip cannot prove it holds the DG14 chip-authentication key"),
    ("wrong-aa-key-rsa", "CLONE: RSA active authentication signed with another key than DG15's"),
    ("aa-skipped", "CLONE: DG15 is on the chip but the chip will not do active authentication"),
    ("unsigned-dg13", "FORGED: DG13 is on the chip but the signed SOD has no hash for it"),
    (
        "sha1-hashes",
        "genuine card whose SOD hashes the data groups with SHA-1: accepted by policy, noted (docs/architecture.md)",
    ),
    ("no-sod", "a chip without EF.SOD: its data cannot be verified"),
    ("sm-no-do99", "a chip whose secure-messaging answers leave out DO'99': an error a retry cannot fix"),
    ("hash-length-mismatch", "MIS-ISSUED: the signed SOD declares SHA-256 but holds 20-byte hash values"),
    (
        "ds-unsupported-curve",
        "genuine card whose document signer key is on NIST P-224 (explicit parameters), a curve this build does not verify: could not be checked here (amber), not forged",
    ),
    ("ca-3des", "genuine card with chip authentication (brainpoolP256r1, 3DES) and no active authentication"),
];

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

/// A chip's content: files by FID, its BAC key, its AA private key.
#[derive(Clone, Debug)]
pub struct CardImage {
    pub files: BTreeMap<u16, Vec<u8>>,
    pub access_key: cancuoc_core::AccessKey,
    pub aa_key: Option<SignKey>,
    pub extended_length: bool,
    /// The card access number printed on the front.
    pub can: String,
    /// Whether the chip accepts BAC.
    pub bac: bool,
    /// The chip's chip-authentication key, if it has one.
    pub ca_key: Option<CaKey>,
    /// The answer to SELECT MF.
    pub select_mf_sw: u16,
    /// Files the chip lists but refuses to select without terminal authentication (6982).
    pub protected: Vec<u16>,
    /// Whether MSE:Set AT for PACE is refused (6982).
    pub refuses_pace: bool,
    /// Whether the chip leaves DO'99' out of its secure-messaging answers (malformed SM).
    pub sm_omits_do99: bool,
}

impl CardImage {
    pub fn file(&self, id: FileId) -> Option<&[u8]> {
        self.files.get(&id.fid()).map(Vec::as_slice)
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
    }
}

/// The DS certificate the simulated card carries: the test PKI's, or — when the environment
/// variable `CANCUOC_SIM_DS_CERT` names a DER file — that certificate instead, e.g. one a
/// technician's own CSCA issued for the simulated card's DS public key (the ecdsa-p256 variant's
/// is in tests/fixtures/pki/ds-p256.cer), to try a trust store end to end. The SOD's signature
/// stays the simulated DS key's: a certificate for another key gives an invalid signature.
fn ds_certificate(pki: &Pki, ds: &str) -> Vec<u8> {
    std::env::var_os("CANCUOC_SIM_DS_CERT").and_then(|path| std::fs::read(path).ok()).unwrap_or_else(|| pki.cert(ds))
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
