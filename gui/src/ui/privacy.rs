//! The privacy officer's page (docs/privacy.md): a citizen's requests at this site — what is held
//! about them, withdrawal, erasure — for the person whose card was read and verified at the
//! counter, and the register of requests with their deadlines (overdue ones in red).

use eframe::egui::{self, RichText};

use super::{GREEN, RED, bold};
use crate::app::{App, format_ts, now_ts};

/// Requests past their deadline and not done (for the tab's title too).
pub fn overdue(app: &App) -> usize {
    let today = chrono::Local::now().date_naive().to_string();
    app.store
        .requests()
        .map(|l| {
            l.iter()
                .filter(|r| r.done_at.is_none() && r.extended_to.as_deref().unwrap_or(&r.due) < today.as_str())
                .count()
        })
        .unwrap_or(0)
}

pub fn show(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    ui.heading(t.privacy_title);
    ui.add(egui::Label::new(RichText::new(t.privacy_intro).size(15.0 * k)).wrap());
    ui.add_space(6.0);
    // The requester: the card on the check-in screen, verified.
    let who = app.checkin.as_ref().filter(|c| c.status() == cancuoc_bridge::Status::Verified).and_then(|c| {
        Some((c.report.person.id_number.clone()?, c.report.person.full_name.clone().unwrap_or_default()))
    });
    let Some((id, name)) = who else {
        ui.label(bold(t.privacy_read_card_first, 17.0 * k).color(RED));
        register(app, ui, k);
        return;
    };
    ui.label(bold(format!("{} {name} — {id}", t.privacy_requester), 18.0 * k).color(GREEN));
    ui.horizontal(|ui| {
        if ui.button(RichText::new(t.privacy_report).size(17.0 * k)).clicked() {
            app.privacy_report(&id);
        }
        let l = ui.label(t.privacy_purpose);
        egui::ComboBox::from_id_salt("withdraw_purpose")
            .selected_text(app.privacy_purpose.clone())
            .show_ui(ui, |ui| {
                for p in ["checkin", "bhyt", "bhyt_history", "his", "export", "evidence", "form"] {
                    ui.selectable_value(&mut app.privacy_purpose, p.to_string(), p);
                }
            })
            .response
            .labelled_by(l.id);
        if ui.button(RichText::new(t.privacy_withdraw).size(17.0 * k)).clicked() {
            app.privacy_withdraw(&id);
        }
    });
    ui.horizontal(|ui| {
        ui.checkbox(&mut app.privacy_confirm_erase, t.privacy_erase_confirm);
        if ui
            .add_enabled(
                app.privacy_confirm_erase,
                egui::Button::new(RichText::new(t.privacy_erase).size(17.0 * k).color(RED)),
            )
            .clicked()
        {
            app.privacy_erase(&id);
        }
    });
    if let Some(r) = &app.privacy_shown {
        ui.separator();
        ui.label(bold(format!("{}: {}", t.privacy_held, r.id_number), 17.0 * k));
        egui::Grid::new("privacy_checkins").striped(true).num_columns(4).show(ui, |ui| {
            for c in &r.checkins {
                ui.label(format_ts(c.at));
                ui.label(c.full_name.clone().unwrap_or_default());
                ui.label(&c.service);
                ui.label(&c.verdict);
                ui.end_row();
            }
        });
        ui.label(format!("{}: {}", t.privacy_consents, r.consents.len()));
        egui::Grid::new("privacy_consents").striped(true).num_columns(5).show(ui, |ui| {
            for c in &r.consents {
                ui.label(format_ts(c.at));
                ui.label(&c.purpose);
                ui.label(&c.recipient);
                ui.label(&c.answer);
                ui.label(&c.method);
                ui.end_row();
            }
        });
        ui.label(format!("{}: {}", t.privacy_audit, r.audit.len()));
    }
    register(app, ui, k);
}

fn register(app: &App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    ui.separator();
    ui.label(bold(t.privacy_register, 17.0 * k));
    let today = chrono::Local::now().date_naive().to_string();
    let list = app.store.requests().unwrap_or_default();
    if list.is_empty() {
        ui.label(RichText::new(t.privacy_register_empty).weak());
        return;
    }
    egui::Grid::new("privacy_register").striped(true).num_columns(5).show(ui, |ui| {
        for h in [t.privacy_col_received, t.privacy_col_kind, t.privacy_col_ack, t.privacy_col_due, t.privacy_col_done]
        {
            ui.label(RichText::new(h).weak());
        }
        ui.end_row();
        for r in &list {
            let due = r.extended_to.clone().unwrap_or_else(|| r.due.clone());
            let late = r.done_at.is_none() && due.as_str() < today.as_str();
            ui.label(format_ts(r.received_at));
            ui.label(&r.kind);
            ui.label(&r.acknowledge_by);
            ui.label(if late {
                RichText::new(format!("{due} — {}", t.privacy_overdue)).color(RED)
            } else {
                RichText::new(due)
            });
            ui.label(r.done_at.map(format_ts).unwrap_or_else(|| t.privacy_open.to_string()));
            ui.end_row();
        }
    });
    let _ = now_ts;
}
