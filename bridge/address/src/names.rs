//! Names as people and tables write them, reduced to one comparison key: Unicode NFC, lower case,
//! one placement of the tone mark ("Hòa" and "Hoà" are one name), one apostrophe, numbered units
//! without leading zeros ("Phường 04" is "Phường 4"), and the unit's type word split off
//! ("Phường", "P.", "Q.1", "TP.HCM", "Thị trấn NT …").

use unicode_normalization::UnicodeNormalization;

/// The level of a unit's type word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Commune,
    District,
    Province,
}

/// A unit's type word, as the tables spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Xa,
    Phuong,
    ThiTran,
    DacKhu,
    Quan,
    Huyen,
    ThiXa,
    /// "Thành phố": a province-level city or a district-level city (the level decides).
    ThanhPho,
    Tinh,
}

impl Kind {
    /// Whether this type word can name a unit of `level`.
    pub fn fits(self, level: Level) -> bool {
        match self {
            Kind::Xa | Kind::Phuong | Kind::ThiTran | Kind::DacKhu => level == Level::Commune,
            Kind::Quan | Kind::Huyen | Kind::ThiXa => level == Level::District,
            Kind::ThanhPho => level != Level::Commune,
            Kind::Tinh => level == Level::Province,
        }
    }
}

/// Placements of the tone mark on "oa", "oe", "uy": the old style puts it on the first vowel
/// ("hòa", "thủy"), the new on the second ("hoà", "thuỷ"). Keys use the new style.
const TONES: [(&str, &str); 15] = [
    ("òa", "oà"),
    ("óa", "oá"),
    ("ỏa", "oả"),
    ("õa", "oã"),
    ("ọa", "oạ"),
    ("òe", "oè"),
    ("óe", "oé"),
    ("ỏe", "oẻ"),
    ("õe", "oẽ"),
    ("ọe", "oẹ"),
    ("ùy", "uỳ"),
    ("úy", "uý"),
    ("ủy", "uỷ"),
    ("ũy", "uỹ"),
    ("ụy", "uỵ"),
];

/// Whitespace collapsed and Unicode NFC (composed), as displayed.
pub fn clean(s: &str) -> String {
    // Fast path (the table's own names): already NFC, single spaces, trimmed.
    let tidy = !s.starts_with(' ') && !s.ends_with(' ') && !s.contains("  ") && !s.contains(['\t', '\n', '\r']);
    if tidy && unicode_normalization::is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes {
        return s.to_string();
    }
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The comparison key of a bare name (without its type word).
pub fn key(s: &str) -> String {
    let mut k = clean(s).to_lowercase();
    if k.contains(['’', '‘', '`', 'ʼ']) {
        k = k.replace(['’', '‘', '`', 'ʼ'], "'");
    }
    if k.contains(['ò', 'ó', 'ỏ', 'õ', 'ọ', 'ù', 'ú', 'ủ', 'ũ', 'ụ']) {
        for (old, new) in TONES {
            if k.contains(old) {
                k = k.replace(old, new);
            }
        }
    }
    // "Bà Rịa-Vũng Tàu", "Bà Rịa - Vũng Tàu": one spelling.
    if k.contains('-') {
        k = k.split('-').map(str::trim).collect::<Vec<_>>().join(" - ");
    }
    // Numbered units: "04" is "4".
    if !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()) {
        let t = k.trim_start_matches('0');
        return if t.is_empty() { "0".into() } else { t.into() };
    }
    k
}

/// The key of a commune's bare name: also without "Nông trường" / "NT" (state-farm towns are
/// written both ways).
pub fn commune_key(bare: &str) -> String {
    let k = key(bare);
    for p in ["nông trường ", "n.t ", "nt. ", "nt "] {
        if let Some(rest) = k.strip_prefix(p) {
            return rest.to_string();
        }
    }
    k
}

/// Lower case without diacritics ("Thị trấn" → "thi tran"), for recognising type words.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// Type words and their abbreviations, longest first. Full words are compared with their
/// diacritics ("Quan Hóa" and "Xà Phìn" are names, not "Quận Hóa" and "Xã Phìn"); `abbrev` ones
/// (ASCII) may be written with a dot and glued to the name ("P.4", "Q.Hoàn Kiếm", "TP.HCM").
const WORDS: &[(&str, Kind, bool)] = &[
    ("thị trấn", Kind::ThiTran, false),
    ("thành phố", Kind::ThanhPho, false),
    ("đặc khu", Kind::DacKhu, false),
    ("thị xã", Kind::ThiXa, false),
    ("phường", Kind::Phuong, false),
    ("quận", Kind::Quan, false),
    ("huyện", Kind::Huyen, false),
    ("tỉnh", Kind::Tinh, false),
    ("xã", Kind::Xa, false),
    ("tp", Kind::ThanhPho, true),
    ("tx", Kind::ThiXa, true),
    ("tt", Kind::ThiTran, true),
    ("p", Kind::Phuong, true),
    ("q", Kind::Quan, true),
    ("h", Kind::Huyen, true),
    ("x", Kind::Xa, true),
    ("f", Kind::Phuong, true),
];

/// Splits a leading type word off `s`: "Phường Hàng Đào" → (Phường, "Hàng Đào"); "P.4" →
/// (Phường, "4"); "Q1" → (Quận, "1"); "TP.HCM" → (Thành phố, "HCM"); "Hà Nội" → (None, "Hà Nội").
/// Full words must be followed by a space; abbreviations by a dot, a space or a digit.
pub fn split_kind(s: &str) -> (Option<Kind>, String) {
    let s = clean(s);
    let lower = s.to_lowercase();
    for &(word, kind, abbrev) in WORDS {
        let Some(rest) = lower.strip_prefix(word) else { continue };
        let next = rest.chars().next();
        let (ok, skip) = match next {
            Some(' ') => (true, word.chars().count() + 1),
            Some('.') if abbrev => (true, word.chars().count() + 1),
            Some(c) if abbrev && c.is_ascii_digit() => (true, word.chars().count()),
            _ => (false, 0),
        };
        if !ok {
            continue;
        }
        // NFC lower case has as many characters as the original: skip the type word's.
        let bare: String = s.chars().skip(skip).collect();
        let bare = bare.trim_start_matches(['.', ' ']).trim();
        if bare.is_empty() {
            return (None, s);
        }
        return (Some(kind), bare.to_string());
    }
    (None, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_placements_and_spaces_are_one_key() {
        assert_eq!(key("Hòa  Bình"), key("Hoà Bình"));
        assert_eq!(key("Thủy Nguyên"), key("Thuỷ Nguyên"));
        assert_eq!(key("Bà Rịa-Vũng Tàu"), key("Bà Rịa - Vũng Tàu"));
        // NFD input (combining marks) is the same name.
        assert_eq!(key("Ha\u{300}ng \u{110}a\u{300}o"), key("Hàng Đào"));
        assert_eq!(key("04"), "4");
        assert_eq!(key("Đắk R’Măng"), key("Đắk R'Măng"));
    }

    #[test]
    fn type_words_and_abbreviations() {
        assert_eq!(split_kind("Phường Hàng Đào"), (Some(Kind::Phuong), "Hàng Đào".into()));
        assert_eq!(split_kind("P.4"), (Some(Kind::Phuong), "4".into()));
        assert_eq!(split_kind("P4"), (Some(Kind::Phuong), "4".into()));
        assert_eq!(split_kind("Q. Hoàn Kiếm"), (Some(Kind::Quan), "Hoàn Kiếm".into()));
        assert_eq!(split_kind("TP.HCM"), (Some(Kind::ThanhPho), "HCM".into()));
        assert_eq!(split_kind("TX. Sơn Tây"), (Some(Kind::ThiXa), "Sơn Tây".into()));
        assert_eq!(split_kind("Thị trấn Đông Anh"), (Some(Kind::ThiTran), "Đông Anh".into()));
        assert_eq!(split_kind("Hà Nội"), (None, "Hà Nội".into()));
        // A name that starts like an abbreviation is not one.
        assert_eq!(split_kind("Hoàn Kiếm"), (None, "Hoàn Kiếm".into()));
        assert_eq!(split_kind("Xuân Quang 3"), (None, "Xuân Quang 3".into()));
        assert_eq!(split_kind("Tuyên Quang"), (None, "Tuyên Quang".into()));
        assert_eq!(split_kind("Quan Hóa"), (None, "Quan Hóa".into()));
        assert_eq!(split_kind("Xà Phìn"), (None, "Xà Phìn".into()));
        assert_eq!(split_kind("Huyện Quan Hóa"), (Some(Kind::Huyen), "Quan Hóa".into()));
        assert_eq!(commune_key("NT Thái Bình"), key("Thái Bình"));
    }
}
