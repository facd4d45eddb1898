//! The citizen's screen (docs/privacy.md): the consent question as the citizen sees it — per
//! purpose, who receives which of their data with their own values, how long it is kept, how to
//! withdraw — with two equal buttons and nothing pre-selected. A second window for a
//! citizen-facing monitor, or the clerk's screen turned to the citizen. The clerk's screen only
//! shows the answer as it comes.

use eframe::egui::{self, RichText};

use super::{INK, bold};
use crate::app::App;
use crate::consent::Field;
use crate::i18n::LangExt;
use crate::store::CitizenDisplay;

/// What the citizen did on their screen this frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Agree,
    Refuse,
}

/// Seconds left to answer the pending question.
pub fn seconds_left(app: &App) -> Option<u64> {
    let a = app.consent.as_ref().filter(|a| a.on_citizen_screen && a.clerk_reason.is_none())?;
    Some(u64::from(app.settings.citizen_timeout_s).saturating_sub(a.asked_at.elapsed().as_secs()))
}

/// Draws the citizen's page into `ui`; applies the answer.
pub fn page(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let t = app.citizen_lang.tr();
    let lang = app.citizen_lang;
    ui.horizontal(|ui| {
        ui.label(bold(t.citizen_window_title, 22.0 * k));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button(RichText::new(t.citizen_other_language).size(18.0 * k)).clicked() {
                app.citizen_lang = match lang {
                    crate::i18n::Lang::Vi => crate::i18n::Lang::En,
                    crate::i18n::Lang::En => crate::i18n::Lang::Vi,
                };
            }
        });
    });
    ui.separator();
    let left = seconds_left(app);
    let (Some(left), Some(c)) = (left, app.checkin.as_ref()) else {
        ui.add_space(40.0 * k);
        ui.add(egui::Label::new(RichText::new(t.citizen_idle).size(26.0 * k)).wrap());
        return;
    };
    let Some(ask) = app.consent.as_ref() else { return };
    let purpose = ask.purpose;
    let values: Vec<(Field, String, Option<String>)> =
        purpose.offered().iter().map(|f| (*f, f.label(t), c.value(*f, lang))).collect();
    let required = purpose.required();
    let mut ticks: Vec<Field> = ask.fields.clone();
    let mut answer = None;
    // The answer buttons stay in view, under the text (which scrolls).
    egui::Panel::bottom("citizen_answer").show(ui, |ui| {
        ui.add_space(8.0 * k);
        // Two equal buttons: neither stands out, neither is pre-selected.
        let size = egui::vec2(300.0 * k, 64.0 * k);
        ui.horizontal(|ui| {
            let agree = egui::Button::new(bold(t.citizen_agree, 26.0 * k).color(INK)).min_size(size);
            let refuse = egui::Button::new(bold(t.citizen_refuse, 26.0 * k).color(INK)).min_size(size);
            if ui.add(agree).clicked() {
                answer = Some(Answer::Agree);
            }
            ui.add_space(40.0 * k);
            if ui.add(refuse).clicked() {
                answer = Some(Answer::Refuse);
            }
            ui.add_space(20.0 * k);
            ui.label(RichText::new(format!("{left} {}", t.citizen_seconds_left)).size(18.0 * k).weak());
        });
        ui.add_space(6.0 * k);
    });
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        ui.heading(bold(t.citizen_title, 30.0 * k));
        ui.add_space(8.0 * k);
        egui::Grid::new("citizen_what").num_columns(2).spacing([16.0, 8.0]).show(ui, |ui| {
            ui.label(RichText::new(t.citizen_purpose).size(20.0 * k).weak());
            ui.label(bold(purpose.label(t), 24.0 * k));
            ui.end_row();
            ui.label(RichText::new(t.citizen_recipient).size(20.0 * k).weak());
            ui.label(bold(purpose.recipient(t), 24.0 * k));
            ui.end_row();
            ui.label(RichText::new(t.citizen_kept).size(20.0 * k).weak());
            let days = app.settings.retention_days;
            let kept = match lang {
                crate::i18n::Lang::Vi => format!("{days} ngày, rồi tự động xóa"),
                crate::i18n::Lang::En => format!("{days} days, then deleted automatically"),
            };
            ui.label(RichText::new(kept).size(22.0 * k));
            ui.end_row();
        });
        ui.add_space(10.0 * k);
        ui.label(bold(t.citizen_needed, 22.0 * k));
        for (f, label, value) in values.iter().filter(|(f, ..)| required.contains(f)) {
            ui.add(
                egui::Label::new(
                    RichText::new(format!("• {label}: {}", value.clone().unwrap_or_default())).size(22.0 * k),
                )
                .wrap(),
            );
            let _ = f;
        }
        let optional: Vec<&(Field, String, Option<String>)> =
            values.iter().filter(|(f, ..)| !required.contains(f)).collect();
        if !optional.is_empty() {
            ui.add_space(8.0 * k);
            ui.label(bold(t.citizen_optional, 22.0 * k));
            for (f, label, value) in optional {
                let mut on = ticks.contains(f);
                let mark = if f.sensitive() { format!(" ({})", t.citizen_sensitive) } else { String::new() };
                let text = match value {
                    Some(v) => format!("{label}{mark}: {v}"),
                    None => format!("{label}{mark}"),
                };
                let text: String = text.chars().take(120).collect();
                if ui.checkbox(&mut on, RichText::new(text).size(21.0 * k)).changed() {
                    if on {
                        ticks.push(*f);
                    } else {
                        ticks.retain(|x| x != f);
                    }
                }
            }
        }
        ui.add_space(10.0 * k);
        ui.add(egui::Label::new(RichText::new(t.citizen_withdraw).size(19.0 * k)).wrap());
    });
    if let Some(a) = app.consent.as_mut() {
        a.fields = ticks;
    }
    // A keypad on the citizen's own window (its keys reach that window, not the clerk's).
    if answer.is_none() && ui.ctx().viewport_id() != egui::ViewportId::ROOT {
        if ui.input(|i| i.key_pressed(egui::Key::Num1)) {
            answer = Some(Answer::Agree);
        } else if ui.input(|i| i.key_pressed(egui::Key::Num2)) {
            answer = Some(Answer::Refuse);
        }
    }
    match answer {
        Some(Answer::Agree) => app.citizen_answer(true),
        Some(Answer::Refuse) => app.citizen_answer(false),
        None => {}
    }
}

/// The citizen's screen, each frame: the second window, the turned screen, and the timeout.
pub fn show(app: &mut App, ctx: &egui::Context, k: f32) {
    if seconds_left(app) == Some(0) {
        app.consent_timed_out();
    }
    if seconds_left(app).is_some() {
        ctx.request_repaint_after(std::time::Duration::from_millis(500));
    }
    match app.settings.citizen_display {
        CitizenDisplay::Off => {}
        CitizenDisplay::SecondWindow => {
            let title = format!("cancuoc — {}", app.citizen_lang.tr().citizen_window_title);
            let mut builder = egui::ViewportBuilder::default().with_title(title).with_inner_size([1024.0, 768.0]);
            if ctx.embed_viewports() {
                // Drawn inside the clerk's window (a backend without native windows): kept clear
                // of the clerk's buttons and of the clerk's waiting panel.
                builder = builder.with_position([8.0, 300.0]).with_inner_size([780.0, 400.0]);
            }
            ctx.show_viewport_immediate(egui::ViewportId::from_hash_of("cancuoc-citizen"), builder, |ui, _class| {
                egui::CentralPanel::default().show(ui, |ui| page(app, ui, k.max(1.0)));
            });
        }
        CitizenDisplay::TurnScreen => {
            if seconds_left(app).is_some() {
                egui::Modal::new(egui::Id::unique("citizen_turned")).show(ctx, |ui| {
                    let r = ctx.content_rect();
                    ui.set_width(r.width() * 0.9);
                    ui.set_height(r.height() * 0.85);
                    page(app, ui, k.max(1.0));
                });
            }
        }
    }
}
