//! `cargo run -p cancuoc-address --example lookup -- "ADDRESS" …`: each address's lookup as JSON.
fn main() {
    let t = std::time::Instant::now();
    let u = cancuoc_address::builtin();
    eprintln!("loaded {} in {:?}", u.version, t.elapsed());
    for a in std::env::args().skip(1) {
        println!("{}", serde_json::to_string(&u.lookup(&a)).unwrap_or_default());
    }
}
