//! Picks the memory map of the QEMU board that stands in for the target: mps2-an385 (Cortex-M3)
//! for thumbv6m code (what the RP2040 runs), mps2-an505 (Cortex-M33) for thumbv8m (RP2350).
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default());
    let target = env::var("TARGET").unwrap_or_default();
    let memory = if target.starts_with("thumbv8m") {
        // AN505: code in SSRAM1 (secure alias 0x1000_0000), data in SSRAM2/3 (secure alias 0x3800_0000).
        "MEMORY { FLASH : ORIGIN = 0x10000000, LENGTH = 4M\n RAM : ORIGIN = 0x38000000, LENGTH = 2M }\n"
    } else {
        // AN385: code in SSRAM1 at 0, data in SSRAM2/3 at 0x2000_0000.
        "MEMORY { FLASH : ORIGIN = 0x00000000, LENGTH = 4M\n RAM : ORIGIN = 0x20000000, LENGTH = 4M }\n"
    };
    let _ = fs::write(out.join("memory.x"), memory);
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo::rustc-check-cfg=cfg(armv8m)");
    if target.starts_with("thumbv8m") {
        println!("cargo:rustc-cfg=armv8m");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
