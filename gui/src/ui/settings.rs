//! Settings: the clerk, the insurance gateway, the HIS, retention and printing.

use eframe::egui::{self, RichText};

use super::{GREEN, RED, bold};
use crate::app::App;

fn text(ui: &mut egui::Ui, label: &str, v: &mut String, password: bool) {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(v).password(password).desired_width(420.0)).labelled_by(l.id);
    ui.end_row();
}

/// The lock screen: the PIN, Enter or "Unlock"; after five wrong ones, a minute's wait.
fn locked(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    ui.heading(t.s_locked_title);
    ui.label(RichText::new(t.s_locked_body).size(17.0 * k));
    ui.add_space(6.0);
    let wait = app.pin_wait_s();
    let mut go = false;
    ui.horizontal(|ui| {
        let l = ui.label(RichText::new(t.s_pin).size(17.0 * k));
        let r = ui
            .add_enabled(
                wait.is_none(),
                egui::TextEdit::singleline(&mut app.pin_entry)
                    .password(true)
                    .desired_width(200.0 * k)
                    .font(egui::FontId::proportional(22.0 * k)),
            )
            .labelled_by(l.id);
        go = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        go |= ui.add_enabled(wait.is_none(), egui::Button::new(bold(t.s_unlock, 18.0 * k))).clicked();
    });
    if let Some(s) = wait {
        ui.label(bold(t.s_pin_wait.replace("{s}", &s.to_string()), 16.0 * k).color(RED));
        ui.ctx().request_repaint_after(std::time::Duration::from_millis(500));
    }
    if go {
        app.unlock_settings();
    }
}

pub fn show(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    if !app.settings_open() {
        locked(app, ui, k);
        return;
    }
    ui.horizontal(|ui| {
        ui.heading(t.settings_title);
        if !app.settings.admin_pin.is_empty() && ui.button(t.s_lock_again).clicked() {
            app.settings_unlocked = false;
        }
    });
    let password_hint = if app.draft.bhyt_password_md5.is_empty() { "" } else { t.s_bhyt_password_set };
    egui::Grid::new("settings").num_columns(2).spacing([14.0, 8.0]).show(ui, |ui| {
        let d = &mut app.draft;
        let l = ui.label(t.s_counter_mode);
        let name = |m: crate::store::CounterMode| match m {
            crate::store::CounterMode::Hospital => t.mode_hospital,
            crate::store::CounterMode::WardCommittee => t.mode_ward,
            crate::store::CounterMode::CommunePolice => t.mode_police,
        };
        egui::ComboBox::from_id_salt("counter_mode")
            .selected_text(name(d.counter_mode))
            .show_ui(ui, |ui| {
                for m in crate::store::CounterMode::ALL {
                    ui.selectable_value(&mut d.counter_mode, m, name(m));
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        let l = ui.label(t.s_citizen_display);
        let name = |m: crate::store::CitizenDisplay| match m {
            crate::store::CitizenDisplay::Off => t.s_citizen_off,
            crate::store::CitizenDisplay::SecondWindow => t.s_citizen_window,
            crate::store::CitizenDisplay::TurnScreen => t.s_citizen_turn,
        };
        egui::ComboBox::from_id_salt("citizen_display")
            .selected_text(name(d.citizen_display))
            .show_ui(ui, |ui| {
                for m in [
                    crate::store::CitizenDisplay::Off,
                    crate::store::CitizenDisplay::SecondWindow,
                    crate::store::CitizenDisplay::TurnScreen,
                ] {
                    ui.selectable_value(&mut d.citizen_display, m, name(m));
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        let l = ui.label(t.s_citizen_timeout);
        ui.add(egui::DragValue::new(&mut d.citizen_timeout_s).range(15..=600)).labelled_by(l.id);
        ui.end_row();
        let l = ui.label(t.s_face_threshold);
        ui.add(egui::DragValue::new(&mut d.face_threshold).range(0.3..=0.8).speed(0.01).fixed_decimals(2))
            .labelled_by(l.id);
        ui.end_row();
        text(ui, t.s_site_commune, &mut d.site_commune, false);
        if !d.site_commune.trim().is_empty() {
            ui.label("");
            match cancuoc_bridge::address::site_commune(&d.site_commune) {
                Some(c) => ui.label(RichText::new(format!("{}, {} ({})", c.name, c.province, c.code)).color(GREEN)),
                None => ui.label(RichText::new(t.s_site_commune_unknown).color(RED)),
            };
            ui.end_row();
        }
        text(ui, t.s_site_name, &mut d.site_name, false);
        text(ui, t.s_office_name, &mut d.office_name, false);
        text(ui, t.s_police_office_name, &mut d.police_office_name, false);
        text(ui, t.s_office_place, &mut d.office_place, false);
        text(ui, t.s_site_id, &mut d.site_id, false);
        text(ui, t.s_clerk_name, &mut d.clerk_name, false);
        text(ui, t.s_clerk_id, &mut d.clerk_id, false);
        text(ui, t.s_bhyt_url, &mut d.bhyt_url, false);
        text(ui, t.s_bhyt_user, &mut d.bhyt_user, false);
        let l = ui.label(t.s_bhyt_password);
        ui.add(
            egui::TextEdit::singleline(&mut app.draft_password)
                .password(true)
                .hint_text(password_hint)
                .desired_width(420.0),
        )
        .labelled_by(l.id);
        ui.end_row();
        let d = &mut app.draft;
        ui.label("");
        ui.checkbox(&mut d.offline, t.s_offline);
        ui.end_row();
        let l = ui.label(t.s_timeout);
        ui.add(egui::DragValue::new(&mut d.timeout_s).range(1..=120)).labelled_by(l.id);
        ui.end_row();
        text(ui, t.s_his_url, &mut d.his_url, false);
        text(ui, t.s_his_token, &mut d.his_token, true);
        let l = ui.label(t.s_retention);
        ui.horizontal(|ui| {
            ui.add(egui::DragValue::new(&mut d.retention_days).range(0..=3650)).labelled_by(l.id);
            ui.label(RichText::new(t.s_retention_hint).weak());
        });
        ui.end_row();
        ui.label("");
        ui.checkbox(&mut d.store_photos, t.s_store_photos);
        ui.end_row();
        text(ui, t.s_print_command, &mut d.print_command, false);
        text(ui, t.s_printer, &mut d.printer, false);
        text(ui, t.s_export_dir, &mut d.export_dir, false);
        ui.label(t.s_data_file);
        ui.label(app.store.path().map(|p| p.display().to_string()).unwrap_or_else(|| t.demo_memory_note.to_string()));
        ui.end_row();
        // The lock: a new PIN typed twice, or the lock removed.
        let l = ui.label(t.s_new_pin);
        ui.add(egui::TextEdit::singleline(&mut app.draft_pin.0).password(true).desired_width(200.0)).labelled_by(l.id);
        ui.end_row();
        let l = ui.label(t.s_new_pin_again);
        ui.add(egui::TextEdit::singleline(&mut app.draft_pin.1).password(true).desired_width(200.0)).labelled_by(l.id);
        ui.end_row();
        if !app.settings.admin_pin.is_empty() {
            ui.label("");
            ui.checkbox(&mut app.draft_pin_remove, t.s_pin_remove);
            ui.end_row();
        }
        // Which table maps the cards' pre-2025 addresses to today's units (docs/address.md).
        let units = cancuoc_bridge::address::source();
        ui.label(t.address_table);
        ui.label(format!("{} ({})", units.version, units.effective));
        ui.end_row();
    });
    ui.add_space(8.0);
    if ui.button(bold(t.s_save, 18.0 * k)).clicked() {
        app.notice = Some(match app.save_settings() {
            Ok(()) => crate::app::Notice { text: t.s_saved.into(), good: true },
            Err(e) => crate::app::Notice { text: e, good: false },
        });
    }
}
