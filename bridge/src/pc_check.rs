//! `cancuoc doctor`: checks what a counter PC needs and says how to fix each problem.

use serde::Serialize;

use crate::transport::pcsc::{self, PcscError};
use crate::trust_store::TrustDir;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Ok,
    Warning,
    Problem,
    Info,
}

/// One check: what was checked, what was found, and the fix when something is wrong.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub level: Level,
    pub finding: String,
    pub fix: Option<String>,
}

fn check(name: &'static str, level: Level, finding: impl Into<String>, fix: Option<&str>) -> Check {
    Check { name, level, finding: finding.into(), fix: fix.map(String::from) }
}

/// 2024-01-01 and 2100-01-01: a clock outside this range makes every certificate check wrong.
const SANE_CLOCK: (u64, u64) = (1_704_067_200, 4_102_444_800);

pub fn run(trust: &TrustDir, now: u64) -> Vec<Check> {
    run_with_usb(trust, now, &[])
}

/// [`run`], also checking the USB readers on `usb_ports` (readers found by their USB IDs are
/// checked anyway).
pub fn run_with_usb(trust: &TrustDir, now: u64, usb_ports: &[String]) -> Vec<Check> {
    let mut out = Vec::new();
    match pcsc::readers() {
        Ok(list) => {
            out.push(check("pcsc_service", Level::Ok, "the smart-card service (PC/SC) is running", None));
            if list.is_empty() {
                out.push(check(
                    "pcsc_readers",
                    Level::Warning,
                    "no PC/SC reader is connected",
                    Some("plug in a contactless (NFC) reader; on Linux its driver is `libccid` (apt-get install libccid)"),
                ));
            } else {
                let names: Vec<String> = list
                    .iter()
                    .map(|r| format!("{} ({})", r.name, if r.card_present { "card present" } else { "no card" }))
                    .collect();
                out.push(check("pcsc_readers", Level::Ok, format!("{} reader(s): {}", list.len(), names.join("; ")), None));
            }
        }
        Err(PcscError::NoService) => out.push(check(
            "pcsc_service",
            Level::Problem,
            "the smart-card service (PC/SC) is not running",
            Some("Linux: `sudo apt-get install pcscd && sudo systemctl enable --now pcscd`; Windows: start the \"Smart Card\" service"),
        )),
        Err(e) => out.push(check("pcsc_service", Level::Problem, e.to_string(), Some("restart the smart-card service"))),
    }
    out.extend(usb_checks(usb_ports));
    match trust.list(now) {
        Ok(list) if list.is_empty() => out.push(check(
            "trust_store",
            Level::Problem,
            format!("the trust store at {} is empty: no card can be shown as verified", trust.path().display()),
            Some("import your country's CSCA certificate or the ICAO master list: `cancuoc trust import FILE`"),
        )),
        Ok(list) => {
            let expired = list.iter().filter(|e| e.expired).count();
            if expired == list.len() {
                out.push(check(
                    "trust_store",
                    Level::Problem,
                    format!("all {expired} CSCA certificate(s) in {} have expired", trust.path().display()),
                    Some("import the current CSCA certificates: `cancuoc trust import FILE`"),
                ));
            } else if expired > 0 {
                out.push(check(
                    "trust_store",
                    Level::Warning,
                    format!("{} CSCA certificate(s), {expired} expired", list.len()),
                    Some("remove expired ones with `cancuoc trust remove FINGERPRINT` once newer ones are imported"),
                ));
            } else {
                out.push(check(
                    "trust_store",
                    Level::Ok,
                    format!("{} CSCA certificate(s), all in date", list.len()),
                    None,
                ));
            }
        }
        Err(e) => {
            out.push(check("trust_store", Level::Problem, e.to_string(), Some("check the directory's permissions")))
        }
    }
    match trust.crls(now) {
        Ok(crls) if crls.is_empty() => out.push(check(
            "revocation_lists",
            Level::Info,
            "no revocation lists imported: a document signer the country has revoked would not be detected",
            Some("import each CSCA's CRL (ICAO PKD or the issuing authority): `cancuoc trust import FILE.crl`"),
        )),
        Ok(crls) => {
            let stale: Vec<&str> = crls.iter().filter(|c| c.stale).map(|c| c.issuer.as_str()).collect();
            if stale.is_empty() {
                out.push(check(
                    "revocation_lists",
                    Level::Ok,
                    format!("{} revocation list(s), all current", crls.len()),
                    None,
                ));
            } else {
                out.push(check(
                    "revocation_lists",
                    Level::Warning,
                    format!(
                        "{} of {} revocation list(s) past their next update ({}): what they revoke still counts, newer revocations are unknown",
                        stale.len(),
                        crls.len(),
                        stale.join("; ")
                    ),
                    Some("import the current CRLs: `cancuoc trust import FILE.crl`"),
                ));
            }
        }
        Err(e) => out.push(check(
            "revocation_lists",
            Level::Problem,
            e.to_string(),
            Some("check the directory's permissions"),
        )),
    }
    if (SANE_CLOCK.0..SANE_CLOCK.1).contains(&now) {
        out.push(check("clock", Level::Ok, "the system clock looks right", None));
    } else {
        out.push(check(
            "clock",
            Level::Problem,
            format!("the system clock reads {now} seconds since 1970, which cannot be right"),
            Some("set the date and time (certificates are checked against it): enable time synchronisation"),
        ));
    }
    out.push(admin_units());
    out
}

/// Which administrative-units table maps the cards' addresses to today's units.
pub fn admin_units() -> Check {
    let s = crate::address::source();
    let from = if s.from == "built_in" { "built in".to_string() } else { s.from.clone() };
    let finding = format!("administrative units: table {} (effective {}, {from})", s.version, s.effective);
    match &s.problem {
        None => check("admin_units", Level::Ok, finding, None),
        Some(p) => check(
            "admin_units",
            Level::Warning,
            format!("{finding}; an installed table was ignored: {p}"),
            Some("install a table made by scripts/admin-units: `cancuoc address --install FILE` (docs/address.md)"),
        ),
    }
}

/// The cancuoc USB readers: present, openable (permissions), our protocol, same firmware version
/// as this bridge, PN532 answering, trust store loaded.
pub fn usb_checks(extra_ports: &[String]) -> Vec<Check> {
    use crate::transport::usb::{UsbError, UsbReader, list};
    let mut ports: Vec<String> = list().into_iter().map(|p| p.path).collect();
    for p in extra_ports {
        if !ports.contains(p) {
            ports.push(p.clone());
        }
    }
    if ports.is_empty() {
        return vec![check(
            "usb_reader",
            Level::Info,
            "no cancuoc USB reader is plugged in (PC/SC readers work without one)",
            Some("plug the reader in with a data cable (not a charge-only one); its light blinks every 2 s when ready"),
        )];
    }
    let bridge_version = env!("CARGO_PKG_VERSION");
    let mut out = Vec::new();
    for port in ports {
        match UsbReader::open(&port) {
            Ok(r) => {
                let i = &r.info;
                out.push(check(
                    "usb_reader",
                    Level::Ok,
                    format!("cancuoc reader on {port}: firmware {} on {}, link protocol {}", i.firmware, i.board, i.protocol),
                    None,
                ));
                if i.front_end.is_empty() {
                    out.push(check(
                        "usb_reader_nfc",
                        Level::Problem,
                        format!("the reader on {port} runs but its PN532 does not answer"),
                        Some("check the wiring and the 3.3 V supply, and set the PN532's mode switches to SPI (docs/hardware.md)"),
                    ));
                }
                if i.firmware != bridge_version {
                    out.push(check(
                        "usb_reader_firmware",
                        Level::Warning,
                        format!("the reader's firmware is {}, this bridge is {bridge_version}", i.firmware),
                        Some("flash the matching firmware: `cargo board-rp2040` (or rp2350), then `cancuoc flash` (docs/hardware.md)"),
                    ));
                }
                if i.trust_count == 0 {
                    out.push(check(
                        "usb_reader_trust",
                        Level::Warning,
                        format!("the reader on {port} has no CSCA certificates: its own verdict will say \"signer not trusted\" (the PC still verifies with its store)"),
                        Some("copy the PC's trust store into it: `cancuoc trust push`"),
                    ));
                }
            }
            Err(UsbError::Open { reason, .. }) if reason.to_lowercase().contains("permission") => out.push(check(
                "usb_reader",
                Level::Problem,
                format!("the reader on {port} cannot be opened by this user: {reason}"),
                Some("install the udev rule: `sudo cp docs/udev/60-cancuoc.rules /etc/udev/rules.d/ && sudo udevadm control --reload && sudo udevadm trigger`, or add the user to the dialout group"),
            )),
            Err(e @ UsbError::Protocol { .. }) => out.push(check(
                "usb_reader",
                Level::Problem,
                e.to_string(),
                Some("flash the firmware that comes with this bridge (docs/hardware.md)"),
            )),
            Err(e) => out.push(check(
                "usb_reader",
                Level::Problem,
                format!("{port}: {e}"),
                Some("unplug the reader and plug it back in; if it stays silent, reflash it (hold BOOTSEL while plugging in, then `cancuoc flash`)"),
            )),
        }
    }
    out
}
