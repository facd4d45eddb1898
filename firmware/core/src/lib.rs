//! `cancuoc-core`: the eMRTD pipeline used unchanged by the reader firmware, the bridge and the
//! desk app.
//!
//! Data flows one way: [`apdu::Transport`] → session ([`bac`] + [`sm`]) → [`files`] →
//! [`lds`] parsing → [`auth`] verification → [`verdict`]. [`read::read_card`] runs it all.
#![no_std]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod access;
pub mod apdu;
pub mod auth;
pub mod bac;
pub mod ber;
// Code the field macros expand into (primefield, elliptic-curve) is theirs; the core's strict
// lints are for our own code.
#[cfg(feature = "large-curves")]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
pub mod bp512;
pub mod cert;
pub mod crypto;
pub mod dh;
pub mod ecc;
pub mod error;
pub mod files;
pub mod lds;
pub mod mrz;
pub mod pace;
pub mod parse;
pub mod read;
pub mod sm;
pub mod tlv;
pub mod trust;
pub mod verdict;

/// Chip authentication lives with the other verifications (`auth::chip`); `ca` is its old name.
pub use auth::chip as ca;
pub use auth::ecparams;

pub use access::AccessKey;
pub use apdu::{Command, Response, StatusWord, Transport, TransportError, TransportLimits};
pub use error::Error;
pub use read::{
    CardRead, Credentials, InTurn, Overlap, Progress, ReadFailure, ReadOptions, read_card, read_card_overlapped,
};
pub use trust::TrustStore;
pub use verdict::Verdict;
