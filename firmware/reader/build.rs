//! Marks builds for the Cortex-M0+ (thumbv6m, the RP2040): only there does the crate provide its
//! own 64-bit multiplication ([`m0mul`](src/m0mul.rs)); the target features that would say so are
//! not visible to `cfg` on stable Rust.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(cancuoc_armv6m)");
    if std::env::var("TARGET").is_ok_and(|t| t.starts_with("thumbv6m")) {
        println!("cargo:rustc-cfg=cancuoc_armv6m");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
