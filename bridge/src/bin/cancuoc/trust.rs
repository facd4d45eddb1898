//! `cancuoc trust`: the CSCA trust store (import, list, remove, push to a USB reader).

use std::path::PathBuf;

use cancuoc_bridge::trust_store::{self, TrustDir};
use cancuoc_bridge::{exit, now_unix};
use clap::Subcommand;

use crate::print::date;

#[derive(Subcommand)]
pub enum TrustCmd {
    /// Import CSCA certificates (DER or PEM), ICAO CSCA master lists (the list's signer must
    /// chain to a CSCA already trusted, or to one given with --signer-ca), or CSCA revocation
    /// lists (DER or PEM; signed by a CSCA already trusted; a newer one replaces the older).
    Import {
        files: Vec<PathBuf>,
        /// A CA certificate that may vouch for a master list's signer (not itself imported).
        #[arg(long)]
        signer_ca: Vec<PathBuf>,
    },
    /// List the trusted CSCAs and the revocation lists held.
    List {
        /// JSON: the CSCAs as an array (the revocation lists: `cancuoc trust crls --json`).
        #[arg(long)]
        json: bool,
    },
    /// List the revocation lists held.
    Crls {
        #[arg(long)]
        json: bool,
    },
    /// Remove the CSCAs whose SHA-256 fingerprint starts with this (8 hex digits at least).
    Remove { fingerprint: String },
    /// Copy this trust store into a cancuoc USB reader's flash, replacing the reader's.
    Push {
        /// The reader's serial port (default: the first cancuoc reader found).
        #[arg(long)]
        usb: Option<String>,
    },
}

pub fn trust(action: TrustCmd, dir: Option<PathBuf>) -> u8 {
    let store = TrustDir::new(dir.unwrap_or_else(trust_store::default_dir));
    let now = now_unix();
    let show = |e: &trust_store::Entry| {
        let state = if e.expired { "EXPIRED" } else { "valid" };
        let link = if e.link { "  [link]" } else { "" };
        println!("{}  {state:<7}  {}{link}", &e.fingerprint[..16], e.subject);
        match &e.unusable {
            None => println!("                   key: {}", e.key),
            Some(why) => println!("                   key: {} — CANNOT be used here: {why}", e.key),
        }
    };
    let show_crl = |c: &trust_store::CrlEntry| {
        let state = if c.stale { "STALE" } else { "current" };
        let next = c.next_update.map_or_else(|| "no next update".to_string(), |n| format!("next update {}", date(n)));
        println!(
            "{}  CRL {state:<7}  {}: revokes {}, issued {}, {next}",
            &c.fingerprint[..16],
            c.issuer,
            c.revoked,
            date(c.this_update)
        );
    };
    match action {
        TrustCmd::Import { files, signer_ca } => {
            let mut cas = Vec::new();
            for f in &signer_ca {
                match std::fs::read(f) {
                    Ok(b) => cas.push(b),
                    Err(e) => {
                        eprintln!("✘ cannot read {}: {e}", f.display());
                        return exit::USAGE;
                    }
                }
            }
            if files.is_empty() {
                eprintln!("✘ name at least one certificate or master list file");
                return exit::USAGE;
            }
            for f in &files {
                let bytes = match std::fs::read(f) {
                    Ok(b) => b,
                    Err(e) => {
                        eprintln!("✘ cannot read {}: {e}", f.display());
                        return exit::USAGE;
                    }
                };
                match store.import(&bytes, &cas, now) {
                    Ok(added) if added.crls.is_empty() => {
                        println!("{}: {} CSCA certificate(s) trusted", f.display(), added.cscas.len());
                        added.cscas.iter().for_each(show);
                        let unusable = added.cscas.iter().filter(|e| !e.usable).count();
                        if unusable > 0 {
                            println!(
                                "⚠ {unusable} of them have keys this build cannot verify with (see above): documents they sign show as \"could not be checked here\""
                            );
                        }
                        for s in &added.skipped {
                            println!("⚠ skipped {s}");
                        }
                    }
                    Ok(added) => {
                        println!("{}: {} revocation list(s) stored", f.display(), added.crls.len());
                        added.crls.iter().for_each(show_crl);
                    }
                    Err(e) => {
                        eprintln!("✘ {}: {e}", f.display());
                        return exit::NOT_VERIFIED;
                    }
                }
            }
            exit::VERIFIED
        }
        TrustCmd::List { json } => match store.list(now) {
            Ok(list) if json => {
                println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
                exit::VERIFIED
            }
            Ok(list) => {
                if list.is_empty() {
                    println!(
                        "The trust store at {} is empty: import your country's CSCA with `cancuoc trust import FILE`.",
                        store.path().display()
                    );
                }
                list.iter().for_each(show);
                match store.crls(now) {
                    Ok(crls) if crls.is_empty() => {
                        println!("No revocation lists: import each CSCA's CRL with `cancuoc trust import FILE.crl`.")
                    }
                    Ok(crls) => crls.iter().for_each(show_crl),
                    Err(e) => eprintln!("✘ {e}"),
                }
                exit::VERIFIED
            }
            Err(e) => {
                eprintln!("✘ {e}");
                exit::READER_ERROR
            }
        },
        TrustCmd::Crls { json } => match store.crls(now) {
            Ok(crls) if json => {
                println!("{}", serde_json::to_string_pretty(&crls).unwrap_or_default());
                exit::VERIFIED
            }
            Ok(crls) => {
                if crls.is_empty() {
                    println!("No revocation lists in {}.", store.path().display());
                }
                crls.iter().for_each(show_crl);
                exit::VERIFIED
            }
            Err(e) => {
                eprintln!("✘ {e}");
                exit::READER_ERROR
            }
        },
        TrustCmd::Push { usb } => {
            let certs = match store.certificates() {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("✘ {e}");
                    return exit::READER_ERROR;
                }
            };
            if certs.is_empty() {
                eprintln!(
                    "✘ the trust store at {} is empty: import certificates first (`cancuoc trust import`)",
                    store.path().display()
                );
                return exit::USAGE;
            }
            let Some(path) = usb.or_else(|| cancuoc_bridge::transport::usb::list().first().map(|p| p.path.clone()))
            else {
                eprintln!("✘ no cancuoc USB reader found: plug it in, or give its port with --usb");
                return exit::READER_ERROR;
            };
            let pushed = cancuoc_bridge::transport::usb::UsbReader::open(&path).and_then(|mut r| {
                r.push_trust(&certs)?;
                Ok(r.info)
            });
            match pushed {
                Ok(info) => {
                    println!(
                        "✓ {} CSCA certificate(s) stored in the reader on {path} (firmware {})",
                        info.trust_count, info.firmware
                    );
                    exit::VERIFIED
                }
                Err(e) => {
                    eprintln!("✘ {e}");
                    exit::READER_ERROR
                }
            }
        }
        TrustCmd::Remove { fingerprint } => match store.remove(&fingerprint, now) {
            Ok(removed) => {
                removed.iter().for_each(|e| println!("removed {}  {}", &e.fingerprint[..16], e.subject));
                exit::VERIFIED
            }
            Err(e) => {
                eprintln!("✘ {e}");
                exit::USAGE
            }
        },
    }
}
