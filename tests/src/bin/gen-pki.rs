//! Writes the test PKI into tests/fixtures/pki/ (deterministic: fixed seeds), then every
//! simulated variant's finished card image, signed by that PKI, into bridge/demo/cards.bin (what
//! the demo mode ships instead of the signing keys).
//! Run: cargo run -p cancuoc-sim --bin gen-pki

fn main() -> std::io::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pki");
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in cancuoc_sim::pki::generate() {
        std::fs::write(dir.join(&name), bytes)?;
        println!("wrote {name}");
    }
    let cards = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bridge/demo/cards.bin");
    let bundle = cancuoc_sim::demo_bundle();
    std::fs::write(&cards, &bundle)?;
    println!("wrote {} ({} bytes, {} cards)", cards.display(), bundle.len(), cancuoc_sim::VARIANTS.len());
    Ok(())
}
