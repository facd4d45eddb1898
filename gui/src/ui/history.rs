//! History: the saved visits (search, reprint, cancel) and the audit log, with the retention
//! rule stated.

use crate::i18n::LangExt;
use cancuoc_bridge::Status;
use eframe::egui::{self, RichText};

use super::{RED, bold};
use crate::app::{App, format_ts, now_ts};
use crate::store::{CheckinRow, Location};

/// A cell that wraps at `w` points instead of pushing the table off the window.
fn cell(ui: &mut egui::Ui, w: f32, text: &str) {
    ui.vertical(|ui| {
        ui.set_max_width(w);
        ui.add(egui::Label::new(text).wrap());
    });
}

pub fn show(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    let (title, empty) = if app.office() {
        (t.history_title_office, t.history_empty_office)
    } else {
        (t.history_title, t.history_empty)
    };
    ui.heading(title);
    let days = app.settings.retention_days;
    ui.label(format!(
        "{} {days} {}",
        t.retention_note,
        if app.lang() == crate::i18n::Lang::Vi { "ngày" } else { "days" }
    ));
    match app.store.location() {
        Location::Memory => {
            ui.label(RichText::new(t.demo_memory_note).italics());
        }
        Location::Site { server, counter } => {
            ui.label(format!("{} {server} · {} {counter}", t.site_db_note, t.col_counter));
        }
        Location::File(_) => {}
    }
    let pending = app.store.pending_audit();
    if pending > 0 {
        ui.label(RichText::new(format!("{}: {pending}", t.audit_pending)).color(egui::Color32::from_rgb(160, 90, 0)));
    }
    ui.horizontal_wrapped(|ui| {
        let l = ui.label(RichText::new(t.history_search).size(16.0 * k));
        ui.add(
            egui::TextEdit::singleline(&mut app.history_query)
                .desired_width(320.0 * k)
                .font(egui::FontId::proportional(18.0 * k)),
        )
        .labelled_by(l.id);
        if ui.button(t.purge_now).clicked() {
            app.notice = Some(match app.store.purge_now(now_ts(), &app.settings) {
                Ok(n) => crate::app::Notice { text: format!("{}: {n}", t.purged), good: true },
                Err(crate::store::StoreError::PurgeBusy) => {
                    crate::app::Notice { text: t.purge_busy.into(), good: false }
                }
                Err(e) => {
                    crate::app::Notice { text: cancuoc_bridge::problems::store_problem(&e, app.lang()), good: false }
                }
            });
        }
    });
    let rows = match app.history_rows() {
        Ok(r) => r,
        Err(e) => {
            ui.label(RichText::new(cancuoc_bridge::problems::store_problem(&e, app.lang())).color(RED));
            Vec::new()
        }
    };
    // A hospital's visits carry the insurance result; a ward's or police counter's do not.
    let hospital = !app.office();
    let mut reprint: Option<CheckinRow> = None;
    let mut cancel: Option<CheckinRow> = None;
    if rows.is_empty() {
        ui.label(if app.history_query.trim().is_empty() { empty } else { t.history_none_found });
    } else {
        let cols = if hospital { 8 } else { 7 };
        // The row's actions first, so they are on screen however wide the row; a row wider than
        // the window scrolls sideways.
        egui::ScrollArea::horizontal().id_salt("checkins-scroll").show(ui, |ui| {
            egui::Grid::new("checkins").striped(true).num_columns(cols).spacing([12.0, 6.0]).show(ui, |ui| {
                let mut heads = vec!["", t.queue_no, t.col_time, t.f_full_name, t.f_id_number, t.f_verdict];
                if hospital {
                    heads.push(t.f_bhyt);
                }
                heads.push(t.f_service);
                for h in heads {
                    ui.label(bold(h, 15.0 * k));
                }
                ui.end_row();
                for r in &rows {
                    ui.horizontal(|ui| {
                        if ui.button(t.reprint).clicked() {
                            reprint = Some(r.clone());
                        }
                        if ui.button(t.cancel_visit).clicked() {
                            cancel = Some(r.clone());
                        }
                    });
                    ui.label(r.queue_no.map(|q| q.to_string()).unwrap_or_default());
                    ui.label(format_ts(r.at));
                    cell(ui, 200.0 * k, r.full_name.as_deref().unwrap_or_default());
                    // The 12 digits on one line, however large the text.
                    ui.add(egui::Label::new(r.id_number.clone().unwrap_or_default()).extend());
                    // The stored key, shown in the clerk's language.
                    match Status::from_key(&r.verdict) {
                        Some(s) => cell(ui, 150.0 * k, s.headline(app.lang().words())),
                        None => cell(ui, 150.0 * k, &r.verdict),
                    };
                    if hospital {
                        cell(ui, 230.0 * k, &r.bhyt);
                    }
                    let service =
                        if r.reason.is_empty() { r.service.clone() } else { format!("{}: {}", r.service, r.reason) };
                    cell(ui, 180.0 * k, &service);
                    ui.end_row();
                }
            });
        });
    }
    if let Some(r) = reprint {
        app.reprint(&r);
    }
    if let Some(r) = cancel {
        app.cancelling = Some((r, String::new()));
    }
    ui.add_space(12.0);
    ui.heading(t.audit_title);
    egui::Grid::new("audit").striped(true).num_columns(5).spacing([14.0, 4.0]).show(ui, |ui| {
        for h in [t.col_time, t.col_clerk, t.col_action, t.col_purpose, t.col_fields] {
            ui.label(bold(h, 15.0 * k));
        }
        ui.end_row();
        // The log stores stable keys; the clerk reads words.
        let english = app.lang() == crate::i18n::Lang::En;
        for a in app.store.audit_log(200).unwrap_or_default() {
            ui.label(format_ts(a.at));
            ui.label(a.clerk);
            ui.label(crate::i18n::audit_word(&a.action, english));
            ui.label(a.purpose.as_deref().map(|p| crate::i18n::audit_word(p, english)).unwrap_or_default());
            let fields: Vec<String> =
                a.fields.split(',').filter(|f| !f.is_empty()).map(|f| crate::i18n::audit_word(f, english)).collect();
            cell(ui, 420.0 * k, &fields.join(", "));
            ui.end_row();
        }
    });
}

/// The cancel dialog: what cancelling does, the reason (required), cancel or back. Esc is back.
pub fn cancel_dialog(app: &mut App, ctx: &egui::Context, k: f32) {
    if app.cancelling.is_none() {
        return;
    }
    let t = app.tr();
    let mut confirm = false;
    let mut back = ctx.input(|i| i.key_pressed(egui::Key::Escape));
    egui::Modal::new(egui::Id::unique("cancel_visit")).show(ctx, |ui| {
        let Some((row, reason)) = &mut app.cancelling else { return };
        ui.set_width(600.0 * k);
        ui.heading(t.cancel_visit_title);
        let who = format!(
            "{} {} · {} · {}",
            t.queue_no,
            row.queue_no.map(|q| q.to_string()).unwrap_or_default(),
            format_ts(row.at),
            row.full_name.as_deref().unwrap_or_default()
        );
        ui.label(bold(who, 17.0 * k));
        ui.add(egui::Label::new(RichText::new(t.cancel_visit_body).size(15.0 * k)).wrap());
        let l = ui.label(RichText::new(t.cancel_visit_reason).size(16.0 * k));
        let edit = ui.add(egui::TextEdit::singleline(reason).desired_width(540.0 * k)).labelled_by(l.id);
        if !edit.has_focus() && reason.is_empty() {
            edit.request_focus();
        }
        let ready = !reason.trim().is_empty();
        ui.horizontal(|ui| {
            confirm = ui.add_enabled(ready, egui::Button::new(bold(t.cancel_visit_ok, 18.0 * k).color(RED))).clicked();
            if ui.button(RichText::new(t.cancel_visit_back).size(17.0 * k)).clicked() {
                back = true;
            }
        });
    });
    if confirm {
        app.confirm_cancel_visit();
    } else if back {
        app.cancelling = None;
    }
}
