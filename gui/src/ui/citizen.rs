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

/// Seconds left to answer the pending question on the citizen's screen (a sending purpose's, or
/// a form's).
pub fn seconds_left(app: &App) -> Option<u64> {
    let asked = match app.consent.as_ref().filter(|a| a.on_citizen_screen && a.clerk_reason.is_none()) {
        Some(a) => a.asked_at,
        None => form_ask(app)?.asked_at,
    };
    Some(u64::from(app.settings.citizen_timeout_s).saturating_sub(asked.elapsed().as_secs()))
}

fn form_ask(app: &App) -> Option<&crate::app::forms::FormConsent> {
    app.form.as_ref()?.asking.as_ref().filter(|a| a.on_citizen_screen && a.clerk_reason.is_none())
}

/// The form's question on the citizen's screen: the form, its addressee, each of the citizen's
/// chip fields with its value — none ticked.
fn form_page(app: &mut App, ui: &mut egui::Ui, k: f32, left: u64) {
    let t = app.citizen_lang.tr();
    let Some(s) = &mut app.form else { return };
    let Some(ask) = &mut s.asking else { return };
    let dg13 = s.people.get(ask.person).and_then(|p| p.as_ref()).map(|p| p.dg13.clone()).unwrap_or_default();
    let mut cards: Vec<Option<&cancuoc_core::lds::dg13::Dg13>> = vec![None; s.form.people.len()];
    if let Some(c) = cards.get_mut(ask.person) {
        *c = Some(&dg13);
    }
    let ids: Vec<&str> = ask.ticks.iter().map(|(id, _)| id.as_str()).collect();
    let values = s.form.fill(&cards, &ids);
    let recipient =
        s.typed.get("kinh_gui").filter(|v| !v.trim().is_empty()).cloned().unwrap_or_else(|| s.form.code.clone());
    let text_h = (ui.available_height() - 96.0 * k).max(120.0);
    let mut answered = None;
    egui::ScrollArea::vertical().max_height(text_h).auto_shrink([false, true]).show(ui, |ui| {
        ui.heading(bold(t.citizen_title, 30.0 * k));
        ui.add_space(8.0 * k);
        egui::Grid::new("citizen_form_what").num_columns(2).spacing([16.0, 8.0]).show(ui, |ui| {
            ui.label(RichText::new(t.citizen_purpose).size(20.0 * k).weak());
            ui.label(bold(format!("{} {}", t.citizen_form_purpose, s.form.name_vi), 24.0 * k));
            ui.end_row();
            ui.label(RichText::new(t.citizen_recipient).size(20.0 * k).weak());
            ui.label(bold(recipient, 24.0 * k));
            ui.end_row();
        });
        ui.add_space(8.0 * k);
        ui.label(bold(t.citizen_form_fields, 22.0 * k));
        for (id, on) in ask.ticks.iter_mut() {
            let f = s.form.fields.iter().find(|f| &f.id == id);
            let label = f.map_or(id.clone(), |f| f.label.clone());
            let mark =
                if f.is_some_and(|f| f.sensitive()) { format!(" ({})", t.citizen_sensitive) } else { String::new() };
            let value = values.iter().find(|(i, _)| i == id).map(|(_, v)| v.clone()).unwrap_or_default();
            let text = format!("{label}{mark}: {value}");
            ui.checkbox(on, RichText::new(text).size(21.0 * k));
        }
        ui.add_space(10.0 * k);
        ui.add(egui::Label::new(RichText::new(t.citizen_withdraw).size(19.0 * k)).wrap());
    });
    answer_buttons(ui, t, k, left, &mut answered);
    let mut answer = answered.map(|a| a == Answer::Agree);
    if answer.is_none() && ui.ctx().viewport_id() != egui::ViewportId::ROOT {
        if ui.input(|i| i.key_pressed(egui::Key::Num1)) {
            answer = Some(true);
        } else if ui.input(|i| i.key_pressed(egui::Key::Num2)) {
            answer = Some(false);
        }
    }
    if let Some(a) = answer {
        app.answer_form_consent(a);
    }
}

/// The two equal answer buttons and the time left, under the question.
fn answer_buttons(ui: &mut egui::Ui, t: &crate::i18n::Tr, k: f32, left: u64, answer: &mut Option<Answer>) {
    ui.separator();
    // Two equal buttons: neither stands out, neither is pre-selected.
    let size = egui::vec2(300.0 * k, 64.0 * k);
    ui.horizontal(|ui| {
        if ui.add(egui::Button::new(bold(t.citizen_agree, 26.0 * k).color(INK)).min_size(size)).clicked() {
            *answer = Some(Answer::Agree);
        }
        ui.add_space(40.0 * k);
        if ui.add(egui::Button::new(bold(t.citizen_refuse, 26.0 * k).color(INK)).min_size(size)).clicked() {
            *answer = Some(Answer::Refuse);
        }
        ui.add_space(20.0 * k);
        ui.label(RichText::new(format!("{left} {}", t.citizen_seconds_left)).size(18.0 * k).weak());
    });
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
    if let Some(left) = left
        && form_ask(app).is_some()
        && app.consent.is_none()
    {
        form_page(app, ui, k, left);
        return;
    }
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
    // The text scrolls in what the answer buttons leave; the buttons stay in view under it.
    let text_h = (ui.available_height() - 96.0 * k).max(120.0);
    egui::ScrollArea::vertical().max_height(text_h).auto_shrink([false, true]).show(ui, |ui| {
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
    answer_buttons(ui, t, k, left, &mut answer);
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
        if app.consent.is_some() {
            app.consent_timed_out();
        } else {
            app.form_consent_timed_out();
        }
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
            let embedded = ctx.embed_viewports();
            ctx.show_viewport_immediate(egui::ViewportId::from_hash_of("cancuoc-citizen"), builder, |ui, _class| {
                if embedded {
                    // Inside the clerk's window: the window's own size.
                    ui.set_max_height(380.0);
                    page(app, ui, k.max(1.0));
                } else {
                    egui::CentralPanel::default().show(ui, |ui| page(app, ui, k.max(1.0)));
                }
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
