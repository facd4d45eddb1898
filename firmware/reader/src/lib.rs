//! The cancuoc reader's firmware logic, free of any board: the PN532 front end as a card
//! transport ([`pn532`]), the device side of the link protocol ([`device`]), and recorded-session
//! replay for on-target tests ([`replay`]). The board binary (firmware/board) wires these to the
//! RP2040/RP2350's SPI, USB and flash; the bridge's tests run [`device`] on a PC behind a
//! pseudo-terminal.
#![no_std]

extern crate alloc;

pub mod device;
pub mod m0mul;
pub mod pn532;
pub mod replay;
pub mod rng;

pub use device::{Action, Device, TrustImage};

/// The firmware version reported in [`cancuoc_link::Info`].
pub const FIRMWARE_VERSION: &str = env!("CARGO_PKG_VERSION");
