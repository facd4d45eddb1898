//! Today's administrative units for the addresses a card holds (the `cancuoc-address` crate): the
//! table in force on this PC — the built-in one, or a newer one installed with `cancuoc address
//! --install FILE` (or named by `$CANCUOC_ADMIN_UNITS`) — and the card's two addresses mapped.

use std::path::PathBuf;
use std::sync::OnceLock;

pub use cancuoc_address::{Candidate, Lookup, Note, OldUnits, Relation, Status, Units, names};
use serde::Serialize;

/// Where an installed table lives: `$CANCUOC_ADMIN_UNITS`, else `<data dir>/cancuoc/admin-units.tsv`.
pub fn installed_path() -> PathBuf {
    if let Some(p) = std::env::var_os("CANCUOC_ADMIN_UNITS") {
        return PathBuf::from(p);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("cancuoc").join("admin-units.tsv")
}

/// Which table is in force, and why (for `doctor` and the desk app's settings).
#[derive(Clone, Debug, Serialize)]
pub struct Source {
    pub version: String,
    pub effective: String,
    /// "built_in", or the installed file's path.
    pub from: String,
    /// An installed file that could not be used (it is then ignored), with the reason.
    pub problem: Option<String>,
}

struct InForce {
    units: &'static Units,
    source: Source,
}

fn in_force() -> &'static InForce {
    static T: OnceLock<InForce> = OnceLock::new();
    T.get_or_init(|| {
        let path = installed_path();
        let builtin = |problem: Option<String>| {
            let u = cancuoc_address::builtin();
            InForce {
                units: u,
                source: Source {
                    version: u.version.clone(),
                    effective: u.effective.clone(),
                    from: "built_in".into(),
                    problem,
                },
            }
        };
        if !path.exists() {
            return builtin(None);
        }
        match Units::from_file(&path) {
            Ok(u) => {
                let u: &'static Units = Box::leak(Box::new(u));
                InForce {
                    units: u,
                    source: Source {
                        version: u.version.clone(),
                        effective: u.effective.clone(),
                        from: path.display().to_string(),
                        problem: None,
                    },
                }
            }
            Err(e) => builtin(Some(format!("{}: {e}", path.display()))),
        }
    })
}

/// The table in force.
pub fn units() -> &'static Units {
    in_force().units
}

/// Where the table in force comes from.
pub fn source() -> &'static Source {
    &in_force().source
}

/// Checks a table file and copies it where the programs look for it. Returns its version.
pub fn install(file: &std::path::Path) -> Result<String, cancuoc_address::DataError> {
    let u = Units::from_file(file)?;
    let to = installed_path();
    let io = |source| cancuoc_address::DataError::Io { path: to.display().to_string(), source };
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::copy(file, &to).map_err(io)?;
    Ok(u.version)
}

/// The card's two addresses in today's units (`cancuoc read --json`: `addresses`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Addresses {
    /// Nơi thường trú / nơi cư trú (DG13 field 9).
    pub place_of_residence: Option<Lookup>,
    /// Quê quán (DG13 field 8).
    pub place_of_origin: Option<Lookup>,
    /// The table's version.
    pub units_version: String,
}

impl Addresses {
    pub fn of(person: &cancuoc_core::lds::dg13::Dg13) -> Self {
        let u = units();
        // The chip's addresses are as of the card's issue.
        let issued = person.date_of_issue.as_deref().and_then(cancuoc_core::lds::dg13::parse_date);
        Addresses {
            place_of_residence: person.place_of_residence.as_deref().map(|t| u.lookup_issued(t, issued)),
            place_of_origin: person.place_of_origin.as_deref().map(|t| u.lookup_issued(t, issued)),
            units_version: u.version.clone(),
        }
    }
}

/// A lookup in a line for people: "→ Phường Hoàn Kiếm, Thành phố Hà Nội (00070, 01)", the
/// candidates of a split commune, or why nothing was found.
pub fn describe(l: &Lookup, lang: crate::words::Lang) -> String {
    let vi = lang == crate::words::Lang::Vi;
    let one = |c: &Candidate| format!("{}, {} ({}, {})", c.name, c.province, c.code, c.province_code);
    match l.status {
        Status::Exact => one(&l.candidates[0]),
        Status::AlreadyCurrent => {
            format!(
                "{} — {}",
                one(&l.candidates[0]),
                if vi { "đã theo đơn vị hành chính mới" } else { "already in today's units" }
            )
        }
        Status::Ambiguous => format!(
            "{} {}",
            if vi { "một trong (hỏi người dân):" } else { "one of (ask the citizen):" },
            l.candidates.iter().map(one).collect::<Vec<_>>().join("; ")
        ),
        Status::NotFound => (if vi {
            "không tìm được đơn vị mới — giữ nguyên địa chỉ trên thẻ"
        } else {
            "no unit of today found — the card's text is kept"
        })
        .to_string(),
    }
}

/// The site's own commune of today from what a technician typed in the settings ("Phường Hoàn
/// Kiếm, Hà Nội", "Phường Hoàn Kiếm, Thành phố Hà Nội"): only one commune of today (named as
/// today's, or an old one that maps to exactly one).
pub fn site_commune(text: &str) -> Option<Candidate> {
    let l = units().lookup(text);
    matches!(l.status, Status::AlreadyCurrent | Status::Exact).then(|| l.chosen(None).cloned()).flatten()
}

/// A unit's name as written inside a sentence: the type word in lower case ("phường Hoàn Kiếm",
/// "xã Đông Anh", "đặc khu Côn Đảo", "thành phố Hà Nội").
pub fn in_sentence(name: &str) -> String {
    let (kind, bare) = cancuoc_address::names::split_kind(name);
    match kind {
        Some(_) => {
            let word = name.strip_suffix(bare.as_str()).unwrap_or(name).trim_end();
            format!("{} {bare}", word.to_lowercase())
        }
        None => name.to_string(),
    }
}
