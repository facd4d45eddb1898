//! What the clerk sees when the app cannot open its data store at start (the site's PostgreSQL
//! server is down, the network is out, the data folder is not writable): a window that says so
//! in words, with the technical detail for the technician and a button to try again — instead
//! of an app that silently does not open.

use crate::i18n::LangExt;
use eframe::egui::{self, RichText};

use super::{INK, RED, apply_style, install_fonts};
use crate::i18n::Lang;

/// What the clerk chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    Retry,
    Quit,
}

/// The start-failure screen.
pub struct StartupError {
    pub lang: Lang,
    /// The store's error (host, port and database name, never the password).
    pub detail: String,
    pub choice: Option<Choice>,
    fonts: bool,
}

impl StartupError {
    pub fn new(lang: Lang, detail: impl Into<String>) -> Self {
        Self { lang, detail: detail.into(), choice: None, fonts: false }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if !self.fonts {
            install_fonts(ui.ctx());
            apply_style(ui.ctx(), false);
            self.fonts = true;
        }
        let t = self.lang.tr();
        // The window's own background, in the app's light style (eframe clears to dark).
        ui.painter().rect_filled(ui.max_rect(), 0.0, ui.visuals().panel_fill);
        egui::Frame::new().inner_margin(24.0).show(ui, |ui| {
            ui.label(RichText::new(t.startup_failed).size(26.0).strong().color(RED));
            ui.add_space(12.0);
            ui.label(RichText::new(t.startup_hint).size(18.0).color(INK));
            ui.add_space(16.0);
            ui.label(RichText::new(t.startup_detail).size(14.0));
            ui.label(RichText::new(&self.detail).size(14.0).monospace().color(INK));
            ui.add_space(20.0);
            ui.horizontal(|ui| {
                let retry = egui::Button::new(RichText::new(t.retry).size(20.0)).min_size(egui::vec2(160.0, 48.0));
                if ui.add(retry).clicked() {
                    self.choice = Some(Choice::Retry);
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
                ui.add_space(12.0);
                if ui
                    .add(egui::Button::new(RichText::new(t.quit).size(20.0)).min_size(egui::vec2(120.0, 48.0)))
                    .clicked()
                {
                    self.choice = Some(Choice::Quit);
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
        });
    }
}
