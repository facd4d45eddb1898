//! The chip's data beside the photo: who the person is, then the addresses at full width, each
//! with today's commune and province (the 1 July 2025 units) under it.

use eframe::egui::{self, RichText};

use super::super::{AMBER_TEXT, RED, bold};
use crate::app::App;

/// The row under a chip address: "Địa chỉ theo đơn vị hành chính mới" with today's commune and
/// province and their codes; for a split old commune, one button per candidate (the citizen
/// says which). Returns the candidate clicked.
pub(super) fn today_units(
    ui: &mut egui::Ui,
    t: &crate::i18n::Tr,
    l: &cancuoc_bridge::address::Lookup,
    choice: Option<&str>,
    choosable: bool,
    k: f32,
) -> Option<String> {
    // A short label keeps the grid's first column narrow; the full words head the value.
    ui.label(RichText::new(t.address_today_short).size(14.0 * k).weak());
    let mut clicked = None;
    ui.vertical(|ui| {
        ui.add(egui::Label::new(RichText::new(t.address_today).size(12.0 * k).weak()).wrap());
        today_units_value(ui, t, l, choice, choosable, k, &mut clicked);
    });
    clicked
}

pub(super) fn today_units_value(
    ui: &mut egui::Ui,
    t: &crate::i18n::Tr,
    l: &cancuoc_bridge::address::Lookup,
    choice: Option<&str>,
    choosable: bool,
    k: f32,
    clicked: &mut Option<String>,
) {
    use cancuoc_bridge::address::Status as A;
    match (l.status, l.chosen(choice)) {
        (A::NotFound, _) => {
            ui.add(egui::Label::new(RichText::new(t.address_not_found).size(15.0 * k).color(AMBER_TEXT)).wrap());
        }
        (_, Some(c)) => {
            let mut text = format!("{}, {}", c.name, c.province);
            if choice.is_some() && l.candidates.len() > 1 {
                text.push_str(&format!(" ({})", t.address_chosen_mark));
            }
            ui.add(egui::Label::new(bold(text, 15.0 * k)).wrap());
            ui.label(
                RichText::new(format!(
                    "{} {} · {} {}",
                    t.address_code_commune, c.code, t.address_code_province, c.province_code
                ))
                .size(13.0 * k)
                .weak(),
            );
        }
        (_, None) if choosable => {
            ui.add(egui::Label::new(RichText::new(t.address_split).size(15.0 * k).color(AMBER_TEXT)).wrap());
            for c in &l.candidates {
                if ui.button(RichText::new(format!("{} ({})", c.name, c.code)).size(15.0 * k)).clicked() {
                    *clicked = Some(c.code.clone());
                }
            }
        }
        (_, None) => {
            // Only the residence is asked (forms and the check-in use it); the place of origin's
            // candidates are listed.
            let names: Vec<&str> = l.candidates.iter().map(|c| c.name.as_str()).collect();
            ui.add(
                egui::Label::new(
                    RichText::new(format!("{} {}", t.address_one_of, names.join("; ")))
                        .size(14.0 * k)
                        .color(AMBER_TEXT),
                )
                .wrap(),
            );
        }
    }
}

pub(super) fn chip_data(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let mut chosen: Option<String> = None;
    let mut face = false;
    chip_data_rows(app, ui, k, &mut chosen, &mut face);
    if let Some(code) = chosen {
        app.choose_address(&code);
    }
    if face {
        app.start_face();
    }
}

/// `face`: set when the clerk asks for the face comparison (the button under the photo, shown
/// for a verified chip).
pub(super) fn chip_data_rows(app: &App, ui: &mut egui::Ui, k: f32, chosen: &mut Option<String>, face: &mut bool) {
    let t = app.tr();
    let app_lang = app.lang();
    let Some(c) = &app.checkin else { return };
    ui.label(bold(t.from_chip, 18.0 * k));
    ui.horizontal_top(|ui| {
        match &app.photo_texture {
            Some(Ok(tex)) => {
                let size = tex.size_vec2();
                let h = 220.0 * k;
                let w = size.x * h / size.y.max(1.0);
                ui.vertical(|ui| {
                    ui.add(egui::Image::new(tex).fit_to_exact_size(egui::vec2(w, h)).alt_text(t.f_photo));
                    if app.face_available() && ui.button(RichText::new(t.face_button).size(15.0 * k)).clicked() {
                        *face = true;
                    }
                });
            }
            Some(Err(_)) => {
                ui.label(RichText::new(t.photo_undecodable).color(RED));
            }
            None => {
                ui.label(t.no_photo);
            }
        }
        // Who the person is, beside the photo; the rest (addresses, parents…) below it, at the
        // panel's whole width, so an address is not squeezed into a narrow column.
        let p = &c.report.person;
        let english = app_lang == crate::i18n::Lang::En;
        let entries: Vec<_> = p.entries().collect();
        let beside = |key: &str| matches!(key, "id_number" | "full_name" | "date_of_birth" | "sex" | "nationality");
        egui::Grid::new("chip-who").num_columns(2).spacing([10.0, 4.0]).striped(true).show(ui, |ui| {
            for (f, v) in entries.iter().filter(|(f, _)| beside(f.key)) {
                ui.label(RichText::new(p.label(f, english)).size(14.0 * k).weak());
                // Short values stay on one line however large the text (the 12-digit number);
                // a long name wraps in a column wide enough for most names on one line.
                let value = egui::Label::new(RichText::new(*v).size(15.0 * k));
                if f.key == "full_name" {
                    ui.vertical(|ui| {
                        ui.set_min_width(230.0 * k);
                        ui.add(value.wrap());
                    });
                } else {
                    ui.add(value.extend());
                }
                ui.end_row();
            }
        });
    });
    {
        let p = &c.report.person;
        let english = app_lang == crate::i18n::Lang::En;
        let entries: Vec<_> = p.entries().collect();
        let beside = |key: &str| matches!(key, "id_number" | "full_name" | "date_of_birth" | "sex" | "nationality");
        let who_shown = entries.iter().any(|(f, _)| beside(f.key));
        egui::Grid::new("chip").num_columns(2).spacing([10.0, 4.0]).striped(true).show(ui, |ui| {
            // Every value the chip holds, labelled as this card's generation prints it (the core's
            // one table of DG13 fields).
            for (f, v) in entries.into_iter().filter(|(f, _)| !(who_shown && beside(f.key))) {
                ui.label(RichText::new(p.label(f, english)).size(14.0 * k).weak());
                if f.sensitive {
                    // Sensitive data (ethnicity, religion) is not shown here: a form that needs
                    // it shows it in its own consent question, to the citizen.
                    ui.label(RichText::new(t.sensitive_hidden).size(13.0 * k).weak().italics());
                } else {
                    ui.add(egui::Label::new(RichText::new(v).size(15.0 * k)).wrap());
                }
                ui.end_row();
                // Beside the chip's address (as the issuer signed it): the same in today's units.
                let lookup = match f.key {
                    "place_of_residence" => c.report.addresses.place_of_residence.as_ref(),
                    "place_of_origin" => c.report.addresses.place_of_origin.as_ref(),
                    _ => None,
                };
                if let Some(l) = lookup {
                    let residence = f.key == "place_of_residence";
                    let choice = if residence { c.address_choice.as_deref() } else { None };
                    if let Some(code) = today_units(ui, t, l, choice, residence, k) {
                        *chosen = Some(code);
                    }
                    ui.end_row();
                }
            }
            // A document without DG13 (a foreign patient's passport): its number and issuer.
            if let Some(doc) = c.report.document.as_ref().filter(|_| p.id_number.is_none()) {
                let rows = [
                    (if english { "Document number" } else { "Số giấy tờ" }, doc.number.clone()),
                    (if english { "Issuing state" } else { "Nơi cấp" }, doc.issuing_state.clone()),
                ];
                for (label, v) in rows {
                    ui.label(RichText::new(label).size(14.0 * k).weak());
                    ui.label(RichText::new(v).size(15.0 * k));
                    ui.end_row();
                }
            }
            if let Some(doc) = c.report.document.as_ref().filter(|d| d.expired) {
                let when = doc.date_of_expiry.clone().unwrap_or_default();
                let text = if english {
                    format!("Document EXPIRED on {when}")
                } else {
                    format!("Giấy tờ ĐÃ HẾT HẠN ngày {when}")
                };
                ui.label(RichText::new(if english { "Validity" } else { "Hiệu lực" }).size(14.0 * k).weak());
                ui.label(bold(text, 15.0 * k).color(RED));
                ui.end_row();
            }
            // Fields nobody has named yet (the 2024 card's field 16) are not the clerk's business:
            // they are in the technical details, shown as what they are.
        });
    }
}
