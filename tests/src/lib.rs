//! `cancuoc-sim`: a chip simulator and test PKI, so the whole pipeline runs and is tested with no
//! card and no reader. [`simulated_card`] gives a ready chip for a named variant.

pub mod chip;
pub mod forged;
pub mod hospital;
pub mod image;
pub mod matrix;
pub mod perf;
pub mod pki;
pub mod usb_reader;
pub mod vpcd;

pub use chip::{Fault, SimChip};
pub use image::{CardImage, CardSpec, PERSONA, VARIANTS, build};
pub use pki::Pki;

/// The operating system's random generator as the core's `CryptoRng`.
pub type OsRng = rand_core::UnwrapErr<getrandom::SysRng>;

/// A fresh OS random generator.
pub fn os_rng() -> OsRng {
    rand_core::UnwrapErr(getrandom::SysRng)
}

/// Fills `buf` from the operating system's random generator.
pub fn os_rng_fill(buf: &mut [u8]) {
    // getrandom fails only where the OS has no generator at all; the buffer then stays zero and
    // the simulated services' tokens are merely predictable.
    let _ = getrandom::fill(buf);
}

/// A chip for the named variant (see [`VARIANTS`]); `None` for an unknown name.
pub fn simulated_card(variant: &str) -> Option<SimChip> {
    CardSpec::variant(variant).map(|s| SimChip::new(build(&s)))
}

/// The trust store the simulated deployment uses: the test PKI's genuine CSCAs.
pub fn trust_store() -> cancuoc_core::TrustStore {
    Pki::load().trust_store()
}
