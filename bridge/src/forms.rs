//! The form catalogue of ward one-stop and commune-police counters: one data file per form
//! (`bridge/forms/*.toml`, shared/forms.md has the public sources) with its official name, code,
//! legal basis and version, the people whose cards it takes, its fields in the official order —
//! each from the chip (a DG13 field of one of those people), the clerk or the citizen — and its A4
//! layout. No code per form: a new form is a new file.
//!
//! [`Form::consent_defaults`] is what the consent dialog pre-ticks (the chip fields the form
//! requires, nothing more); [`Form::fill`] takes the chip fields from the people's verified data
//! for the consented fields only.

use serde::{Deserialize, Serialize};

use cancuoc_core::lds::dg13::Dg13;

/// Which counter takes the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counter {
    /// The commune/ward People's Committee one-stop counter (civil status, certification).
    WardCommittee,
    /// The commune police (residence, identity card).
    CommunePolice,
}

/// Where a field's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum From {
    /// A DG13 field of one of the form's people (their verified card).
    Chip,
    /// The clerk types it (addressee, place).
    Clerk,
    /// The citizen answers it.
    Citizen,
}

/// One field of a form, in the official order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    pub id: String,
    /// The label as printed on the form.
    pub label: String,
    pub from: From,
    /// For `chip`: the DG13 field (its JSON name, e.g. `full_name`).
    #[serde(default)]
    pub chip: Option<String>,
    /// Whose card: the index into [`Form::people`].
    #[serde(default)]
    pub person: usize,
    #[serde(default)]
    pub required: bool,
    /// A heading the field stands under (e.g. "Người mẹ").
    #[serde(default)]
    pub section: Option<String>,
    /// Printed as this many separate boxes (the 12-digit ID number).
    #[serde(default)]
    pub boxes: Option<usize>,
    /// Dotted lines to leave for a longer answer.
    #[serde(default)]
    pub lines: Option<usize>,
    /// A chip field shown to the clerk as a hint only, never filled in (e.g. the spouse's name
    /// for a marital status the citizen declares).
    #[serde(default)]
    pub hint_chip: Option<String>,
}

/// The page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub paper: String,
    pub font_pt: f32,
    pub title_pt: f32,
    /// Top, right, bottom, left.
    pub margins_mm: [f32; 4],
    /// Fields numbered 1, 2, … (CT01, DC02) or plain labels (civil-status forms).
    pub numbered: bool,
    /// Two people side by side (the marriage form's Bên nữ / Bên nam columns).
    #[serde(default)]
    pub columns: bool,
}

/// A catalogued form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub legal_basis: String,
    pub version: String,
    pub counter: Counter,
    /// The national public-service procedure code, where known.
    pub procedure: String,
    pub sources: Vec<String>,
    /// What is not confirmed against the official text yet.
    pub unconfirmed: Vec<String>,
    /// Whose cards the form takes, e.g. ["Bên nữ", "Bên nam"].
    pub people: Vec<String>,
    pub layout: Layout,
    pub fields: Vec<FormField>,
}

/// The data files, embedded.
const FILES: [(&str, &str); 5] = [
    ("ct01.toml", include_str!("../forms/ct01.toml")),
    ("dc02.toml", include_str!("../forms/dc02.toml")),
    ("khai-sinh.toml", include_str!("../forms/khai-sinh.toml")),
    ("ket-hon.toml", include_str!("../forms/ket-hon.toml")),
    ("xac-nhan-hon-nhan.toml", include_str!("../forms/xac-nhan-hon-nhan.toml")),
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

    /// Pre-ticked in the consent dialog: the chip fields the form requires — nothing else.
    pub fn consent_defaults(&self) -> Vec<&str> {
        self.chip_fields().filter(|f| f.required).map(|f| f.id.as_str()).collect()
    }

    /// The chip's values for the consented fields (`consented` holds field ids); `people` are
    /// the form's people's verified DG13 data, in [`Form::people`]'s order (a missing card fills
    /// nothing for that person). Typed fields are not here: the clerk and the citizen fill them.
    pub fn fill(&self, people: &[Option<&Dg13>], consented: &[&str]) -> Vec<(String, String)> {
        self.chip_fields()
            .filter(|f| consented.contains(&f.id.as_str()))
            .filter_map(|f| {
                let d = people.get(f.person).copied().flatten()?;
                let v = dg13_value(d, f.chip.as_deref()?)??;
                Some((f.id.clone(), v.to_string()))
            })
            .collect()
    }
}

/// The catalogue, every file read and checked; an error names the file and its problems.
pub fn catalogue() -> Result<Vec<Form>, String> {
    FILES
        .iter()
        .map(|(name, text)| {
            let form: Form = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
            let p = form.problems();
            if p.is_empty() { Ok(form) } else { Err(format!("{name}: {}", p.join("; "))) }
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
        if let Some(x) = f.fields.get_mut(1) {
            x.chip = Some("blood_group".into());
        }
        assert!(f.problems().iter().any(|p| p.contains("blood_group is not a chip field")));
        let unknown_key = FILES[0].1.replace("required = true\n", "required = true\ncolour = \"red\"\n");
        assert!(toml::from_str::<Form>(&unknown_key).is_err(), "unknown keys are refused");
    }
}
