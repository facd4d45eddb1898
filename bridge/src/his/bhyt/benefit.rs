//! The benefit level from the card number (`bhyt/muc-huong.toml`) and the registered facility's
//! name with its source (gateway, this site, the site's table).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Card;
use crate::words::Lang;

/// The benefit levels of `bhyt/muc-huong.toml` (the card number's third character).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitTable {
    pub source: String,
    pub source_en: String,
    pub unconfirmed: String,
    pub level: Vec<BenefitLevel>,
}

/// One benefit level (mức hưởng).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitLevel {
    pub code: String,
    pub percent: u8,
    pub vi: String,
    pub en: String,
}

impl BenefitLevel {
    pub fn words(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

/// The table as shipped (bridge/bhyt/muc-huong.toml).
pub fn benefit_table() -> &'static BenefitTable {
    static TABLE: std::sync::OnceLock<BenefitTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str(include_str!("../../../bhyt/muc-huong.toml"))
            .expect("bhyt/muc-huong.toml is checked by its test")
    })
}

/// The benefit level a card number carries: its third character, when the number has the
/// 15-character layout (2 capital letters, the level, 2 province digits, 10 digits).
pub fn benefit_level(card_number: &str) -> Option<&'static BenefitLevel> {
    let n = card_number.trim().as_bytes();
    let shaped = n.len() == 15 && n[..2].iter().all(u8::is_ascii_uppercase) && n[2..].iter().all(u8::is_ascii_digit);
    if !shaped {
        return None;
    }
    benefit_table().level.iter().find(|l| l.code.as_bytes() == [n[2]])
}

/// A facility code as the gateway and the settings write it, for comparison ("01-001" and
/// "01001" are one code).
pub(super) fn facility_key(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase()
}

/// Whether the card's registered primary-care facility (`maDKBD`) is this site (`site_code`,
/// the settings' facility code); `None` when either is not known.
pub fn registered_here(card: &Card, site_code: &str) -> Option<bool> {
    let here = facility_key(site_code);
    let theirs = facility_key(card.facility.as_deref()?);
    if here.is_empty() || theirs.is_empty() {
        return None;
    }
    Some(here == theirs)
}

/// Where a facility's name came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameSource {
    /// The gateway's answer (`tenDKBD`, `tenDKBDMoi`).
    Gateway,
    /// This site's own code: the site's name from the settings.
    ThisSite,
    /// The site's table of facility names (`co-so-kcb.tsv` in the data folder).
    SiteTable,
}

/// The registered facility's name and where it came from: the gateway's answer, else this
/// site's own name when the code is the site's, else the site's table (code → name).
pub fn facility_name(
    card: &Card,
    site_code: &str,
    site_name: &str,
    table: &BTreeMap<String, String>,
) -> Option<(String, NameSource)> {
    if let Some(n) = card.facility_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        return Some((n.to_string(), NameSource::Gateway));
    }
    if registered_here(card, site_code) == Some(true) && !site_name.trim().is_empty() {
        return Some((site_name.trim().to_string(), NameSource::ThisSite));
    }
    let code = facility_key(card.facility.as_deref()?);
    table.iter().find(|(k, _)| facility_key(k) == code).map(|(_, v)| (v.clone(), NameSource::SiteTable))
}

/// Why the site's table of facility names cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file exists but cannot be read.
    #[error("{}: {error}", .path.display())]
    Io { path: std::path::PathBuf, error: std::io::Error },
    /// A line (1-based) that is not `code<TAB>name`.
    #[error("{} line {line}: expected «code<TAB>name»", .path.display())]
    Line { path: std::path::PathBuf, line: usize },
}

/// The site's table of facility names: one `code<TAB>name` a line (`#` starts a comment), as
/// the province's social-insurance office lists them. A missing file is an empty table.
pub fn read_facility_names(path: &std::path::Path) -> Result<BTreeMap<String, String>, TableError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(error) => return Err(TableError::Io { path: path.to_path_buf(), error }),
    };
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        match line.split_once('\t') {
            Some((code, name)) if !facility_key(code).is_empty() && !name.trim().is_empty() => {
                out.insert(code.trim().to_string(), name.trim().to_string());
            }
            _ => return Err(TableError::Line { path: path.to_path_buf(), line: i + 1 }),
        }
    }
    Ok(out)
}
