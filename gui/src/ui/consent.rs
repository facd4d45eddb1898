//! The consent dialog: purpose, recipient, the fields with minimal defaults; the citizen agrees
//! or not, and the clerk records it.

use eframe::egui::{self, RichText};

use super::{RED, bold};
use crate::app::App;

pub fn show(app: &mut App, ctx: &egui::Context, k: f32) {
    let t = app.tr();
    let lang_fields: Vec<(crate::consent::Field, String, Option<String>)> = match (&app.consent, &app.checkin) {
        (Some(ask), Some(c)) => {
            ask.purpose.offered().iter().map(|f| (*f, f.label(t), c.value(*f, app.lang()))).collect()
        }
        _ => return,
    };
    let mut agree = false;
    let mut refuse = false;
    egui::Modal::new(egui::Id::unique("consent")).show(ctx, |ui| {
        let Some(ask) = &mut app.consent else { return };
        ui.set_width(640.0 * k);
        ui.heading(t.consent_title);
        ui.label(RichText::new(format!("{}: {}", t.consent_purpose, ask.purpose.label(t))).size(18.0 * k));
        ui.label(RichText::new(format!("{}: {}", t.consent_recipient, ask.purpose.recipient(t))).size(16.0 * k));
        ui.add_space(6.0);
        ui.label(t.consent_fields);
        let required = ask.purpose.required();
        for (f, label, value) in &lang_fields {
            let mut on = ask.fields.contains(f);
            let locked = required.contains(f);
            let text = match (value, locked) {
                (Some(v), true) => format!("{label} ({}) — {v}", t.consent_required),
                (Some(v), false) => format!("{label} — {v}"),
                (None, true) => format!("{label} ({})", t.consent_required),
                (None, false) => label.clone(),
            };
            let text: String = text.chars().take(110).collect();
            let r = ui.add_enabled(!locked, egui::Checkbox::new(&mut on, RichText::new(text).size(15.0 * k)));
            if r.changed() {
                if on {
                    ask.fields.push(*f);
                } else {
                    ask.fields.retain(|x| x != f);
                }
            }
        }
        ui.label(RichText::new(t.consent_never_default).size(14.0 * k).color(RED));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            agree = ui.button(bold(t.consent_agree, 19.0 * k)).clicked();
            refuse = ui.button(RichText::new(t.consent_refuse).size(18.0 * k)).clicked();
        });
    });
    if agree {
        app.agree_consent();
    } else if refuse {
        app.refuse_consent();
    }
}
