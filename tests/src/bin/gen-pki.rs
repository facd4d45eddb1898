//! Writes the test PKI into tests/fixtures/pki/ (deterministic: fixed seeds).
//! Run: cargo run -p cancuoc-sim --bin gen-pki

fn main() -> std::io::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pki");
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in cancuoc_sim::pki::generate() {
        std::fs::write(dir.join(&name), bytes)?;
        println!("wrote {name}");
    }
    Ok(())
}
