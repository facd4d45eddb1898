//! The first screen: the access key (the ID number, or ID number + dates, or the QR code), then the read
//! with a progress bar per file, and "continue" when the card was taken away.

use eframe::egui::{self, ProgressBar, RichText};

use super::{RED, bold};
use crate::app::{App, KeyMode, Phase};
use crate::i18n::file_label;

fn field(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str, width: f32, k: f32) -> egui::Response {
    let l = ui.label(RichText::new(label).size(17.0 * k));
    ui.add(
        egui::TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(width * k)
            .font(egui::FontId::proportional(24.0 * k)),
    )
    .labelled_by(l.id)
}

pub fn show(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    let lang = app.lang();
    match &app.phase {
        Phase::Reading { files, unplugged, resumed, holder, .. } => {
            ui.add_space(12.0);
            ui.heading(t.reading);
            ui.label(RichText::new(t.hold_still).size(19.0 * k));
            // Who it is, as soon as the chip gave it — marked as not yet checked.
            if let Some((name, id_number)) = holder {
                ui.add_space(6.0);
                ui.label(bold(format!("{name} · {id_number}"), 24.0 * k).color(super::INK));
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(RichText::new(t.verifying).size(18.0 * k).color(super::AMBER_TEXT));
                });
            }
            if *unplugged {
                ui.label(bold(t.unplugged, 18.0 * k).color(RED));
            }
            if *resumed {
                ui.label(RichText::new(t.already_read).size(15.0 * k).italics());
            }
            ui.add_space(8.0);
            egui::Grid::new("progress").num_columns(2).spacing([16.0, 10.0]).show(ui, |ui| {
                for p in files {
                    ui.label(RichText::new(file_label(&p.file.to_string(), lang)).size(17.0 * k));
                    let frac = if p.total == 0 { 0.0 } else { p.done as f32 / p.total as f32 };
                    ui.add(ProgressBar::new(frac).desired_width(420.0 * k).show_percentage());
                    ui.end_row();
                }
            });
            if files.is_empty() {
                ui.label(RichText::new(t.place_card).size(20.0 * k));
                ui.spinner();
            }
            ui.add_space(12.0);
            if ui.button(RichText::new(t.cancel_button).size(18.0 * k)).clicked() {
                app.cancel();
            }
            return;
        }
        Phase::Interrupted { message: _, partial } => {
            let done: Vec<String> = partial.complete.keys().map(|f| file_label(&f.to_string(), lang)).collect();
            ui.add_space(12.0);
            ui.heading(RichText::new(t.removed_title).color(RED));
            ui.label(RichText::new(t.removed_body).size(19.0 * k));
            ui.label(RichText::new(format!("{}: {}", t.already_read, done.join(", "))).size(16.0 * k));
            ui.add_space(8.0);
            let mut go = false;
            let mut restart = false;
            let mut cancel = false;
            ui.horizontal(|ui| {
                go = ui.button(bold(t.continue_button, 20.0 * k)).clicked();
                restart = ui.button(RichText::new(t.restart_button).size(17.0 * k)).clicked();
                cancel = ui.button(RichText::new(t.back_button).size(17.0 * k)).clicked();
            });
            if go {
                app.continue_read();
            } else if restart {
                app.phase = Phase::Entry { error: None };
                app.start_read();
            } else if cancel {
                app.cancel();
            }
            return;
        }
        _ => {}
    }

    ui.add_space(8.0);
    // A form waits for another person's card: whose, for which form, and the way back to it.
    if let Some((role, form)) = app.form_waiting_for() {
        ui.horizontal_wrapped(|ui| {
            ui.label(bold(format!("{} {role} — {form}", t.form_reading_for), 20.0 * k).color(super::INK));
            if app.form_return.is_some() && ui.button(RichText::new(t.form_back).size(18.0 * k)).clicked() {
                app.back_to_form();
            }
        });
        if !matches!(app.phase, Phase::Entry { .. }) {
            return;
        }
        ui.add_space(4.0);
    }
    ui.heading(t.step_key);
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.selectable_value(&mut app.key_mode, KeyMode::IdNumber, RichText::new(t.key_can).size(17.0 * k));
        ui.selectable_value(&mut app.key_mode, KeyMode::Mrz, RichText::new(t.key_mrz).size(17.0 * k));
    });
    ui.add_space(6.0);
    let focus = std::mem::take(&mut app.focus_key_field);
    match app.key_mode {
        KeyMode::IdNumber => {
            let r = field(ui, t.can_label, &mut app.key.id_or_can, "0791 9501 2345", 300.0, k);
            if focus {
                r.request_focus();
            }
            ui.label(RichText::new(t.can_hint).size(14.0 * k).weak());
            if app.opts.demo {
                // The chosen practice card's own number (the 2024 card has another citizen's).
                let id = cancuoc_bridge::demo::persona::persona_for(&app.scenario.variant).id_number;
                ui.label(RichText::new(format!("{} {id}.", t.demo_can)).size(15.0 * k).strong());
            }
        }
        KeyMode::Mrz => {
            egui::Grid::new("mrz").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
                let r = field(ui, t.id_label, &mut app.key.id_number, "0791 9501 2345", 260.0, k);
                if focus {
                    r.request_focus();
                }
                ui.end_row();
                field(ui, t.dob_label, &mut app.key.dob, t.date_hint, 200.0, k);
                ui.end_row();
                field(ui, t.expiry_label, &mut app.key.expiry, t.date_hint, 200.0, k);
                ui.end_row();
                field(ui, t.doc_label, &mut app.key.document_number, "", 200.0, k);
                ui.end_row();
            });
            ui.label(RichText::new(t.doc_hint).size(14.0 * k).weak());
        }
    }
    ui.label(RichText::new(t.qr_hint).size(15.0 * k));
    if let Some(n) = &app.key.note {
        ui.label(RichText::new(n).size(15.0 * k).strong());
    }
    if let Phase::Entry { error: Some(e) } = &app.phase {
        ui.label(bold(e, 18.0 * k).color(RED));
    }
    ui.add_space(8.0);
    if ui.button(bold(t.read_button, 22.0 * k)).clicked() {
        app.start_read();
    }
    if app.opts.demo {
        ui.add_space(18.0);
        ui.separator();
        let l = ui.label(bold(t.scenario, 16.0 * k));
        // The practice cards by group, in the clerk's language (crate::practice).
        use crate::practice::{self, Group};
        ui.horizontal_wrapped(|ui| {
            egui::ComboBox::from_id_salt("variant")
                .selected_text(practice::name(&app.scenario.variant, lang))
                .width(460.0 * k)
                .height(520.0)
                .show_ui(ui, |ui| {
                    for g in Group::ALL {
                        ui.label(bold(g.words(lang), 15.0 * k));
                        for v in practice::of(g) {
                            ui.selectable_value(&mut app.scenario.variant, v.to_string(), practice::name(v, lang));
                        }
                        ui.separator();
                    }
                })
                .response
                .labelled_by(l.id);
            ui.checkbox(&mut app.scenario.remove_mid_read, t.scenario_remove);
        });
    }
}
