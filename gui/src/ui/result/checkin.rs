//! The check-in form: the fields that will be saved or sent, the service and the reason, and the
//! override of an unverified card with its reason.

use eframe::egui::{self, RichText};

use super::super::{RED, bold};
use crate::app::App;
use cancuoc_bridge::Status;

pub(super) fn form(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let mut chosen: Option<String> = None;
    let mut override_now = false;
    form_rows(app, ui, k, &mut chosen, &mut override_now);
    if let Some(code) = chosen {
        app.choose_address(&code);
    }
    if override_now {
        app.override_checkin();
    }
}

pub(super) fn form_rows(
    app: &mut App,
    ui: &mut egui::Ui,
    k: f32,
    chosen: &mut Option<String>,
    override_now: &mut bool,
) {
    let t = app.tr();
    let lang = app.lang();
    let Some(c) = &mut app.checkin else { return };
    ui.label(bold(t.form_title, 22.0 * k));
    if c.status() != Status::Verified {
        ui.label(bold(t.not_verified_warning, 16.0 * k).color(RED));
        match &c.override_reason {
            Some(r) => {
                ui.label(RichText::new(format!("{}: {r}", t.override_printed)).size(15.0 * k).color(RED));
            }
            None => {
                // One rule at every counter: shown for comparison; filled, checked or sent only
                // on the clerk's override with a reason.
                ui.label(RichText::new(t.unverified_rule).size(15.0 * k));
                ui.horizontal(|ui| {
                    let l = ui.label(t.override_reason);
                    ui.add(egui::TextEdit::singleline(&mut c.override_draft).desired_width(300.0 * k))
                        .labelled_by(l.id);
                });
                let ready = !c.override_draft.trim().is_empty();
                if ui
                    .add_enabled(ready, egui::Button::new(RichText::new(t.override_use).size(15.0 * k).color(RED)))
                    .clicked()
                {
                    *override_now = true;
                }
            }
        }
    }
    let big = 22.0 * k;
    // The address under the label this card's generation prints ("nơi cư trú" on 2024 cards).
    let person = &c.report.person;
    let address_label = cancuoc_core::lds::dg13::field_info("place_of_residence")
        .map_or(t.f_place_of_residence, |f| person.label(f, lang == crate::i18n::Lang::En));
    egui::Grid::new("form").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
        use crate::consent::Field as F;
        for (label, f) in [
            (t.f_full_name, F::FullName),
            (t.f_date_of_birth, F::DateOfBirth),
            (t.f_sex, F::Sex),
            (t.f_id_number, F::IdNumber),
            (address_label, F::Address),
        ] {
            ui.label(RichText::new(label).size(16.0 * k));
            let needs_choice = f == F::Address
                && c.address_choice.is_none()
                && c.report
                    .addresses
                    .place_of_residence
                    .as_ref()
                    .is_some_and(|l| l.status == cancuoc_bridge::address::Status::Ambiguous);
            if needs_choice {
                // The card's old commune was split: the clerk asks the citizen here, where the
                // form is filled (the same buttons as beside the chip's address).
                ui.vertical(|ui| {
                    ui.add(egui::Label::new(bold(c.value(f, lang).unwrap_or_default(), big)).wrap());
                    if let Some(l) = &c.report.addresses.place_of_residence {
                        super::chip::today_units_value(ui, t, l, None, true, k, chosen);
                    }
                });
            } else if c.usable() {
                ui.add(egui::Label::new(bold(c.value(f, lang).unwrap_or_default(), big)).wrap());
            } else {
                // Not verified and not overridden: shown for comparison, not filled in.
                ui.add(
                    egui::Label::new(RichText::new(c.value(f, lang).unwrap_or_default()).size(16.0 * k).weak()).wrap(),
                );
            }
            ui.end_row();
        }
        let l = ui.label(RichText::new(t.f_service).size(16.0 * k));
        egui::ComboBox::from_id_salt("service")
            .selected_text(RichText::new(t.services.get(c.service).copied().unwrap_or_default()).size(18.0 * k))
            .show_ui(ui, |ui| {
                for (i, s) in t.services.iter().enumerate() {
                    ui.selectable_value(&mut c.service, i, *s);
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        let l = ui.label(RichText::new(t.f_reason).size(16.0 * k));
        ui.add(
            egui::TextEdit::singleline(&mut c.reason)
                .desired_width(380.0 * k)
                .font(egui::FontId::proportional(20.0 * k)),
        )
        .labelled_by(l.id);
        ui.end_row();
    });
}
