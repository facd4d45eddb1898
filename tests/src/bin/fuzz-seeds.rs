//! Writes seed corpora for the fuzz targets (fuzz/) from the simulator's card images: every
//! file of every card variant into the target that parses it, the test PKI's certificates, and
//! link frames of each message kind. `cargo run -p cancuoc-sim --bin fuzz-seeds -- DIR`.

use std::path::Path;

use cancuoc_core::files::FileId;

fn put(dir: &Path, target: &str, name: &str, bytes: &[u8]) {
    let d = dir.join(target);
    let _ = std::fs::create_dir_all(&d);
    let _ = std::fs::write(d.join(name), bytes);
}

fn main() {
    let Some(out) = std::env::args().nth(1) else {
        eprintln!("usage: fuzz-seeds DIR");
        std::process::exit(2);
    };
    let out = Path::new(&out);
    let mut n = 0;
    for (variant, _) in cancuoc_sim::VARIANTS {
        let Some(chip) = cancuoc_sim::simulated_card(variant) else { continue };
        for (fid, bytes) in &chip.image().files {
            let target = match *fid {
                f if f == FileId::Com.fid() => "com",
                f if f == FileId::Sod.fid() => {
                    // A SOD is CMS SignedData too: a start for the master-list target.
                    put(out, "master_list", &format!("{variant}-sod"), bytes);
                    "sod"
                }
                f if f == FileId::CardAccess.fid() => "card_access",
                f if f == FileId::Dg(1).fid() => "dg1",
                f if f == FileId::Dg(2).fid() => "dg2",
                f if f == FileId::Dg(13).fid() => "dg13",
                f if f == FileId::Dg(14).fid() => "dg14",
                f if f == FileId::Dg(15).fid() => "dg15",
                _ => continue,
            };
            // Big photos make slow seeds: the parser only needs the headers and a little image.
            let b = if target == "dg2" { &bytes[..bytes.len().min(4096)] } else { &bytes[..] };
            put(out, target, &format!("{variant}-{fid:04x}"), b);
            put(out, "tlv", &format!("{variant}-{fid:04x}"), &bytes[..bytes.len().min(4096)]);
            n += 2;
        }
    }
    // Whole sessions: the simulator's answers to a real read, in the `session` target's format.
    for (variant, mrz) in
        [("rsa", false), ("bac-only", true), ("pace-dh", false), ("pace-cam", false), ("ca-3des", true)]
    {
        let Some(mut chip) = cancuoc_sim::simulated_card(variant) else { continue };
        let creds = if mrz {
            cancuoc_core::Credentials::mrz(cancuoc_sim::PERSONA.access_key())
        } else {
            cancuoc_core::Credentials { can: cancuoc_core::pace::Can::new(cancuoc_sim::image::CAN).ok(), mrz: None }
        };
        let trust = cancuoc_sim::trust_store();
        let opts = cancuoc_core::ReadOptions::cccd(&trust, 1_795_392_000);
        let _ = cancuoc_core::read_card(&mut chip, &creds, &opts, &mut cancuoc_sim::os_rng(), None, &mut |_| {});
        let mut script = vec![u8::from(mrz)];
        for (_, answer) in &chip.log {
            let a = &answer[..answer.len().min(4096)];
            script.extend_from_slice(&(a.len() as u16).to_be_bytes());
            script.extend_from_slice(a);
        }
        put(out, "session", variant, &script);
        n += 1;
    }
    let pki = cancuoc_sim::Pki::load();
    for name in ["csca-rsa", "csca-p256", "csca-bp256", "ds-rsa", "ds-p256", "ds-bp256"] {
        let der = pki.cert(name);
        if !der.is_empty() {
            put(out, "certificate", name, &der);
            n += 1;
        }
    }
    for name in cancuoc_sim::Pki::CRLS {
        put(out, "crl", name, &pki.file(name));
        n += 1;
    }
    // One that revokes the DS the target checks (serial 201), so the revoking path is covered.
    let revoking = cancuoc_sim::pki::issue_crl(
        cancuoc_sim::pki::CSCA_P256,
        &pki.key("csca-p256"),
        3,
        "2026-01-01T00:00:00Z",
        cancuoc_sim::pki::CRL_NEXT_UPDATE,
        &[(201, "2026-01-01T00:00:00Z")],
    );
    put(out, "crl", "revokes-ds-p256", &revoking);
    let certs: Vec<Vec<u8>> = ["csca-rsa", "csca-p256"].iter().map(|n| pki.cert(n)).collect();
    put(out, "master_list", "list-body", &cancuoc_core::auth::master_list::encode(&certs));
    let frames = [
        cancuoc_link::encode(&cancuoc_link::HostMsg::Hello { protocol: cancuoc_link::PROTOCOL_VERSION }),
        cancuoc_link::encode(&cancuoc_link::ReaderMsg::Ack),
        cancuoc_link::encode(&cancuoc_link::ReaderMsg::Error {
            code: cancuoc_link::ErrorCode::NoCard,
            detail: "no card".into(),
        }),
    ];
    for (i, f) in frames.iter().enumerate() {
        if let Ok(f) = f {
            put(out, "link_frames", &format!("frame-{i}"), f);
            n += 1;
        }
    }
    // SM responses: a protected answer and a plain status.
    put(out, "sm_response", "do99", &[0x99, 0x02, 0x90, 0x00, 0x8E, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x90, 0x00]);
    put(
        out,
        "sm_response",
        "do87",
        &[
            0x87, 0x11, 0x01, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0x99, 0x02, 0x90, 0x00, 0x8E, 0x08,
            1, 2, 3, 4, 5, 6, 7, 8, 0x90, 0x00,
        ],
    );
    // The local API's read requests, one of each shape (docs/api.md).
    for (i, body) in [
        r#"{"can":"123456"}"#,
        r#"{"reader":"simulated","variant":"ecdsa-p256","photo":true}"#,
        r#"{"id_number":"079195012345","date_of_birth":"950315","date_of_expiry":"350315"}"#,
        r#"{"reader":"usb:/dev/ttyACM0","document_number":"195012345","date_of_birth":"950315","date_of_expiry":"350315","can":"123456"}"#,
    ]
    .iter()
    .enumerate()
    {
        put(out, "api_json", &format!("read-{i}"), body.as_bytes());
        n += 1;
    }
    println!("{n} seeds in {}", out.display());
}
