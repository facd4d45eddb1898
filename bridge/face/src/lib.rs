//! An advisory comparison of the chip's face photo (DG2) with a live picture of the person at
//! the counter, on the PC's CPU, offline. It helps the clerk's eye; it decides nothing and has
//! no liveness check (a photo held up to the camera fools it). See docs/face.md.
//!
//! The networks are face-api's ports of Davis King's dlib face-recognition ResNet (public
//! domain) and of face-api's tiny face detector, their weights vendored in `model/` with their
//! provenance. Nothing here writes to disk or keeps a picture or a descriptor.

#![warn(missing_docs)]

mod detect;
mod embed;
mod ops;
pub mod picture;
mod weights;

pub use detect::FaceBox;
pub use picture::{Picture, PictureError};
pub use weights::WeightsError;

/// The comparison's settings (the desk app's and the CLI's; see docs/face.md for their sources).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Settings {
    /// Descriptor distance at or below which two faces are called "same".
    pub threshold: f32,
    /// The detector's confidence above which a face counts.
    pub min_score: f32,
    /// Mean brightness (0–255) below which a picture is too dark to compare.
    pub min_brightness: f32,
}

impl Default for Settings {
    fn default() -> Self {
        // 0.6: the threshold at which dlib's example gives the model's 99.38 % on LFW, and the
        // default of both `face_recognition` and face-api. 0.5: face-api's detector default.
        Settings { threshold: 0.6, min_score: 0.5, min_brightness: 40.0 }
    }
}

/// Side of the square cut around a detected face, as a share of the detector box's longer
/// side, that the descriptor network sees (docs/face.md: why not the box itself).
pub const CROP: f32 = 0.8;

/// A face's descriptor: 128 numbers; the Euclidean distance between two says how alike they are.
#[derive(Clone, Copy, Debug)]
pub struct Descriptor(pub [f32; embed::LEN]);

impl Descriptor {
    /// Euclidean distance.
    pub fn distance(&self, other: &Descriptor) -> f32 {
        self.0.iter().zip(&other.0).map(|(a, b)| (a - b) * (a - b)).sum::<f32>().sqrt()
    }
}

/// What a picture shows, for the comparison.
#[derive(Clone, Debug)]
pub enum Finding {
    /// Exactly one face.
    One(FaceBox, Box<Descriptor>),
    /// No face found.
    NoFace,
    /// More than one face (how many).
    SeveralFaces(Vec<FaceBox>),
    /// Too dark to look for a face (the mean brightness).
    TooDark(f32),
}

/// Which picture a problem is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The chip's photo.
    Chip,
    /// The live picture.
    Live,
}

/// Why two pictures could not be compared.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// No face found.
    NoFace,
    /// More than one face.
    SeveralFaces {
        /// How many.
        count: usize,
    },
    /// Too dark.
    TooDark {
        /// Its mean brightness, 0–255.
        brightness: f32,
    },
}

/// The advice.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The descriptors are within the threshold.
    Same,
    /// They are not.
    Different,
    /// One of the pictures cannot be used.
    CannotCompare {
        /// Which.
        side: Side,
        /// Why.
        #[serde(flatten)]
        problem: Problem,
    },
}

/// A comparison's result: the advice, the distance and the face boxes (for drawing).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Comparison {
    /// The advice.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The descriptor distance, when both pictures have one face.
    pub distance: Option<f32>,
    /// The threshold used.
    pub threshold: f32,
    /// The chip photo's face boxes.
    pub chip_faces: Vec<FaceBox>,
    /// The live picture's face boxes.
    pub live_faces: Vec<FaceBox>,
}

/// Why the networks could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("the face networks could not be loaded: {0}")]
pub struct ModelError(#[from] WeightsError);

/// The two networks, loaded (≈ 30 MB of memory; load once, use for every comparison).
pub struct FaceModels {
    detector: detect::Detector,
    embedder: embed::Embedder,
}

impl FaceModels {
    /// Loads the vendored weights built into the program.
    pub fn load() -> Result<Self, ModelError> {
        let mut d = weights::Weights::parse(
            include_str!("../model/tiny_face_detector_model-weights_manifest.json"),
            include_bytes!("../model/tiny_face_detector_model.bin"),
        )?;
        let mut e = weights::Weights::parse(
            include_str!("../model/face_recognition_model-weights_manifest.json"),
            include_bytes!("../model/face_recognition_model.bin"),
        )?;
        Ok(FaceModels { detector: detect::Detector::load(&mut d)?, embedder: embed::Embedder::load(&mut e)? })
    }

    /// The faces the detector finds, strongest first.
    pub fn find_faces(&self, picture: &Picture, settings: &Settings) -> Vec<FaceBox> {
        self.detector.detect(&picture.to_map(), settings.min_score)
    }

    /// The descriptor of the face in `face`'s box: a square of [`CROP`] × the box's longer
    /// side around its centre, in whole pixels (rounded down), black where it reaches past the
    /// picture's edge — so a face cut by the edge keeps its place and size in the square
    /// (face-api's own cut would clip it and shift the face; docs/face.md).
    pub fn describe(&self, picture: &Picture, face: &FaceBox) -> Descriptor {
        let side = face.width.max(face.height) * CROP;
        let (x0, y0) = (face.x + face.width / 2.0 - side / 2.0, face.y + face.height / 2.0 - side / 2.0);
        let side = side.floor() as i64;
        self.describe_region(picture, [x0.floor() as i64, y0.floor() as i64, side, side])
    }

    /// The descriptor of a rectangle (`[x, y, width, height]` in pixels of the picture; black
    /// where it lies outside the picture; at least one pixel), padded to a square and scaled to
    /// the network's 150 × 150: the mean of the descriptors of the cut and of its mirror image
    /// (the "flip test" of face-recognition evaluations; dlib's jittering mirrors too) — a face
    /// turned a little or cut by an edge weighs less (docs/face.md).
    pub fn describe_region(&self, picture: &Picture, [x, y, w, h]: [i64; 4]) -> Descriptor {
        // Kept within a few picture sizes: a box far outside is a bug upstream, not a face.
        let limit = 4 * i64::from(picture.width.max(picture.height));
        let (w, h) = (w.clamp(1, limit) as usize, h.clamp(1, limit) as usize);
        let (x, y) = (x.clamp(-limit, limit), y.clamp(-limit, limit));
        let region = picture.region(x, y, w, h);
        let (a, b) = (self.embedder.describe(&region), self.embedder.describe(&ops::mirror(&region)));
        let mut mean = [0f32; embed::LEN];
        for ((m, a), b) in mean.iter_mut().zip(a).zip(b) {
            *m = (a + b) / 2.0;
        }
        Descriptor(mean)
    }

    /// What a picture shows: one face and its descriptor, or why not.
    pub fn examine(&self, picture: &Picture, settings: &Settings) -> Finding {
        let brightness = picture.brightness();
        if brightness < settings.min_brightness {
            return Finding::TooDark(brightness);
        }
        let faces = self.find_faces(picture, settings);
        match faces.as_slice() {
            [] => Finding::NoFace,
            [one] => Finding::One(*one, Box::new(self.describe(picture, one))),
            _ => Finding::SeveralFaces(faces),
        }
    }

    /// Compares the chip's photo with the live picture.
    pub fn compare(&self, chip: &Picture, live: &Picture, settings: &Settings) -> Comparison {
        let (a, b) = (self.examine(chip, settings), self.examine(live, settings));
        let boxes = |f: &Finding| match f {
            Finding::One(b, _) => vec![*b],
            Finding::SeveralFaces(v) => v.clone(),
            _ => Vec::new(),
        };
        let (chip_faces, live_faces) = (boxes(&a), boxes(&b));
        let problem = |f: &Finding| match f {
            Finding::One(..) => None,
            Finding::NoFace => Some(Problem::NoFace),
            Finding::SeveralFaces(v) => Some(Problem::SeveralFaces { count: v.len() }),
            Finding::TooDark(brightness) => Some(Problem::TooDark { brightness: *brightness }),
        };
        let (verdict, distance) = match (&a, &b) {
            (Finding::One(_, da), Finding::One(_, db)) => {
                let d = da.distance(db);
                (if d <= settings.threshold { Verdict::Same } else { Verdict::Different }, Some(d))
            }
            _ => {
                let (side, problem) = match problem(&a) {
                    Some(p) => (Side::Chip, p),
                    None => (Side::Live, problem(&b).unwrap_or(Problem::NoFace)),
                };
                (Verdict::CannotCompare { side, problem }, None)
            }
        };
        Comparison { verdict, distance, threshold: settings.threshold, chip_faces, live_faces }
    }
}
