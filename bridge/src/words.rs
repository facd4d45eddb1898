//! How a verdict is said to a person — once per language, for every front end. The core's
//! structured verdict ([`cancuoc_core::verdict`]) says *what* was checked and how it ended (its
//! `Display` is the technical English that goes into logs and the JSON `message`); this module
//! turns it into the words a clerk reads: the banner of each [`Status`] and each [`Failure`] in
//! plain Vietnamese and English. The CLI's text report and the desk app both use it; the JSON
//! carries the machine keys ([`Status::key`]).

use cancuoc_core::verdict::{ActiveAuthStatus, CertRole, ChainStatus, Failure, HashStatus, SignatureStatus};

use crate::Status;

/// A language the verdict is worded in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Status {
    /// The machine key (JSON `status`, the FHIR tag, the desk app's history).
    pub fn key(self) -> &'static str {
        match self {
            Status::Verified => "verified",
            Status::SignerUntrusted => "signer_untrusted",
            Status::NotChecked => "not_checked",
            Status::NotVerified => "not_verified",
        }
    }
    /// The status from its machine key.
    pub fn from_key(key: &str) -> Option<Status> {
        [Status::Verified, Status::SignerUntrusted, Status::NotChecked, Status::NotVerified]
            .into_iter()
            .find(|s| s.key() == key)
    }
    /// The banner's sign: ✔ green, ⚠ amber (not a forgery finding), ✘ red.
    pub fn symbol(self) -> char {
        match self {
            Status::Verified => '✔',
            Status::SignerUntrusted | Status::NotChecked => '⚠',
            Status::NotVerified => '✘',
        }
    }
    /// The banner, in capitals, without the sign.
    pub fn headline(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Status::Verified, Lang::Vi) => "CHIP ĐÃ XÁC THỰC",
            (Status::Verified, Lang::En) => "CHIP VERIFIED",
            (Status::SignerUntrusted, Lang::Vi) => "CHƯA XÁC ĐỊNH ĐƯỢC NƠI CẤP",
            (Status::SignerUntrusted, Lang::En) => "ISSUER NOT RECOGNISED",
            (Status::NotChecked, Lang::Vi) => "CHƯA KIỂM TRA ĐƯỢC TẠI MÁY NÀY",
            (Status::NotChecked, Lang::En) => "COULD NOT BE CHECKED HERE",
            (Status::NotVerified, Lang::Vi) => "KHÔNG XÁC THỰC — KHÔNG DÙNG THẺ NÀY",
            (Status::NotVerified, Lang::En) => "NOT VERIFIED — DO NOT ACCEPT THIS CARD",
        }
    }
    /// What the banner means and what to do (a red or amber one is followed by the failures).
    pub fn detail(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Status::Verified, Lang::Vi) => "Thẻ thật, dữ liệu trên chip nguyên vẹn, do cơ quan cấp thẻ tin cậy ký.",
            (Status::Verified, Lang::En) => "Genuine card, chip data intact, signed by a trusted issuer.",
            (Status::SignerUntrusted, Lang::Vi) => {
                "Dữ liệu nguyên vẹn và có chữ ký, nhưng cơ quan ký không có trong danh sách tin cậy của máy này. Không coi là đã xác thực — báo kỹ thuật viên."
            }
            (Status::SignerUntrusted, Lang::En) => {
                "The data is intact and signed, but the signer is not in this computer's trust list. Do not treat it as verified — tell a technician."
            }
            (Status::NotChecked, Lang::Vi) => {
                "Máy này chưa hỗ trợ thuật toán mà thẻ dùng, nên chưa kiểm tra được — đây KHÔNG phải dấu hiệu thẻ giả. Không coi là đã xác thực — báo kỹ thuật viên."
            }
            (Status::NotChecked, Lang::En) => {
                "This computer does not support an algorithm the card uses, so it could not check it — this is NOT a sign of a forged card. Do not treat it as verified — tell a technician."
            }
            (Status::NotVerified, Lang::Vi) => "Kiểm tra không đạt:",
            (Status::NotVerified, Lang::En) => "Failed check:",
        }
    }
}

fn role(r: &CertRole, lang: Lang) -> &'static str {
    match (r, lang) {
        (CertRole::DocumentSigner, Lang::Vi) => "chứng thư của cơ quan ký dữ liệu",
        (CertRole::Csca, Lang::Vi) => "chứng thư gốc của nước cấp (CSCA)",
        (CertRole::DocumentSigner, Lang::En) => "document signer certificate",
        (CertRole::Csca, Lang::En) => "country signing certificate (CSCA)",
    }
}

fn dg_name(dg: u8, lang: Lang) -> String {
    let what = match (dg, lang) {
        (1, Lang::Vi) => "dòng MRZ",
        (2, Lang::Vi) => "ảnh chân dung",
        (13, Lang::Vi) => "thông tin cá nhân",
        (14, Lang::Vi) => "khóa bảo mật của chip",
        (15, Lang::Vi) => "khóa chống nhân bản",
        (1, Lang::En) => "MRZ",
        (2, Lang::En) => "face photo",
        (13, Lang::En) => "personal data",
        (14, Lang::En) => "chip security keys",
        (15, Lang::En) => "anti-cloning key",
        _ => return format!("DG{dg}"),
    };
    format!("{what} (DG{dg})")
}

/// A failed (or uncheckable) check in plain words, for the red or amber banner.
pub fn failure(f: &Failure, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    match f {
        Failure::DataGroupHash { dg, status } => {
            let name = dg_name(*dg, lang);
            match (status, vi) {
                (HashStatus::Mismatch, true) => format!("{name} đã bị sửa sau khi cấp thẻ"),
                (HashStatus::Mismatch, false) => format!("the {name} was altered after the card was issued"),
                (HashStatus::NotInSod, true) => format!("{name} có trên chip nhưng không được cơ quan cấp ký"),
                (HashStatus::NotInSod, false) => format!("the {name} is on the chip but not signed by the issuer"),
                (HashStatus::HashLengthMismatch, true) => {
                    format!("dữ liệu bảo mật (SOD) không nhất quán: mã băm của {name} sai độ dài")
                }
                (HashStatus::HashLengthMismatch, false) => {
                    format!("the security data (SOD) is inconsistent: the {name}'s hash has the wrong length")
                }
                (_, true) => format!("không kiểm tra được {name}"),
                (_, false) => format!("the {name} could not be checked"),
            }
        }
        Failure::SodSignature { status } => match (status, vi) {
            (SignatureStatus::Invalid, true) => "chữ ký của cơ quan cấp thẻ không đúng (dữ liệu bảo mật bị giả)".into(),
            (SignatureStatus::Invalid, false) => "the issuer's signature is wrong (security data forged)".into(),
            (SignatureStatus::UnsupportedAlgorithm(a), true) => {
                format!("chữ ký của cơ quan cấp dùng thuật toán máy này chưa hỗ trợ ({a})")
            }
            (SignatureStatus::UnsupportedAlgorithm(a), false) => {
                format!("the issuer's signature uses an algorithm this computer does not support ({a})")
            }
            (SignatureStatus::Missing, true) => "chip không có dữ liệu bảo mật (SOD): không xác thực được".into(),
            (SignatureStatus::Missing, false) => {
                "the chip has no security data (SOD): nothing on it can be verified".into()
            }
            (_, true) => "dữ liệu bảo mật (SOD) hỏng hoặc thiếu".into(),
            (_, false) => "the security data (SOD) is damaged or missing".into(),
        },
        Failure::CertificateChain { status } => match (status, vi) {
            (ChainStatus::CscaUnknown, true) => "cơ quan ký không có trong danh sách tin cậy".into(),
            (ChainStatus::CscaUnknown, false) => "the signer is not in the trust list".into(),
            (ChainStatus::Expired { role: r, .. }, true) => format!("{} đã hết hạn", role(r, lang)),
            (ChainStatus::Expired { role: r, .. }, false) => format!("the {} has expired", role(r, lang)),
            (ChainStatus::NotYetValid { role: r, .. }, true) => format!("{} chưa có hiệu lực", role(r, lang)),
            (ChainStatus::NotYetValid { role: r, .. }, false) => format!("the {} is not valid yet", role(r, lang)),
            (ChainStatus::Revoked { role: r, .. }, true) => {
                format!("{} đã bị thu hồi (có trong danh sách thu hồi của nước cấp)", role(r, lang))
            }
            (ChainStatus::Revoked { role: r, .. }, false) => {
                format!("the {} has been revoked (on the issuing country's revocation list)", role(r, lang))
            }
            (ChainStatus::BadSignature, true) => "chứng thư của cơ quan ký bị giả (không do nước cấp ký)".into(),
            (ChainStatus::BadSignature, false) => {
                "the signer's certificate is forged (not signed by the country)".into()
            }
            (ChainStatus::UnsupportedAlgorithm(a), true) => {
                format!("chứng thư của cơ quan ký dùng thuật toán máy này chưa hỗ trợ ({a})")
            }
            (ChainStatus::UnsupportedAlgorithm(a), false) => {
                format!("the signer's certificate uses an algorithm this computer does not support ({a})")
            }
            (_, true) => "chuỗi chứng thư không kiểm tra được".into(),
            (_, false) => "the certificate chain could not be checked".into(),
        },
        Failure::ActiveAuthentication { status } => match (status, vi) {
            (ActiveAuthStatus::Failed(_), true) | (ActiveAuthStatus::NotAttempted, true) => {
                "chip không chứng minh được là chip thật (có thể là thẻ nhân bản)".into()
            }
            (_, true) => "không kiểm tra được chống nhân bản".into(),
            (ActiveAuthStatus::Failed(_), false) | (ActiveAuthStatus::NotAttempted, false) => {
                "the chip could not prove it is the original (possibly a cloned card)".into()
            }
            (_, false) => "the anti-cloning check could not be done".into(),
        },
        Failure::ChipAuthentication { status } => match (status, vi) {
            (ActiveAuthStatus::Failed(_), true) => {
                "chip không chứng minh được khóa bảo mật (có thể là thẻ nhân bản)".into()
            }
            (ActiveAuthStatus::Failed(_), false) => {
                "the chip could not prove its security key (possibly a cloned card)".into()
            }
            (_, true) => "không kiểm tra được khóa bảo mật của chip".into(),
            (_, false) => "the chip's security key could not be checked".into(),
        },
        Failure::WeakAlgorithm { what } => {
            if vi {
                format!("thuật toán bảo mật yếu: {what}")
            } else {
                format!("weak security algorithm: {what}")
            }
        }
    }
}

/// The face comparison's advice (`cancuoc face compare`, the desk app): headline, in capitals.
pub fn face_headline(v: &cancuoc_face::Verdict, lang: Lang) -> &'static str {
    use cancuoc_face::Verdict;
    match (v, lang) {
        (Verdict::Same, Lang::Vi) => "GIỐNG NHAU",
        (Verdict::Same, Lang::En) => "SAME PERSON",
        (Verdict::Different, Lang::Vi) => "KHÁC NHAU",
        (Verdict::Different, Lang::En) => "DIFFERENT PEOPLE",
        (Verdict::CannotCompare { .. }, Lang::Vi) => "KHÔNG SO ĐƯỢC",
        (Verdict::CannotCompare { .. }, Lang::En) => "CANNOT COMPARE",
    }
}

/// Why two pictures could not be compared, in a sentence.
pub fn face_problem(side: cancuoc_face::Side, problem: &cancuoc_face::Problem, lang: Lang) -> String {
    use cancuoc_face::{Problem, Side};
    let which = match (side, lang) {
        (Side::Chip, Lang::Vi) => "Ảnh trên chip",
        (Side::Chip, Lang::En) => "The chip's photo",
        (Side::Live, Lang::Vi) => "Ảnh chụp tại quầy",
        (Side::Live, Lang::En) => "The picture taken here",
    };
    match (problem, lang) {
        (Problem::NoFace, Lang::Vi) => format!("{which}: không thấy khuôn mặt."),
        (Problem::NoFace, Lang::En) => format!("{which}: no face found."),
        (Problem::SeveralFaces { count }, Lang::Vi) => format!("{which}: có {count} khuôn mặt — chỉ chụp một người."),
        (Problem::SeveralFaces { count }, Lang::En) => format!("{which}: {count} faces — take one person only."),
        (Problem::TooDark { .. }, Lang::Vi) => format!("{which}: quá tối — chụp lại nơi đủ sáng."),
        (Problem::TooDark { .. }, Lang::En) => format!("{which}: too dark — take it again in better light."),
    }
}

/// Said under every face comparison: what it is and is not.
pub fn face_advice(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Chỉ để tham khảo: nhân viên nhìn và tự quyết định. Không phát hiện được ảnh giơ trước máy ảnh.",
        Lang::En => "Advice only: the clerk looks and decides. It cannot tell a photo held up to the camera.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_name_the_data_group_in_plain_words() {
        let f = Failure::DataGroupHash { dg: 13, status: HashStatus::Mismatch };
        assert_eq!(failure(&f, Lang::Vi), "thông tin cá nhân (DG13) đã bị sửa sau khi cấp thẻ");
        assert!(failure(&f, Lang::En).contains("personal data (DG13) was altered"));
    }

    #[test]
    fn every_status_has_a_key_a_banner_and_words_in_both_languages() {
        for s in [Status::Verified, Status::SignerUntrusted, Status::NotChecked, Status::NotVerified] {
            assert_eq!(Status::from_key(s.key()), Some(s));
            assert_ne!(s.headline(Lang::Vi), s.headline(Lang::En));
            for l in [Lang::Vi, Lang::En] {
                assert!(!s.headline(l).trim().is_empty() && !s.detail(l).trim().is_empty());
            }
        }
        // Amber is never worded as a failure of the card.
        for s in [Status::SignerUntrusted, Status::NotChecked] {
            assert_eq!(s.symbol(), '⚠');
            assert!(!s.headline(Lang::Vi).contains("KHÔNG XÁC THỰC"), "{s:?}");
        }
        assert_eq!(Status::from_key("nonsense"), None);
    }
}
