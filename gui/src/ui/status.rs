//! The reader status line, always visible: which reader, and the fix in plain words.

use eframe::egui::{self, RichText};

use super::{AMBER, GREEN, RED, bold};
use crate::app::App;
use crate::reader::Level;

pub fn reader_bar(app: &App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    let (title, fix, level) = app.reader_status().describe(t);
    let colour = match level {
        Level::Ok => GREEN,
        Level::Warn => AMBER,
        Level::Bad => RED,
    };
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(16.0 * k, 16.0 * k), egui::Sense::hover());
        ui.painter().circle_filled(rect.center(), 7.0 * k, colour);
        ui.label(bold(format!("{}: {title}", t.reader), 16.0 * k));
        if !fix.is_empty() {
            ui.label(RichText::new(fix).size(16.0 * k).color(RED));
        }
        // Audit rows the store could not write yet (a locked file, a site server away): said
        // here, never silently dropped; they go out with the next write.
        let waiting = app.store.pending_audit();
        if waiting > 0 {
            ui.separator();
            ui.label(bold(format!("{}: {waiting}", t.audit_waiting_bar), 16.0 * k).color(super::AMBER_TEXT));
        }
    });
}
