//! The read as a FHIR R4 `Patient` resource, for hospital information systems.
//!
//! Identifier systems: no FHIR naming system for the CCCD number is published that we could
//! verify, so project-scoped URNs are used (`urn:cancuoc:sid:cccd`, `urn:cancuoc:sid:cmnd`); a site
//! can map them. The chip verdict travels in `meta.tag` (`urn:cancuoc:verdict`) so a HIS never
//! mistakes an unverified read for a verified one.

use base64::Engine;
use serde_json::{Value, json};

use crate::{Report, Status};

pub const CCCD_SYSTEM: &str = "urn:cancuoc:sid:cccd";
pub const CMND_SYSTEM: &str = "urn:cancuoc:sid:cmnd";
pub const VERDICT_SYSTEM: &str = "urn:cancuoc:verdict";

/// `dd/mm/yyyy` → `yyyy-mm-dd`; `None` when it is not such a date.
fn iso_date(d: &str) -> Option<String> {
    let p: Vec<&str> = d.trim().split('/').collect();
    match p.as_slice() {
        [dd, mm, yyyy]
            if dd.len() == 2
                && mm.len() == 2
                && yyyy.len() == 4
                && d.chars().filter(|c| c.is_ascii_digit()).count() == 8 =>
        {
            Some(format!("{yyyy}-{mm}-{dd}"))
        }
        _ => None,
    }
}

fn gender(report: &Report) -> &'static str {
    match report.person.sex.as_deref().map(str::trim) {
        Some("Nam") => "male",
        Some("Nữ") => "female",
        _ => match report.mrz.as_ref().map(|m| m.sex.as_str()) {
            Some("M") => "male",
            Some("F") => "female",
            _ => "unknown",
        },
    }
}

/// The Patient resource. `photo` is the face image (MIME type, bytes) when the caller asks for it.
pub fn patient(report: &Report, photo: Option<(&str, &[u8])>) -> Value {
    let p = &report.person;
    let mut identifier = Vec::new();
    if let Some(id) = &p.id_number {
        identifier.push(json!({
            "use": "official",
            "type": { "text": "Căn cước công dân (CCCD)" },
            "system": CCCD_SYSTEM,
            "value": id,
        }));
    }
    if let Some(old) = &p.old_id_number {
        identifier.push(json!({ "use": "old", "type": { "text": "CMND" }, "system": CMND_SYSTEM, "value": old }));
    }
    let mut resource = json!({
        "resourceType": "Patient",
        "meta": {
            "tag": [{
                "system": VERDICT_SYSTEM,
                "code": match report.status {
                    Status::Verified => "verified",
                    Status::SignerUntrusted => "signer_untrusted",
                    Status::NotChecked => "not_checked",
                    Status::NotVerified => "not_verified",
                },
                "display": report.summary,
            }]
        },
        "identifier": identifier,
        "active": true,
        "gender": gender(report),
    });
    if let Some(full) = &p.full_name {
        // Vietnamese names are written family name first.
        let mut parts = full.split_whitespace();
        let family = parts.next().unwrap_or_default();
        let given: Vec<&str> = parts.collect();
        let mut name = json!({ "use": "official", "text": full, "family": family });
        if !given.is_empty() {
            name["given"] = json!([given.join(" ")]);
        }
        resource["name"] = json!([name]);
    }
    if let Some(d) = p.date_of_birth.as_deref().and_then(iso_date) {
        resource["birthDate"] = json!(d);
    }
    if let Some(addr) = &p.place_of_residence {
        resource["address"] = json!([{ "use": "home", "type": "physical", "text": addr, "country": "VN" }]);
    }
    if let Some((mime, bytes)) = photo {
        resource["photo"] =
            json!([{ "contentType": mime, "data": base64::engine::general_purpose::STANDARD.encode(bytes) }]);
    }
    resource
}
