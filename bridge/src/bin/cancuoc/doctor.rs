//! `cancuoc doctor` and `cancuoc readers`: what this PC has and what to fix.

use std::path::PathBuf;

use cancuoc_bridge::trust_store::{self, TrustDir};
use cancuoc_bridge::{exit, now_unix};

pub fn doctor(json: bool, usb: Vec<String>, dir: Option<PathBuf>) -> u8 {
    use cancuoc_bridge::pc_check::{self, Level};
    let store = TrustDir::new(dir.unwrap_or_else(trust_store::default_dir));
    let checks = pc_check::run_with_usb(&store, now_unix(), &usb);
    if json {
        println!("{}", serde_json::to_string_pretty(&checks).unwrap_or_default());
    } else {
        for c in &checks {
            let mark = match c.level {
                Level::Ok => "✔",
                Level::Warning => "⚠",
                Level::Problem => "✘",
                Level::Info => "ℹ",
            };
            println!("{mark} {}", c.finding);
            if let Some(f) = &c.fix {
                println!("    → {f}");
            }
        }
    }
    if checks.iter().any(|c| c.level == Level::Problem) { exit::NOT_VERIFIED } else { exit::VERIFIED }
}

pub fn list_readers(json: bool, extra_usb: Vec<String>) -> u8 {
    use serde_json::json;
    let mut ports: Vec<String> = cancuoc_bridge::transport::usb::list().into_iter().map(|p| p.path).collect();
    for p in extra_usb {
        if !ports.contains(&p) {
            ports.push(p);
        }
    }
    let usb: Vec<serde_json::Value> = ports
        .iter()
        .map(|p| match cancuoc_bridge::transport::usb::UsbReader::open(p) {
            Ok(r) => json!({
                "kind": "usb", "name": p, "firmware": r.info.firmware, "board": r.info.board,
                "protocol": r.info.protocol, "front_end": r.info.front_end, "trust_count": r.info.trust_count,
            }),
            Err(e) => json!({ "kind": "usb", "name": p, "error": e.to_string() }),
        })
        .collect();
    let pcsc = cancuoc_bridge::transport::pcsc::readers();
    if json {
        let mut list: Vec<serde_json::Value> = match &pcsc {
            Ok(l) => {
                l.iter().map(|r| json!({ "kind": "pcsc", "name": r.name, "card_present": r.card_present })).collect()
            }
            Err(_) => Vec::new(),
        };
        list.extend(usb);
        println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        return if pcsc.is_ok() || !list.is_empty() { exit::VERIFIED } else { exit::READER_ERROR };
    }
    match &pcsc {
        Ok(list) if list.is_empty() => println!("No PC/SC reader found — không tìm thấy đầu đọc PC/SC."),
        Ok(list) => {
            for r in list {
                let card = if r.card_present { "card present / có thẻ" } else { "no card / không có thẻ" };
                println!("pcsc  {}  ({card})", r.name);
            }
        }
        Err(e) => eprintln!("✘ {e}"),
    }
    for u in &usb {
        match u.get("error").and_then(|e| e.as_str()) {
            Some(e) => println!("usb   {}  ✘ {e}", u["name"].as_str().unwrap_or("")),
            None => println!(
                "usb   {}  cancuoc {} on {}, link protocol {}, {}, {} CSCA(s)",
                u["name"].as_str().unwrap_or(""),
                u["firmware"].as_str().unwrap_or(""),
                u["board"].as_str().unwrap_or(""),
                u["protocol"],
                match u["front_end"].as_str() {
                    Some("") | None => "PN532 NOT answering",
                    Some(f) => f,
                },
                u["trust_count"]
            ),
        }
    }
    if pcsc.is_err() && usb.is_empty() { exit::READER_ERROR } else { exit::VERIFIED }
}
