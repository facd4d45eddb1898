//! The units table (`data/admin-units.tsv`, made by `scripts/admin-units` from the statistics
//! office's tables): loaded, checked for consistency, and indexed by name.

use std::collections::HashMap;

use crate::names::{self, Kind, Level, commune_key, key, split_kind};

mod check;

/// How an old commune went into a commune of today (the conversion table's "Ghi chú").
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// "Nhập toàn bộ": all of it.
    Whole,
    /// "Nhập một phần…", "phần còn lại…": part of it (its other parts went elsewhere).
    Part,
    /// "Nhập một phần diện tích, toàn bộ dân số": part of its land but all of its residents.
    AllResidents,
    /// "Nhập một phần diện tích": part of its land, none of its residents (the resolutions say
    /// "một phần diện tích tự nhiên" without "quy mô dân số").
    AreaOnly,
    /// "Giữ nguyên": unchanged.
    Unchanged,
    /// "Đổi tên", "Đổi loại hình": the same unit under a new name or type.
    Renamed,
    /// "Sắp xếp toàn bộ … thành đặc khu": a whole district (or island commune) became a special zone.
    SpecialZone,
    /// Not a row of the table: the address already names this commune of today.
    Current,
}

impl Relation {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "whole" => Self::Whole,
            "part" => Self::Part,
            "all_residents" => Self::AllResidents,
            "area_only" => Self::AreaOnly,
            "unchanged" => Self::Unchanged,
            "renamed" => Self::Renamed,
            "special_zone" => Self::SpecialZone,
            _ => return None,
        })
    }
    /// The word scripts see (as in the JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Whole => "whole",
            Self::Part => "part",
            Self::AllResidents => "all_residents",
            Self::AreaOnly => "area_only",
            Self::Unchanged => "unchanged",
            Self::Renamed => "renamed",
            Self::SpecialZone => "special_zone",
            Self::Current => "current",
        }
    }
}

/// A commune of today.
#[derive(Clone, Debug)]
pub struct Commune {
    pub code: String,
    pub name: String,
    pub province: String,
}

/// An old district (before 1 July 2025).
#[derive(Clone, Debug)]
pub struct OldDistrict {
    pub code: String,
    pub name: String,
    pub province: String,
    pub aliases: Vec<String>,
}

/// An old commune (before 1 July 2025).
#[derive(Clone, Debug)]
pub struct OldCommune {
    pub code: String,
    pub name: String,
    pub district: String,
    /// Other spellings of the same unit (the two tables disagree; renamed in 2025 under the same code).
    pub aliases: Vec<String>,
    /// Only the conversion table has it (created between January and July 2025).
    pub from_conversion_only: bool,
}

/// Why the table could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("line {line}: {what}")]
    Line { line: usize, what: String },
    #[error("the table is inconsistent: {0}")]
    Check(String),
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
}

/// The whole table, indexed.
#[derive(Debug, Default)]
pub struct Units {
    /// The table's version (`@version`), shown by `cancuoc doctor` and the desk app's settings.
    pub version: String,
    /// From when the new units apply (`@effective`, dd/mm/yyyy-free ISO date).
    pub effective: String,
    /// Repairs the generator made (`@repairs`), for the docs and `doctor`.
    pub repairs: String,
    pub(crate) provinces: HashMap<String, String>,
    pub(crate) communes: HashMap<String, Commune>,
    pub(crate) old_provinces: HashMap<String, String>,
    pub(crate) old_districts: HashMap<String, OldDistrict>,
    pub(crate) old_communes: HashMap<String, OldCommune>,
    /// Old commune code, or "D" + old district code for a district without communes → rows.
    pub(crate) mapping: HashMap<String, Vec<(String, Relation)>>,
    pub(crate) exceptions: HashMap<String, String>,
    // Name indexes (keys from `names`).
    pub(crate) province_by_name: HashMap<String, Vec<ProvinceRef>>,
    pub(crate) district_by_name: HashMap<(String, String), Vec<String>>,
    pub(crate) old_commune_by_name: HashMap<(String, String), Vec<String>>,
    pub(crate) old_commune_in_province: HashMap<(String, String), Vec<String>>,
    pub(crate) commune_by_name: HashMap<(String, String), Vec<String>>,
}

/// A province name's meaning: an old province, a province of today, or both (same code and name,
/// like Hà Nội).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ProvinceRef {
    Old(String),
    New(String),
}

/// Other names people write for a province (keys of bare names → the name in the table).
const PROVINCE_ALIASES: &[(&str, &str)] = &[
    ("hcm", "Hồ Chí Minh"),
    ("hồ chí minh city", "Hồ Chí Minh"),
    ("sài gòn", "Hồ Chí Minh"),
    ("hn", "Hà Nội"),
    ("thừa thiên huế", "Huế"),
    ("thừa thiên - huế", "Huế"),
    ("brvt", "Bà Rịa - Vũng Tàu"),
    ("vũng tàu", "Bà Rịa - Vũng Tàu"),
];

impl Units {
    /// Parses and checks a table in the `admin-units.tsv` format.
    pub fn parse(text: &str) -> Result<Units, DataError> {
        let mut u = Units::default();
        let mut expect: HashMap<String, usize> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let bad = |what: &str| DataError::Line { line: n, what: what.to_string() };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let need = |k: usize| if f.len() < k { Err(bad(&format!("{} needs {k} columns", f[0]))) } else { Ok(()) };
            let code = |s: &str, len: usize| {
                if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(s.to_string())
                } else {
                    Err(bad(&format!("{s:?} is not a {len}-digit code")))
                }
            };
            let aliases = |s: Option<&&str>| -> Vec<String> {
                s.map(|s| s.split('|').filter(|a| !a.is_empty()).map(names::clean).collect()).unwrap_or_default()
            };
            match f[0] {
                "@version" => u.version = f.get(1).ok_or_else(|| bad("no version"))?.to_string(),
                "@effective" => u.effective = f.get(1).ok_or_else(|| bad("no date"))?.to_string(),
                "@repairs" => u.repairs = f.get(1).unwrap_or(&"").to_string(),
                "@expect" => {
                    for kv in f[1..].iter().flat_map(|s| s.split(' ')) {
                        let (k, v) = kv.split_once('=').ok_or_else(|| bad("@expect wants name=count"))?;
                        expect.insert(k.into(), v.parse().map_err(|_| bad("@expect wants a number"))?);
                    }
                }
                "@source" => {}
                "P" => {
                    need(3)?;
                    u.provinces.insert(code(f[1], 2)?, names::clean(f[2]));
                }
                "C" => {
                    need(4)?;
                    let c = Commune { code: code(f[1], 5)?, name: names::clean(f[2]), province: code(f[3], 2)? };
                    if u.communes.insert(c.code.clone(), c).is_some() {
                        return Err(bad("commune code twice"));
                    }
                }
                "OP" => {
                    need(3)?;
                    u.old_provinces.insert(code(f[1], 2)?, names::clean(f[2]));
                }
                "OD" => {
                    need(4)?;
                    let d = OldDistrict {
                        code: code(f[1], 3)?,
                        name: names::clean(f[2]),
                        province: code(f[3], 2)?,
                        aliases: aliases(f.get(4)),
                    };
                    u.old_districts.insert(d.code.clone(), d);
                }
                "OC" => {
                    need(4)?;
                    let c = OldCommune {
                        code: code(f[1], 5)?,
                        name: names::clean(f[2]),
                        district: code(f[3], 3)?,
                        aliases: aliases(f.get(4)),
                        from_conversion_only: f.get(5) == Some(&"conversion"),
                    };
                    if u.old_communes.insert(c.code.clone(), c).is_some() {
                        return Err(bad("old commune code twice"));
                    }
                }
                "M" => {
                    need(4)?;
                    let rel = Relation::parse(f[3]).ok_or_else(|| bad("unknown relation"))?;
                    let src = match f[1].strip_prefix('D') {
                        Some(d) => format!("D{}", code(d, 3)?),
                        None => code(f[1], 5)?,
                    };
                    u.mapping.entry(src).or_default().push((code(f[2], 5)?, rel));
                }
                "X" => {
                    need(2)?;
                    u.exceptions.insert(code(f[1], 5)?, f.get(2).unwrap_or(&"").to_string());
                }
                other => return Err(bad(&format!("unknown row type {other:?}"))),
            }
        }
        u.check(&expect)?;
        u.index();
        Ok(u)
    }

    /// Reads and checks a table file (a replacement for the built-in one).
    pub fn from_file(path: &std::path::Path) -> Result<Units, DataError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| DataError::Io { path: path.display().to_string(), source })?;
        Self::parse(&text)
    }

    fn index(&mut self) {
        let bare = |name: &str, level: Level| {
            let (kind, b) = split_kind(name);
            let b = if kind.is_some_and(|k| k.fits(level)) { b } else { names::clean(name) };
            if level == Level::Commune { commune_key(&b) } else { key(&b) }
        };
        for (code, name) in &self.old_provinces {
            self.province_by_name.entry(bare(name, Level::Province)).or_default().push(ProvinceRef::Old(code.clone()));
        }
        for (code, name) in &self.provinces {
            self.province_by_name.entry(bare(name, Level::Province)).or_default().push(ProvinceRef::New(code.clone()));
        }
        for (alias, name) in PROVINCE_ALIASES {
            if let Some(refs) = self.province_by_name.get(&key(name)).cloned() {
                self.province_by_name.entry(key(alias)).or_default().extend(refs);
            }
        }
        for d in self.old_districts.values() {
            for n in std::iter::once(&d.name).chain(&d.aliases) {
                let v = self.district_by_name.entry((d.province.clone(), bare(n, Level::District))).or_default();
                if !v.contains(&d.code) {
                    v.push(d.code.clone());
                }
            }
        }
        for c in self.old_communes.values() {
            let province = self.old_districts[&c.district].province.clone();
            for n in std::iter::once(&c.name).chain(&c.aliases) {
                let k = bare(n, Level::Commune);
                let v = self.old_commune_by_name.entry((c.district.clone(), k.clone())).or_default();
                if !v.contains(&c.code) {
                    v.push(c.code.clone());
                }
                let v = self.old_commune_in_province.entry((province.clone(), k)).or_default();
                if !v.contains(&c.code) {
                    v.push(c.code.clone());
                }
            }
        }
        for c in self.communes.values() {
            self.commune_by_name
                .entry((c.province.clone(), bare(&c.name, Level::Commune)))
                .or_default()
                .push(c.code.clone());
        }
        for v in self
            .district_by_name
            .values_mut()
            .chain(self.old_commune_by_name.values_mut())
            .chain(self.old_commune_in_province.values_mut())
            .chain(self.commune_by_name.values_mut())
        {
            v.sort();
        }
    }

    /// Counts for `doctor` and the checks: provinces and communes of today; old provinces,
    /// districts and communes; old communes with no row (documented exceptions).
    pub fn counts(&self) -> Counts {
        Counts {
            provinces: self.provinces.len(),
            communes: self.communes.len(),
            old_provinces: self.old_provinces.len(),
            old_districts: self.old_districts.len(),
            old_communes: self.old_communes.len(),
            split_old_communes: self.mapping.iter().filter(|(k, v)| !k.starts_with('D') && is_split(v)).count(),
            exceptions: self.exceptions.len(),
        }
    }

    /// A commune of today by its code.
    pub fn commune(&self, code: &str) -> Option<&Commune> {
        self.communes.get(code)
    }
    /// A province of today: its name by its code.
    pub fn province(&self, code: &str) -> Option<&str> {
        self.provinces.get(code).map(String::as_str)
    }
    /// Today's communes of a province, by name.
    pub fn communes_of(&self, province: &str) -> Vec<&Commune> {
        let mut v: Vec<&Commune> = self.communes.values().filter(|c| c.province == province).collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }
    /// Today's provinces, by name.
    pub fn provinces(&self) -> Vec<(&str, &str)> {
        let mut v: Vec<(&str, &str)> = self.provinces.iter().map(|(c, n)| (c.as_str(), n.as_str())).collect();
        v.sort_by(|a, b| a.1.cmp(b.1));
        v
    }
    /// An old commune by its code (codes are "as of" before 1 July 2025).
    pub fn old_commune(&self, code: &str) -> Option<&OldCommune> {
        self.old_communes.get(code)
    }
    /// Every old commune's code, sorted.
    pub fn old_commune_codes(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.old_communes.keys().map(String::as_str).collect();
        v.sort();
        v
    }
    /// An old district by its code.
    pub fn old_district(&self, code: &str) -> Option<&OldDistrict> {
        self.old_districts.get(code)
    }
    /// An old province's name by its code.
    pub fn old_province(&self, code: &str) -> Option<&str> {
        self.old_provinces.get(code).map(String::as_str)
    }
    /// The rows of an old commune (or "D"+district code): today's commune codes and relations.
    pub fn rows(&self, old: &str) -> &[(String, Relation)] {
        self.mapping.get(old).map(Vec::as_slice).unwrap_or(&[])
    }
    /// Why an old commune has no row, when it is a listed exception.
    pub fn exception(&self, old: &str) -> Option<&str> {
        self.exceptions.get(old).map(String::as_str)
    }
    pub(crate) fn kind_fits(kind: Option<Kind>, level: Level) -> bool {
        kind.is_none_or(|k| k.fits(level))
    }
}

/// Whether a set of rows leaves the choice to a person (several communes, none taking all the
/// residents).
pub(crate) fn is_split(rows: &[(String, Relation)]) -> bool {
    residents(rows).len() > 1
}

/// The rows where the old commune's residents went: the one that took all of them; else every
/// row but those that took land only (unless all did).
pub(crate) fn residents(rows: &[(String, Relation)]) -> Vec<&(String, Relation)> {
    if let Some(all) = rows.iter().find(|(_, r)| *r == Relation::AllResidents) {
        return vec![all];
    }
    let people: Vec<&(String, Relation)> = rows.iter().filter(|(_, r)| *r != Relation::AreaOnly).collect();
    if people.is_empty() { rows.iter().collect() } else { people }
}

/// What a table holds (see [`Units::counts`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub provinces: usize,
    pub communes: usize,
    pub old_provinces: usize,
    pub old_districts: usize,
    pub old_communes: usize,
    /// Old communes split between several of today's ("Nhập một phần"): a person chooses.
    pub split_old_communes: usize,
    pub exceptions: usize,
}
