//! The desk app's look, shared by the screens (`ui`) and the guided tour (`tour`), which drives
//! the screens and so must not be one of their imports: colours, text sizes, the bold face.

use eframe::egui::{self, Color32, FontFamily, RichText, TextStyle};

pub const GREEN: Color32 = Color32::from_rgb(0x1B, 0x5E, 0x20);
pub const AMBER: Color32 = Color32::from_rgb(0xF9, 0xA8, 0x25);
/// Amber for text on the light background (readable; `AMBER` is for fills).
pub const AMBER_TEXT: Color32 = Color32::from_rgb(0x8A, 0x4B, 0x00);
pub const RED: Color32 = Color32::from_rgb(0xB7, 0x1C, 0x1C);
pub const INK: Color32 = Color32::from_rgb(0x1A, 0x1A, 0x1A);

/// Text sizes; large-text mode scales them by 1.35.
pub fn apply_style(ctx: &egui::Context, large: bool) {
    let k = if large { 1.35 } else { 1.0 };
    ctx.global_style_mut(|style| {
        style.visuals = egui::Visuals::light();
        style.text_styles = [
            (TextStyle::Small, egui::FontId::proportional(14.0 * k)),
            (TextStyle::Body, egui::FontId::proportional(17.0 * k)),
            (TextStyle::Button, egui::FontId::proportional(17.0 * k)),
            (TextStyle::Heading, egui::FontId::new(24.0 * k, FontFamily::Name("bold".into()))),
            (TextStyle::Monospace, egui::FontId::monospace(15.0 * k)),
        ]
        .into();
        style.spacing.button_padding = egui::vec2(12.0, 6.0);
        style.spacing.item_spacing = egui::vec2(10.0, 8.0);
        style.spacing.interact_size.y = 30.0 * k;
    });
}

pub fn bold(text: impl Into<String>, size: f32) -> RichText {
    RichText::new(text).font(egui::FontId::new(size, FontFamily::Name("bold".into())))
}
