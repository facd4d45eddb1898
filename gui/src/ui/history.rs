//! History: the saved check-ins and the audit log, with the retention rule stated.

use crate::i18n::LangExt;
use cancuoc_bridge::Status;
use eframe::egui::{self, RichText};

use super::bold;
use crate::app::{App, format_ts, now_ts};
use crate::store::Location;

pub fn show(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    ui.heading(t.history_title);
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
    if ui.button(t.purge_now).clicked() {
        let n = app.store.purge_now(now_ts(), &app.settings).unwrap_or(0);
        app.notice = Some(crate::app::Notice { text: format!("{}: {n}", t.purged), good: true });
    }
    let rows = match app.store.checkins(200) {
        Ok(r) => r,
        Err(e) => {
            ui.label(RichText::new(e.to_string()).color(egui::Color32::from_rgb(180, 0, 0)));
            Vec::new()
        }
    };
    if rows.is_empty() {
        ui.label(t.history_empty);
    } else {
        egui::Grid::new("checkins").striped(true).num_columns(7).spacing([14.0, 6.0]).show(ui, |ui| {
            for h in [t.queue_no, t.col_time, t.f_full_name, t.f_id_number, t.f_verdict, t.f_bhyt, t.f_service] {
                ui.label(bold(h, 15.0 * k));
            }
            ui.end_row();
            for r in &rows {
                ui.label(r.queue_no.map(|q| q.to_string()).unwrap_or_default());
                ui.label(format_ts(r.at));
                ui.label(r.full_name.clone().unwrap_or_default());
                ui.label(r.id_number.clone().unwrap_or_default());
                // The stored key, shown in the clerk's language.
                match Status::from_key(&r.verdict) {
                    Some(s) => ui.label(s.headline(app.lang().words())),
                    None => ui.label(&r.verdict),
                };
                ui.label(&r.bhyt);
                ui.label(if r.reason.is_empty() { r.service.clone() } else { format!("{}: {}", r.service, r.reason) });
                ui.end_row();
            }
        });
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
            ui.add(egui::Label::new(fields.join(", ")).wrap());
            ui.end_row();
        }
    });
}
