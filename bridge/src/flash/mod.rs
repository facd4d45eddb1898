//! Putting reader firmware on a board: through a debug probe with probe-rs ([`probe`]), or as a
//! UF2 file for the boot ROM's drive ([`uf2`]). `cancuoc flash` uses both.

pub mod probe;
pub mod uf2;
