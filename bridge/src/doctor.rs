//! `cancuoc doctor`: checks what a counter PC needs and says how to fix each problem.

use serde::Serialize;

use crate::pcsc_reader::{self, PcscError};
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
    let mut out = Vec::new();
    match pcsc_reader::readers() {
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
    out.push(check(
        "usb_reader",
        Level::Info,
        "cancuoc USB readers (RP2040/RP2350 + PN532) are not supported by this build yet",
        None,
    ));
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
    out
}
