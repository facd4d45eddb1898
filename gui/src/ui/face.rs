//! The face comparison's dialog: take the picture; then the chip's photo and the picture side by
//! side with the face boxes, the advice (the bridge's words, as the CLI prints them) with the
//! distance, and the clerk's decision. Esc closes it without a decision.

use crate::i18n::LangExt;
use cancuoc_bridge::words;
use cancuoc_face::{FaceBox, Verdict};
use eframe::egui::{self, Color32, RichText};

use super::{AMBER, GREEN, INK, RED, bold};
use crate::app::{App, FaceStep};

pub fn show(app: &mut App, ctx: &egui::Context, k: f32) {
    let t = app.tr();
    let lang = app.lang().words();
    // The picture taken, as a texture (made once).
    if let Some(f) = &mut app.face
        && f.live_texture.is_none()
        && let Some(p) = &f.live
    {
        let img = egui::ColorImage::from_rgb([p.width as usize, p.height as usize], &p.rgb);
        f.live_texture = Some(ctx.load_texture("face-live", img, egui::TextureOptions::LINEAR));
    }
    let chip_texture = app.photo_texture.as_ref().and_then(|r| r.as_ref().ok()).cloned();
    let screen = ctx.content_rect();
    let (mut take, mut retake, mut close, mut decide) = (false, false, false, None);
    egui::Modal::new(egui::Id::unique("face")).show(ctx, |ui| {
        let Some(f) = &app.face else { return };
        ui.set_width((980.0 * k).min(screen.width() - 60.0));
        ui.heading(t.face_title);
        match &f.step {
            FaceStep::Camera { error } => {
                ui.label(RichText::new(t.face_look).size(18.0 * k));
                if let Some(e) = error {
                    ui.add(egui::Label::new(RichText::new(e).size(16.0 * k).color(RED)).wrap());
                }
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    take = ui.button(bold(t.face_take, 19.0 * k)).clicked();
                    close = ui.button(RichText::new(t.face_close).size(18.0 * k)).clicked();
                });
            }
            FaceStep::Taking(_) => {
                ui.label(RichText::new(t.face_taking).size(18.0 * k));
                ui.spinner();
                close = ui.button(RichText::new(t.face_close).size(18.0 * k)).clicked();
            }
            FaceStep::Result => {
                let Some(c) = &f.comparison else { return };
                // The colour and the words say it (the app's fonts have no ✔/✘ signs in bold).
                let (fill, ink) = match c.verdict {
                    Verdict::Same => (GREEN, Color32::WHITE),
                    Verdict::Different => (RED, Color32::WHITE),
                    Verdict::CannotCompare { .. } => (AMBER, INK),
                };
                egui::Frame::new().fill(fill).inner_margin(8.0).corner_radius(4.0).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(bold(words::face_headline(&c.verdict, lang), 22.0 * k).color(ink));
                    let line = match (&c.verdict, c.distance) {
                        (Verdict::CannotCompare { side, problem }, _) => words::face_problem(*side, problem, lang),
                        (_, Some(d)) => {
                            // The decimal comma in Vietnamese (0,56), the point in English.
                            let num = |v: f32| {
                                let s = format!("{v:.2}");
                                if lang == cancuoc_bridge::words::Lang::Vi { s.replace('.', ",") } else { s }
                            };
                            format!("{} {} ({} {})", t.face_distance, num(d), t.face_threshold, num(c.threshold))
                        }
                        _ => String::new(),
                    };
                    ui.label(RichText::new(line).size(17.0 * k).color(ink));
                });
                ui.add_space(6.0);
                // Side by side, the same height; the room left for them follows the screen.
                let h = (300.0 * k).min(screen.height() - 380.0 * k).max(120.0);
                ui.horizontal_top(|ui| {
                    picture(ui, chip_texture.as_ref(), &c.chip_faces, f.chip_size, t.face_chip, h, k);
                    ui.add_space(16.0);
                    let live_size = f.live.as_ref().map(|p| (p.width, p.height));
                    picture(ui, f.live_texture.as_ref(), &c.live_faces, live_size, t.face_live, h, k);
                });
                ui.add_space(6.0);
                ui.add(egui::Label::new(RichText::new(words::face_advice(lang)).size(15.0 * k).italics()).wrap());
                ui.add_space(6.0);
                ui.label(bold(t.face_decide, 17.0 * k));
                ui.horizontal(|ui| {
                    if ui.button(bold(t.face_is_holder, 18.0 * k)).clicked() {
                        decide = Some(true);
                    }
                    if ui.button(bold(t.face_not_holder, 18.0 * k)).clicked() {
                        decide = Some(false);
                    }
                    ui.add_space(12.0);
                    retake = ui.button(RichText::new(t.face_retake).size(16.0 * k)).clicked();
                    close = ui.button(RichText::new(t.face_close).size(16.0 * k)).clicked();
                });
            }
        }
    });
    if take {
        app.face_capture();
    } else if retake {
        app.face_retake();
    } else if close {
        app.face_close();
    } else if let Some(holder) = decide {
        app.face_decide(holder);
    }
}

/// One picture at height `h` with its caption and the face boxes the comparison found.
fn picture(
    ui: &mut egui::Ui,
    tex: Option<&egui::TextureHandle>,
    faces: &[FaceBox],
    size: Option<(u32, u32)>,
    caption: &str,
    h: f32,
    k: f32,
) {
    ui.vertical(|ui| {
        ui.label(bold(caption, 16.0 * k));
        let Some(tex) = tex else {
            ui.label("—");
            return;
        };
        let s = tex.size_vec2();
        let w = s.x * h / s.y.max(1.0);
        let r = ui.add(egui::Image::new(tex).fit_to_exact_size(egui::vec2(w, h)).alt_text(caption));
        let Some((pw, ph)) = size else { return };
        let (sx, sy) = (r.rect.width() / pw.max(1) as f32, r.rect.height() / ph.max(1) as f32);
        for b in faces {
            let rect = egui::Rect::from_min_size(
                r.rect.min + egui::vec2(b.x * sx, b.y * sy),
                egui::vec2(b.width * sx, b.height * sy),
            )
            .intersect(r.rect);
            ui.painter().rect_stroke(rect, 2.0, egui::Stroke::new(3.0, AMBER), egui::StrokeKind::Outside);
        }
    });
}
