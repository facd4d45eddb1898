//! The consent dialog: purpose, recipient, the fields with minimal defaults; the citizen agrees
//! or not, and the clerk records it.

use eframe::egui::{self, RichText};

use super::{RED, bold};
use crate::app::App;

pub fn show(app: &mut App, ctx: &egui::Context, k: f32) {
    if app.consent.as_ref().is_some_and(|a| a.on_citizen_screen && a.clerk_reason.is_none()) {
        waiting(app, ctx, k);
        return;
    }
    let t = app.tr();
    let lang_fields: Vec<(crate::consent::Field, String, Option<String>)> = match (&app.consent, &app.checkin) {
        (Some(ask), Some(c)) => {
            ask.purpose.offered().iter().map(|f| (*f, f.label(t), c.value(*f, app.lang()))).collect()
        }
        _ => return,
    };
    let mut agree = false;
    let mut refuse = false;
    let mut slip = false;
    egui::Modal::new(egui::Id::unique("consent")).show(ctx, |ui| {
        let Some(ask) = &mut app.consent else { return };
        ui.set_width(640.0 * k);
        ui.heading(t.consent_title);
        ui.label(RichText::new(format!("{}: {}", t.consent_purpose, ask.purpose.label(t))).size(18.0 * k));
        ui.label(RichText::new(format!("{}: {}", t.consent_recipient, ask.purpose.recipient(t))).size(16.0 * k));
        ui.add_space(6.0);
        ui.label(t.consent_fields);
        let required = ask.purpose.required();
        // The field list scrolls inside the window (large text, a long list): the answer buttons
        // below it are always on screen.
        let list_h = (ctx.content_rect().height() - 430.0 * k).max(120.0);
        egui::ScrollArea::vertical().max_height(list_h).auto_shrink([false, true]).show(ui, |ui| {
            for (f, label, value) in &lang_fields {
                let mut on = ask.fields.contains(f);
                let locked = required.contains(f);
                let text = match (value, locked) {
                    (Some(v), true) => format!("{label} ({}) — {v}", t.consent_required),
                    (Some(v), false) => format!("{label} — {v}"),
                    (None, true) => format!("{label} ({})", t.consent_required),
                    (None, false) => label.clone(),
                };
                let r = ui.add_enabled(!locked, egui::Checkbox::new(&mut on, RichText::new(text).size(15.0 * k)));
                if r.changed() {
                    if on {
                        ask.fields.push(*f);
                    } else {
                        ask.fields.retain(|x| x != f);
                    }
                }
            }
        });
        ui.label(RichText::new(t.consent_never_default).size(14.0 * k).color(RED));
        ui.add_space(8.0);
        match &ask.slip {
            // A printed slip: the answer is the one the citizen ticked and signed on it.
            Some(n) => {
                ui.label(RichText::new(format!("{} {n}", t.slip_number)).size(15.0 * k));
                ui.horizontal(|ui| {
                    agree = ui.button(bold(t.slip_signed_agree, 18.0 * k)).clicked();
                    refuse = ui.button(bold(t.slip_signed_refuse, 18.0 * k)).clicked();
                });
            }
            None => {
                ui.horizontal(|ui| {
                    agree = ui.button(bold(t.consent_agree, 19.0 * k)).clicked();
                    refuse = ui.button(RichText::new(t.consent_refuse).size(18.0 * k)).clicked();
                });
                ui.add_space(4.0);
                slip = ui.button(RichText::new(t.print_slip).size(15.0 * k)).clicked();
            }
        }
    });
    if slip {
        app.print_consent_slip();
        return;
    }
    if agree {
        app.agree_consent();
    } else if refuse {
        app.refuse_consent();
    }
}

/// The clerk's screen while the citizen answers on theirs: the question, the citizen's ticks as
/// they come, the time left — and no answer buttons. The clerk can cancel (nothing is sent) or,
/// when the citizen cannot use the screen, take the answer with a reason (recorded as such).
fn waiting(app: &mut App, ctx: &egui::Context, k: f32) {
    let t = app.tr();
    let left = super::citizen::seconds_left(app).unwrap_or(0);
    let mut cancel = false;
    let mut take = false;
    // Not modal: the clerk sees the card's data while the citizen reads; the citizen's window
    // (or the turned screen) is where the answer is given.
    egui::Window::new(t.consent_title)
        .id(egui::Id::unique("consent_waiting"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::RIGHT_TOP, [-10.0, 110.0])
        .show(ctx, |ui| {
            let Some(ask) = &mut app.consent else { return };
            ui.set_width(520.0 * k);
            ui.label(RichText::new(format!("{}: {}", t.consent_purpose, ask.purpose.label(t))).size(18.0 * k));
            ui.label(RichText::new(format!("{}: {}", t.consent_recipient, ask.purpose.recipient(t))).size(16.0 * k));
            ui.add_space(6.0);
            let ticked: Vec<String> = ask.fields.iter().map(|f| f.label(t)).collect();
            (cancel, take) = waiting_controls(ui, t, k, left, &ticked, &mut ask.reason_draft);
        });
    if cancel {
        app.close_consent();
    } else if take && let Some(a) = &mut app.consent {
        a.clerk_reason = Some(a.reason_draft.trim().to_string());
    }
}

/// What both waiting windows share (a sending purpose's, a form's): the citizen's choices so far,
/// the time left, Cancel, and taking the answer with a typed reason. Returns (cancel, take).
pub(super) fn waiting_controls(
    ui: &mut egui::Ui,
    t: &crate::i18n::Tr,
    k: f32,
    left: u64,
    ticked: &[String],
    reason_draft: &mut String,
) -> (bool, bool) {
    ui.label(bold(t.clerk_waiting, 18.0 * k));
    ui.label(RichText::new(format!("{} {}", t.clerk_citizen_ticks, ticked.join(", "))).size(15.0 * k));
    ui.label(RichText::new(format!("{left} {}", t.citizen_seconds_left)).size(15.0 * k).weak());
    ui.add_space(8.0);
    let cancel = ui.button(RichText::new(t.clerk_cancel).size(18.0 * k)).clicked();
    ui.add_space(8.0);
    ui.separator();
    ui.label(RichText::new(t.clerk_take_answer).size(15.0 * k));
    ui.horizontal(|ui| {
        let l = ui.label(t.clerk_reason);
        ui.add(egui::TextEdit::singleline(reason_draft).desired_width(360.0 * k)).labelled_by(l.id);
    });
    let ready = !reason_draft.trim().is_empty();
    let take = ui.add_enabled(ready, egui::Button::new(RichText::new(t.clerk_take_answer).size(15.0 * k))).clicked();
    if !ready {
        ui.label(RichText::new(t.clerk_reason_needed).size(13.0 * k).weak());
    }
    (cancel, take)
}
