//! Addresses as cards hold them, with the answers read in the UBTVQH resolutions of 16 June 2025
//! that made today's communes (numbers 1654–1687/NQ-UBTVQH15, "Điều 1, khoản N": which old
//! communes, whole or in part, form each new one) and the codes in Công văn 1027/CTK-CSCL
//! (tests/fixtures/cv1027-communes.tsv) — not from the table under test. Sources:
//! tests/fixtures/PROVENANCE.md.

use cancuoc_address::{Status, builtin};

/// (address as written, expected status, today's communes from the resolution, their province,
/// where the resolution says so).
const CASES: &[(&str, Status, &[&str], &str, &str)] = &[
    // Hà Nội — 1656/NQ-UBTVQH15
    (
        "Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hàng Đào, Quận Hoàn Kiếm, Hà Nội",
        Status::Exact,
        &["Phường Hoàn Kiếm"],
        "Thành phố Hà Nội",
        "1656 k1: toàn bộ … Hàng Đào … thành phường Hoàn Kiếm",
    ),
    (
        "Phường Cửa Nam, Quận Hoàn Kiếm, Thành phố Hà Nội",
        Status::Ambiguous,
        &["Phường Hoàn Kiếm", "Phường Cửa Nam", "Phường Ba Đình", "Phường Văn Miếu - Quốc Tử Giám"],
        "Thành phố Hà Nội",
        "1656 k1, k2, k3: một phần … Cửa Nam; k11: phần còn lại của phường Cửa Nam",
    ),
    (
        "Phường Trúc Bạch, Q. Ba Đình, TP. Hà Nội",
        Status::Exact,
        &["Phường Ba Đình"],
        "Thành phố Hà Nội",
        "1656 k3: toàn bộ … phường Trúc Bạch",
    ),
    (
        "Xã Bát Tràng, H. Gia Lâm, Hà Nội",
        Status::Ambiguous,
        &["Phường Long Biên", "Xã Bát Tràng"],
        "Thành phố Hà Nội",
        "1656 k39: một phần diện tích, quy mô dân số … xã Bát Tràng; k111: phần còn lại; k109: diện tích only",
    ),
    (
        "Thôn Đông, Xã Kim Chung, Huyện Đông Anh, Hà Nội",
        Status::Exact,
        &["Xã Thiên Lộc"],
        "Thành phố Hà Nội",
        "1656 k116: một phần diện tích, toàn bộ quy mô dân số … Kim Chung (huyện Đông Anh); k117: land only",
    ),
    (
        "Xã Kim Chung, Huyện Hoài Đức, Hà Nội",
        Status::Exact,
        &["Xã Hoài Đức"],
        "Thành phố Hà Nội",
        "1656 k102: phần còn lại của xã Kim Chung (huyện Hoài Đức); k30: diện tích only",
    ),
    (
        "Phường Thuỵ Khuê, Quận Tây Hồ, Hà Nội",
        Status::Exact,
        &["Phường Tây Hồ"],
        "Thành phố Hà Nội",
        "1656 k28: phần còn lại của phường Thụy Khuê; k3: diện tích only",
    ),
    // Thành phố Hồ Chí Minh — 1685/NQ-UBTVQH15
    (
        "12 Lê Lợi, P.4, Q.3, TP.HCM",
        Status::Ambiguous,
        &["Phường Bàn Cờ", "Phường Xuân Hòa"],
        "Thành phố Hồ Chí Minh",
        "1685 k5: một phần … Phường 4 (Quận 3); k6: phần còn lại",
    ),
    (
        "Phường 14 Quận 3 TP Hồ Chí Minh",
        Status::Exact,
        &["Phường Nhiêu Lộc"],
        "Thành phố Hồ Chí Minh",
        "1685 k7: toàn bộ … Phường 14 (Quận 3)",
    ),
    (
        "Phường 14, Quận Bình Thạnh, Thành phố Hồ Chí Minh",
        Status::Exact,
        &["Phường Bình Thạnh"],
        "Thành phố Hồ Chí Minh",
        "1685 k43: toàn bộ … Phường 14 (quận Bình Thạnh)",
    ),
    (
        "Phường Bến Nghé, Quận 1, Hồ Chí Minh",
        Status::Exact,
        &["Phường Sài Gòn"],
        "Thành phố Hồ Chí Minh",
        "1685 k1: toàn bộ … phường Bến Nghé",
    ),
    (
        "Phường Phú Cường, Thành phố Thủ Dầu Một, Tỉnh Bình Dương",
        Status::Exact,
        &["Phường Thủ Dầu Một"],
        "Thành phố Hồ Chí Minh",
        "1685 k87: toàn bộ … Phú Cường",
    ),
    (
        "Khu dân cư số 5, Huyện Côn Đảo, Tỉnh Bà Rịa - Vũng Tàu",
        Status::Exact,
        &["Đặc khu Côn Đảo"],
        "Thành phố Hồ Chí Minh",
        "1685 k163: toàn bộ … huyện Côn Đảo thành đặc khu Côn Đảo",
    ),
    // Quảng Ngãi — 1677/NQ-UBTVQH15
    (
        "Thôn Đông, Huyện Lý Sơn, Tỉnh Quảng Ngãi",
        Status::Exact,
        &["Đặc khu Lý Sơn"],
        "Tỉnh Quảng Ngãi",
        "1677 k91: huyện Lý Sơn thành đặc khu Lý Sơn",
    ),
    (
        "Phường Quyết Thắng, Thành phố Kon Tum, Tỉnh Kon Tum",
        Status::Exact,
        &["Phường Kon Tum"],
        "Tỉnh Quảng Ngãi",
        "1677 k88: toàn bộ … Quyết Thắng",
    ),
    // Hải Phòng — 1669/NQ-UBTVQH15
    (
        "Huyện Bạch Long Vĩ, Thành phố Hải Phòng",
        Status::Exact,
        &["Đặc khu Bạch Long Vĩ"],
        "Thành phố Hải Phòng",
        "1669: huyện Bạch Long Vĩ thành đặc khu Bạch Long Vĩ",
    ),
    (
        "Phường Trần Hưng Đạo, Thành phố Thủy Nguyên, Hải Phòng",
        Status::Exact,
        &["Phường Lưu Kiếm"],
        "Thành phố Hải Phòng",
        "1669 k6: toàn bộ … phường Trần Hưng Đạo (thành phố Thủy Nguyên)",
    ),
    // Tuyên Quang — 1684/NQ-UBTVQH15 (Hà Giang's communes)
    (
        "Xã Sà Phìn, Huyện Đồng Văn, Tỉnh Hà Giang",
        Status::Exact,
        &["Xã Sà Phìn"],
        "Tỉnh Tuyên Quang",
        "1684 k46: toàn bộ … Sà Phìn (the January 2025 list spells it Xà Phìn)",
    ),
    (
        "Thị trấn Phố Bảng, Đồng Văn, Hà Giang",
        Status::Exact,
        &["Xã Phố Bảng"],
        "Tỉnh Tuyên Quang",
        "1684 k47: toàn bộ … thị trấn Phố Bảng (the list spells it Phó Bảng)",
    ),
    // An Giang — 1654/NQ-UBTVQH15 (Kiên Giang's communes)
    (
        "Xã Thổ Châu, Thành phố Phú Quốc, Tỉnh Kiên Giang",
        Status::Exact,
        &["Đặc khu Thổ Châu"],
        "Tỉnh An Giang",
        "1654 k96: xã Thổ Châu thành đặc khu Thổ Châu",
    ),
    (
        "Phường Vĩnh Thanh Vân, TP. Rạch Giá, Kiên Giang",
        Status::Exact,
        &["Phường Rạch Giá"],
        "Tỉnh An Giang",
        "1654 k91: toàn bộ … Vĩnh Thanh Vân",
    ),
    // Đà Nẵng — 1659/NQ-UBTVQH15 (Quảng Nam's communes)
    (
        "Huyện Hoàng Sa, Thành phố Đà Nẵng",
        Status::Exact,
        &["Đặc khu Hoàng Sa"],
        "Thành phố Đà Nẵng",
        "1659 k92: huyện Hoàng Sa thành đặc khu Hoàng Sa",
    ),
    (
        "Phường Minh An, Thành phố Hội An, Tỉnh Quảng Nam",
        Status::Exact,
        &["Phường Hội An"],
        "Thành phố Đà Nẵng",
        "1659 k21: toàn bộ … Minh An",
    ),
    (
        "Phường Thạch Thang, Quận Hải Châu, TP Đà Nẵng",
        Status::Exact,
        &["Phường Hải Châu"],
        "Thành phố Đà Nẵng",
        "1659 k1: toàn bộ … Thạch Thang",
    ),
    // Huế — 1675/NQ-UBTVQH15 (a card from before Huế's 2025 districts)
    (
        "Phường Phú Hội, Thành phố Huế, Tỉnh Thừa Thiên Huế",
        Status::Exact,
        &["Phường Thuận Hóa"],
        "Thành phố Huế",
        "1675 k15: toàn bộ … Phú Hội",
    ),
    // Cần Thơ — 1668/NQ-UBTVQH15 (Sóc Trăng's communes)
    (
        "Phường An Hoà, Quận Ninh Kiều, TP Cần Thơ",
        Status::Exact,
        &["Phường Cái Khế"],
        "Thành phố Cần Thơ",
        "1668 k2: toàn bộ … phường An Hòa",
    ),
    (
        "Phường 1, Thành phố Sóc Trăng, Tỉnh Sóc Trăng",
        Status::Exact,
        &["Phường Phú Lợi"],
        "Thành phố Cần Thơ",
        "1668 k23: toàn bộ … Phường 1 … (thành phố Sóc Trăng)",
    ),
    // Khánh Hòa — 1667/NQ-UBTVQH15 (Ninh Thuận's communes)
    (
        "Phường Phước Mỹ, Thành phố Phan Rang-Tháp Chàm, Tỉnh Ninh Thuận",
        Status::Exact,
        &["Phường Bảo An"],
        "Tỉnh Khánh Hòa",
        "1667 k63: toàn bộ … Phước Mỹ",
    ),
    // Lâm Đồng — 1671/NQ-UBTVQH15 (Đắk Nông's communes)
    (
        "Xã Đắk R’Moan, Thành phố Gia Nghĩa, Tỉnh Đắk Nông",
        Status::Exact,
        &["Phường Nam Gia Nghĩa"],
        "Tỉnh Lâm Đồng",
        "1671 k117: toàn bộ … xã Đắk R'Moan",
    ),
    (
        "Phường 1, Thành phố Đà Lạt, Lâm Đồng",
        Status::Exact,
        &["Phường Xuân Hương - Đà Lạt"],
        "Tỉnh Lâm Đồng",
        "1671 k99: toàn bộ … Phường 1 … (thành phố Đà Lạt)",
    ),
    // Thanh Hóa — 1686/NQ-UBTVQH15: one name in three districts
    (
        "Phường Ba Đình, Thành phố Thanh Hóa, Tỉnh Thanh Hoá",
        Status::Exact,
        &["Phường Hạc Thành"],
        "Tỉnh Thanh Hóa",
        "1686 k127: toàn bộ … Ba Đình … (thành phố Thanh Hóa)",
    ),
    (
        "Phường Ba Đình, Thị xã Bỉm Sơn, Thanh Hóa",
        Status::Exact,
        &["Phường Bỉm Sơn"],
        "Tỉnh Thanh Hóa",
        "1686 k136: toàn bộ … Ba Đình (thị xã Bỉm Sơn)",
    ),
    (
        "Xã Ba Đình, Huyện Nga Sơn, Tỉnh Thanh Hóa",
        Status::Exact,
        &["Xã Ba Đình"],
        "Tỉnh Thanh Hóa",
        "1686 k18: toàn bộ … Ba Đình thành xã Ba Đình",
    ),
    // Đồng Nai — 1662/NQ-UBTVQH15
    (
        "Phường Tân Phong, Thành phố Biên Hòa, Đồng Nai",
        Status::Exact,
        &["Phường Tân Triều"],
        "Tỉnh Đồng Nai",
        "1662 k80: toàn bộ … phường Tân Phong",
    ),
    // Already in today's units (a card issued after the reform): Công văn 1027's names.
    (
        "Phường Hoàn Kiếm, Thành phố Hà Nội",
        Status::AlreadyCurrent,
        &["Phường Hoàn Kiếm"],
        "Thành phố Hà Nội",
        "CV 1027: 00070 Phường Hoàn Kiếm",
    ),
    (
        "Số 5 Nguyễn Huệ, Phường Sài Gòn, TP. Hồ Chí Minh",
        Status::AlreadyCurrent,
        &["Phường Sài Gòn"],
        "Thành phố Hồ Chí Minh",
        "CV 1027: 26740 Phường Sài Gòn",
    ),
];

/// Công văn 1027's code of a commune of today, by name and province.
fn cv1027(name: &str, province: &str) -> String {
    let t = include_str!("fixtures/cv1027-communes.tsv");
    let norm = |s: &str| cancuoc_address::names::key(s);
    t.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| norm(f[1]) == norm(name) && norm(f[2]) == norm(province))
        .map(|f| f[0].to_string())
        .unwrap_or_else(|| panic!("{name} ({province}) is not in Công văn 1027"))
}

#[test]
fn addresses_map_as_the_resolutions_say() {
    let u = builtin();
    let mut provinces = std::collections::BTreeSet::new();
    for &(text, status, names, province, source) in CASES {
        let l = u.lookup(text);
        assert_eq!(l.status, status, "{text} ({source}): {l:?}");
        let mut want: Vec<(String, String)> =
            names.iter().map(|n| (cv1027(n, province), cancuoc_address::names::key(n))).collect();
        let mut got: Vec<(String, String)> =
            l.candidates.iter().map(|c| (c.code.clone(), cancuoc_address::names::key(&c.name))).collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{text} ({source})");
        for c in &l.candidates {
            assert_eq!(cancuoc_address::names::key(&c.province), cancuoc_address::names::key(province), "{text}");
            assert_eq!(c.province_code.len(), 2);
        }
        assert_eq!(l.text, text, "the text is kept");
        provinces.insert(province);
    }
    assert!(CASES.len() >= 30 && provinces.len() >= 8, "{} cases in {} provinces", CASES.len(), provinces.len());
}

#[test]
fn the_issue_example_answers_hoan_kiem_with_its_codes_and_the_street_part() {
    let l = builtin().lookup("Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hàng Đào, Quận Hoàn Kiếm, Hà Nội");
    let v = serde_json::to_value(&l).unwrap();
    assert_eq!(v["status"], "exact");
    assert_eq!(v["old"]["commune"], "Phường Hàng Đào");
    assert_eq!(v["old"]["commune_code"], "00049");
    assert_eq!(v["old"]["district"], "Quận Hoàn Kiếm");
    assert_eq!(v["old"]["district_code"], "002");
    assert_eq!(v["old"]["province_code"], "01");
    assert_eq!(v["candidates"][0]["code"], "00070");
    assert_eq!(v["candidates"][0]["province_code"], "01");
    assert_eq!(l.today(None).as_deref(), Some("Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội"));
}

#[test]
fn nonsense_and_unknown_communes_are_not_found_with_the_text_kept() {
    let u = builtin();
    for text in ["Không có địa chỉ nào như thế này", "", "12345", "Phường Không Tồn Tại, Quận Hoàn Kiếm, Hà Nội"]
    {
        let l = u.lookup(text);
        assert_eq!(l.status, Status::NotFound, "{text}");
        assert!(l.candidates.is_empty());
        assert_eq!(l.text, text);
        assert_eq!(l.today(None), None);
    }
    // The district was recognised: it is said, with its code.
    let l = u.lookup("Phường Không Tồn Tại, Quận Hoàn Kiếm, Hà Nội");
    assert_eq!(l.old.unwrap().district_code.as_deref(), Some("002"));
}

#[test]
fn a_split_commune_needs_a_choice_and_only_a_candidate_can_be_chosen() {
    let l = builtin().lookup("Số 3, Phường Cửa Nam, Quận Hoàn Kiếm, Hà Nội");
    assert_eq!(l.today(None), None, "no guess");
    assert_eq!(l.today(Some("00082")).as_deref(), Some("Số 3, Phường Cửa Nam, Thành phố Hà Nội"));
    assert_eq!(l.today(Some("26740")), None, "Phường Sài Gòn is not a candidate");
}

#[test]
fn a_card_issued_before_the_reform_names_old_units() {
    let u = builtin();
    // "Phường Cửa Nam" is an old ward (split) and a ward of today: typed today it is today's…
    let l = u.lookup("Số 8 Phố Lý Thường Kiệt, Phường Cửa Nam, Hà Nội");
    assert_eq!(l.status, Status::AlreadyCurrent);
    // …on a card issued in 2024 it is the old one, with every candidate (1656 k1, k2, k3, k11).
    let l = u.lookup_issued("Số 8 Phố Lý Thường Kiệt, Phường Cửa Nam, Hà Nội", Some((20, 8, 2024)));
    assert_eq!(l.status, Status::Ambiguous);
    assert_eq!(l.candidates.len(), 4);
    // A card issued after 1 July 2025 with today's units.
    let l = u.lookup_issued("Phường Cửa Nam, Thành phố Hà Nội", Some((2, 9, 2025)));
    assert_eq!((l.status, l.candidates[0].code.as_str()), (Status::AlreadyCurrent, "00082"));
}
