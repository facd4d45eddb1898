//! `cancuoc-address`: Vietnam's administrative units before and after 1 July 2025.
//!
//! Since 1 July 2025 Vietnam has 34 provinces and 3,321 communes (xã, phường, đặc khu) and no
//! district level; chip ID cards issued before keep the old three-level address. This crate reads
//! the address text a card holds ("Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hàng Đào, Quận Hoàn Kiếm,
//! Hà Nội"), finds the old commune by name inside its district inside its province, and maps it
//! by its code to today's commune(s) — one (exact), several (a person chooses: never a guess), or
//! none (the text is kept). An address already in today's units is recognised as such.
//!
//! The table is `data/admin-units.tsv`, made by `scripts/admin-units` from the statistics office's
//! conversion table and pre-reform list (provenance and repairs: `data/PROVENANCE.md`,
//! docs/address.md). It is built into the program; [`Units::from_file`] loads a newer one.
//! Not for the reader firmware.

pub mod data;
pub mod lookup;
pub mod names;

pub use data::{Commune, Counts, DataError, OldCommune, OldDistrict, Relation, Units};
pub use lookup::{Candidate, Lookup, Note, OldUnits, Status};

/// The table built into this program.
pub const BUILTIN: &str = include_str!("../data/admin-units.tsv");

/// The built-in table, parsed and checked once.
pub fn builtin() -> &'static Units {
    static UNITS: std::sync::OnceLock<Units> = std::sync::OnceLock::new();
    // The built-in table is checked by this crate's tests; a failure here is a build defect.
    UNITS.get_or_init(|| Units::parse(BUILTIN).expect("the built-in administrative-units table is consistent"))
}
