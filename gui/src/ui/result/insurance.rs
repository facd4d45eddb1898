//! The insurance (BHYT) panel: the check's state, the insurer's answer with what to do, the card
//! valid today and the registered facility.

use eframe::egui::{self, RichText};

use super::super::{AMBER, AMBER_TEXT, GREEN, RED, bold};
use crate::app::{Action, App};
use crate::checkin::BhytState;
use crate::i18n::LangExt;
use cancuoc_bridge::Status;
use cancuoc_bridge::his::bhyt::{self, Eligibility};

pub(super) fn insurance(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    let lang = app.lang();
    let Some(c) = &app.checkin else { return };
    ui.label(bold(t.bhyt_title, 19.0 * k));
    let mut check = false;
    let mut history = false;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        match &c.bhyt {
            BhytState::Done(r) => {
                let (colour, head) = match r.eligibility {
                    Eligibility::Valid => (GREEN, t.bhyt_valid),
                    Eligibility::Expired => (RED, t.bhyt_expired),
                    Eligibility::Invalid => (RED, t.bhyt_invalid),
                };
                let info = bhyt::code(&r.code);
                let words = lang.words();
                ui.label(bold(head, 20.0 * k).color(colour));
                ui.label(format!("{} {} — {}", t.bhyt_code, r.code, info.meaning(words)));
                // The insurer's advice assumes the chip is right: for a card that is not verified
                // it is not (the chip's data cannot be trusted to correct anyone's record).
                if c.status() == Status::Verified {
                    ui.label(RichText::new(info.todo(words)).size(16.0 * k));
                } else {
                    ui.label(RichText::new(t.bhyt_unverified_advice).size(16.0 * k).color(RED));
                }
                // The gateway's own note, always.
                if let Some(n) = &r.note {
                    ui.label(format!("{}: {n}", t.bhyt_note));
                }
                if r.previous_card.is_some() {
                    ui.label(bold(t.bhyt_new_card, 17.0 * k));
                }
                card(ui, app, &r.card, k);
                if let Some(p) = &r.previous_card {
                    ui.label(bold(t.bhyt_old_card, 17.0 * k));
                    card(ui, app, p, k);
                }
                if r.birth_year_only {
                    ui.label(RichText::new(t.bhyt_year_only).color(AMBER));
                }
                if !r.differences.is_empty() {
                    ui.label(bold(t.bhyt_differs, 17.0 * k).color(RED));
                    egui::Grid::new("bhyt-differences").num_columns(3).show(ui, |ui| {
                        for h in ["", t.bhyt_chip, t.bhyt_insurer] {
                            ui.label(bold(h, 15.0 * k));
                        }
                        ui.end_row();
                        for d in &r.differences {
                            let what = match d.field {
                                "full_name" => t.f_full_name,
                                "date_of_birth" => t.f_date_of_birth,
                                _ => t.f_sex,
                            };
                            ui.label(what);
                            ui.label(&d.chip);
                            ui.label(RichText::new(&d.insurer).color(RED));
                            ui.end_row();
                        }
                    });
                }
            }
            BhytState::Checking => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(t.bhyt_checking);
                });
            }
            BhytState::NotChecked(reason) => {
                ui.label(bold(t.bhyt_not_checked, 18.0 * k).color(AMBER));
                if let Some(r) = reason {
                    ui.label(RichText::new(bhyt::not_checked_message(r, lang.words())).color(RED));
                }
            }
        }
        if !matches!(c.bhyt, BhytState::Checking) {
            check = ui.button(RichText::new(t.bhyt_check).size(18.0 * k)).clicked();
        }
        // The visit history: on request only, under its own consent.
        match &c.history {
            Some(Ok(h)) => {
                ui.label(bold(t.bhyt_history_title, 17.0 * k));
                if h.visits.is_empty() {
                    ui.label(t.bhyt_history_none);
                }
                for v in &h.visits {
                    let when = v.admitted.as_deref().map(stamp).unwrap_or_default();
                    ui.label(format!(
                        "{when} · {} · {} — {}",
                        v.facility.as_deref().unwrap_or("?"),
                        v.diagnosis.as_deref().unwrap_or(""),
                        v.outcome.as_deref().unwrap_or("")
                    ));
                }
            }
            Some(Err(n)) => {
                ui.label(RichText::new(bhyt::not_checked_message(n, lang.words())).color(RED));
            }
            None => {}
        }
        if matches!(c.bhyt, BhytState::Done(_)) && !matches!(c.history, Some(Ok(_))) {
            history = ui.button(RichText::new(t.bhyt_history_button).size(16.0 * k)).clicked();
        }
    });
    if check {
        app.request(Action::Bhyt);
    }
    if history {
        app.request(Action::History);
    }
}

/// `yyyyMMddHHmm` → `dd/mm/yyyy HH:mm` (as given when it is not such a stamp).
pub(super) fn stamp(s: &str) -> String {
    match (s.get(0..4), s.get(4..6), s.get(6..8), s.get(8..10), s.get(10..12)) {
        (Some(y), Some(m), Some(d), Some(h), Some(min)) if s.len() == 12 => format!("{d}/{m}/{y} {h}:{min}"),
        _ => s.to_string(),
    }
}

/// One insurance card: number, benefit level, validity, registered facility (its name and
/// whether it is this site), each with where it comes from.
pub(super) fn card(ui: &mut egui::Ui, app: &App, c: &bhyt::Card, k: f32) {
    let t = app.tr();
    let lang = app.lang();
    if let Some(n) = &c.number {
        ui.label(format!("{}: {n}", t.bhyt_card_number));
        if let Some(l) = bhyt::benefit_level(n) {
            let text =
                format!("{}: {} — {} ({})", t.bhyt_benefit, l.code, l.words(lang.words()), t.bhyt_benefit_source);
            ui.add(egui::Label::new(RichText::new(text).size(16.0 * k)).wrap());
        }
    }
    if let (Some(a), Some(b)) = (&c.valid_from, &c.valid_to) {
        ui.label(format!("{}: {a} – {b}", t.bhyt_period));
    }
    if let Some(f) = &c.facility {
        let site_code = &app.settings.site_id;
        let named = bhyt::facility_name(c, site_code, &app.site_name(), &app.facility_names);
        let name = match &named {
            Some((n, bhyt::NameSource::Gateway)) => format!("{n} ({})", t.bhyt_name_gateway),
            Some((n, bhyt::NameSource::ThisSite)) => format!("{n} ({})", t.bhyt_name_site),
            Some((n, bhyt::NameSource::SiteTable)) => format!("{n} ({})", t.bhyt_name_table),
            None => format!("({})", t.bhyt_name_unknown),
        };
        ui.add(egui::Label::new(format!("{}: {f} — {name}", t.bhyt_facility)).wrap());
        match bhyt::registered_here(c, site_code) {
            Some(true) => {
                ui.label(bold(t.bhyt_here, 16.0 * k).color(GREEN));
            }
            Some(false) => {
                ui.add(egui::Label::new(bold(t.bhyt_elsewhere, 16.0 * k).color(AMBER_TEXT)).wrap());
            }
            None => {}
        }
    }
    if let Some(a) = &c.area {
        ui.label(format!("{}: {a}", t.bhyt_area));
    }
    if let Some(d) = &c.five_years {
        ui.label(format!("{}: {d}", t.bhyt_five_years));
    }
}
