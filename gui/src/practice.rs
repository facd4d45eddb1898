//! The practice cards of demo mode in the clerk's words: each simulated variant
//! (`cancuoc_bridge::demo::VARIANTS`, whose English lines describe them) with a Vietnamese name,
//! in groups a clerk recognises — genuine cards, forged or altered, cloned chips, revoked or
//! expired signers, what cannot be checked here, a faulty chip, and the technicians' protocol
//! variants last.

use crate::i18n::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Genuine,
    Forged,
    Clone,
    Revoked,
    Unchecked,
    Faulty,
    Technical,
}

impl Group {
    pub const ALL: [Group; 7] = [
        Group::Genuine,
        Group::Forged,
        Group::Clone,
        Group::Revoked,
        Group::Unchecked,
        Group::Faulty,
        Group::Technical,
    ];
    pub fn words(self, lang: Lang) -> &'static str {
        let (vi, en) = match self {
            Group::Genuine => ("Thẻ thật", "Genuine cards"),
            Group::Forged => ("Thẻ giả hoặc bị sửa", "Forged or altered"),
            Group::Clone => ("Chip sao chép (nhái)", "Cloned chips"),
            Group::Revoked => ("Chứng thư hết hạn hoặc bị thu hồi", "Expired or revoked signers"),
            Group::Unchecked => ("Không kiểm tra được ở máy này", "Cannot be checked here"),
            Group::Faulty => ("Chip lỗi", "Faulty chips"),
            Group::Technical => {
                ("Cho kỹ thuật viên: chip và giao thức khác nhau", "For technicians: chips and protocols")
            }
        };
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// (variant, group, Vietnamese name). The English name is the variant's own description.
pub const CARDS: &[(&str, Group, &str)] = &[
    ("rsa", Group::Genuine, "Thẻ CCCD thật (mẫu chuẩn)"),
    ("can-cuoc-2024", Group::Genuine, "Thẻ căn cước 2024 thật (công dân khác, là trẻ em)"),
    ("passport-td3", Group::Genuine, "Hộ chiếu người nước ngoài (mẫu ICAO, đã hết hạn)"),
    ("ecdsa-p256", Group::Genuine, "Thẻ thật, chữ ký số kiểu khác (ECDSA P-256)"),
    ("ecdsa-bp256", Group::Genuine, "Thẻ thật, chữ ký số kiểu khác, ảnh JPEG 2000"),
    ("jpeg2000", Group::Genuine, "Thẻ thật, ảnh dạng JPEG 2000"),
    ("large-photo", Group::Genuine, "Thẻ thật, ảnh dung lượng lớn"),
    ("no-aa", Group::Genuine, "Thẻ thật, không có bước chống sao chép chủ động"),
    ("sha1-hashes", Group::Genuine, "Thẻ thật, mã băm SHA-1 (chấp nhận, có ghi chú)"),
    ("ca-3des", Group::Genuine, "Thẻ thật, xác thực chip bằng 3DES"),
    ("tampered-dg13", Group::Forged, "GIẢ: họ tên bị sửa một chữ"),
    ("tampered-dg2", Group::Forged, "GIẢ: ảnh chân dung bị sửa"),
    ("tampered-dg1", Group::Forged, "GIẢ: dòng MRZ bị sửa một ký tự"),
    ("bad-sod-signature", Group::Forged, "GIẢ: chữ ký của cơ quan cấp bị sửa"),
    ("unknown-csca", Group::Forged, "GIẢ: ký bởi nơi không phải cơ quan cấp thẻ tin cậy"),
    ("forged-ds", Group::Forged, "GIẢ: chứng thư người ký không do cơ quan cấp ký"),
    ("unsigned-dg13", Group::Forged, "GIẢ: dữ liệu nhân thân không có trong phần đã ký"),
    ("no-sod", Group::Forged, "Chip không có phần chữ ký: không xác thực được"),
    ("hash-length-mismatch", Group::Forged, "CẤP SAI: phần đã ký không khớp định dạng"),
    ("wrong-aa-key", Group::Clone, "NHÁI: chip không chứng minh được khóa của thẻ"),
    ("wrong-ca-key", Group::Clone, "NHÁI: chip không chứng minh được khóa xác thực chip"),
    ("wrong-aa-key-rsa", Group::Clone, "NHÁI: chữ ký chống sao chép bằng khóa khác"),
    ("aa-skipped", Group::Clone, "NHÁI: chip không chịu bước chống sao chép"),
    ("wrong-cam-key", Group::Clone, "NHÁI: khóa khi mở chip không khớp"),
    ("expired-ds", Group::Revoked, "Chứng thư người ký đã hết hạn"),
    ("revoked-ds", Group::Revoked, "THU HỒI: chứng thư người ký bị thu hồi"),
    ("revoked-csca", Group::Revoked, "THU HỒI: khóa cũ của cơ quan cấp bị thu hồi"),
    ("ds-unsupported-curve", Group::Unchecked, "Thẻ thật, kiểu chữ ký máy này chưa kiểm tra được (vàng)"),
    ("sm-no-do99", Group::Faulty, "Chip trả lời thiếu mã kiểm tra (đọc lại không khỏi)"),
    ("pace-refused", Group::Technical, "Chip từ chối PACE, đọc bằng BAC"),
    ("bac-only", Group::Technical, "Chip chỉ có BAC"),
    ("pace-only", Group::Technical, "Chip chỉ nhận PACE (P-384)"),
    ("pace-p521", Group::Technical, "PACE trên P-521"),
    ("pace-bp384", Group::Technical, "PACE trên brainpoolP384r1"),
    ("pace-im", Group::Technical, "PACE ánh xạ tích hợp (brainpool)"),
    ("pace-im-p256", Group::Technical, "PACE ánh xạ tích hợp (P-256)"),
    ("pace-dh", Group::Technical, "PACE Diffie–Hellman"),
    ("pace-dh-im", Group::Technical, "PACE Diffie–Hellman, ánh xạ tích hợp"),
    ("pace-cam", Group::Technical, "PACE-CAM"),
    ("mf-9000", Group::Technical, "Chip trả lời 9000 khi chọn MF"),
    ("short-apdu", Group::Technical, "Chip chỉ nhận lệnh ngắn"),
    ("no-sfi", Group::Technical, "Chip không đọc theo SFI"),
    ("strict-le", Group::Technical, "Chip từ chối đọc quá độ dài tệp"),
];

/// A variant's name in the clerk's language (the English description in English).
pub fn name(variant: &str, lang: Lang) -> String {
    let en = cancuoc_bridge::demo::VARIANTS.iter().find(|(n, _)| *n == variant).map(|(_, w)| *w);
    match (lang, CARDS.iter().find(|(v, _, _)| *v == variant)) {
        (Lang::Vi, Some((_, _, vi))) => vi.to_string(),
        _ => en.unwrap_or(variant).to_string(),
    }
}

/// The variants of a group, in the table's order.
pub fn of(group: Group) -> impl Iterator<Item = &'static str> {
    CARDS.iter().filter(move |(_, g, _)| *g == group).map(|(v, _, _)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_simulated_variant_has_a_name_and_a_group_and_nothing_else_does() {
        let variants: Vec<&str> = cancuoc_bridge::demo::VARIANTS.iter().map(|(n, _)| *n).collect();
        let named: Vec<&str> = CARDS.iter().map(|(v, _, _)| *v).collect();
        let mut a = variants.clone();
        let mut b = named.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        assert!(Group::ALL.iter().all(|g| of(*g).next().is_some()), "no empty group");
        assert!(CARDS.iter().all(|(v, _, vi)| !vi.is_empty() && vi != v));
    }
}
