//! A simulated cancuoc USB reader on a pseudo-terminal, for trying the bridge's USB path without
//! hardware: prints the port to give to `cancuoc read --usb PORT`, then serves the simulated card
//! until interrupted.
//!
//!     cargo run -p cancuoc-sim --bin usb-reader -- [VARIANT] [--latency-ms N]

#[cfg(not(unix))]
fn main() {
    eprintln!("the simulated USB reader needs a pseudo-terminal: Linux or macOS only");
    std::process::exit(2);
}

#[cfg(unix)]
fn main() {
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use cancuoc_sim::usb_reader::{ReaderOptions, pty_pair, serve};

    let args: Vec<String> = std::env::args().skip(1).collect();
    let variant = args
        .iter()
        .find(|a| !a.starts_with("--") && a.parse::<u64>().is_err())
        .cloned()
        .unwrap_or_else(|| "rsa".into());
    let latency = args
        .iter()
        .position(|a| a == "--latency-ms")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let Some(chip) = cancuoc_sim::simulated_card(&variant) else {
        eprintln!("unknown variant {variant}; see `cancuoc read --list-variants`");
        std::process::exit(2);
    };
    let (port, path) = match pty_pair() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot create a pseudo-terminal: {e}");
            std::process::exit(1);
        }
    };
    println!("{path}");
    eprintln!("simulated cancuoc reader with the '{variant}' card on {path}: cancuoc read --usb {path}");
    let chip = Arc::new(Mutex::new(chip));
    let options = ReaderOptions { latency: Duration::from_millis(latency), ..ReaderOptions::default() };
    loop {
        // One host at a time; serve again when one hangs up.
        let Ok(p) = cancuoc_sim::usb_reader::TryCloneRw::try_clone_rw(&port) else { break };
        serve(p, chip.clone(), options.clone(), Arc::new(AtomicBool::new(false)));
        std::thread::sleep(Duration::from_millis(100));
    }
}
