//! Verification: signatures ([`sig`]), passive authentication ([`passive`]: DG hashes, SOD
//! signature, DS → CSCA chain) and active authentication ([`active`]: the chip proves it holds
//! the DG15 private key).

pub mod active;
pub mod passive;
pub mod sig;
