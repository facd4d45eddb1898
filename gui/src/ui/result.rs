//! The result: the verdict (green only when every check passed, amber for an unknown signer,
//! red naming the failed check), the photo and the chip's data, and the check-in form with the
//! insurance check and the ways to send it on.

use crate::i18n::LangExt;
use cancuoc_bridge::Status;
use cancuoc_bridge::words;
use eframe::egui::{self, Color32, RichText};

use super::{AMBER, GREEN, INK, RED, bold};

/// Amber dark enough to read as text on the light panel.
const AMBER_TEXT: Color32 = Color32::from_rgb(0x8A, 0x5A, 0x00);
use crate::app::{Action, App};
use crate::checkin::BhytState;
use cancuoc_bridge::bhyt::{self, Eligibility};

pub fn show(app: &mut App, ui: &mut egui::Ui, k: f32) {
    verdict(app, ui, k);
    ui.add_space(6.0);
    if app.settings.counter_mode != crate::store::CounterMode::Hospital {
        // A ward or police counter: the chip's data beside the counter's forms; no hospital
        // check-in, no insurance.
        let avail = ui.available_width();
        let left = (avail * 0.36).clamp(340.0, 520.0);
        ui.horizontal_top(|ui| {
            ui.allocate_ui_with_layout(egui::vec2(left, 0.0), egui::Layout::top_down(egui::Align::Min), |ui| {
                ui.set_width(left);
                chip_data(app, ui, k);
            });
            ui.separator();
            ui.vertical(|ui| super::forms::panel(app, ui, k));
        });
        technical(app, ui);
        return;
    }
    // Three columns at 1366 px: the chip's data with the photo, the form, the insurance check.
    // Narrower windows (or large text) put the insurance check under the form.
    let avail = ui.available_width();
    let three = avail >= 1200.0 && k < 1.2;
    let left = if three { avail * 0.33 } else { (avail * 0.42).clamp(360.0, 620.0) };
    let middle = if three { avail * 0.36 } else { avail - left - 30.0 };
    ui.horizontal_top(|ui| {
        ui.allocate_ui_with_layout(egui::vec2(left, 0.0), egui::Layout::top_down(egui::Align::Min), |ui| {
            ui.set_width(left);
            chip_data(app, ui, k);
        });
        ui.separator();
        ui.allocate_ui_with_layout(egui::vec2(middle, 0.0), egui::Layout::top_down(egui::Align::Min), |ui| {
            ui.set_width(middle);
            form(app, ui, k);
            if !three {
                ui.add_space(6.0);
                insurance(app, ui, k);
            }
        });
        if three {
            ui.separator();
            ui.vertical(|ui| insurance(app, ui, k));
        }
    });
    technical(app, ui);
}

fn verdict(app: &App, ui: &mut egui::Ui, k: f32) {
    let Some(c) = &app.checkin else { return };
    // The wording is the bridge's (the same the CLI prints); the colours are the app's.
    let (lang, status) = (app.lang().words(), c.status());
    let (fill, text_colour) = match status {
        Status::Verified => (GREEN, Color32::WHITE),
        Status::SignerUntrusted | Status::NotChecked => (AMBER, INK),
        Status::NotVerified => (RED, Color32::WHITE),
    };
    let head = status.headline(lang);
    let detail = match status {
        Status::Verified | Status::SignerUntrusted => status.detail(lang).to_string(),
        Status::NotChecked | Status::NotVerified => {
            let what: Vec<String> = c.failures.iter().map(|f| words::failure(f, lang)).collect();
            format!("{} {}", status.detail(lang), what.join("; "))
        }
    };
    egui::Frame::new().fill(fill).inner_margin(egui::Margin::symmetric(16, 10)).corner_radius(6.0).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            // A shape as well as a colour, so the verdict does not rest on colour vision alone.
            let (rect, _) = ui.allocate_exact_size(egui::vec2(40.0 * k, 40.0 * k), egui::Sense::hover());
            symbol(ui.painter(), rect, c.status(), text_colour);
            ui.label(bold(head, 32.0 * k).color(text_colour));
        });
        ui.label(RichText::new(detail).size(19.0 * k).color(text_colour));
    });
}

fn technical(app: &App, ui: &mut egui::Ui) {
    use cancuoc_core::verdict::{
        ActiveAuthStatus as Aa, ChainStatus as Ch, HashStatus as H, SessionAccess as Sa, SignatureStatus as Sig,
    };
    let t = app.tr();
    let lang = app.lang();
    let Some(c) = &app.checkin else { return };
    ui.add_space(6.0);
    // What was checked, as a table in the clerk's words (no program text).
    ui.collapsing(t.technical_details, |ui| {
        let yes_no = |ok: bool| if ok { t.tech_ok } else { t.tech_failed };
        let checks = &c.report.checks;
        let mut rows: Vec<(&str, String)> = Vec::new();
        if let Some(access) = &checks.access {
            let how = match access {
                Sa::Bac => t.tech_bac.to_string(),
                Sa::BacAfterPace { .. } => t.tech_bac_after_pace.to_string(),
                Sa::Pace { curve, password, .. } => {
                    let pw = match password {
                        cancuoc_core::access::PasswordKind::Can => t.tech_by_id_number,
                        cancuoc_core::access::PasswordKind::Mrz => t.tech_by_mrz,
                    };
                    format!("PACE ({curve}), {pw}")
                }
            };
            rows.push((t.secured_by, how));
        }
        let matched = checks.data_groups.iter().filter(|d| d.status == H::Match).count();
        rows.push((t.tech_data_groups, format!("{matched}/{} {}", checks.data_groups.len(), t.tech_match)));
        rows.push((t.tech_signature, yes_no(matches!(checks.sod_signature, Sig::Valid)).to_string()));
        let chain = match &checks.certificate_chain {
            Ch::Valid => t.tech_ok,
            Ch::CscaUnknown => t.tech_issuer_unknown,
            _ => t.tech_failed,
        };
        rows.push((t.tech_chain, chain.to_string()));
        let aa = match &checks.active_authentication {
            Aa::Passed => t.tech_ok,
            Aa::Failed(_) => t.tech_failed,
            Aa::NotSupported => t.tech_not_supported,
            _ => t.tech_not_done,
        };
        rows.push((t.tech_active_auth, aa.to_string()));
        for f in &c.report.failures {
            rows.push((t.tech_problem, cancuoc_bridge::words::failure(&f.failure, lang.words())));
        }
        // Fields nobody has named yet: as they are, never given a meaning.
        let unnamed: Vec<(String, String)> = c
            .report
            .person
            .other_fields
            .iter()
            .map(|f| (format!("{} {} ({})", t.tech_field, f.number, t.tech_unconfirmed), f.values.join(" / ")))
            .collect();
        match &c.evidence {
            Some(Ok(e)) => rows.push((t.evidence_made, format!("SHA-256 {}…", &e.sha256()[..16]))),
            Some(Err(_)) => rows.push((t.evidence_made, t.evidence_none.to_string())),
            None => {}
        }
        if let Some(r) = &c.report.reader {
            rows.push((t.tech_usb_reader, format!("{} — {}", r.port, r.firmware)));
            if r.agrees {
                rows.push((t.tech_usb_reader, t.reader_agrees.to_string()));
            }
        }
        egui::Grid::new("technical").num_columns(2).striped(true).show(ui, |ui| {
            for (label, value) in rows {
                ui.label(RichText::new(label).weak());
                ui.add(egui::Label::new(value).wrap());
                ui.end_row();
            }
            for (label, value) in unnamed {
                ui.label(RichText::new(label).weak());
                ui.add(egui::Label::new(value).wrap());
                ui.end_row();
            }
        });
    });
}

/// ✔ in a circle, ! in a triangle, ✘ in a circle.
fn symbol(p: &egui::Painter, rect: egui::Rect, status: Status, colour: Color32) {
    let c = rect.center();
    let r = rect.width() * 0.45;
    let stroke = egui::Stroke::new(rect.width() * 0.1, colour);
    match status {
        Status::Verified => {
            p.circle_stroke(c, r, stroke);
            p.line_segment([c + egui::vec2(-0.5 * r, 0.0), c + egui::vec2(-0.12 * r, 0.4 * r)], stroke);
            p.line_segment([c + egui::vec2(-0.12 * r, 0.4 * r), c + egui::vec2(0.55 * r, -0.45 * r)], stroke);
        }
        Status::SignerUntrusted | Status::NotChecked => {
            let pts = vec![c + egui::vec2(0.0, -r), c + egui::vec2(r, 0.8 * r), c + egui::vec2(-r, 0.8 * r)];
            p.add(egui::Shape::closed_line(pts, stroke));
            p.line_segment([c + egui::vec2(0.0, -0.4 * r), c + egui::vec2(0.0, 0.25 * r)], stroke);
            p.circle_filled(c + egui::vec2(0.0, 0.55 * r), stroke.width * 0.6, colour);
        }
        Status::NotVerified => {
            p.circle_stroke(c, r, stroke);
            let d = 0.45 * r;
            p.line_segment([c + egui::vec2(-d, -d), c + egui::vec2(d, d)], stroke);
            p.line_segment([c + egui::vec2(-d, d), c + egui::vec2(d, -d)], stroke);
        }
    }
}

/// The row under a chip address: "Địa chỉ theo đơn vị hành chính mới" with today's commune and
/// province and their codes; for a split old commune, one button per candidate (the citizen
/// says which). Returns the candidate clicked.
fn today_units(
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

fn today_units_value(
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

fn chip_data(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let mut chosen: Option<String> = None;
    chip_data_rows(app, ui, k, &mut chosen);
    if let Some(code) = chosen {
        app.choose_address(&code);
    }
}

fn chip_data_rows(app: &App, ui: &mut egui::Ui, k: f32, chosen: &mut Option<String>) {
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
                ui.add(egui::Image::new(tex).fit_to_exact_size(egui::vec2(w, h)).alt_text(t.f_photo));
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

fn form(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let mut chosen: Option<String> = None;
    let mut override_now = false;
    form_rows(app, ui, k, &mut chosen, &mut override_now);
    if let Some(code) = chosen {
        app.choose_address(&code);
    }
    if override_now {
        app.override_checkin();
    }
}

fn form_rows(app: &mut App, ui: &mut egui::Ui, k: f32, chosen: &mut Option<String>, override_now: &mut bool) {
    let t = app.tr();
    let lang = app.lang();
    let Some(c) = &mut app.checkin else { return };
    ui.label(bold(t.form_title, 22.0 * k));
    if c.status() != Status::Verified {
        ui.label(bold(t.not_verified_warning, 16.0 * k).color(RED));
        match &c.override_reason {
            Some(r) => {
                ui.label(RichText::new(format!("{}: {r}", t.override_printed)).size(15.0 * k).color(RED));
            }
            None => {
                // One rule at every counter: shown for comparison; filled, checked or sent only
                // on the clerk's override with a reason.
                ui.label(RichText::new(t.unverified_rule).size(15.0 * k));
                ui.horizontal(|ui| {
                    let l = ui.label(t.override_reason);
                    ui.add(egui::TextEdit::singleline(&mut c.override_draft).desired_width(300.0 * k))
                        .labelled_by(l.id);
                });
                let ready = !c.override_draft.trim().is_empty();
                if ui
                    .add_enabled(ready, egui::Button::new(RichText::new(t.override_use).size(15.0 * k).color(RED)))
                    .clicked()
                {
                    *override_now = true;
                }
            }
        }
    }
    let big = 22.0 * k;
    // The address under the label this card's generation prints ("nơi cư trú" on 2024 cards).
    let person = &c.report.person;
    let address_label = cancuoc_core::lds::dg13::field_info("place_of_residence")
        .map_or(t.f_place_of_residence, |f| person.label(f, lang == crate::i18n::Lang::En));
    egui::Grid::new("form").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
        use crate::consent::Field as F;
        for (label, f) in [
            (t.f_full_name, F::FullName),
            (t.f_date_of_birth, F::DateOfBirth),
            (t.f_sex, F::Sex),
            (t.f_id_number, F::IdNumber),
            (address_label, F::Address),
        ] {
            ui.label(RichText::new(label).size(16.0 * k));
            let needs_choice = f == F::Address
                && c.address_choice.is_none()
                && c.report
                    .addresses
                    .place_of_residence
                    .as_ref()
                    .is_some_and(|l| l.status == cancuoc_bridge::address::Status::Ambiguous);
            if needs_choice {
                // The card's old commune was split: the clerk asks the citizen here, where the
                // form is filled (the same buttons as beside the chip's address).
                ui.vertical(|ui| {
                    ui.add(egui::Label::new(bold(c.value(f, lang).unwrap_or_default(), big)).wrap());
                    if let Some(l) = &c.report.addresses.place_of_residence {
                        today_units_value(ui, t, l, None, true, k, chosen);
                    }
                });
            } else if c.usable() {
                ui.add(egui::Label::new(bold(c.value(f, lang).unwrap_or_default(), big)).wrap());
            } else {
                // Not verified and not overridden: shown for comparison, not filled in.
                ui.add(
                    egui::Label::new(RichText::new(c.value(f, lang).unwrap_or_default()).size(16.0 * k).weak()).wrap(),
                );
            }
            ui.end_row();
        }
        let l = ui.label(RichText::new(t.f_service).size(16.0 * k));
        egui::ComboBox::from_id_salt("service")
            .selected_text(RichText::new(t.services.get(c.service).copied().unwrap_or_default()).size(18.0 * k))
            .show_ui(ui, |ui| {
                for (i, s) in t.services.iter().enumerate() {
                    ui.selectable_value(&mut c.service, i, *s);
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        let l = ui.label(RichText::new(t.f_reason).size(16.0 * k));
        ui.add(
            egui::TextEdit::singleline(&mut c.reason)
                .desired_width(380.0 * k)
                .font(egui::FontId::proportional(20.0 * k)),
        )
        .labelled_by(l.id);
        ui.end_row();
    });
}

fn insurance(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    let lang = app.lang();
    let Some(c) = &app.checkin else { return };
    ui.label(bold(t.bhyt_title, 19.0 * k));
    let mut check = false;
    let mut history = false;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        match &c.bhyt {
            BhytState::Done(r) => {
                let (colour, head) = match r.eligibility {
                    Eligibility::Valid => (GREEN, t.bhyt_valid),
                    Eligibility::Expired => (RED, t.bhyt_expired),
                    Eligibility::Invalid => (RED, t.bhyt_invalid),
                };
                let info = bhyt::code(&r.code);
                let words = lang.words();
                ui.label(bold(head, 20.0 * k).color(colour));
                ui.label(format!("{} {} — {}", t.bhyt_code, r.code, info.meaning(words)));
                // The insurer's advice assumes the chip is right: for a card that is not verified
                // it is not (the chip's data cannot be trusted to correct anyone's record).
                if c.status() == Status::Verified {
                    ui.label(RichText::new(info.todo(words)).size(16.0 * k));
                } else {
                    ui.label(RichText::new(t.bhyt_unverified_advice).size(16.0 * k).color(RED));
                }
                // The gateway's own note, always.
                if let Some(n) = &r.note {
                    ui.label(format!("{}: {n}", t.bhyt_note));
                }
                if r.previous_card.is_some() {
                    ui.label(bold(t.bhyt_new_card, 17.0 * k));
                }
                card(ui, app, &r.card, k);
                if let Some(p) = &r.previous_card {
                    ui.label(bold(t.bhyt_old_card, 17.0 * k));
                    card(ui, app, p, k);
                }
                if r.birth_year_only {
                    ui.label(RichText::new(t.bhyt_year_only).color(AMBER));
                }
                if !r.differences.is_empty() {
                    ui.label(bold(t.bhyt_differs, 17.0 * k).color(RED));
                    egui::Grid::new("bhyt-differences").num_columns(3).show(ui, |ui| {
                        for h in ["", t.bhyt_chip, t.bhyt_insurer] {
                            ui.label(bold(h, 15.0 * k));
                        }
                        ui.end_row();
                        for d in &r.differences {
                            let what = match d.field {
                                "full_name" => t.f_full_name,
                                "date_of_birth" => t.f_date_of_birth,
                                _ => t.f_sex,
                            };
                            ui.label(what);
                            ui.label(&d.chip);
                            ui.label(RichText::new(&d.insurer).color(RED));
                            ui.end_row();
                        }
                    });
                }
            }
            BhytState::Checking => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(t.bhyt_checking);
                });
            }
            BhytState::NotChecked(reason) => {
                ui.label(bold(t.bhyt_not_checked, 18.0 * k).color(AMBER));
                if let Some(r) = reason {
                    ui.label(RichText::new(bhyt::not_checked_message(r, lang.words())).color(RED));
                }
            }
        }
        if !matches!(c.bhyt, BhytState::Checking) {
            check = ui.button(RichText::new(t.bhyt_check).size(18.0 * k)).clicked();
        }
        // The visit history: on request only, under its own consent.
        match &c.history {
            Some(Ok(h)) => {
                ui.label(bold(t.bhyt_history_title, 17.0 * k));
                if h.visits.is_empty() {
                    ui.label(t.bhyt_history_none);
                }
                for v in &h.visits {
                    let when = v.admitted.as_deref().map(stamp).unwrap_or_default();
                    ui.label(format!(
                        "{when} · {} · {} — {}",
                        v.facility.as_deref().unwrap_or("?"),
                        v.diagnosis.as_deref().unwrap_or(""),
                        v.outcome.as_deref().unwrap_or("")
                    ));
                }
            }
            Some(Err(n)) => {
                ui.label(RichText::new(bhyt::not_checked_message(n, lang.words())).color(RED));
            }
            None => {}
        }
        if matches!(c.bhyt, BhytState::Done(_)) && !matches!(c.history, Some(Ok(_))) {
            history = ui.button(RichText::new(t.bhyt_history_button).size(16.0 * k)).clicked();
        }
    });
    if check {
        app.request(Action::Bhyt);
    }
    if history {
        app.request(Action::History);
    }
}

/// `yyyyMMddHHmm` → `dd/mm/yyyy HH:mm` (as given when it is not such a stamp).
fn stamp(s: &str) -> String {
    match (s.get(0..4), s.get(4..6), s.get(6..8), s.get(8..10), s.get(10..12)) {
        (Some(y), Some(m), Some(d), Some(h), Some(min)) if s.len() == 12 => format!("{d}/{m}/{y} {h}:{min}"),
        _ => s.to_string(),
    }
}

/// One insurance card: number, benefit level, validity, registered facility (its name and
/// whether it is this site), each with where it comes from.
fn card(ui: &mut egui::Ui, app: &App, c: &bhyt::Card, k: f32) {
    let t = app.tr();
    let lang = app.lang();
    if let Some(n) = &c.number {
        ui.label(format!("{}: {n}", t.bhyt_card_number));
        if let Some(l) = bhyt::benefit_level(n) {
            let text =
                format!("{}: {} — {} ({})", t.bhyt_benefit, l.code, l.words(lang.words()), t.bhyt_benefit_source);
            ui.add(egui::Label::new(RichText::new(text).size(16.0 * k)).wrap());
        }
    }
    if let (Some(a), Some(b)) = (&c.valid_from, &c.valid_to) {
        ui.label(format!("{}: {a} – {b}", t.bhyt_period));
    }
    if let Some(f) = &c.facility {
        let site_code = &app.settings.site_id;
        let named = bhyt::facility_name(c, site_code, &app.site_name(), &app.facility_names);
        let name = match &named {
            Some((n, bhyt::NameSource::Gateway)) => format!("{n} ({})", t.bhyt_name_gateway),
            Some((n, bhyt::NameSource::ThisSite)) => format!("{n} ({})", t.bhyt_name_site),
            Some((n, bhyt::NameSource::SiteTable)) => format!("{n} ({})", t.bhyt_name_table),
            None => format!("({})", t.bhyt_name_unknown),
        };
        ui.add(egui::Label::new(format!("{}: {f} — {name}", t.bhyt_facility)).wrap());
        match bhyt::registered_here(c, site_code) {
            Some(true) => {
                ui.label(bold(t.bhyt_here, 16.0 * k).color(GREEN));
            }
            Some(false) => {
                ui.add(egui::Label::new(bold(t.bhyt_elsewhere, 16.0 * k).color(super::AMBER_TEXT)).wrap());
            }
            None => {}
        }
    }
    if let Some(a) = &c.area {
        ui.label(format!("{}: {a}", t.bhyt_area));
    }
    if let Some(d) = &c.five_years {
        ui.label(format!("{}: {d}", t.bhyt_five_years));
    }
}

/// The actions, in a bar that stays at the bottom of the window.
pub fn actions(app: &mut App, ui: &mut egui::Ui, k: f32) {
    let t = app.tr();
    let mut act = None;
    let mut save = false;
    let mut next = false;
    let mut receipt = false;
    let hospital = app.settings.counter_mode == crate::store::CounterMode::Hospital;
    ui.horizontal_wrapped(|ui| {
        next = ui.button(bold(t.next_person, 18.0 * k)).clicked();
        ui.separator();
        // Every counter saves the visit for its queue number; only a hospital sends on.
        save = ui.button(bold(app.counter_words().2, 18.0 * k)).clicked();
        // The citizen's own receipt: what was read, sent, kept (docs/privacy.md).
        receipt = ui.button(RichText::new(t.print_receipt).size(17.0 * k)).clicked();
        if !hospital {
            return;
        }
        for (a, label) in [
            (Action::His, t.send_his),
            (Action::Copy, t.copy),
            (Action::Print, t.print),
            (Action::Csv, t.export_csv),
            (Action::Fhir, t.export_fhir),
            (Action::Evidence, t.export_evidence),
        ] {
            if ui.button(RichText::new(label).size(17.0 * k)).clicked() {
                act = Some(a);
            }
        }
    });
    if save {
        app.save_checkin();
    }
    if receipt {
        app.print_receipt();
    }
    if let Some(a) = act {
        app.request(a);
    }
    if next {
        app.next_person();
    }
}
