//! The address text a card holds, read from the right (province, then district, then commune; the
//! rest is the street part), and the old commune mapped to today's.

use serde::Serialize;

use crate::data::{ProvinceRef, Relation, Units, is_split, residents};
use crate::names::{self, Kind, Level, commune_key, key, split_kind};

/// What the lookup found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// An old commune with one commune of today.
    Exact,
    /// An old commune split between several of today's: a person chooses (never a guess).
    Ambiguous,
    /// Not recognised (or an old commune the table has no row for): the text stays as it is.
    NotFound,
    /// Already in today's units (a card issued after the reform, or typed so).
    AlreadyCurrent,
}

impl Status {
    /// The word scripts see.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Ambiguous => "ambiguous",
            Self::NotFound => "not_found",
            Self::AlreadyCurrent => "already_current",
        }
    }
}

/// Why, when something was not found or had to be inferred.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Note {
    /// No province (old or today's) at the end of the text.
    ProvinceNotRecognised,
    /// The district was found but no commune of it.
    CommuneNotRecognised,
    /// Neither a district nor a commune of the province was recognised.
    NotRecognised,
    /// The text names no district: the commune was found by name within its province.
    DistrictNotGiven,
    /// The text's district was not recognised: the commune was found by name within its province.
    DistrictNotRecognised,
    /// The old commune is in the old list but the conversion table has no row for it.
    NoRowInTable,
}

/// The old units the text names, with their codes (as of before 1 July 2025).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OldUnits {
    pub commune: Option<String>,
    pub commune_code: Option<String>,
    pub district: Option<String>,
    pub district_code: Option<String>,
    pub province: Option<String>,
    pub province_code: Option<String>,
}

/// A commune of today the address may now be in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// 5-digit commune code (Quyết định 19/2025/QĐ-TTg).
    pub code: String,
    pub name: String,
    /// 2-digit province code.
    pub province_code: String,
    pub province: String,
    /// "whole", "part", "all_residents", "unchanged", "renamed", "special_zone", or "current"
    /// (the text already names this commune).
    pub relation: &'static str,
}

/// The answer for one address text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lookup {
    pub status: Status,
    /// The text as given (kept whatever the answer).
    pub text: String,
    /// What comes before the units (house, lane, street, hamlet), when units were recognised.
    pub street: Option<String>,
    pub old: Option<OldUnits>,
    pub candidates: Vec<Candidate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Note>,
}

impl Lookup {
    /// The address in today's units: the street part, the commune and the province — of the one
    /// candidate, or of `choice` (a candidate's code) when there are several. `None` when nothing
    /// was found or a choice is needed and not made.
    pub fn today(&self, choice: Option<&str>) -> Option<String> {
        let c = self.chosen(choice)?;
        let mut parts: Vec<&str> = Vec::new();
        if let Some(s) = self.street.as_deref().filter(|s| !s.is_empty()) {
            parts.push(s);
        }
        parts.push(&c.name);
        parts.push(&c.province);
        Some(parts.join(", "))
    }

    /// The candidate in force: the only one, or the chosen one among several.
    pub fn chosen(&self, choice: Option<&str>) -> Option<&Candidate> {
        match (self.status, choice) {
            (Status::NotFound, _) => None,
            (_, Some(code)) => self.candidates.iter().find(|c| c.code == code),
            (Status::Ambiguous, None) => None,
            (_, None) => self.candidates.first(),
        }
    }

    fn not_found(text: &str, old: Option<OldUnits>, note: Note) -> Self {
        Lookup {
            status: Status::NotFound,
            text: text.to_string(),
            street: None,
            old,
            candidates: Vec::new(),
            note: Some(note),
        }
    }
}

/// Segments of an address, left to right, without a trailing country.
fn segments(text: &str) -> Vec<String> {
    let text = names::clean(text);
    let mut segs: Vec<String> = text
        .split([',', ';', '\n'])
        .map(|s| s.trim().trim_end_matches('.').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if segs.len() == 1 {
        // No commas: split before each type word ("Phường 4 Quận 3 TP.HCM").
        segs = split_on_type_words(&segs[0]);
    }
    while segs.last().is_some_and(|s| matches!(key(s).as_str(), "việt nam" | "viet nam" | "vn" | "vietnam")) {
        segs.pop();
    }
    segs
}

fn split_on_type_words(s: &str) -> Vec<String> {
    let words: Vec<&str> = s.split(' ').collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let rest = words[i..].join(" ");
        let starts = i > 0 && split_kind(&rest).0.is_some() && w.chars().count() > 1;
        if starts && !cur.is_empty() {
            out.push(cur.join(" "));
            cur.clear();
        }
        cur.push(w);
    }
    if !cur.is_empty() {
        out.push(cur.join(" "));
    }
    out
}

impl Units {
    /// Parses an address text and maps it to today's units.
    pub fn lookup(&self, text: &str) -> Lookup {
        self.lookup_issued(text, None)
    }

    /// [`Units::lookup`] for a card's address, knowing when the card was issued (day, month,
    /// year): a card issued before the table's effective date holds old units, so a name that is
    /// both an old commune and one of today's ("Phường Cửa Nam, Hà Nội") is read as the old one.
    pub fn lookup_issued(&self, text: &str, issued: Option<(u32, u32, u32)>) -> Lookup {
        let old_card = issued.is_some_and(|(d, m, y)| {
            let eff: Vec<u32> = self.effective.split('-').filter_map(|p| p.parse().ok()).collect();
            eff.len() == 3 && (y, m, d) < (eff[0], eff[1], eff[2])
        });
        let mut segs = segments(text);
        let Some(p) = self.find_province(&mut segs) else {
            return Lookup::not_found(text, None, Note::ProvinceNotRecognised);
        };
        let refs = self.province_refs(&segs[p]).unwrap_or_default();
        let olds: Vec<&String> =
            refs.iter().filter_map(|r| if let ProvinceRef::Old(c) = r { Some(c) } else { None }).collect();
        let news: Vec<&String> =
            refs.iter().filter_map(|r| if let ProvinceRef::New(c) = r { Some(c) } else { None }).collect();
        let street = |upto: usize| (upto > 0).then(|| segs[..upto].join(", "));
        let province_only = || {
            let op = olds.first().map(|c| (*c).clone());
            OldUnits {
                province: op.as_ref().and_then(|c| self.old_province(c)).map(str::to_string),
                province_code: op,
                ..OldUnits::default()
            }
        };

        // Old district, then its commune.
        if p >= 1
            && let Some(d) = self.find_district(&segs[p - 1], &olds)
        {
            let dist = &self.old_districts[&d];
            let mut old = OldUnits {
                district: Some(dist.name.clone()),
                district_code: Some(d.clone()),
                province: self.old_province(&dist.province).map(str::to_string),
                province_code: Some(dist.province.clone()),
                ..OldUnits::default()
            };
            if p >= 2
                && let Some(c) = self.find_old_commune_in(&segs[p - 2], &d)
            {
                return self.mapped(text, street(p - 2), old, &c, None);
            }
            let zone = format!("D{d}");
            if !self.rows(&zone).is_empty() {
                // A district that became a special zone as a whole: everything before it is street.
                return self.answer(text, street(p - 1), old, &zone, None);
            }
            if p < 2 {
                return Lookup::not_found(text, Some(old), Note::CommuneNotRecognised);
            }
            old.commune = None;
            return Lookup::not_found(text, Some(old), Note::CommuneNotRecognised);
        }

        // An old card names old units: its commune without a district is an old one if it can be.
        if old_card
            && p >= 1
            && let Some(c) = self.find_old_commune_in_province(&segs[p - 1], &olds)
        {
            return self.mapped(text, street(p - 1), OldUnits::default(), &c, Some(Note::DistrictNotGiven));
        }

        // Already today's: a commune of today's province right before it.
        if p >= 1
            && let Some(c) = self.find_current(&segs[p - 1], &news)
        {
            let c = &self.communes[&c];
            return Lookup {
                status: Status::AlreadyCurrent,
                text: text.to_string(),
                street: street(p - 1),
                old: None,
                candidates: vec![self.candidate(&c.code, Relation::Current)],
                note: None,
            };
        }

        // An old commune named without its district, or with a district we do not know.
        if p >= 1
            && let Some(c) = self.find_old_commune_in_province(&segs[p - 1], &olds)
        {
            return self.mapped(text, street(p - 1), OldUnits::default(), &c, Some(Note::DistrictNotGiven));
        }
        if p >= 2
            && let Some(c) = self.find_old_commune_in_province(&segs[p - 2], &olds)
        {
            return self.mapped(text, street(p - 2), OldUnits::default(), &c, Some(Note::DistrictNotRecognised));
        }
        Lookup::not_found(text, Some(province_only()).filter(|o| o.province_code.is_some()), Note::NotRecognised)
    }

    /// The province segment's index (the last segment, or a province name peeled off its end).
    fn find_province(&self, segs: &mut Vec<String>) -> Option<usize> {
        let last = segs.len().checked_sub(1)?;
        if self.province_refs(&segs[last]).is_some() {
            return Some(last);
        }
        // "… Quận Hoàn Kiếm Hà Nội": the province without a comma before it.
        let words: Vec<String> = segs[last].split(' ').map(str::to_string).collect();
        for cut in 1..words.len() {
            let tail = words[cut..].join(" ");
            if self.province_refs(&tail).is_some() {
                segs[last] = words[..cut].join(" ");
                segs.push(tail);
                return Some(last + 1);
            }
        }
        None
    }

    fn province_refs(&self, seg: &str) -> Option<Vec<ProvinceRef>> {
        let (kind, bare) = split_kind(seg);
        if !Units::kind_fits(kind, Level::Province) {
            return None;
        }
        self.province_by_name.get(&key(&bare)).cloned()
    }

    fn find_district(&self, seg: &str, olds: &[&String]) -> Option<String> {
        let (kind, bare) = split_kind(seg);
        if !Units::kind_fits(kind, Level::District) {
            return None;
        }
        let k = key(&bare);
        let mut hits: Vec<String> = olds
            .iter()
            .filter_map(|p| self.district_by_name.get(&((*p).clone(), k.clone())))
            .flatten()
            .cloned()
            .collect();
        if hits.len() > 1
            && let Some(kind) = kind
        {
            let typed: Vec<String> = hits.iter().filter(|d| self.district_kinds(d).contains(&kind)).cloned().collect();
            if !typed.is_empty() {
                hits = typed;
            }
        }
        hits.into_iter().next()
    }

    fn district_kinds(&self, code: &str) -> Vec<Kind> {
        let d = &self.old_districts[code];
        std::iter::once(&d.name).chain(&d.aliases).filter_map(|n| split_kind(n).0).collect()
    }

    /// The best of several old communes with the same name: written exactly so ("Thị trấn Mộc
    /// Châu" rather than "Thị trấn NT Mộc Châu"), of the written type, and with rows.
    fn pick_old(&self, hits: Vec<String>, kind: Option<Kind>, bare: &str) -> Option<String> {
        let mut hits = hits;
        if hits.len() > 1 {
            let exact: Vec<String> = hits
                .iter()
                .filter(|c| {
                    let oc = &self.old_communes[*c];
                    std::iter::once(&oc.name).chain(&oc.aliases).any(|n| key(&split_kind(n).1) == key(bare))
                })
                .cloned()
                .collect();
            if !exact.is_empty() {
                hits = exact;
            }
        }
        if hits.len() > 1
            && let Some(kind) = kind
        {
            let typed: Vec<String> = hits
                .iter()
                .filter(|c| {
                    let oc = &self.old_communes[*c];
                    std::iter::once(&oc.name).chain(&oc.aliases).any(|n| split_kind(n).0 == Some(kind))
                })
                .cloned()
                .collect();
            if !typed.is_empty() {
                hits = typed;
            }
        }
        if hits.len() > 1 {
            let mapped: Vec<String> = hits.iter().filter(|c| self.mapping.contains_key(*c)).cloned().collect();
            if !mapped.is_empty() {
                hits = mapped;
            }
        }
        if hits.len() == 1 { hits.pop() } else { None }
    }

    fn commune_bare(seg: &str) -> Option<(Option<Kind>, String, String)> {
        let (kind, bare) = split_kind(seg);
        Units::kind_fits(kind, Level::Commune).then(|| (kind, commune_key(&bare), bare))
    }

    fn find_old_commune_in(&self, seg: &str, district: &str) -> Option<String> {
        let (kind, k, bare) = Self::commune_bare(seg)?;
        let hits = self.old_commune_by_name.get(&(district.to_string(), k))?.clone();
        self.pick_old(hits, kind, &bare)
    }

    fn find_old_commune_in_province(&self, seg: &str, olds: &[&String]) -> Option<String> {
        let (kind, k, bare) = Self::commune_bare(seg)?;
        let hits: Vec<String> = olds
            .iter()
            .filter_map(|p| self.old_commune_in_province.get(&((*p).clone(), k.clone())))
            .flatten()
            .cloned()
            .collect();
        self.pick_old(hits, kind, &bare)
    }

    fn find_current(&self, seg: &str, news: &[&String]) -> Option<String> {
        let (kind, k, _) = Self::commune_bare(seg)?;
        let mut hits: Vec<&String> =
            news.iter().filter_map(|p| self.commune_by_name.get(&((*p).clone(), k.clone()))).flatten().collect();
        if hits.len() > 1
            && let Some(kind) = kind
        {
            hits.retain(|c| split_kind(&self.communes[*c].name).0 == Some(kind));
        }
        (hits.len() == 1).then(|| hits[0].clone())
    }

    fn mapped(&self, text: &str, street: Option<String>, mut old: OldUnits, code: &str, note: Option<Note>) -> Lookup {
        let oc = &self.old_communes[code];
        let dist = &self.old_districts[&oc.district];
        old.commune = Some(oc.name.clone());
        old.commune_code = Some(oc.code.clone());
        old.district = Some(dist.name.clone());
        old.district_code = Some(dist.code.clone());
        old.province = self.old_province(&dist.province).map(str::to_string);
        old.province_code = Some(dist.province.clone());
        self.answer(text, street, old, code, note)
    }

    fn answer(&self, text: &str, street: Option<String>, old: OldUnits, src: &str, note: Option<Note>) -> Lookup {
        let rows = self.rows(src);
        if rows.is_empty() {
            return Lookup { street, ..Lookup::not_found(text, Some(old), Note::NoRowInTable) };
        }
        // Only where its residents went: a person lives there (land without residents is no address).
        let mut candidates: Vec<Candidate> = residents(rows).iter().map(|(c, r)| self.candidate(c, *r)).collect();
        candidates.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code)));
        let status = if is_split(rows) { Status::Ambiguous } else { Status::Exact };
        Lookup { status, text: text.to_string(), street, old: Some(old), candidates, note }
    }

    fn candidate(&self, code: &str, rel: Relation) -> Candidate {
        let c = &self.communes[code];
        Candidate {
            code: c.code.clone(),
            name: c.name.clone(),
            province_code: c.province.clone(),
            province: self.provinces[&c.province].clone(),
            relation: rel.as_str(),
        }
    }
}
