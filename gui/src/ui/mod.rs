//! Drawing. One file per screen; each is a function over [`App`]'s state. `App::ui` is the only
//! entry point (eframe's `update` and the kittest harness both call it).

mod citizen;
mod consent;
mod entry;
mod face;
pub mod forms;
mod history;
mod privacy;
mod result;
mod settings;
pub mod startup;
mod status;

use eframe::egui::{self, Color32, FontData, FontDefinitions, FontFamily, RichText};

use crate::app::{App, Tab};

pub use crate::style::{AMBER, AMBER_TEXT, GREEN, INK, RED, apply_style, bold};

/// Noto Sans (OFL, gui/assets/fonts) first: it covers every Vietnamese letter with its marks;
/// egui's own fonts stay as fallback for symbols.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "noto".into(),
        std::sync::Arc::new(FontData::from_static(include_bytes!("../../assets/fonts/NotoSans-Regular.ttf"))),
    );
    fonts.font_data.insert(
        "noto-bold".into(),
        std::sync::Arc::new(FontData::from_static(include_bytes!("../../assets/fonts/NotoSans-Bold.ttf"))),
    );
    if let Some(p) = fonts.families.get_mut(&FontFamily::Proportional) {
        p.insert(0, "noto".into());
    }
    // The forms' face (Liberation Serif, the PDF's) for the print preview.
    for style in cancuoc_bridge::his::forms::font::Style::ALL {
        let name = style.postscript_name().to_string();
        fonts.font_data.insert(name.clone(), std::sync::Arc::new(FontData::from_static(style.bytes())));
        fonts.families.insert(forms::family(style), vec![name]);
    }
    let mut bold = vec!["noto-bold".to_string()];
    bold.extend(fonts.families.get(&FontFamily::Proportional).cloned().unwrap_or_default());
    fonts.families.insert(FontFamily::Name("bold".into()), bold);
    ctx.set_fonts(fonts);
}

impl App {
    /// Draws one frame.
    pub fn ui(&mut self, root: &mut egui::Ui) {
        let ctx = &root.ctx().clone();
        if !self.fonts_ready {
            // Fonts take effect from the next frame: draw nothing until they have.
            install_fonts(ctx);
            apply_style(ctx, self.settings.large_text);
            self.fonts_ready = true;
            ctx.request_repaint();
            return;
        }
        // The window's title follows the language and the counter.
        let title = self.counter_words().0;
        if self.shown_title != title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.into()));
            self.shown_title = title;
        }
        self.handle_keys(ctx);
        self.poll(ctx);
        if let Some(text) = self.pending_copy.take() {
            ctx.copy_text(text);
        }
        let k = if self.settings.large_text { 1.35 } else { 1.0 };
        egui::Panel::top("top").show(root, |ui| {
            ui.add_space(4.0);
            self.top_bar(ui, k);
            status::reader_bar(self, ui, k);
            ui.add_space(2.0);
        });
        if self.tab == Tab::Checkin && self.checkin.is_some() {
            egui::Panel::bottom("actions").show(root, |ui| {
                ui.add_space(4.0);
                result::actions(self, ui, k);
                ui.add_space(2.0);
            });
        }
        if let Some(n) = &self.notice {
            let (fill, text) = (if n.good { GREEN } else { RED }, n.text.clone());
            egui::Panel::bottom("notice").frame(egui::Frame::new().fill(fill).inner_margin(8.0)).show(root, |ui| {
                ui.label(RichText::new(text).color(Color32::WHITE).size(17.0 * k));
            });
        }
        egui::CentralPanel::default().show(root, |ui| {
            egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| match self.tab {
                Tab::Checkin => {
                    if self.checkin.is_some() {
                        result::show(self, ui, k);
                    } else {
                        entry::show(self, ui, k);
                    }
                }
                Tab::History => history::show(self, ui, k),
                Tab::Privacy => privacy::show(self, ui, k),
                Tab::Settings => settings::show(self, ui, k),
            });
        });
        citizen::show(self, ctx, k);
        let turned = self.settings.citizen_display == crate::store::CitizenDisplay::TurnScreen
            && citizen::seconds_left(self).is_some();
        if self.consent.is_some() && !turned {
            consent::show(self, ctx, k);
        }
        if self.form.as_ref().is_some_and(|f| f.asking.is_some()) && !turned {
            forms::consent(self, ctx, k);
        }
        if self.face.is_some() {
            face::show(self, ctx, k);
        }
        if self.pending_save.is_some() {
            save_dialog(self, ctx, k);
        }
        history::cancel_dialog(self, ctx, k);
        if self.is_busy() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui, k: f32) {
        let t = self.tr();
        ui.horizontal(|ui| {
            ui.label(bold("cancuoc", 20.0 * k));
            if self.opts.demo {
                egui::Frame::new().fill(AMBER).inner_margin(egui::Margin::symmetric(8, 2)).corner_radius(4.0).show(
                    ui,
                    |ui| {
                        ui.label(bold(t.demo_badge, 14.0 * k).color(INK));
                    },
                );
            }
            ui.separator();
            // The privacy tab says how many requests are overdue.
            let late = privacy::overdue(self);
            let privacy_label = if late > 0 {
                format!("{} ({late} {})", t.tab_privacy, t.privacy_overdue)
            } else {
                t.tab_privacy.to_string()
            };
            for (tab, label) in [
                (Tab::Checkin, self.counter_words().1.to_string()),
                (Tab::History, t.tab_history.to_string()),
                (Tab::Privacy, privacy_label),
                (Tab::Settings, t.tab_settings.to_string()),
            ] {
                let text = RichText::new(label).size(18.0 * k);
                let text = if tab == Tab::Privacy && late > 0 { text.color(RED) } else { text };
                if ui.selectable_label(self.tab == tab, text).clicked() {
                    // Leaving the settings page locks it again.
                    if self.tab == Tab::Settings && tab != Tab::Settings {
                        self.settings_unlocked = false;
                    }
                    self.tab = tab;
                    self.notice = None;
                    if tab == Tab::Settings {
                        self.draft = self.settings.clone();
                    }
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(t.other_language).clicked() {
                    let other = match self.lang() {
                        crate::i18n::Lang::Vi => crate::i18n::Lang::En,
                        crate::i18n::Lang::En => crate::i18n::Lang::Vi,
                    };
                    self.set_lang(other);
                }
                let mut large = self.settings.large_text;
                if ui.checkbox(&mut large, t.large_text).changed() {
                    self.set_large_text(large);
                    apply_style(ui.ctx(), large);
                }
            });
        });
    }
}

/// eframe's side: fonts and style once, then `App::ui` every frame.
pub struct DeskApp {
    pub app: App,
    pub tour: Option<crate::tour::Tour>,
}

impl DeskApp {
    pub fn new(_cc: &eframe::CreationContext<'_>, app: App, tour: Option<crate::tour::Tour>) -> Self {
        DeskApp { app, tour }
    }
}

impl eframe::App for DeskApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        if let Some(tour) = &mut self.tour {
            tour.step(&mut self.app, ui.ctx());
        }
        self.app.ui(ui);
    }
}

/// The save dialog: the folder (editable), the file's name, save or cancel. Nothing is written
/// until the clerk presses save; Esc cancels.
fn save_dialog(app: &mut App, ctx: &egui::Context, k: f32) {
    let t = app.tr();
    let mut save = false;
    let mut cancel = ctx.input(|i| i.key_pressed(egui::Key::Escape));
    egui::Modal::new(egui::Id::unique("save_dialog")).show(ctx, |ui| {
        let Some(p) = &mut app.pending_save else { return };
        ui.set_width(620.0 * k);
        ui.heading(t.save_title);
        ui.label(RichText::new(format!("{}: {}", t.save_file, p.name)).size(16.0 * k));
        ui.horizontal(|ui| {
            let l = ui.label(RichText::new(t.save_folder).size(16.0 * k));
            ui.add(egui::TextEdit::singleline(&mut p.folder).desired_width(460.0 * k)).labelled_by(l.id);
        });
        ui.label(RichText::new(t.save_personal).size(14.0 * k).weak());
        ui.horizontal(|ui| {
            save = ui.button(bold(t.save_ok, 18.0 * k)).clicked();
            if ui.button(RichText::new(t.save_cancel).size(17.0 * k)).clicked() {
                cancel = true;
            }
        });
    });
    if save {
        app.save_pending();
    } else if cancel {
        app.cancel_save();
    }
}
