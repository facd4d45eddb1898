//! The read as a FHIR R4 `Patient` resource, for hospital information systems.
//!
//! Identifier systems are the Ministry of Health's VN Core naming systems (hl7vn/vn-core-ig,
//! `input/resources/NamingSystem.sid-*.xml`, status draft, checked at commit 8e6b6e0 of
//! 2025-10-23): the CCCD number `…/sid/national_id` ("thẻ căn cước công dân", type v2-0203 NI), the
//! old 9-digit CMND `…/sid/citizen_id` ("số CMTND", NI), the health-insurance card number
//! `…/sid/insurance_number` (SB). VN Core has none for a chip verdict: that travels in `meta.tag`
//! (`urn:cancuoc:verdict`) so a HIS never mistakes an unverified read for a verified one.

use base64::Engine;
use serde_json::{Value, json};

use cancuoc_core::lds::dg13::{Date, Sex};

use crate::Report;

/// VN Core `SID-National-Id`: the CCCD number.
pub const CCCD_SYSTEM: &str = "http://fhir.ehealth.gov.vn/core/sid/national_id";
/// VN Core `SID-Citizen-Id`: the old identity card (CMND/CMTND) number.
pub const CMND_SYSTEM: &str = "http://fhir.ehealth.gov.vn/core/sid/citizen_id";
/// VN Core `SID-Insurance_Number`: the health-insurance (BHYT) card number.
pub const BHYT_SYSTEM: &str = "http://fhir.ehealth.gov.vn/core/sid/insurance_number";
const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
pub const VERDICT_SYSTEM: &str = "urn:cancuoc:verdict";

/// Adds the health-insurance card number (the card valid today, from the BHYT check) to a
/// Patient made by [`patient`].
pub fn add_insurance_number(patient: &mut Value, card: &str) {
    if let Some(ids) = patient["identifier"].as_array_mut() {
        ids.push(json!({
            "use": "secondary",
            "type": { "coding": [{ "system": V2_0203, "code": "SB" }], "text": "BHYT" },
            "system": BHYT_SYSTEM,
            "value": card,
        }));
    }
}

/// The extension that references a visit's evidence record (docs/evidence.md) by its SHA-256.
pub const EVIDENCE_EXTENSION: &str = "urn:cancuoc:fhir:visit-evidence-sha256";

/// References the read's visit evidence by its SHA-256: the record itself holds no personal data
/// and stays with the check-in; the hash ties this export to it.
pub fn add_evidence(patient: &mut Value, sha256_hex: &str) {
    let ext = json!({ "url": EVIDENCE_EXTENSION, "valueString": sha256_hex });
    match patient["extension"].as_array_mut() {
        Some(list) => list.push(ext),
        None => patient["extension"] = json!([ext]),
    }
}

/// `dd/mm/yyyy` → `yyyy-mm-dd`; `None` when it is not such a date.
/// VN Core's extension for an address's administrative units (hl7vn/vn-core-ig,
/// StructureDefinition VN-Core.Extension-AdministrativeAddress v1.0.0: sub-extensions `state`,
/// `city`, `district`, `ward`, each a CodeableConcept of the code system below).
pub const VN_CORE_ADMIN_ADDRESS: &str =
    "http://fhir.ehealth.gov.vn/core/StructureDefinition/extension-administrative-address";
/// VN Core's code system of administrative units ("theo ban hành của Tổng cục thống kê"); the IG
/// publishes no concepts, so today's codes (Quyết định 19/2025/QĐ-TTg) are used.
pub const VN_CORE_ADMIN_CODES: &str = "http://fhir.ehealth.gov.vn/core/CodeSystem/vn-core-administrative-address";
/// Our extension: how the chip's (pre-2025) address was mapped ("exact", "ambiguous",
/// "already_current"; "chosen" when a person picked among several).
pub const MAPPING_EXT: &str = "urn:cancuoc:ext:address-mapping";

/// A FHIR Address: the chip's text as the issuer signed it, and — when one commune of today is
/// known (or `choice` picked one) — the street line, today's province and commune by name, and
/// their codes in VN Core's extension (no district: there are none since 1 July 2025).
pub fn address(chip_text: &str, lookup: Option<&crate::address::Lookup>, choice: Option<&str>) -> Value {
    let mut a = json!({ "use": "home", "type": "physical", "text": chip_text, "country": "VN" });
    let Some(l) = lookup else { return a };
    let mapping = if choice.is_some() && l.candidates.len() > 1 { "chosen" } else { l.status.as_str() };
    if let Some(c) = l.chosen(choice) {
        if let Some(street) = &l.street {
            a["line"] = json!([street]);
        }
        a["state"] = json!(c.province);
        let coding = |code: &str, display: &str| json!({ "coding": [{ "system": VN_CORE_ADMIN_CODES, "code": code, "display": display }] });
        a["extension"] = json!([
            { "url": VN_CORE_ADMIN_ADDRESS, "extension": [
                { "url": "state", "valueCodeableConcept": coding(&c.province_code, &c.province) },
                { "url": "ward", "valueCodeableConcept": coding(&c.code, &c.name) },
            ] },
            { "url": MAPPING_EXT, "valueCode": mapping },
        ]);
    } else {
        a["extension"] = json!([{ "url": MAPPING_EXT, "valueCode": mapping }]);
    }
    a
}

fn iso_date(d: &str) -> Option<String> {
    Date::parse(d).map(|d| d.iso())
}

fn gender(report: &Report) -> &'static str {
    let chip = report.person.sex.as_deref().and_then(Sex::parse);
    match chip.or_else(|| report.mrz.as_ref().and_then(|m| Sex::parse(&m.sex))) {
        Some(Sex::Male) => "male",
        Some(Sex::Female) => "female",
        None => "unknown",
    }
}

/// Which of the holder's fields go into the resource (the verdict tag always does: it is not
/// personal data, and a HIS must never take an unverified read for a verified one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Include {
    pub id_number: bool,
    pub full_name: bool,
    pub date_of_birth: bool,
    pub sex: bool,
    pub address: bool,
    pub old_id_number: bool,
    pub nationality: bool,
    pub religion: bool,
    pub ethnicity: bool,
    pub place_of_origin: bool,
    /// The father's and mother's names, as contacts.
    pub parents: bool,
}

impl Include {
    /// What the CLI and the API send: who the patient is (ID numbers, name, date of birth, sex,
    /// address), nothing more.
    pub const IDENTITY: Self = Self {
        id_number: true,
        full_name: true,
        date_of_birth: true,
        sex: true,
        address: true,
        old_id_number: true,
        nationality: false,
        religion: false,
        ethnicity: false,
        place_of_origin: false,
        parents: false,
    };
    /// Nothing but the verdict (a desk app's consent adds fields one by one).
    pub const NOTHING: Self = Self {
        id_number: false,
        full_name: false,
        date_of_birth: false,
        sex: false,
        address: false,
        old_id_number: false,
        nationality: false,
        religion: false,
        ethnicity: false,
        place_of_origin: false,
        parents: false,
    };
}

/// The Patient resource with the fields `include` names. `photo` is the face image (MIME type,
/// bytes) when the caller asks for it. The one FHIR builder: the CLI, the API and the desk app
/// (with the fields the person consented to) all call it.
pub fn patient(report: &Report, include: Include, photo: Option<(&str, &[u8])>) -> Value {
    let mut kept = report.person.clone();
    let keep = |v: &mut Option<String>, on: bool| {
        if !on {
            *v = None;
        }
    };
    keep(&mut kept.id_number, include.id_number);
    keep(&mut kept.full_name, include.full_name);
    keep(&mut kept.date_of_birth, include.date_of_birth);
    keep(&mut kept.sex, include.sex);
    keep(&mut kept.place_of_residence, include.address);
    keep(&mut kept.old_id_number, include.old_id_number);
    keep(&mut kept.nationality, include.nationality);
    keep(&mut kept.religion, include.religion);
    keep(&mut kept.ethnicity, include.ethnicity);
    keep(&mut kept.place_of_origin, include.place_of_origin);
    keep(&mut kept.father_name, include.parents);
    keep(&mut kept.mother_name, include.parents);
    let p = &kept;
    let mut identifier = Vec::new();
    if let Some(id) = &p.id_number {
        identifier.push(json!({
            "use": "official",
            "type": { "coding": [{ "system": V2_0203, "code": "NI" }], "text": "Căn cước công dân (CCCD)" },
            "system": CCCD_SYSTEM,
            "value": id,
        }));
    }
    if let Some(old) = &p.old_id_number {
        identifier.push(json!({
            "use": "old",
            "type": { "coding": [{ "system": V2_0203, "code": "NI" }], "text": "CMND" },
            "system": CMND_SYSTEM,
            "value": old,
        }));
    }
    let mut resource = json!({
        "resourceType": "Patient",
        "meta": {
            "tag": [{
                "system": VERDICT_SYSTEM,
                "code": report.status.key(),
                "display": report.summary,
            }]
        },
        "identifier": identifier,
        "active": true,
        "gender": if include.sex { gender(report) } else { "unknown" },
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
        resource["address"] = json!([address(addr, report.addresses.place_of_residence.as_ref(), None)]);
    }
    let mut ext = Vec::new();
    if let Some(n) = &p.nationality {
        ext.push(json!({ "url": "http://hl7.org/fhir/StructureDefinition/patient-nationality",
                "extension": [{ "url": "code", "valueCodeableConcept": { "text": n } }] }));
    }
    if let Some(n) = &p.religion {
        ext.push(json!({ "url": "http://hl7.org/fhir/StructureDefinition/patient-religion",
                "valueCodeableConcept": { "text": n } }));
    }
    if let Some(n) = &p.ethnicity {
        ext.push(json!({ "url": "urn:cancuoc:ext:ethnicity", "valueString": n }));
    }
    if let Some(n) = &p.place_of_origin {
        ext.push(json!({ "url": "urn:cancuoc:ext:place-of-origin", "valueString": n }));
    }
    if !ext.is_empty() {
        resource["extension"] = json!(ext);
    }
    let mut contacts = Vec::new();
    for (name, code, display) in [(&p.father_name, "FTH", "father"), (&p.mother_name, "MTH", "mother")] {
        if let Some(n) = name {
            contacts.push(json!({
                "relationship": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": code, "display": display }] }],
                "name": { "text": n }
            }));
        }
    }
    if !contacts.is_empty() {
        resource["contact"] = json!(contacts);
    }
    if let Some((mime, bytes)) = photo {
        resource["photo"] =
            json!([{ "contentType": mime, "data": base64::engine::general_purpose::STANDARD.encode(bytes) }]);
    }
    resource
}
