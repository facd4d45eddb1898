//! The result: the verdict (green only when every check passed, amber for an unknown signer,
//! red naming the failed check), the photo and the chip's data, and the check-in form with the
//! insurance check and the ways to send it on.

use crate::i18n::LangExt;
use cancuoc_bridge::Status;
use cancuoc_bridge::words;
use eframe::egui::{self, Color32, RichText};

use super::{AMBER, GREEN, INK, RED, bold};

mod checkin;
mod chip;
mod insurance;
use crate::app::{Action, App};

pub fn show(app: &mut App, ui: &mut egui::Ui, k: f32) {
    verdict(app, ui, k);
    ui.add_space(6.0);
    if app.settings.counter_mode != crate::store::CounterMode::Hospital {
        // A ward or police counter: the chip's data beside the counter's forms; no hospital
        // check-in, no insurance.
        let avail = ui.available_width();
        let left = (avail * 0.36).clamp(340.0, 520.0);
        ui.horizontal_top(|ui| {
            ui.allocate_ui_with_layout(egui::vec2(left, 0.0), egui::Layout::top_down(egui::Align::Min), |ui| {
                ui.set_width(left);
                chip::chip_data(app, ui, k);
            });
            ui.separator();
            ui.vertical(|ui| super::forms::panel(app, ui, k));
        });
        technical(app, ui);
        return;
    }
    // Three columns at 1366 px: the chip's data with the photo, the form, the insurance check.
    // Narrower windows (or large text) put the insurance check under the form.
    let avail = ui.available_width();
    let three = avail >= 1200.0 && k < 1.2;
    let left = if three { avail * 0.33 } else { (avail * 0.42).clamp(360.0, 620.0) };
    let middle = if three { avail * 0.36 } else { avail - left - 30.0 };
    ui.horizontal_top(|ui| {
        ui.allocate_ui_with_layout(egui::vec2(left, 0.0), egui::Layout::top_down(egui::Align::Min), |ui| {
            ui.set_width(left);
            chip::chip_data(app, ui, k);
        });
        ui.separator();
        ui.allocate_ui_with_layout(egui::vec2(middle, 0.0), egui::Layout::top_down(egui::Align::Min), |ui| {
            ui.set_width(middle);
            checkin::form(app, ui, k);
            if !three {
                ui.add_space(6.0);
                insurance::insurance(app, ui, k);
            }
        });
        if three {
            ui.separator();
            ui.vertical(|ui| insurance::insurance(app, ui, k));
        }
    });
    technical(app, ui);
}

fn verdict(app: &App, ui: &mut egui::Ui, k: f32) {
    let Some(c) = &app.checkin else { return };
    // The wording is the bridge's (the same the CLI prints); the colours are the app's.
    let (lang, status) = (app.lang().words(), c.status());
    let (fill, text_colour) = match status {
        Status::Verified => (GREEN, Color32::WHITE),
        Status::SignerUntrusted | Status::NotChecked => (AMBER, INK),
        Status::NotVerified => (RED, Color32::WHITE),
    };
    let head = status.headline(lang);
    let detail = match status {
        Status::Verified | Status::SignerUntrusted => status.detail(lang).to_string(),
        Status::NotChecked | Status::NotVerified => {
            let what: Vec<String> = c.failures.iter().map(|f| words::failure(f, lang)).collect();
            format!("{} {}", status.detail(lang), what.join("; "))
        }
    };
    egui::Frame::new().fill(fill).inner_margin(egui::Margin::symmetric(16, 10)).corner_radius(6.0).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            // A shape as well as a colour, so the verdict does not rest on colour vision alone.
            let (rect, _) = ui.allocate_exact_size(egui::vec2(40.0 * k, 40.0 * k), egui::Sense::hover());
            symbol(ui.painter(), rect, c.status(), text_colour);
            ui.label(bold(head, 32.0 * k).color(text_colour));
        });
        ui.label(RichText::new(detail).size(19.0 * k).color(text_colour));
    });
}

fn technical(app: &App, ui: &mut egui::Ui) {
    use cancuoc_core::verdict::{
        ActiveAuthStatus as Aa, ChainStatus as Ch, HashStatus as H, SessionAccess as Sa, SignatureStatus as Sig,
    };
    let t = app.tr();
    let lang = app.lang();
    let Some(c) = &app.checkin else { return };
    ui.add_space(6.0);
    // What was checked, as a table in the clerk's words (no program text).
    ui.collapsing(t.technical_details, |ui| {
        let yes_no = |ok: bool| if ok { t.tech_ok } else { t.tech_failed };
        let checks = &c.report.checks;
        let mut rows: Vec<(&str, String)> = Vec::new();
        if let Some(access) = &checks.access {
            let how = match access {
                Sa::Bac => t.tech_bac.to_string(),
                Sa::BacAfterPace { .. } => t.tech_bac_after_pace.to_string(),
                Sa::Pace { curve, password, .. } => {
                    let pw = match password {
                        cancuoc_core::access::PasswordKind::Can => t.tech_by_id_number,
                        cancuoc_core::access::PasswordKind::Mrz => t.tech_by_mrz,
                    };
                    format!("PACE ({curve}), {pw}")
                }
            };
            rows.push((t.secured_by, how));
        }
        let matched = checks.data_groups.iter().filter(|d| d.status == H::Match).count();
        rows.push((t.tech_data_groups, format!("{matched}/{} {}", checks.data_groups.len(), t.tech_match)));
        rows.push((t.tech_signature, yes_no(matches!(checks.sod_signature, Sig::Valid)).to_string()));
        let chain = match &checks.certificate_chain {
            Ch::Valid => t.tech_ok,
            Ch::CscaUnknown => t.tech_issuer_unknown,
            _ => t.tech_failed,
        };
        rows.push((t.tech_chain, chain.to_string()));
        let aa = match &checks.active_authentication {
            Aa::Passed => t.tech_ok,
            Aa::Failed(_) => t.tech_failed,
            Aa::NotSupported => t.tech_not_supported,
            _ => t.tech_not_done,
        };
        rows.push((t.tech_active_auth, aa.to_string()));
        for f in &c.report.failures {
            rows.push((t.tech_problem, cancuoc_bridge::words::failure(&f.failure, lang.words())));
        }
        // Fields nobody has named yet: as they are, never given a meaning.
        let unnamed: Vec<(String, String)> = c
            .report
            .person
            .other_fields
            .iter()
            .map(|f| (format!("{} {} ({})", t.tech_field, f.number, t.tech_unconfirmed), f.values.join(" / ")))
            .collect();
        match &c.evidence {
            Some(Ok(e)) => rows.push((t.evidence_made, format!("SHA-256 {}…", &e.sha256()[..16]))),
            Some(Err(_)) => rows.push((t.evidence_made, t.evidence_none.to_string())),
            None => {}
        }
        if let Some(r) = &c.report.reader {
            rows.push((t.tech_usb_reader, format!("{} — {}", r.port, r.firmware)));
            if r.agrees {
                rows.push((t.tech_usb_reader, t.reader_agrees.to_string()));
            }
        }
        egui::Grid::new("technical").num_columns(2).striped(true).show(ui, |ui| {
            for (label, value) in rows {
                ui.label(RichText::new(label).weak());
                ui.add(egui::Label::new(value).wrap());
                ui.end_row();
            }
            for (label, value) in unnamed {
                ui.label(RichText::new(label).weak());
                ui.add(egui::Label::new(value).wrap());
                ui.end_row();
            }
        });
    });
}

/// ✔ in a circle, ! in a triangle, ✘ in a circle.
fn symbol(p: &egui::Painter, rect: egui::Rect, status: Status, colour: Color32) {
    let c = rect.center();
    let r = rect.width() * 0.45;
    let stroke = egui::Stroke::new(rect.width() * 0.1, colour);
    match status {
        Status::Verified => {
            p.circle_stroke(c, r, stroke);
            p.line_segment([c + egui::vec2(-0.5 * r, 0.0), c + egui::vec2(-0.12 * r, 0.4 * r)], stroke);
            p.line_segment([c + egui::vec2(-0.12 * r, 0.4 * r), c + egui::vec2(0.55 * r, -0.45 * r)], stroke);
        }
        Status::SignerUntrusted | Status::NotChecked => {
            let pts = vec![c + egui::vec2(0.0, -r), c + egui::vec2(r, 0.8 * r), c + egui::vec2(-r, 0.8 * r)];
            p.add(egui::Shape::closed_line(pts, stroke));
            p.line_segment([c + egui::vec2(0.0, -0.4 * r), c + egui::vec2(0.0, 0.25 * r)], stroke);
            p.circle_filled(c + egui::vec2(0.0, 0.55 * r), stroke.width * 0.6, colour);
        }
        Status::NotVerified => {
            p.circle_stroke(c, r, stroke);
            let d = 0.45 * r;
            p.line_segment([c + egui::vec2(-d, -d), c + egui::vec2(d, d)], stroke);
            p.line_segment([c + egui::vec2(-d, d), c + egui::vec2(d, -d)], stroke);
        }
    }
}

/// The actions, in a bar that stays at the bottom of the window.
pub fn actions(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    let mut act = None;
    let mut save = false;
    let mut next = false;
    let mut receipt = false;
    let hospital = app.settings.counter_mode == crate::store::CounterMode::Hospital;
    ui.horizontal_wrapped(|ui| {
        next = ui.button(bold(t.next_person, 18.0 * k)).clicked();
        ui.separator();
        // Every counter saves the visit for its queue number; only a hospital sends on.
        save = ui.button(bold(app.counter_words().2, 18.0 * k)).clicked();
        // The citizen's own receipt: what was read, sent, kept (docs/privacy.md).
        receipt = ui.button(RichText::new(t.print_receipt).size(17.0 * k)).clicked();
        if !hospital {
            return;
        }
        for (a, label) in [
            (Action::His, t.send_his),
            (Action::Copy, t.copy),
            (Action::Print, t.print),
            (Action::Csv, t.export_csv),
            (Action::Fhir, t.export_fhir),
            (Action::Evidence, t.export_evidence),
        ] {
            if ui.button(RichText::new(label).size(17.0 * k)).clicked() {
                act = Some(a);
            }
        }
    });
    if save {
        app.save_checkin();
    }
    if receipt {
        app.print_receipt();
    }
    if let Some(a) = act {
        app.request(a);
    }
    if next {
        app.next_person();
    }
}
