//! The form catalogue of ward one-stop and commune-police counters: one data file per form
//! (`bridge/forms/*.toml`, shared/forms.md has the public sources) with its official name, code,
//! legal basis and version, the people whose cards it takes, its fields in the official order —
//! each from the chip (a DG13 field of one of those people), the clerk or the citizen — and its A4
//! layout. No code per form: a new form is a new file.
//!
//! [`Form::consent_defaults`] is what the consent dialog pre-ticks (the chip fields the form
//! requires, nothing more); [`Form::fill`] takes the chip fields from the people's verified data
//! for the consented fields only.

use std::collections::BTreeMap;

use cancuoc_core::lds::dg13::{Date as DgDate, Dg13, Generation, Sex};

mod errors;
pub mod font;
pub mod layout;
mod model;
pub mod pdf;

pub use errors::*;
pub use layout::{Date, Item, PAGE_MM, Page};
pub use model::*;

/// The value key of the note a form prints when it was filled from a card that is not verified
/// ("Điền khi thẻ chưa xác thực — lý do: …", after the commitment).
pub const OVERRIDE_NOTE: &str = "_override";

/// Full years from a `dd/mm/yyyy` birth date to `on` (day, month, year); `None` when the date
/// is not a full one (chips may carry "00/00/1950").
pub fn age_on(dob: &str, on: (u32, u32, i32)) -> Option<u32> {
    let b = DgDate::parse_loose(dob).filter(DgDate::is_complete)?;
    let (d, m, y) = (u32::from(b.day), u32::from(b.month), i32::from(b.year));
    let (td, tm, ty) = on;
    let mut age = ty - y;
    if (tm, td) < (m, d) {
        age -= 1;
    }
    u32::try_from(age).ok()
}

impl Form {
    /// The warnings of the form's rules for the cards read (`today`: day, month, year).
    pub fn warnings(&self, people: &[Option<&Dg13>], today: (u32, u32, i32)) -> Vec<Warning> {
        let mut out = Vec::new();
        for r in &self.rules {
            let Some(Some(d)) = people.get(r.person) else { continue };
            if let (Some(min), Some(age)) = (r.min_age, d.date_of_birth.as_deref().and_then(|b| age_on(b, today)))
                && age < min
            {
                out.push(Warning::Age { person: r.person, age, min, basis: r.basis.clone() });
            }
            if let (Some(want), Some(chip)) = (&r.sex, d.sex.as_deref())
                && !chip.trim().is_empty()
                && match (Sex::parse(chip), Sex::parse(want)) {
                    (Some(c), Some(w)) => c != w,
                    _ => !chip.trim().eq_ignore_ascii_case(want),
                }
            {
                out.push(Warning::Sex { person: r.person, chip: chip.trim().into(), expected: want.clone() });
            }
            if r.spouse_on_chip
                && let Some(name) = d.spouse_name.as_deref().map(str::trim).filter(|n| !n.is_empty())
            {
                out.push(Warning::Spouse { person: r.person, name: name.into() });
            }
        }
        out
    }
}

/// The data files, embedded.
const FILES: [(&str, &str); 5] = [
    ("ct01.toml", include_str!("../../../forms/ct01.toml")),
    ("dc02.toml", include_str!("../../../forms/dc02.toml")),
    ("khai-sinh.toml", include_str!("../../../forms/khai-sinh.toml")),
    ("ket-hon.toml", include_str!("../../../forms/ket-hon.toml")),
    ("xac-nhan-hon-nhan.toml", include_str!("../../../forms/xac-nhan-hon-nhan.toml")),
];

/// DG13's fields by their JSON names (what `chip` may name).
fn dg13_value<'a>(d: &'a Dg13, name: &str) -> Option<Option<&'a str>> {
    let v = match name {
        "id_number" => &d.id_number,
        "full_name" => &d.full_name,
        "date_of_birth" => &d.date_of_birth,
        "sex" => &d.sex,
        "nationality" => &d.nationality,
        "ethnicity" => &d.ethnicity,
        "religion" => &d.religion,
        "place_of_origin" => &d.place_of_origin,
        "place_of_residence" => &d.place_of_residence,
        "identifying_marks" => &d.identifying_marks,
        "date_of_issue" => &d.date_of_issue,
        "date_of_expiry" => &d.date_of_expiry,
        "father_name" => &d.father_name,
        "mother_name" => &d.mother_name,
        "spouse_name" => &d.spouse_name,
        "old_id_number" => &d.old_id_number,
        _ => return None,
    };
    Some(v.as_deref())
}

impl FormField {
    /// Whether this field holds sensitive data (the core's DG13 table says which).
    pub fn sensitive(&self) -> bool {
        self.chip.as_deref().and_then(cancuoc_core::lds::dg13::field_info).is_some_and(|f| f.sensitive)
    }
}

impl Form {
    /// What is wrong with a form file's content (empty when nothing).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let empty = Dg13::default();
        if self.people.is_empty() {
            out.push("no people".into());
        }
        if self.layout.paper != "A4" {
            out.push(format!("paper {} (the forms are A4)", self.layout.paper));
        }
        if let Some(p) = &self.layout.place_field
            && !self.fields.iter().any(|f| &f.id == p && f.from == From::Clerk)
        {
            out.push(format!("place field {p} is not a clerk's field of the form"));
        }
        for s in &self.layout.signatures {
            if s.person.is_some_and(|p| p >= self.people.len()) {
                out.push(format!("signature {}: no such person", s.caption));
            }
        }
        // Every form ends "<place>, ngày … tháng … năm …": the place is the clerk's field.
        if self.layout.place_field.is_none() {
            out.push("no place field (the ending's place would print as dots)".into());
        }
        for r in &self.rules {
            if r.person >= self.people.len() {
                out.push(format!("rule for person {}: the form takes {}", r.person, self.people.len()));
            }
        }
        if self.layout.columns && self.people.len() != 2 {
            out.push("a two-column form takes two people".into());
        }
        let mut ids = std::collections::BTreeSet::new();
        for f in &self.fields {
            if !ids.insert(f.id.as_str()) {
                out.push(format!("{}: id used twice", f.id));
            }
            if f.person >= self.people.len() {
                out.push(format!("{}: person {} but the form takes {}", f.id, f.person, self.people.len()));
            }
            match (f.from, &f.chip) {
                (From::Chip, Some(c)) if dg13_value(&empty, c).is_none() => {
                    out.push(format!("{}: {c} is not a chip field", f.id))
                }
                (From::Chip, None) => out.push(format!("{}: from the chip but no chip field named", f.id)),
                (From::Clerk | From::Citizen, Some(_)) => out.push(format!("{}: a chip field on a typed field", f.id)),
                _ => {}
            }
            // The layout prints the dots after a label; dots inside one stay in the printed value.
            if f.label.contains('…') || f.label.contains("...") {
                out.push(format!("{}: dots in the label {:?} (split it into answers)", f.id, f.label));
            }
            if let Some(h) = &f.hint_chip
                && dg13_value(&empty, h).is_none()
            {
                out.push(format!("{}: hint {h} is not a chip field", f.id));
            }
        }
        out
    }

    /// The chip fields the form may take, by person.
    pub fn chip_fields(&self) -> impl Iterator<Item = &FormField> {
        self.fields.iter().filter(|f| f.from == From::Chip)
    }

    /// Pre-ticked in the consent dialog: the chip fields the form requires — nothing else, and
    /// never a sensitive one (ethnicity, religion: Decree 356/2025/NĐ-CP art. 4), which the
    /// citizen is asked for separately even when the form requires it.
    pub fn consent_defaults(&self) -> Vec<&str> {
        self.chip_fields().filter(|f| f.required && !f.sensitive()).map(|f| f.id.as_str()).collect()
    }

    /// The chip's values for the consented fields (`consented` holds field ids); `people` are
    /// the form's people's verified DG13 data, in [`Form::people`]'s order (a missing card fills
    /// nothing for that person). Typed fields are not here: the clerk and the citizen fill them.
    pub fn fill(&self, people: &[Option<&Dg13>], consented: &[&str]) -> Vec<(String, String)> {
        self.fill_choosing(people, consented, &[])
    }

    /// [`Form::fill`] with the citizens' choices of today's commune for split old communes
    /// (`choices[i]` for person i).
    pub fn fill_choosing(
        &self,
        people: &[Option<&Dg13>],
        consented: &[&str],
        choices: &[Option<&str>],
    ) -> Vec<(String, String)> {
        self.chip_fields()
            .filter(|f| consented.contains(&f.id.as_str()))
            .filter_map(|f| {
                let d = people.get(f.person).copied().flatten()?;
                let v = dg13_value(d, f.chip.as_deref()?)??;
                let choice = choices.get(f.person).copied().flatten();
                Some((f.id.clone(), shaped(f.shape, v, d, choice)))
            })
            .collect()
    }
}

/// A chip value as the form writes it.
fn shaped(shape: Shape, v: &str, d: &Dg13, choice: Option<&str>) -> String {
    match shape {
        Shape::AsIs => v.to_string(),
        Shape::TodayAddress => {
            let issued = d.date_of_issue.as_deref().and_then(cancuoc_core::lds::dg13::parse_date);
            let l = crate::address::units().lookup_issued(v, issued);
            match l.today(choice) {
                Some(t) if choice.is_some() && l.candidates.len() > 1 => format!("{t} (người dân xác nhận)"),
                Some(t) => t,
                None => v.to_string(),
            }
        }
        Shape::Year => DgDate::parse_loose(v).map_or_else(|| v.trim().to_string(), |b| format!("{:04}", b.year)),
        Shape::IdDocument => {
            let issued = d.date_of_issue.as_deref().map(str::trim).filter(|s| !s.is_empty());
            let name = match d.generation() {
                Some(Generation::CanCuoc2024) => "Căn cước",
                _ => "Căn cước công dân",
            };
            match issued {
                Some(i) => format!("{name} số {v}, cấp ngày {i}"),
                None => format!("{name} số {v}"),
            }
        }
    }
}

/// One person's card for a form: the verified data and whether every check passed.
#[derive(Clone, Copy, Debug)]
pub struct Card<'a> {
    pub dg13: &'a Dg13,
    pub verified: bool,
    /// The commune of today the citizen chose when the card's old commune was split (its code).
    pub address_choice: Option<&'a str>,
}

impl Form {
    /// Every value printed on the form: the consented chip fields from the people's cards and
    /// what the clerk and the citizen typed. A chip field cannot be typed in (a refused one stays
    /// blank for the citizen to write by hand); an unverified card fills nothing unless
    /// `override_unverified` (the caller audits it).
    pub fn values(
        &self,
        people: &[Option<Card>],
        consented: &[&str],
        typed: &BTreeMap<String, String>,
        override_unverified: bool,
    ) -> Result<BTreeMap<String, String>, FillError> {
        let field = |id: &str| {
            self.fields
                .iter()
                .find(|f| f.id == id)
                .ok_or_else(|| FillError::UnknownField { form: self.code.clone(), field: id.into() })
        };
        for id in consented {
            if field(id)?.from != From::Chip {
                return Err(FillError::UnknownField {
                    form: self.code.clone(),
                    field: format!("{id} (not a chip field)"),
                });
            }
        }
        for id in typed.keys() {
            if field(id)?.from == From::Chip {
                return Err(FillError::TypedChipField(id.clone()));
            }
        }
        for (i, p) in people.iter().enumerate() {
            if let Some(c) = p
                && !c.verified
                && !override_unverified
            {
                return Err(FillError::NotVerified(self.people.get(i).cloned().unwrap_or_default()));
            }
        }
        let cards: Vec<Option<&Dg13>> = people.iter().map(|p| p.map(|c| c.dg13)).collect();
        let choices: Vec<Option<&str>> = people.iter().map(|p| p.and_then(|c| c.address_choice)).collect();
        let mut out: BTreeMap<String, String> = self.fill_choosing(&cards, consented, &choices).into_iter().collect();
        for (k, v) in typed {
            if !v.trim().is_empty() {
                out.insert(k.clone(), v.clone());
            }
        }
        Ok(out)
    }

    /// The pages with these values.
    pub fn layout(&self, values: &BTreeMap<String, String>, date: Date) -> Result<Vec<Page>, FillError> {
        let faces = font::Faces::load().map_err(FillError::Render)?;
        Ok(layout::layout(self, values, date, &faces))
    }

    /// The filled form as a PDF.
    pub fn pdf(&self, values: &BTreeMap<String, String>, date: Date) -> Result<Vec<u8>, FillError> {
        let faces = font::Faces::load().map_err(FillError::Render)?;
        let pages = layout::layout(self, values, date, &faces);
        pdf::write(&pages, &format!("{} — {}", self.code, self.name_vi), &faces).map_err(FillError::Render)
    }
}

impl Form {
    /// The consented chip fields from what was said: field ids, `required` (what the form needs,
    /// as the consent dialog pre-ticks) or `all`, less the refused ones. An id that is not one of
    /// the form's chip fields is an error (a typo must not silently drop a consent).
    pub fn consent_from(&self, given: &[String], refused: &[String]) -> Result<Vec<String>, FillError> {
        let mut out: Vec<String> = Vec::new();
        let chip = |id: &str| self.chip_fields().any(|f| f.id == id);
        for g in given.iter().flat_map(|g| g.split(',')).map(str::trim).filter(|g| !g.is_empty()) {
            let add: Vec<String> = match g {
                "required" => self.consent_defaults().into_iter().map(String::from).collect(),
                "all" => self.chip_fields().map(|f| f.id.clone()).collect(),
                id if chip(id) => vec![id.to_string()],
                id => {
                    return Err(FillError::UnknownField {
                        form: self.code.clone(),
                        field: format!("{id} (not a chip field)"),
                    });
                }
            };
            for a in add {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        for r in refused.iter().flat_map(|r| r.split(',')).map(str::trim).filter(|r| !r.is_empty()) {
            if !chip(r) {
                return Err(FillError::UnknownField {
                    form: self.code.clone(),
                    field: format!("{r} (not a chip field)"),
                });
            }
            out.retain(|o| o != r);
        }
        Ok(out)
    }
}

/// Today's date for "ngày … tháng … năm …", local time.
pub fn today() -> Date {
    use chrono::Datelike;
    let d = chrono::Local::now().date_naive();
    Some((d.day(), d.month(), d.year()))
}

/// "DD/MM/YYYY", `today` or `blank` (dots, to date by hand) → the date printed on the form.
pub fn parse_date(s: &str) -> Result<Date, BadDate> {
    match s.trim() {
        "today" | "" => Ok(today()),
        "blank" => Ok(None),
        t => match DgDate::parse_loose(t) {
            Some(d) if d.is_complete() && d.year >= 1900 => {
                Ok(Some((u32::from(d.day), u32::from(d.month), i32::from(d.year))))
            }
            _ => Err(BadDate(t.to_string())),
        },
    }
}

/// A form by its file name (`ct01`, `ket-hon`) or code (`CT01`, `TK-KH`), any case.
pub fn find(name: &str) -> Result<Form, FillError> {
    let cat = catalogue().map_err(FillError::Render)?;
    let names: Vec<String> = cat.iter().map(|f| f.slug.clone()).collect();
    cat.into_iter()
        .find(|f| f.slug.eq_ignore_ascii_case(name) || f.code.eq_ignore_ascii_case(name))
        .ok_or_else(|| FillError::UnknownForm(name.into(), names.join(", ")))
}

/// The catalogue, every file read and checked; an error names the file and its problems.
pub fn catalogue() -> Result<Vec<Form>, RenderError> {
    FILES
        .iter()
        .map(|&(file, text)| {
            let mut form: Form =
                toml::from_str(text).map_err(|e| RenderError::FormFile { file, why: e.to_string() })?;
            form.slug = file.trim_end_matches(".toml").to_string();
            let problems = form.problems();
            if problems.is_empty() { Ok(form) } else { Err(RenderError::FormRules { file, problems }) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_naming_a_field_the_chip_does_not_have_is_refused() {
        let mut f: Form = toml::from_str(FILES[0].1).expect("ct01");
        assert!(f.problems().is_empty(), "{:?}", f.problems());
        if let Some(x) = f.fields.iter_mut().find(|x| x.id == "full_name") {
            x.chip = Some("blood_group".into());
        }
        assert!(f.problems().iter().any(|p| p.contains("blood_group is not a chip field")));
        let unknown_key = FILES[0].1.replace("required = true\n", "required = true\ncolour = \"red\"\n");
        assert!(toml::from_str::<Form>(&unknown_key).is_err(), "unknown keys are refused");
    }
}
