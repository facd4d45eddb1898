//! `cancuoc-sim`: a chip simulator and test PKI, so the whole pipeline runs and is tested with no
//! card and no reader. [`simulated_card`] gives a ready chip for a named variant.

pub mod card_server;
pub mod forged;
pub mod image;
pub mod matrix;
pub mod oracle;
pub mod perf;
pub mod pki;
pub mod usb_reader;
pub mod vpcd;

// The chip engine, the personas and the simulated insurer ship in the demo mode (cancuoc-demo,
// no signer keys); the builders and the test PKI that sign card images live here.
pub use cancuoc_demo::{CardImage, Fault, PERSONA, PERSONA_2024, SimChip, VARIANTS, chip, hospital};
pub use image::{CardSpec, build};
pub use pki::Pki;

/// The operating system's random generator as the core's `CryptoRng`.
pub type OsRng = rand_core::UnwrapErr<getrandom::SysRng>;

/// A fresh OS random generator (for tests; the programs use `cancuoc_bridge::os_rng`).
pub fn os_rng() -> OsRng {
    rand_core::UnwrapErr(getrandom::SysRng)
}

/// A chip for the named variant (see [`VARIANTS`]), built and signed now by the test PKI; `None`
/// for an unknown name. (The demo mode's `cancuoc_demo::simulated_card` is the same card from the
/// committed bundle.)
pub fn simulated_card(variant: &str) -> Option<SimChip> {
    CardSpec::variant(variant).map(|s| SimChip::new(build(&s)))
}

/// The trust store the simulated deployment uses: the test PKI's genuine CSCAs.
pub fn trust_store() -> cancuoc_core::TrustStore {
    Pki::load().trust_store()
}

/// Every variant's card image as the demo bundle (`bridge/demo/cards.bin`) holds them.
pub fn demo_bundle() -> Vec<u8> {
    let images: Vec<(&str, CardImage)> = VARIANTS
        .iter()
        .map(|(name, _)| (*name, build(&CardSpec::variant(name).expect("every listed variant builds"))))
        .collect();
    cancuoc_demo::card::encode_bundle(images.iter().map(|(n, i)| (*n, i)))
}

/// Passive authentication on a second thread while this one gets the chip's proofs, as the
/// reader board runs it on its other core ([`cancuoc_core::read::Overlap`]). Counts the jobs
/// that ran on a thread other than the caller's.
#[derive(Default)]
pub struct TwoThreads {
    /// Jobs that ran on the second thread.
    pub elsewhere_runs: usize,
}

impl cancuoc_core::read::Overlap for TwoThreads {
    fn both(&mut self, elsewhere: &mut (dyn FnMut() + Send), here: &mut dyn FnMut()) {
        let caller = std::thread::current().id();
        let other = std::thread::scope(|s| {
            let job = s.spawn(move || {
                elsewhere();
                std::thread::current().id()
            });
            here();
            job.join()
        });
        // A panic on the second thread is the test's failure, not a verdict.
        if other.expect("passive authentication's thread panicked") != caller {
            self.elsewhere_runs += 1;
        }
    }
}
