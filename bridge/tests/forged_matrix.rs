//! The forged-card matrix (`cancuoc_sim::forged::ROWS`) through every layer of the bridge: the
//! core verdict (via the library), `cancuoc read --json` and its exit code, and the local API's
//! JSON with its FHIR resource. Each row must be NOT verified, naming the right check, everywhere.

use std::process::{Command, Stdio};
use std::time::Duration;

use cancuoc_bridge::{Report, Status, read};
use cancuoc_sim::PERSONA;
use cancuoc_sim::forged::{ROWS, Seen, record};
use serde_json::Value;
mod common;

fn names(failures: &Value) -> Vec<String> {
    failures
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["check"].as_str().map(String::from)).collect())
        .unwrap_or_default()
}

#[test]
fn every_forgery_is_not_verified_at_every_layer_of_the_bridge() {
    let mut seen = Vec::new();

    // Core (through the library the CLI, API and desk app share).
    for row in ROWS {
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let hooks = read::Hooks { progress: &mut |_| {}, unplugged: &mut || {}, cancel: &cancel, trace: None };
        let r = read::read(
            &read::Source::simulated(row.variant),
            &cancuoc_core::Credentials::mrz(PERSONA.access_key()),
            &read::Trust::Default,
            None,
            None,
            hooks,
        )
        .expect("the forged card reads");
        let rep = Report::from_read(&r.card);
        let checks: Vec<&str> = rep.failures.iter().map(|f| f.check).collect();
        let ok = !rep.verified && rep.status != Status::Verified && checks.contains(&row.check);
        seen.push(Seen { variant: row.variant.into(), layer: "core".into(), said: checks.join(", "), ok });
    }

    // CLI.
    for row in ROWS {
        let out = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
            .args(["read", "--simulated", "--variant", row.variant, "--json"])
            .stdin(Stdio::null())
            .output()
            .expect("cancuoc runs");
        let j: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let code = out.status.code().unwrap_or(-1);
        let checks = names(&j["failures"]);
        let ok = code == 1 && j["verified"] == false && checks.iter().any(|c| c == row.check);
        seen.push(Seen {
            variant: row.variant.into(),
            layer: "cli".into(),
            said: format!("exit {code}, {}", j["status"].as_str().unwrap_or("?")),
            ok,
        });
    }

    // The local API (a real server, a real HTTP client) and its FHIR resource.
    let dir = tempfile::tempdir().expect("tmp");
    let serve = common::Serve::start(dir.path(), &["--simulated-latency-ms", "0"], &[]);
    let (url, token) = (serve.url.clone(), serve.token.clone());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    for row in ROWS {
        let body = serde_json::json!({ "variant": row.variant, "can": "012345" }).to_string();
        let mut r = agent
            .post(format!("{url}/v1/read"))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/json")
            .send(body)
            .expect("POST /v1/read");
        let status = r.status().as_u16();
        let j: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap_or_default()).unwrap_or(Value::Null);
        let checks = names(&j["report"]["failures"]);
        let tag = j["fhir"]["meta"]["tag"][0]["code"].as_str().unwrap_or("?").to_string();
        let api_ok = status == 200 && j["report"]["verified"] == false && checks.iter().any(|c| c == row.check);
        seen.push(Seen {
            variant: row.variant.into(),
            layer: "api".into(),
            said: format!("HTTP {status}, {}", j["report"]["status"].as_str().unwrap_or("?")),
            ok: api_ok,
        });
        seen.push(Seen {
            variant: row.variant.into(),
            layer: "fhir".into(),
            said: format!("meta.tag {tag}"),
            ok: tag != "verified" && tag != "?",
        });
    }
    drop(serve);

    record("bridge", &seen);
    let bad: Vec<&Seen> = seen.iter().filter(|s| !s.ok).collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert_eq!(seen.len(), ROWS.len() * 4);
}
