//! The simulated chip on a loopback TCP port for the RP2040 emulator (firmware/emu/harness.mjs):
//! prints the port, then serves until interrupted. `--trust-image FILE` first writes the
//! reader's trust store image (the test PKI's CSCAs) for the emulated flash.
//!
//!     card-server [VARIANT] [--trust-image FILE]

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let variant = args.first().filter(|a| !a.starts_with("--")).cloned().unwrap_or_else(|| "rsa".into());
    let Some(chip) = cancuoc_sim::simulated_card(&variant) else {
        eprintln!("unknown variant {variant}; see `cancuoc read --list-variants`");
        std::process::exit(2);
    };
    if let Some(path) = args.iter().position(|a| a == "--trust-image").and_then(|i| args.get(i + 1))
        && let Err(e) = std::fs::write(path, cancuoc_sim::card_server::trust_image())
    {
        eprintln!("cannot write {path}: {e}");
        std::process::exit(1);
    }
    match cancuoc_sim::card_server::spawn(cancuoc_sim::card_server::Antenna::new(chip)) {
        Ok(port) => println!("{port}"),
        Err(e) => {
            eprintln!("cannot listen on loopback: {e}");
            std::process::exit(1);
        }
    }
    loop {
        std::thread::park();
    }
}
