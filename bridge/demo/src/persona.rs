//! The fictional citizens on the simulated cards, the passport specimen, and the list of
//! simulated variants. Public data: what is printed on the cards.

use cancuoc_core::mrz;

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
    (
        "no-sfi",
        "genuine card whose chip does not read by short EF identifier: it refuses READ BINARY by SFI (6A81, in plain, ending secure messaging)",
    ),
    (
        "strict-le",
        "genuine card whose chip refuses a READ BINARY asking for more than the file holds (6700 in plain, ending secure messaging)",
    ),
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

/// The citizen on the named variant's card ([`PERSONA_2024`] for "can-cuoc-2024", else [`PERSONA`]).
pub fn persona_for(variant: &str) -> &'static Persona {
    if variant == "can-cuoc-2024" { &PERSONA_2024 } else { &PERSONA }
}

/// Whether the named variant is the foreign passport ([`PASSPORT_TD3_MRZ`]) rather than a CCCD.
pub fn is_passport(variant: &str) -> bool {
    variant == "passport-td3"
}
