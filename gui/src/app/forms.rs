//! The ward and commune-police counters' declaration forms (bridge/forms/*.toml): the clerk picks
//! a form after a read; the citizen is asked, per chip field, what may be written into it (the
//! fields the form requires pre-ticked, nothing else); an unverified card fills nothing unless the
//! clerk overrides, which is audited; a two-person form reads the second card into the same form;
//! the clerk's and the citizen's fields are typed beside the on-screen preview; the form is
//! printed (the PDF goes to the print command's input, never to disk) or saved as PDF. The audit
//! log gets the form and the field names of every answer, never a value.

use std::collections::{BTreeMap, BTreeSet};

use cancuoc_bridge::his::forms::{self, Card, Form, From};
use cancuoc_core::lds::dg13::Dg13;

use super::*;

/// One person's card for the form.
#[derive(Clone, Debug)]
pub struct FormPerson {
    pub dg13: Dg13,
    pub status: cancuoc_bridge::Status,
    /// The clerk chose to fill from this card although it is not verified (audited).
    pub overridden: bool,
    /// Why the clerk filled from this card although it is not verified (printed on the form).
    pub override_reason: Option<String>,
    /// The commune of today the citizen chose for a split old commune (its code).
    pub address_choice: Option<String>,
    /// The citizen has answered the consent question.
    pub answered: bool,
}

impl FormPerson {
    pub fn verified(&self) -> bool {
        self.status == cancuoc_bridge::Status::Verified
    }
}

/// The consent question for one person's chip fields.
#[derive(Clone, Debug)]
pub struct FormConsent {
    pub person: usize,
    /// (field id, ticked), in the form's order.
    pub ticks: Vec<(String, bool)>,
    /// Asked on the citizen's screen (nothing ticked there; the clerk's screen waits).
    pub on_citizen_screen: bool,
    pub asked_at: std::time::Instant,
    /// The clerk takes the answer instead, with this reason.
    pub clerk_reason: Option<String>,
    pub reason_draft: String,
}

/// The form being filled.
pub struct FormSession {
    pub form: Form,
    pub people: Vec<Option<FormPerson>>,
    pub consented: BTreeSet<String>,
    pub typed: BTreeMap<String, String>,
    pub asking: Option<FormConsent>,
    /// The override reasons as the clerk types them, per person.
    pub override_drafts: BTreeMap<usize, String>,
    /// Reading the card of this person (index into the form's people).
    pub waiting_for: Option<usize>,
    /// The preview's zoom (1 = the column's width).
    pub zoom: f32,
}

impl FormSession {
    /// The values printed now: consented chip fields of cards that may fill, and what was typed.
    pub fn values(&self) -> BTreeMap<String, String> {
        let cards: Vec<Option<Card>> = self
            .people
            .iter()
            .map(|p| {
                p.as_ref().filter(|p| p.verified() || p.overridden).map(|p| Card {
                    dg13: &p.dg13,
                    verified: true,
                    address_choice: p.address_choice.as_deref(),
                })
            })
            .collect();
        let consented: Vec<&str> = self.consented.iter().map(String::as_str).collect();
        let typed: BTreeMap<String, String> =
            self.typed.iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect();
        let mut v = self.form.values(&cards, &consented, &typed, false).unwrap_or_default();
        // The form says it was filled from a card that is not verified, and why.
        let marks: Vec<String> = self
            .people
            .iter()
            .zip(&self.form.people)
            .filter_map(|(p, role)| p.as_ref().and_then(|p| p.override_reason.as_ref()).map(|r| format!("{role}: {r}")))
            .collect();
        if !marks.is_empty() {
            v.insert(cancuoc_bridge::his::forms::OVERRIDE_NOTE.into(), marks.join("; "));
        }
        v
    }

    /// The typed fields in the form's order (the clerk's first): id, the label on screen, who
    /// fills it, the section it stands under. A label the form uses twice (the marriage form's
    /// "Kết hôn lần thứ mấy" for each side) says whose it is.
    pub fn typed_fields(&self) -> Vec<(String, String, From, Option<String>)> {
        let typed: Vec<_> = self.form.fields.iter().filter(|f| f.from != From::Chip).collect();
        let mut v: Vec<_> = typed
            .iter()
            .map(|f| {
                let twice = typed.iter().filter(|g| g.label == f.label).count() > 1;
                let label = match (&f.section, twice) {
                    (Some(s), true) => format!("{} — {s}", f.label),
                    _ => f.label.clone(),
                };
                (f.id.clone(), label, f.from, f.section.clone())
            })
            .collect();
        v.sort_by_key(|(_, _, from, _)| *from != From::Clerk);
        v
    }
}

impl App {
    /// The forms of this desk's counter.
    pub fn counter_forms(&self) -> Vec<Form> {
        let Some(counter) = self.settings.counter_mode.forms_counter() else { return Vec::new() };
        forms::catalogue().unwrap_or_default().into_iter().filter(|f| f.counter == counter).collect()
    }

    fn person_from_checkin(&self) -> Option<FormPerson> {
        let c = self.checkin.as_ref()?;
        Some(FormPerson {
            dg13: c.report.person.clone(),
            status: c.status(),
            overridden: false,
            override_reason: None,
            answered: false,
            address_choice: c.address_choice.clone(),
        })
    }

    /// The clerk picked a form: the card on screen is its first person; the consent question
    /// opens for that person's chip fields.
    pub fn start_form(&mut self, slug: &str) {
        let Ok(form) = forms::find(slug) else { return };
        let mut people = vec![None; form.people.len()];
        if let Some(first) = people.first_mut() {
            *first = self.person_from_checkin();
        }
        let mut typed = BTreeMap::new();
        // The site's commune of today gives the default addressee and place.
        let site = cancuoc_bridge::address::site_commune(&self.settings.site_commune);
        let or_site = |set: &str, from_site: &dyn Fn(&str) -> String| {
            if !set.trim().is_empty() {
                return set.to_string();
            }
            site.as_ref().map(|c| from_site(&c.name)).unwrap_or_default()
        };
        for f in form.fields.iter().filter(|f| f.from == From::Clerk) {
            let v = match f.id.as_str() {
                "kinh_gui" => {
                    let set = match form.counter {
                        forms::Counter::CommunePolice => &self.settings.police_office_name,
                        forms::Counter::WardCommittee => &self.settings.office_name,
                    };
                    or_site(set, &|c| form.counter.addressee(c))
                }
                "lam_tai" => or_site(&self.settings.office_place, &cancuoc_bridge::address::in_sentence),
                _ => String::new(),
            };
            typed.insert(f.id.clone(), v);
        }
        self.form = Some(FormSession {
            form,
            people,
            consented: BTreeSet::new(),
            typed,
            asking: None,
            waiting_for: None,
            override_drafts: BTreeMap::new(),
            zoom: 1.0,
        });
        self.ask_form_consent(0);
    }

    fn ask_form_consent(&mut self, person: usize) {
        let Some(s) = &mut self.form else { return };
        let citizen = self.settings.citizen_display != crate::store::CitizenDisplay::Off;
        // The clerk's dialog pre-ticks what the form requires (never a sensitive field); the
        // citizen's screen ticks nothing.
        let defaults = s.form.consent_defaults().into_iter().map(String::from).collect::<Vec<_>>();
        let ticks = s
            .form
            .chip_fields()
            .filter(|f| f.person == person)
            .map(|f| (f.id.clone(), !citizen && defaults.contains(&f.id)))
            .collect::<Vec<_>>();
        if ticks.is_empty() {
            return;
        }
        s.asking = Some(FormConsent {
            person,
            ticks,
            on_citizen_screen: citizen,
            asked_at: std::time::Instant::now(),
            clerk_reason: None,
            reason_draft: String::new(),
        });
    }

    /// The citizen chose today's commune (`code`, one of the candidates) for the card's split
    /// old commune: the check-in and the form use it, and the choice is recorded (the code,
    /// never the address).
    pub fn choose_address(&mut self, code: &str) {
        let Some(c) = self.checkin.as_mut() else { return };
        let known =
            c.report.addresses.place_of_residence.as_ref().is_some_and(|l| l.candidates.iter().any(|x| x.code == code));
        if !known {
            return;
        }
        c.address_choice = Some(code.to_string());
        if let Some(s) = self.form.as_mut()
            && let Some(Some(p)) = s.people.first_mut()
        {
            p.address_choice = Some(code.to_string());
        }
        self.form_audit("address_choice", &["place_of_residence".to_string()], format!("commune of today {code}"));
    }

    fn form_audit(&self, action: &str, fields: &[String], detail: String) {
        let checkin = self.checkin.as_ref().and_then(|c| c.saved.flatten());
        let _ = self.store.audit(&AuditRow {
            at: now_ts(),
            clerk: self.settings.clerk_name.clone(),
            action: action.into(),
            purpose: Some("form".into()),
            fields: fields.join(","),
            checkin,
            detail,
        });
    }

    /// The citizen answered the consent question: the ticked fields may be filled; the answer is
    /// audited with the form and the field names (ticked and not).
    pub fn answer_form_consent(&mut self, agreed: bool) {
        let Some(s) = &mut self.form else { return };
        let Some(ask) = s.asking.take() else { return };
        let method = match (&ask.clerk_reason, ask.on_citizen_screen) {
            (Some(r), _) => format!("clerk_recorded:{}", r.trim()),
            (None, true) => "citizen_screen".to_string(),
            (None, false) => "clerk_recorded:spoken answer at the counter".to_string(),
        };
        let role = s.form.people.get(ask.person).cloned().unwrap_or_default();
        let given: Vec<String> = if agreed {
            ask.ticks.iter().filter(|(_, on)| *on).map(|(id, _)| id.clone()).collect()
        } else {
            Vec::new()
        };
        let refused: Vec<String> =
            ask.ticks.iter().map(|(id, _)| id.clone()).filter(|id| !given.contains(id)).collect();
        s.consented.extend(given.iter().cloned());
        if let Some(Some(p)) = s.people.get_mut(ask.person) {
            p.answered = true;
        }
        let code = s.form.code.clone();
        let recipient =
            s.typed.get("kinh_gui").filter(|v| !v.trim().is_empty()).cloned().unwrap_or_else(|| code.clone());
        let id_number = s.people.get(ask.person).and_then(|p| p.as_ref()).and_then(|p| p.dg13.id_number.clone());
        let detail = format!("{code}; {role}; refused: {}", refused.join(","));
        self.form_audit(if agreed { "form_consent" } else { "form_refused" }, &given, detail);
        // The consent record: per form and person, the fields the answer covers.
        if let Some(id) = id_number
            && let Ok(subject) = self.store.subject(&id)
        {
            let fields: Vec<String> =
                if agreed { given.clone() } else { ask.ticks.iter().map(|(i, _)| i.clone()).collect() };
            let notice = format!("{code} — {role}: {}", fields.join(","));
            let _ = self.store.record_consent(&cancuoc_bridge::store::ConsentRecord {
                at: now_ts(),
                subject,
                purpose: format!("form:{code}"),
                recipient,
                fields: fields.join(","),
                notice_sha256: cancuoc_bridge::privacy::notice_sha256(&notice),
                method,
                answer: if agreed { "agreed".into() } else { "refused".into() },
                site: self.settings.site_id.clone(),
                counter: crate::store::host_name(),
                clerk: self.settings.clerk_name.clone(),
                checkin: self.checkin.as_ref().and_then(|c| c.saved.flatten()),
                withdrawn_at: None,
            });
        }
        if !agreed {
            let t = self.tr();
            self.notice(t.form_refused_note, false);
        }
    }

    /// The citizen's screen was not answered in time: nothing is filled, no answer recorded.
    pub fn form_consent_timed_out(&mut self) {
        let Some(s) = &mut self.form else { return };
        if s.asking.take().is_none() {
            return;
        }
        let code = s.form.code.clone();
        self.form_audit("form_consent_timeout", &[], code);
        let t = self.tr();
        self.notice(t.consent_timeout, false);
    }

    /// The clerk cancels the form's question (nothing filled, nothing recorded as an answer).
    pub fn cancel_form_consent(&mut self) {
        if let Some(s) = &mut self.form
            && s.asking.take().is_some()
        {
            let t = self.tr();
            self.notice(t.consent_closed, false);
        }
    }

    /// The clerk fills from a card that is not verified anyway: audited with its verdict.
    pub fn override_form(&mut self, person: usize) {
        let Some(s) = &mut self.form else { return };
        let reason = s.override_drafts.get(&person).map(|r| r.trim().to_string()).unwrap_or_default();
        if reason.is_empty() {
            return;
        }
        let Some(Some(p)) = s.people.get_mut(person) else { return };
        p.overridden = true;
        p.override_reason = Some(reason.clone());
        let role = s.form.people.get(person).map_or("", String::as_str);
        let detail = format!("{}; {role}; verdict {}; reason: {reason}", s.form.code, p.status.key());
        self.form_audit("form_override", &[], detail);
    }

    /// Reads the next person's card into the form: back to the key entry, the form kept.
    pub fn read_form_person(&mut self, person: usize) {
        if let Some(s) = &mut self.form {
            s.waiting_for = Some(person);
        }
        if let Some(c) = self.checkin.take() {
            self.form_return = Some((c, self.photo_texture.take()));
        }
        self.next_person_keep_form();
    }

    /// The clerk goes back to the form without reading the other card: the card on screen
    /// before is shown again, the form as it was.
    pub fn back_to_form(&mut self) {
        let Some((c, photo)) = self.form_return.take() else { return };
        if let Some(s) = &mut self.form {
            s.waiting_for = None;
        }
        self.checkin = Some(c);
        self.photo_texture = photo;
        self.phase = Phase::Result;
    }

    /// Whose card the form waits for, and the form: (role, "code — name").
    pub fn form_waiting_for(&self) -> Option<(String, String)> {
        let s = self.form.as_ref()?;
        let i = s.waiting_for?;
        Some((s.form.people.get(i).cloned().unwrap_or_default(), format!("{} — {}", s.form.code, s.form.name_vi)))
    }

    /// The form's warnings in the clerk's words (age, sex, a spouse on the chip).
    pub fn form_warnings(&self) -> Vec<String> {
        let Some(s) = &self.form else { return Vec::new() };
        let t = self.tr();
        let cards: Vec<Option<&Dg13>> = s.people.iter().map(|p| p.as_ref().map(|p| &p.dg13)).collect();
        let Some(today) = forms::today() else { return Vec::new() };
        let role = |i: usize| s.form.people.get(i).cloned().unwrap_or_default();
        s.form
            .warnings(&cards, today)
            .into_iter()
            .map(|w| match w {
                forms::Warning::Age { person, age, min, basis } => t
                    .form_warn_age
                    .replace("{role}", &role(person))
                    .replace("{age}", &age.to_string())
                    .replace("{min}", &min.to_string())
                    .replace("{basis}", &basis),
                forms::Warning::Sex { person, chip, .. } => {
                    t.form_warn_sex.replace("{role}", &role(person)).replace("{sex}", &chip)
                }
                forms::Warning::Spouse { person, name } => {
                    t.form_warn_spouse.replace("{role}", &role(person)).replace("{name}", &name)
                }
            })
            .collect()
    }

    /// A read finished while the form waited for a person's card.
    pub(super) fn form_card_read(&mut self) {
        let person = self.person_from_checkin();
        let Some(s) = &mut self.form else { return };
        let Some(i) = s.waiting_for.take() else { return };
        if let Some(slot) = s.people.get_mut(i) {
            *slot = person;
        }
        self.form_return = None;
        self.ask_form_consent(i);
    }

    fn filled_fields(&self) -> Vec<String> {
        let Some(s) = &self.form else { return Vec::new() };
        let values = s.values();
        s.form.chip_fields().filter(|f| values.contains_key(&f.id)).map(|f| f.id.clone()).collect()
    }

    /// The filled form as PDF bytes; the error in the clerk's words.
    pub fn form_pdf(&self) -> Result<Vec<u8>, String> {
        let s = self.form.as_ref().ok_or("no form")?;
        s.form.pdf(&s.values(), forms::today()).map_err(|e| cancuoc_bridge::problems::form_problem(&e, self.lang()))
    }

    /// Prints through the print command (`lp` by default, to the printer chosen in settings);
    /// the PDF goes to its standard input and is not written anywhere here.
    pub fn print_form(&mut self) {
        let t = self.tr();
        let Some(code) = self.form.as_ref().map(|s| s.form.code.clone()) else { return };
        let Some(slug) = self.form.as_ref().map(|s| s.form.slug.clone()) else { return };
        let name = format!("{slug}-{}.pdf", chrono::Local::now().format("%Y%m%d-%H%M%S"));
        let audit = ("form_print".into(), Some("form".into()), self.filled_fields().join(","), code.clone());
        let saved = self.checkin.as_ref().and_then(|c| c.saved.flatten());
        let result = self.form_pdf().and_then(|pdf| self.print_doc(name, pdf, audit, saved, AfterPrint::Nothing));
        match result {
            Ok(super::printing::Printed::Saving) => {}
            Ok(super::printing::Printed::Done) => self.notice(t.form_printed, true),
            Err(e) => self.notice(e, false),
        }
    }

    /// Saves the PDF in the export folder (owner-only), for systems that take an upload.
    pub fn save_form_pdf(&mut self) {
        let t = self.tr();
        let Some((code, slug)) = self.form.as_ref().map(|s| (s.form.code.clone(), s.form.slug.clone())) else { return };
        let file = format!("{slug}-{}.pdf", chrono::Local::now().format("%Y%m%d-%H%M%S"));
        match self.form_pdf() {
            Ok(pdf) => {
                let fields = self.filled_fields().join(",");
                self.ask_where(file, pdf, ("form_save".into(), Some("form".into()), fields, code), t.form_saved);
            }
            Err(e) => self.notice(e, false),
        }
    }

    pub fn close_form(&mut self) {
        self.form = None;
        self.form_return = None;
    }
}
