//! `--tour DIR`: walks the real app window through every screen in demo mode and saves a PNG of
//! each (docs/screenshots/, and CI's check that the screens render). It drives the app through
//! the same actions a clerk's keys and buttons call.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

use eframe::egui;

use crate::app::{Action, App, FaceStep, KeyMode, Phase, Tab};
use crate::checkin::BhytState;
use crate::consent::Field;
use crate::i18n::Lang;

/// The screens, in order (file names without `.png`).
pub const STAGES: &[&str] = &[
    "01-nhap-khoa",
    "02-dang-doc",
    "03-xac-thuc",
    "04-dong-y",
    "05-phieu-tiep-don",
    "06-the-gia",
    "07-noi-cap-la",
    "08-nhac-the",
    "09-lich-su",
    "10-cai-dat",
    "11-english",
    "12-chu-lon",
    "14-mot-cua-bieu-mau",
    "15-mot-cua-dong-y",
    "16-mot-cua-xem-truoc",
    "17-dia-chi-moi",
    "18-nguoi-dan-tra-loi",
    "19-cho-nguoi-dan",
    "20-chu-lon-dong-y",
    "21-chu-lon-mot-cua",
    "22-huy-luot",
    "23-cai-dat-khoa",
    "24-khuon-mat-khong-so-duoc",
    "25-khuon-mat-giong-nhau",
];

/// The picture standing in for a real card's photo in stage 25 (the simulated card's photo is a
/// drawing, which the comparison rightly finds no face in): a public-domain test face.
pub const CHIP_PHOTO_ENV: &str = "CANCUOC_TOUR_CHIP_PHOTO";

pub struct Tour {
    dir: PathBuf,
    stage: usize,
    set_up: bool,
    settle: u32,
    shot: Option<Receiver<Arc<egui::ColorImage>>>,
    /// Stages written so far.
    pub written: Vec<PathBuf>,
    pub error: Option<String>,
    /// When the last stage was written.
    done_at: Option<std::time::Instant>,
}

impl Tour {
    pub fn new(dir: PathBuf) -> Self {
        Tour { dir, stage: 0, set_up: false, settle: 0, shot: None, written: Vec::new(), error: None, done_at: None }
    }

    fn read(app: &mut App, variant: &str, remove: bool) {
        app.next_person();
        app.key_mode = KeyMode::IdNumber;
        app.key.id_or_can = cancuoc_bridge::demo::PERSONA.id_number.into();
        app.scenario.variant = variant.into();
        app.scenario.remove_mid_read = remove;
        app.start_read();
    }

    fn set_up(&self, app: &mut App, ctx: &egui::Context) {
        match self.stage {
            0 => {
                app.tab = Tab::Checkin;
                app.key_mode = KeyMode::IdNumber;
                app.key.id_or_can = cancuoc_bridge::demo::PERSONA.id_number.into();
            }
            1 | 2 => Self::read(app, "rsa", false),
            3 => app.request(Action::Bhyt),
            4 => {
                app.agree_consent();
                if let Some(c) = &mut app.checkin {
                    c.reason = "Đau đầu, sốt nhẹ 2 ngày".into();
                }
            }
            5 => Self::read(app, "tampered-dg13", false),
            6 => Self::read(app, "unknown-csca", false),
            7 => Self::read(app, "rsa", true),
            8 => {
                // Save the checked-in person first so the history shows a row.
                Self::read(app, "rsa", false);
            }
            9 => app.tab = Tab::Settings,
            10 => {
                app.tab = Tab::Checkin;
                app.set_lang(Lang::En);
                Self::read(app, "ecdsa-bp256", false);
            }
            11 => {
                app.set_lang(Lang::Vi);
                app.set_large_text(true);
                crate::style::apply_style(ctx, true);
                app.next_person();
                app.key_mode = KeyMode::Mrz;
                app.apply_qr("079195012345|012345678|Nguyễn Thị Thu Hà|15031995|Nữ|Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hàng Đào, Quận Hoàn Kiếm, Hà Nội|10082021");
            }
            12 => {
                // The ward People's Committee counter: its forms after a read.
                app.set_large_text(false);
                crate::style::apply_style(ctx, false);
                app.settings.counter_mode = crate::store::CounterMode::WardCommittee;
                app.settings.office_name = "UBND phường Hoàn Kiếm".into();
                app.settings.office_place = "Hà Nội".into();
                Self::read(app, "rsa", false);
            }
            13 => app.start_form("xac-nhan-hon-nhan"),
            14 => {
                app.answer_form_consent(true);
                if let Some(f) = &mut app.form {
                    f.typed.insert("status".into(), "Chưa đăng ký kết hôn với ai".into());
                    f.typed.insert("purpose".into(), "Để đăng ký kết hôn".into());
                }
            }
            15 => {
                // A 2024 card whose ward (Phường Cửa Nam) was split on 1 July 2025: the clerk
                // asks the citizen which ward of today (docs/address.md).
                app.settings.counter_mode = crate::store::CounterMode::Hospital;
                app.next_person();
                app.key_mode = KeyMode::IdNumber;
                app.key.id_or_can = cancuoc_bridge::demo::PERSONA_2024.id_number.into();
                app.scenario.variant = "can-cuoc-2024".into();
                app.scenario.remove_mid_read = false;
                app.start_read();
            }
            16 => {
                // The citizen's screen, one monitor turned to the citizen: the HIS question.
                app.settings.citizen_display = crate::store::CitizenDisplay::TurnScreen;
                Self::read(app, "rsa", false);
            }
            17 => {
                // A second window faces the citizen: the clerk's screen waits for the answer.
                app.consent = None;
                app.settings.citizen_display = crate::store::CitizenDisplay::SecondWindow;
                app.request(Action::His);
            }
            18 => {
                // Large text: the hospital's consent dialog fits 1366×768 (its list scrolls).
                app.close_consent();
                app.settings.citizen_display = crate::store::CitizenDisplay::Off;
                app.set_large_text(true);
                crate::style::apply_style(ctx, true);
                Self::read(app, "rsa", false);
            }
            19 => {
                // Large text at the ward: the marriage form's question for the bride's card.
                app.close_consent();
                app.settings.counter_mode = crate::store::CounterMode::WardCommittee;
                Self::read(app, "rsa", false);
            }
            20 => {
                // History: cancelling a saved visit asks why first.
                app.close_form();
                app.set_large_text(false);
                crate::style::apply_style(ctx, false);
                app.settings.counter_mode = crate::store::CounterMode::Hospital;
                app.tab = Tab::History;
                if let Some(row) = app.store.checkins(1).ok().and_then(|r| r.into_iter().next()) {
                    app.cancelling = Some((row, "lưu nhầm người".into()));
                }
            }
            21 => {
                // The settings page behind the administrator PIN.
                app.cancelling = None;
                app.settings.admin_pin = crate::store::pin::hash("2468").unwrap_or_default();
                app.settings_unlocked = false;
                app.tab = Tab::Settings;
            }
            22 => {
                // The face comparison with a picture file as the camera (`--camera-file`): the
                // simulated card's drawn photo has no face — "cannot compare".
                app.tab = Tab::Checkin;
                Self::read(app, "rsa", false);
            }
            23 => {
                // The same with a real face as the chip's photo (see CHIP_PHOTO_ENV): "same".
                app.face_close();
                let photo = std::env::var_os(CHIP_PHOTO_ENV).and_then(|p| std::fs::read(p).ok());
                if let (Some(bytes), Some(c)) = (photo, &mut app.checkin) {
                    let mime = if bytes.starts_with(&[0xFF, 0xD8]) { "image/jpeg" } else { "image/jp2" };
                    app.photo_texture = Some(
                        crate::photo::decode(&bytes, mime)
                            .map(|img| ctx.load_texture("face", img, egui::TextureOptions::LINEAR)),
                    );
                    c.photo = Some((bytes, mime));
                }
            }
            _ => {}
        }
    }

    /// Stages 22–23: asks (ticking the photo for the citizen, as they would), takes the picture;
    /// ready once the advice is on screen (or the camera's error).
    fn face_ready(app: &mut App) -> bool {
        if !matches!(app.phase, Phase::Result) {
            return false;
        }
        match app.face.as_ref().map(|f| &f.step) {
            Some(FaceStep::Result) | Some(FaceStep::Camera { error: Some(_) }) => return true,
            Some(FaceStep::Taking(_)) => {}
            Some(FaceStep::Camera { error: None }) => app.face_capture(),
            None => {
                app.start_face();
                if let Some(a) = &mut app.consent {
                    a.fields.push(Field::Photo);
                    app.agree_consent();
                }
            }
        }
        false
    }

    /// Whether the stage's screen is ready to be taken.
    fn ready(&self, app: &mut App) -> bool {
        match self.stage {
            1 => match &app.phase {
                // The holder's name is on the screen, marked as being checked.
                Phase::Reading { holder, .. } => holder.is_some(),
                _ => true,
            },
            2 | 5 | 6 | 10 | 12 | 15 => matches!(app.phase, Phase::Result),
            16 => {
                if matches!(app.phase, Phase::Result) && app.consent.is_none() {
                    app.request(Action::His);
                    return false;
                }
                app.consent.is_some()
            }
            13 => app.form.as_ref().is_some_and(|f| f.asking.is_some()),
            18 => {
                if matches!(app.phase, Phase::Result) && app.consent.is_none() {
                    app.request(Action::His);
                    return false;
                }
                app.consent.is_some()
            }
            19 => {
                if matches!(app.phase, Phase::Result) && app.form.is_none() {
                    app.start_form("ket-hon");
                    return false;
                }
                app.form.as_ref().is_some_and(|f| f.asking.is_some())
            }
            3 => app.consent.is_some(),
            22 | 23 => Self::face_ready(app),
            4 => app.checkin.as_ref().is_some_and(|c| matches!(c.bhyt, BhytState::Done(_))),
            7 => matches!(app.phase, Phase::Interrupted { .. }),
            8 => {
                if matches!(app.phase, Phase::Result) && app.tab == Tab::Checkin {
                    app.save_checkin();
                    app.tab = Tab::History;
                    return false;
                }
                app.tab == Tab::History
            }
            _ => true,
        }
    }

    /// Called before the app draws each frame.
    pub fn step(&mut self, app: &mut App, ctx: &egui::Context) {
        ctx.request_repaint();
        if let Some(rx) = &self.shot {
            if let Ok(img) = rx.try_recv() {
                self.shot = None;
                let name = STAGES.get(self.stage).copied().unwrap_or("extra");
                let path = self.dir.join(format!("{name}.png"));
                let [w, h] = img.size;
                let bytes: Vec<u8> = img.pixels.iter().flat_map(|p| p.to_array()).collect();
                match image::RgbaImage::from_raw(w as u32, h as u32, bytes).map(|i| i.save(&path)) {
                    Some(Ok(())) => self.written.push(path),
                    Some(Err(e)) => self.error = Some(format!("{}: {e}", path.display())),
                    None => self.error = Some("screenshot of unexpected size".into()),
                }
                self.stage += 1;
                self.set_up = false;
            }
            return;
        }
        if self.stage >= STAGES.len() || self.error.is_some() {
            // `CANCUOC_TOUR_HOLD_MS`: keep the last screen (and the citizen's second window) up
            // this long, for a screenshot of the whole display taken from outside.
            let hold = std::env::var("CANCUOC_TOUR_HOLD_MS").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            let since = *self.done_at.get_or_insert_with(std::time::Instant::now);
            if since.elapsed() < std::time::Duration::from_millis(hold) {
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
                return;
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if !self.set_up {
            self.set_up(app, ctx);
            self.set_up = true;
            self.settle = 0;
            return;
        }
        if !self.ready(app) {
            return;
        }
        // A few frames for layout, fonts and textures to settle.
        self.settle += 1;
        if self.settle < 6 {
            return;
        }
        let (tx, rx) = channel();
        ctx.request_screenshot(move |img| {
            let _ = tx.send(img);
        });
        self.shot = Some(rx);
    }
}
