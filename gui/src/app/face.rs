//! The face comparison (docs/face.md): after a verified read, with the citizen's consent to this
//! purpose, a picture from the camera (or the file standing in for it) beside the chip's photo,
//! the advice, and the clerk's decision — the decision is audited; the pictures, the
//! descriptors and the advice's distance stay in memory and go when the dialog closes.

use cancuoc_bridge::report::Status;
use cancuoc_face::{Comparison, FaceModels, Picture};

use super::*;

/// Where the comparison is.
pub enum FaceStep {
    /// Waiting for the clerk to take the picture (or why it could not be taken).
    Camera { error: Option<String> },
    /// The camera and the comparison are at work (off the screen's thread).
    Taking(std::sync::mpsc::Receiver<Result<Taken, String>>),
    /// The advice is on screen, waiting for the clerk's decision.
    Result,
}

/// What the camera and the comparison give back.
pub struct Taken {
    comparison: Comparison,
    live: Picture,
    chip_size: (u32, u32),
}

/// A comparison under way.
pub struct FaceCheck {
    pub step: FaceStep,
    /// The picture taken, and its texture once drawn.
    pub live: Option<Picture>,
    pub live_texture: Option<egui::TextureHandle>,
    /// The chip's photo as the comparison read it (its size, for drawing the face boxes).
    pub chip_size: Option<(u32, u32)>,
    pub comparison: Option<Comparison>,
}

impl App {
    /// A verified read with a photo: the comparison can be offered.
    pub fn face_available(&self) -> bool {
        self.checkin.as_ref().is_some_and(|c| c.status() == Status::Verified && c.photo.is_some())
    }

    /// The clerk's button: asks the citizen's consent to this purpose first (never pre-selected).
    pub fn start_face(&mut self) {
        if !self.face_available() {
            let t = self.tr();
            self.notice(t.face_unavailable, false);
            return;
        }
        self.request(Action::Face);
    }

    /// Consent given: open the camera step, if the photo was among what the citizen agreed to.
    pub(super) fn open_face(&mut self, fields: &[Field]) {
        if !fields.contains(&Field::Photo) {
            // Asked again next time (an agreement that leaves the photo out compares nothing).
            if let Some(c) = &mut self.checkin {
                c.consents.remove(&Purpose::Face);
            }
            let t = self.tr();
            self.notice(t.face_need_photo, false);
            return;
        }
        self.face = Some(FaceCheck {
            step: FaceStep::Camera { error: None },
            live: None,
            live_texture: None,
            chip_size: None,
            comparison: None,
        });
    }

    /// The networks, loaded once (2 ms optimised; the weights are in the program).
    fn face_models(&mut self) -> Result<std::sync::Arc<FaceModels>, String> {
        if let Some(m) = &self.face_models {
            return Ok(m.clone());
        }
        let m = std::sync::Arc::new(FaceModels::load().map_err(|e| e.to_string())?);
        self.face_models = Some(m.clone());
        Ok(m)
    }

    /// Takes the picture and compares it with the chip's photo, on another thread (a webcam
    /// can take a second; the screen stays alive). [`App::poll_face`] collects the result.
    pub fn face_capture(&mut self) {
        if !matches!(self.face.as_ref().map(|f| &f.step), Some(FaceStep::Camera { .. })) {
            return;
        }
        let t = self.tr();
        let chip = self.checkin.as_ref().and_then(|c| c.photo.as_ref()).map(|(b, _)| b.clone());
        let models = self.face_models();
        let file = self.opts.camera_file.clone();
        let settings = cancuoc_face::Settings { threshold: self.settings.face_threshold, ..Default::default() };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let result = (|| {
                let chip =
                    Picture::decode(&chip.ok_or(t.face_unavailable)?).map_err(|e| format!("{}: {e}", t.face_chip))?;
                let live = crate::camera::take(file.as_deref()).map_err(|e| match e {
                    crate::camera::CameraError::None => t.face_no_camera.to_string(),
                    crate::camera::CameraError::Failed(why) => format!("{} {why}", t.face_camera_failed),
                })?;
                let comparison = models?.compare(&chip, &live, &settings);
                Ok(Taken { comparison, live, chip_size: (chip.width, chip.height) })
            })();
            let _ = tx.send(result);
        });
        if let Some(f) = &mut self.face {
            f.step = FaceStep::Taking(rx);
        }
    }

    /// Collects the camera's and the comparison's result, when there is one.
    pub fn poll_face(&mut self) {
        let Some(f) = &mut self.face else { return };
        let FaceStep::Taking(rx) = &f.step else { return };
        match rx.try_recv() {
            Ok(Ok(taken)) => {
                f.comparison = Some(taken.comparison);
                f.live = Some(taken.live);
                f.live_texture = None;
                f.chip_size = Some(taken.chip_size);
                f.step = FaceStep::Result;
            }
            Ok(Err(e)) => f.step = FaceStep::Camera { error: Some(e) },
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                f.step = FaceStep::Camera { error: Some(self.settings.lang.tr().face_camera_failed.to_string()) }
            }
        }
    }

    /// Back to the camera for another picture (the last one is dropped).
    pub fn face_retake(&mut self) {
        if let Some(f) = &mut self.face {
            *f = FaceCheck {
                step: FaceStep::Camera { error: None },
                live: None,
                live_texture: None,
                chip_size: None,
                comparison: None,
            };
        }
    }

    /// The clerk's decision: audited with the advice it was given (the words, not the pictures).
    pub fn face_decide(&mut self, holder: bool) {
        let Some(f) = self.face.take() else { return };
        let advice = f.comparison.as_ref().map_or("none".to_string(), advice_key);
        let decision = if holder { "holder" } else { "not_holder" };
        self.audit(
            "face_decision",
            Some(Purpose::Face),
            &[Field::Photo],
            &format!("decision={decision}; advice={advice}"),
        );
        let t = self.tr();
        if holder {
            self.notice(t.face_recorded_holder, true);
        } else {
            self.notice(t.face_recorded_not, false);
        }
    }

    /// Esc or Close: nothing is recorded as a decision.
    pub fn face_close(&mut self) {
        if self.face.take().is_some() {
            let t = self.tr();
            self.notice(t.face_closed, false);
        }
    }
}

/// The advice as the audit row names it: `same`, `different` or `cannot_compare:chip:no_face`.
fn advice_key(c: &Comparison) -> String {
    use cancuoc_face::{Problem, Side, Verdict};
    match &c.verdict {
        Verdict::Same => "same".into(),
        Verdict::Different => "different".into(),
        Verdict::CannotCompare { side, problem } => {
            let side = if *side == Side::Chip { "chip" } else { "live" };
            let problem = match problem {
                Problem::NoFace => "no_face",
                Problem::SeveralFaces { .. } => "several_faces",
                Problem::TooDark { .. } => "too_dark",
            };
            format!("cannot_compare:{side}:{problem}")
        }
    }
}
