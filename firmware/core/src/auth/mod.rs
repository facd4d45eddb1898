//! Verification: signatures ([`sig`], on the algorithms of [`alg`], with explicit EC parameters
//! matched to named curves in [`ecparams`]), passive authentication ([`passive`]: DG hashes, SOD signature, DS → CSCA
//! chain), active authentication ([`active`]: the chip proves it holds the DG15 private key),
//! chip authentication ([`chip`]: the chip proves it holds the DG14 key) and signed CSCA master
//! lists ([`master_list`]); RSA's public operation in Montgomery arithmetic ([`rsa_public`]).

pub mod active;
pub mod alg;
pub mod chip;
pub mod ecparams;
pub mod master_list;
pub mod passive;
#[cfg(feature = "ring")]
pub mod ring_backend;
pub mod rsa_public;
pub mod sig;
