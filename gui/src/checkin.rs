//! One person's check-in: what the card said, what the clerk added, the insurance result, and
//! the consents given. The outputs (CSV, FHIR, printed form, HIS) are built here from the
//! consented fields only.

use crate::i18n::LangExt;
use std::collections::BTreeMap;

use cancuoc_bridge::{Report, Status};
use cancuoc_core::verdict::Failure;
use serde_json::Value;

use crate::consent::{Field, Purpose};
use crate::i18n::Lang;
use cancuoc_bridge::his::bhyt::{Answer, Eligibility, NotChecked};

/// Where the insurance check stands.
#[derive(Clone, Debug, PartialEq)]
pub enum BhytState {
    NotChecked(Option<NotChecked>),
    Checking,
    Done(Box<Answer>),
}

pub struct Checkin {
    pub report: Report,
    pub failures: Vec<Failure>,
    /// The face image as stored on the chip, with its MIME type.
    pub photo: Option<(Vec<u8>, &'static str)>,
    pub reason: String,
    pub service: usize,
    pub bhyt: BhytState,
    /// The insurer's visit history, once asked for (its own consent).
    pub history: Option<Result<cancuoc_bridge::his::bhyt::History, NotChecked>>,
    /// Purpose → fields the citizen agreed to send.
    pub consents: BTreeMap<Purpose, Vec<Field>>,
    /// The saved check-in's id (`Some(None)`: recorded without keeping personal data).
    pub saved: Option<Option<i64>>,
    /// Its number in today's queue, once saved.
    pub queue_no: Option<i64>,
    /// The visit evidence (the chip's answer to this visit's challenge), or why there is none;
    /// `None` when the read was not for a visit.
    pub evidence: Option<Result<cancuoc_bridge::his::evidence::Evidence, cancuoc_bridge::his::evidence::NoEvidence>>,
    /// The commune of today the citizen chose (its code) when the card's old commune was split.
    pub address_choice: Option<String>,
    /// This visit's write id: every save of it uses it, so it is stored once (docs/desk.md).
    pub write_id: String,
    /// A card that is not verified is used anyway: the clerk's reason (audited, printed).
    pub override_reason: Option<String>,
    /// The reason as the clerk types it.
    pub override_draft: String,
    /// The hospital system's own patient number, when it answered one.
    pub his_patient_id: Option<String>,
}

impl Checkin {
    /// Whether the card's data may be filled, checked or sent: a verified card, or the clerk's
    /// override with a reason (docs/desk.md, "One rule for a card that is not verified").
    pub fn usable(&self) -> bool {
        self.status() == Status::Verified || self.override_reason.is_some()
    }

    /// The residence in today's administrative units, when one commune of today is known.
    pub fn today_address(&self, lang: Lang) -> Option<String> {
        let l = self.report.addresses.place_of_residence.as_ref()?;
        let t = l.today(self.address_choice.as_deref())?;
        if self.address_choice.is_some() && l.candidates.len() > 1 {
            Some(format!("{t} ({})", lang.tr().address_chosen_mark))
        } else {
            Some(t)
        }
    }

    pub fn status(&self) -> Status {
        self.report.status
    }
    pub fn status_key(&self) -> &'static str {
        self.report.status.key()
    }

    /// The value of one field as the form shows it.
    pub fn value(&self, f: Field, lang: Lang) -> Option<String> {
        let p = &self.report.person;
        let t = lang.tr();
        match f {
            Field::IdNumber => p.id_number.clone(),
            Field::FullName => p.full_name.clone(),
            Field::DateOfBirth => p.date_of_birth.clone(),
            Field::Sex => p.sex.clone(),
            // Where the citizen lives now: the card's address in today's units (marked when the
            // citizen chose among several); the card's own text when none could be found.
            Field::Address => self.today_address(lang).or_else(|| p.place_of_residence.clone()),
            Field::Nationality => p.nationality.clone(),
            Field::Ethnicity => p.ethnicity.clone(),
            Field::Religion => p.religion.clone(),
            Field::PlaceOfOrigin => p.place_of_origin.clone(),
            Field::OldIdNumber => p.old_id_number.clone(),
            Field::Parents => match (&p.father_name, &p.mother_name) {
                (None, None) => None,
                (a, b) => Some(format!("{}; {}", a.as_deref().unwrap_or("-"), b.as_deref().unwrap_or("-"))),
            },
            Field::Photo => self.photo.as_ref().map(|(b, m)| format!("{m}, {} bytes", b.len())),
            Field::Bhyt => Some(self.bhyt_summary(lang)),
            Field::Reason => {
                let service = t.services.get(self.service).copied().unwrap_or_default();
                Some(if self.reason.trim().is_empty() {
                    service.to_string()
                } else {
                    format!("{service}: {}", self.reason.trim())
                })
            }
            Field::Verdict => Some(self.report.status.headline(lang.words()).to_string()),
            Field::Evidence => match &self.evidence {
                Some(Ok(e)) => Some(format!("sha256 {}", e.sha256())),
                Some(Err(why)) => Some(format!("{}: {why}", t.evidence_none)),
                None => None,
            },
        }
    }

    /// One line on the insurance result.
    pub fn bhyt_summary(&self, lang: Lang) -> String {
        let t = lang.tr();
        match &self.bhyt {
            BhytState::Done(r) => {
                let head = match r.eligibility {
                    Eligibility::Valid => t.bhyt_valid,
                    Eligibility::Expired => t.bhyt_expired,
                    Eligibility::Invalid => t.bhyt_invalid,
                };
                let card = &r.card;
                let number = card.number.as_ref().map(|n| format!(", {n}")).unwrap_or_default();
                let period = match (&card.valid_from, &card.valid_to) {
                    (Some(a), Some(b)) => format!(", {a} – {b}"),
                    _ => String::new(),
                };
                let facility = card.facility.as_ref().map(|f| format!(", {} {f}", t.bhyt_facility)).unwrap_or_default();
                let flagged = if r.differences.is_empty() { "" } else { t.bhyt_differs_short };
                format!("{head} ({} {}){number}{period}{facility}{flagged}", t.bhyt_code, r.code)
            }
            BhytState::Checking => t.bhyt_checking.into(),
            BhytState::NotChecked(_) => t.bhyt_not_checked.into(),
        }
    }

    /// CSV (UTF-8 with a byte-order mark, so spreadsheet programs show the diacritics): a header
    /// row of field labels and one row of values, consented fields only.
    pub fn csv(&self, fields: &[Field], lang: Lang) -> String {
        let t = lang.tr();
        let cols: Vec<Field> = fields.iter().copied().filter(|f| *f != Field::Photo).collect();
        let esc = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let header: Vec<String> = cols.iter().map(|f| esc(&f.label(t))).collect();
        let row: Vec<String> = cols.iter().map(|f| esc(&self.value(*f, lang).unwrap_or_default())).collect();
        format!("\u{FEFF}{}\r\n{}\r\n", header.join(","), row.join(","))
    }

    /// The FHIR R4 Patient with the consented fields only (the verdict tag always: it is not
    /// personal data, and a HIS must never take an unverified read for a verified one).
    pub fn fhir(&self, fields: &[Field]) -> Value {
        let has = |f: Field| fields.contains(&f);
        let include = cancuoc_bridge::his::fhir::Include {
            id_number: has(Field::IdNumber),
            full_name: has(Field::FullName),
            date_of_birth: has(Field::DateOfBirth),
            sex: has(Field::Sex),
            address: has(Field::Address),
            old_id_number: has(Field::OldIdNumber),
            nationality: has(Field::Nationality),
            religion: has(Field::Religion),
            ethnicity: has(Field::Ethnicity),
            place_of_origin: has(Field::PlaceOfOrigin),
            parents: has(Field::Parents),
        };
        let photo = if has(Field::Photo) { self.photo.as_ref().map(|(b, m)| (*m, b.as_slice())) } else { None };
        let mut v = cancuoc_bridge::his::fhir::patient(&self.report, include, photo);
        if has(Field::Bhyt)
            && let BhytState::Done(b) = &self.bhyt
            && let Some(card) = &b.card.number
        {
            cancuoc_bridge::his::fhir::add_insurance_number(&mut v, card);
        }
        // The visit evidence by its hash, as the verdict tag: no personal data.
        if let Some(Ok(e)) = &self.evidence {
            cancuoc_bridge::his::fhir::add_evidence(&mut v, &e.sha256());
        }
        v
    }

    /// The printed form: plain UTF-8 text, large-print friendly, consented fields only.
    pub fn print_text(
        &self,
        fields: &[Field],
        lang: Lang,
        clerk: &str,
        when: &str,
        site: &str,
        counter: &str,
    ) -> String {
        let t = lang.tr();
        let mut out = String::new();
        // The site's name heads the slip (Settings: office, else the site's code).
        if !site.trim().is_empty() {
            out.push_str(&format!("{}\n", site.trim()));
        }
        out.push_str(&format!("{}\n{}\n\n", t.form_title.to_uppercase(), "=".repeat(t.form_title.chars().count())));
        for f in fields.iter().filter(|f| **f != Field::Photo) {
            out.push_str(&format!("{:<28} {}\n", format!("{}:", f.label(t)), self.value(*f, lang).unwrap_or_default()));
        }
        if let Some(q) = self.queue_no {
            out.push_str(&format!("{:<28} {q}\n", format!("{}:", t.queue_no)));
        }
        if !counter.trim().is_empty() {
            out.push_str(&format!("{:<28} {}\n", format!("{}:", t.slip_counter), counter.trim()));
        }
        if let Some(id) = &self.his_patient_id {
            out.push_str(&format!("{:<28} {id}\n", format!("{}:", t.his_patient_id)));
        }
        if let Some(r) = &self.override_reason {
            out.push_str(&format!("\n{}: {r}\n", t.override_printed));
        }
        out.push_str(&format!("\n{when} — {clerk}\n"));
        out
    }
}
