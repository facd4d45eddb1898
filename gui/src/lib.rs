//! `cancuoc-desk`: the desk app for hospital receptions and ward one-stop counters. A clerk
//! enters the card's access key (or scans its QR code), the card is read and verified by the same
//! library as the CLI, and the check-in form fills itself; the insurance check, the HIS and
//! exports each send only what the citizen agreed to.
//!
//! State and actions are in [`app`]; drawing in `ui` (one file per screen); the rest are models
//! the screens use.

pub mod app;
pub mod camera;
pub mod checkin;
pub mod consent;
pub mod i18n;
pub mod photo;
pub mod practice;
pub mod qr;
pub mod reader;
pub mod style;
/// The site store lives in the bridge (shared with `cancuoc serve` and `cancuoc privacy`).
pub use cancuoc_bridge::store;
pub mod tour;
pub mod ui;

pub use app::{App, Options};
/// The insurance check: the bridge's client (the same as the CLI's and the API's).
pub use cancuoc_bridge::his::bhyt;
