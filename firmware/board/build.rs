//! Memory map and linker scripts for the chip the image is built for.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default());
    let rp2040 = env::var_os("CARGO_FEATURE_RP2040").is_some();
    let rp2350 = env::var_os("CARGO_FEATURE_RP2350").is_some();
    if rp2040 == rp2350 {
        println!(
            "cargo::error=build with exactly one of --features rp2040 or --features rp2350 (cargo board-rp2040 / cargo board-rp2350)"
        );
        return;
    }
    let memory: &[u8] = if rp2040 { include_bytes!("memory-rp2040.x") } else { include_bytes!("memory-rp2350.x") };
    let _ = fs::write(out.join("memory.x"), memory);
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory-rp2040.x");
    println!("cargo:rerun-if-changed=memory-rp2350.x");
    println!("cargo:rustc-link-arg-bins=--nmagic");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    if rp2040 {
        println!("cargo:rustc-link-arg-bins=-Tlink-rp.x");
    }
    println!("cargo:rustc-link-arg-bins=-Tdefmt.x");
}
