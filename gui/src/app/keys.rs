//! The keyboard: a QR scanner typing as a keyboard (a burst of text then Enter), Enter and
//! Escape on each screen.

use super::*;

impl App {
    /// Keyboard handling before widgets draw: scanner bursts, Enter and Escape.
    pub fn handle_keys(&mut self, ctx: &egui::Context) {
        let on_entry = self.tab == Tab::Checkin && matches!(self.phase, Phase::Entry { .. });
        let mut enter = false;
        let mut escape = false;
        let mut scanned: Option<String> = None;
        let now = ctx.input(|i| i.time);
        ctx.input_mut(|i| {
            let mut keep = Vec::with_capacity(i.events.len());
            for ev in i.events.drain(..) {
                match &ev {
                    egui::Event::Text(t) if on_entry => {
                        if self.wedge.starts_burst(now) {
                            self.wedge_snapshot = Some((self.key_mode, self.key.clone()));
                        }
                        if self.wedge.text(t, now) {
                            continue; // part of a scanner burst: not for the focused field
                        }
                        keep.push(ev);
                    }
                    egui::Event::Key { key: egui::Key::Enter, pressed: true, .. } => {
                        if on_entry && let Some(s) = self.wedge.enter(now) {
                            scanned = Some(s);
                            continue;
                        }
                        enter = true;
                        keep.push(ev);
                    }
                    egui::Event::Key { key: egui::Key::Escape, pressed: true, .. } => {
                        escape = true;
                        keep.push(ev);
                    }
                    _ => keep.push(ev),
                }
            }
            i.events = keep;
        });
        if let Some(s) = scanned {
            if self.apply_qr(&s) {
                self.start_read();
            }
            return;
        }
        // The save and cancel-visit dialogs take Enter and Esc themselves.
        if self.pending_save.is_some() || self.cancelling.is_some() {
            return;
        }
        // The face comparison: Enter takes the picture, Esc closes it (no decision recorded).
        if let Some(f) = &self.face {
            if escape {
                self.face_close();
            } else if enter && matches!(f.step, FaceStep::Camera { .. }) {
                self.face_capture();
            }
            return;
        }
        // The form's question on the turned screen: the citizen's keypad answers it too.
        let form_turned = self.settings.citizen_display == crate::store::CitizenDisplay::TurnScreen
            && self
                .form
                .as_ref()
                .and_then(|f| f.asking.as_ref())
                .is_some_and(|a| a.on_citizen_screen && a.clerk_reason.is_none());
        if form_turned && self.consent.is_none() {
            let key = |k| ctx.input(|i| i.key_pressed(k));
            if key(egui::Key::Num1) {
                self.answer_form_consent(true);
                return;
            }
            if key(egui::Key::Num2) {
                self.answer_form_consent(false);
                return;
            }
        }
        if let Some(a) = &self.consent {
            // The citizen's keypad on the citizen's screen: 1 agrees, 2 does not. (Their keys
            // reach this window only when the citizen's screen is this window.)
            let turned =
                a.on_citizen_screen && self.settings.citizen_display == crate::store::CitizenDisplay::TurnScreen;
            if turned && a.clerk_reason.is_none() {
                let key = |k| ctx.input(|i| i.key_pressed(k));
                if key(egui::Key::Num1) {
                    self.citizen_answer(true);
                    return;
                }
                if key(egui::Key::Num2) {
                    self.citizen_answer(false);
                    return;
                }
            }
            if escape {
                // Esc means "back": no answer is recorded (never a refusal nobody gave).
                self.close_consent();
            }
            return; // the dialog's own buttons take Enter
        }
        if self.tab != Tab::Checkin {
            return;
        }
        match &self.phase {
            Phase::Entry { .. } if enter => self.start_read(),
            Phase::Reading { .. } if escape => self.cancel(),
            Phase::Interrupted { .. } if enter => self.continue_read(),
            Phase::Interrupted { .. } if escape => self.cancel(),
            Phase::Result if escape => self.next_person(),
            _ => {}
        }
    }
}
