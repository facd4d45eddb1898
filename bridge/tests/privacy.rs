//! Personal data never reaches a log: a full read with every log level turned up (`RUST_LOG=trace`)
//! through the CLI and through the API server, and nothing either writes to its log (stderr) holds
//! the holder's name, ID number, date of birth or MRZ. (The read's *result* goes to stdout or the
//! HTTP answer, to the caller who asked for it.)

use std::process::{Command, Stdio};
use std::time::Duration;

use cancuoc_sim::PERSONA;

mod common;
use common::Serve;

fn secrets() -> Vec<String> {
    let p = &PERSONA;
    vec![
        p.full_name.to_string(),
        p.mrz_name.to_string(),
        p.id_number.to_string(),
        p.document_number().to_string(),
        p.date_of_birth.to_string(),
        p.dob_yymmdd(),
        p.place_of_residence.to_string(),
        p.father.to_string(),
    ]
}

fn assert_clean(what: &str, log: &str) {
    for s in secrets() {
        assert!(!log.contains(&s), "{what} logged personal data ({s:?}):\n{log}");
    }
}

#[test]
fn nothing_personal_in_the_logs_of_a_full_read() {
    // CLI, human output and JSON, and a forged card (errors are logged too).
    for args in [
        vec!["read", "--simulated"],
        vec!["read", "--simulated", "--json"],
        vec!["read", "--simulated", "--variant", "tampered-dg13"],
        vec!["read", "--simulated", "--dob", "16/03/1995"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
            .args(&args)
            .env("RUST_LOG", "trace")
            .stdin(Stdio::null())
            .output()
            .expect("cancuoc");
        assert_clean(&format!("`cancuoc {}` on stderr", args.join(" ")), &String::from_utf8_lossy(&out.stderr));
    }
    // The API server's log while it serves a read.
    let dir = tempfile::tempdir().expect("tmp");
    let server = Serve::start_logged(dir.path(), &[], &[("RUST_LOG", std::ffi::OsStr::new("trace"))]);
    let (url, token) = (server.url.clone(), server.token.clone());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let mut r = agent
        .post(format!("{url}/v1/read"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(r#"{"can":"012345","photo":true}"#)
        .expect("read");
    let body = r.body_mut().read_to_string().unwrap_or_default();
    assert!(body.contains(PERSONA.id_number), "the caller gets the data");
    let (log, rest) = server.stop_with_logs();
    assert_clean("`cancuoc serve` (stderr)", &log);
    assert_clean("`cancuoc serve` (stdout after start)", &rest);
}
