//! The ward / commune-police counter after a read: the counter's forms, the per-field consent
//! question, the people's cards, the clerk's and the citizen's fields, and the A4 preview drawn
//! from the same layout the PDF is written from (so what the clerk checks is what prints).

use crate::i18n::LangExt;
use cancuoc_bridge::his::forms::font::Style;
use cancuoc_bridge::his::forms::{Item, PAGE_MM};
use eframe::egui::{self, Color32, FontFamily, FontId, RichText};

use super::{INK, RED, bold};
use crate::app::App;

/// egui's font family for a form face (installed by `ui::install_fonts`).
pub fn family(s: Style) -> FontFamily {
    FontFamily::Name(
        match s {
            Style::Regular => "form-regular",
            Style::Bold => "form-bold",
            Style::Italic => "form-italic",
        }
        .into(),
    )
}

pub fn panel(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    ui.label(bold(t.forms_title, 22.0 * k));
    if app.form.is_none() {
        ui.label(RichText::new(t.forms_pick).size(16.0 * k));
        let mut pick = None;
        for f in app.counter_forms() {
            if ui.button(RichText::new(format!("{} — {}", f.code, f.name_vi)).size(17.0 * k)).clicked() {
                pick = Some(f.slug.clone());
            }
        }
        if let Some(slug) = pick {
            app.start_form(&slug);
        }
        return;
    }
    let lang = app.lang().words();
    let english = app.lang() == crate::i18n::Lang::En;
    let warnings = app.form_warnings();
    let mut read_next = None;
    let mut override_for = None;
    let mut print = false;
    let mut save = false;
    let mut done = false;
    if let Some(s) = &mut app.form {
        ui.label(bold(format!("{} — {}", s.form.code, s.form.name_vi), 18.0 * k));
        let basis = if english { &s.form.legal_basis_en } else { &s.form.legal_basis };
        ui.label(RichText::new(basis).size(13.0 * k).weak());
        ui.add_space(4.0);
        for (i, role) in s.form.people.iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                ui.label(bold(format!("{role}:"), 16.0 * k));
                match &s.people[i] {
                    None => {
                        if ui.button(RichText::new(format!("{} {role}", t.form_read_next)).size(16.0 * k)).clicked() {
                            read_next = Some(i);
                        }
                    }
                    Some(p) => {
                        let name = p.dg13.full_name.clone().unwrap_or_default();
                        let colour = if p.verified() { super::GREEN } else { RED };
                        ui.label(bold(name, 16.0 * k).color(colour));
                        ui.label(RichText::new(p.status.headline(lang)).size(14.0 * k).color(colour));
                        if !p.verified() && !p.overridden {
                            ui.label(bold(t.form_not_verified, 15.0 * k).color(RED));
                            // The same rule as the check-in: only with a reason, audited and printed.
                            let l = ui.label(t.override_reason);
                            let draft = s.override_drafts.entry(i).or_default();
                            ui.add(egui::TextEdit::singleline(draft).desired_width(260.0 * k)).labelled_by(l.id);
                            let ready = !draft.trim().is_empty();
                            if ui
                                .add_enabled(ready, egui::Button::new(RichText::new(t.form_override).size(15.0 * k)))
                                .clicked()
                            {
                                override_for = Some(i);
                            }
                        } else if p.overridden {
                            ui.label(RichText::new(t.form_overridden).size(14.0 * k).color(RED));
                        }
                    }
                }
            });
        }
        // What the clerk should ask about (the legal age, a spouse on the chip): told, not blocked.
        if !warnings.is_empty() {
            ui.add_space(4.0);
            ui.label(bold(t.form_warn_title, 16.0 * k).color(super::AMBER_TEXT));
            for w in &warnings {
                ui.add(egui::Label::new(RichText::new(w).size(15.0 * k).color(super::AMBER_TEXT)).wrap());
            }
        }
        ui.add_space(6.0);
        // The typed fields and the buttons beside the preview, so the page is in view.
        let avail = ui.available_width();
        let left = (avail * 0.42).clamp(260.0, 420.0);
        ui.horizontal_top(|ui| {
            ui.allocate_ui_with_layout(egui::vec2(left, 0.0), egui::Layout::top_down(egui::Align::Min), |ui| {
                ui.set_width(left);
                ui.label(bold(t.form_typed, 16.0 * k));
                let mut shown: Option<String> = None;
                for (id, label, _, section) in s.typed_fields() {
                    // Each section's answers under its heading (whose they are).
                    if section.is_some() && section != shown {
                        ui.add_space(4.0);
                        ui.label(bold(section.clone().unwrap_or_default(), 14.0 * k));
                        shown = section;
                    }
                    let l = ui.label(RichText::new(&label).size(15.0 * k));
                    let v = s.typed.entry(id).or_default();
                    ui.add(egui::TextEdit::singleline(v).desired_width(left - 10.0)).labelled_by(l.id);
                }
                ui.add_space(8.0);
                ui.horizontal_wrapped(|ui| {
                    print = ui.button(bold(t.form_print, 18.0 * k)).clicked();
                    save = ui.button(RichText::new(t.form_save_pdf).size(17.0 * k)).clicked();
                    done = ui.button(RichText::new(t.form_done).size(17.0 * k)).clicked();
                });
            });
            ui.vertical(|ui| {
                // The page at a readable size: zoom steps of 50 %, the page scrolling sideways.
                ui.horizontal_wrapped(|ui| {
                    ui.label(bold(t.form_preview, 16.0 * k));
                    if ui
                        .add_enabled(s.zoom > 1.0, egui::Button::new(RichText::new(t.zoom_out).size(15.0 * k)))
                        .clicked()
                    {
                        s.zoom = (s.zoom - 0.5).max(1.0);
                    }
                    ui.label(format!("{:.0} %", s.zoom * 100.0));
                    if ui
                        .add_enabled(s.zoom < 3.0, egui::Button::new(RichText::new(t.zoom_in).size(15.0 * k)))
                        .clicked()
                    {
                        s.zoom = (s.zoom + 0.5).min(3.0);
                    }
                });
                egui::ScrollArea::horizontal().id_salt("preview").show(ui, |ui| preview(ui, s, t.form_page, lang));
            });
        });
    }
    if let Some(i) = read_next {
        app.read_form_person(i);
    } else if let Some(i) = override_for {
        app.override_form(i);
    } else if print {
        app.print_form();
    } else if save {
        app.save_form_pdf();
    } else if done {
        app.close_form();
    }
}

/// The pages as they print: white A4 sheets, the layout's text, rules, dotted lines and boxes.
/// The sheet carries its text as its accessible label (screen readers, tests).
fn preview(ui: &mut egui::Ui, s: &crate::app::FormSession, page_word: &str, lang: cancuoc_bridge::words::Lang) {
    let pages = match s.form.layout(&s.values(), cancuoc_bridge::his::forms::today()) {
        Ok(p) => p,
        Err(e) => {
            ui.label(RichText::new(cancuoc_bridge::problems::form_problem(&e, lang)).color(RED));
            return;
        }
    };
    let width = ui.available_width().clamp(300.0, 640.0) * s.zoom;
    let px = width / PAGE_MM.0;
    let n = pages.len();
    for (i, page) in pages.iter().enumerate() {
        let (rect, resp) = ui.allocate_exact_size(egui::vec2(width, PAGE_MM.1 * px), egui::Sense::hover());
        let text: Vec<&str> = page.texts().collect();
        let label = format!("{page_word} {}/{n}: {}", i + 1, text.join(" "));
        resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Document, true, label.clone()));
        let p = ui.painter_at(rect);
        p.rect_filled(rect, 0.0, Color32::WHITE);
        p.rect_stroke(rect, 0.0, egui::Stroke::new(1.0, Color32::GRAY), egui::StrokeKind::Inside);
        let at = |x: f32, y: f32| rect.min + egui::vec2(x * px, y * px);
        let ink = egui::Stroke::new(0.8, INK);
        for item in &page.items {
            match item {
                Item::Text { x, y, size, style, text } => {
                    let em = size * 25.4 / 72.0 * px;
                    p.text(
                        at(*x, *y) - egui::vec2(0.0, 0.9 * em),
                        egui::Align2::LEFT_TOP,
                        text,
                        FontId::new(em, family(*style)),
                        INK,
                    );
                }
                Item::Line { x1, y1, x2, y2, dotted } => {
                    if *dotted {
                        let dots =
                            egui::Shape::dotted_line(&[at(*x1, *y1), at(*x2, *y2)], Color32::DARK_GRAY, 1.6 * px, 0.35);
                        p.extend(dots);
                    } else {
                        p.line_segment([at(*x1, *y1), at(*x2, *y2)], ink);
                    }
                }
                Item::Rect { x, y, w, h } => {
                    p.rect_stroke(
                        egui::Rect::from_min_size(at(*x, *y), egui::vec2(w * px, h * px)),
                        0.0,
                        ink,
                        egui::StrokeKind::Middle,
                    );
                }
            }
        }
        ui.add_space(8.0);
    }
}

/// The consent question for one person's chip fields: each with its value, the required ones
/// ticked, none other.
pub fn consent(app: &mut App, ctx: &egui::Context, k: f32) {
    if app
        .form
        .as_ref()
        .and_then(|s| s.asking.as_ref())
        .is_some_and(|a| a.on_citizen_screen && a.clerk_reason.is_none())
    {
        if app.settings.citizen_display != crate::store::CitizenDisplay::TurnScreen {
            waiting(app, ctx, k);
        }
        return;
    }
    let t = app.tr();
    let mut answer = None;
    let Some(s) = &mut app.form else { return };
    let Some(ask) = &mut s.asking else { return };
    let role = s.form.people.get(ask.person).cloned().unwrap_or_default();
    let dg13 = s.people.get(ask.person).and_then(|p| p.as_ref()).map(|p| p.dg13.clone()).unwrap_or_default();
    // Each field with the value it would print (the citizen sees what they agree to).
    let mut cards: Vec<Option<&cancuoc_core::lds::dg13::Dg13>> = vec![None; s.form.people.len()];
    if let Some(c) = cards.get_mut(ask.person) {
        *c = Some(&dg13);
    }
    let ids: Vec<&str> = ask.ticks.iter().map(|(id, _)| id.as_str()).collect();
    let values = s.form.fill(&cards, &ids);
    let rows: Vec<(String, String)> = ask
        .ticks
        .iter()
        .map(|(id, _)| {
            let label = s.form.fields.iter().find(|f| &f.id == id).map_or(id.clone(), |f| f.label.clone());
            let value = values.iter().find(|(i, _)| i == id).map(|(_, v)| v.clone()).unwrap_or_default();
            (label, value)
        })
        .collect();
    egui::Modal::new(egui::Id::unique("form_consent")).show(ctx, |ui| {
        ui.set_width(680.0 * k);
        ui.heading(t.form_consent_title);
        ui.label(RichText::new(format!("{} — {} · {role}", s.form.code, s.form.name_vi)).size(17.0 * k));
        ui.label(RichText::new(t.form_consent_intro).size(15.0 * k));
        ui.add_space(6.0);
        // The fields scroll inside the window; the answer buttons stay on screen.
        let list_h = (ctx.content_rect().height() - 430.0 * k).max(120.0);
        egui::ScrollArea::vertical().max_height(list_h).auto_shrink([false, true]).show(ui, |ui| {
            for ((_, on), (label, value)) in ask.ticks.iter_mut().zip(&rows) {
                let text: String = if value.is_empty() { label.clone() } else { format!("{label} — {value}") };
                ui.checkbox(on, RichText::new(text).size(15.0 * k));
            }
        });
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button(bold(t.form_consent_agree, 19.0 * k)).clicked() {
                answer = Some(true);
            }
            if ui.button(RichText::new(t.form_consent_refuse).size(18.0 * k)).clicked() {
                answer = Some(false);
            }
        });
    });
    if let Some(a) = answer {
        app.answer_form_consent(a);
    }
}

/// The clerk's screen while the citizen answers the form's question on theirs: no answer button;
/// cancel, or take the answer with a reason (recorded as such).
fn waiting(app: &mut App, ctx: &egui::Context, k: f32) {
    let t = app.tr();
    let left = super::citizen::seconds_left(app).unwrap_or(0);
    let mut cancel = false;
    egui::Window::new(t.form_consent_title)
        .id(egui::Id::unique("form_consent_waiting"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::RIGHT_TOP, [-10.0, 110.0])
        .show(ctx, |ui| {
            let Some(s) = &mut app.form else { return };
            let Some(ask) = &mut s.asking else { return };
            ui.set_width(520.0 * k);
            ui.label(RichText::new(format!("{} — {}", s.form.code, s.form.name_vi)).size(17.0 * k));
            let ticked: Vec<String> = ask
                .ticks
                .iter()
                .filter(|(_, on)| *on)
                .filter_map(|(id, _)| s.form.fields.iter().find(|f| &f.id == id).map(|f| f.label.clone()))
                .collect();
            let take;
            (cancel, take) = super::consent::waiting_controls(ui, t, k, left, &ticked, &mut ask.reason_draft);
            if take {
                ask.clerk_reason = Some(ask.reason_draft.trim().to_string());
            }
        });
    if cancel {
        app.cancel_form_consent();
    }
}
