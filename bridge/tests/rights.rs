//! A citizen's rights at the site (issue 35; docs/privacy.md): a check-in saved through the API
//! with the consent the hospital system states, what `cancuoc privacy report` then lists, and an
//! erasure after which neither the name nor the ID number's bytes remain in the database file.

mod common;

use std::process::Command;

use cancuoc_sim::PERSONA;
use common::Serve;
use serde_json::json;

fn privacy(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cancuoc")).arg("privacy").args(args).output().expect("cancuoc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_stated_consent_is_recorded_reported_and_an_erasure_leaves_no_bytes_behind() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("site.sqlite");
    let dbs = db.to_str().expect("utf-8");
    let s = Serve::start(dir.path(), &["--site-db", dbs], &[]);
    let (_, read) = s.post_json("/v1/read", &s.token, json!({ "reader": "simulated" }));
    let id = read["id"].as_str().expect("id").to_string();
    let visit =
        json!({ "ma_cskcb": "01001", "ma_doituong_kcb": "1.1", "ma_dich_vu": "02.1896", "ten_dich_vu": "Khám Nội" });
    // Without the citizen's consent nothing is kept.
    let (code, c) = s.post_json("/v1/checkin", &s.token, json!({ "read_id": id, "visit": visit }));
    assert_eq!(code, 200, "{c}");
    assert_eq!(c["saved"], serde_json::Value::Null);
    let (code, c) = s.post_json("/v1/checkin", &s.token, json!({ "read_id": id, "visit": visit, "consent": false }));
    assert_eq!((code, &c["saved"]), (200, &serde_json::Value::Null));
    // With it: the check-in and its consent record.
    let (code, c) = s.post_json("/v1/checkin", &s.token, json!({ "read_id": id, "visit": visit, "consent": true }));
    assert_eq!(code, 200, "{c}");
    assert_eq!(c["saved"]["queue_no"], 1);
    // The same read posted again (a retry after a lost reply): stored once, said so.
    let (code, c) = s.post_json("/v1/checkin", &s.token, json!({ "read_id": id, "visit": visit, "consent": true }));
    assert_eq!(code, 200, "{c}");
    assert_eq!((c["saved"]["queue_no"].as_i64(), c["saved"]["already_saved"].as_bool()), (Some(1), Some(true)));
    drop(s);

    let (code, out, err) = privacy(&["report", "--site-db", dbs, "--id-number", PERSONA.id_number, "--json"]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(r["checkins"].as_array().map(Vec::len), Some(1));
    assert_eq!(r["checkins"][0]["full_name"], PERSONA.full_name);
    assert_eq!(r["checkins"][0]["address"], "Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội");
    let consent = &r["consents"][0];
    assert_eq!(consent["purpose"], "checkin");
    assert_eq!(consent["recipient"], "hospital_system");
    assert_eq!(consent["method"], "stated_by_his");
    assert_eq!(consent["answer"], "agreed");
    assert!(consent["fields"].as_str().is_some_and(|f| f.contains("full_name") && f.contains("place_of_residence")));
    assert!(consent["at"].as_i64().is_some_and(|t| t > 1_700_000_000));
    assert_eq!(consent["notice_sha256"].as_str().map(str::len), Some(64));
    // Who: a keyed hash, never the number.
    let subject = consent["subject"].as_str().expect("subject");
    assert_eq!(subject.len(), 64);
    assert!(!subject.contains(PERSONA.id_number));
    assert_eq!(r["audit"][0]["action"], "checkin");
    assert_eq!(r["requests"][0]["kind"], "report");
    // The answer as a PDF for the citizen, read back by poppler.
    let pdf = dir.path().join("report.pdf");
    let (code, _, err) =
        privacy(&["report", "--site-db", dbs, "--id-number", PERSONA.id_number, "--pdf", pdf.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{err}");
    let out = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext");
    let text = String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "THÔNG TIN CƠ SỞ ĐANG LƯU GIỮ VỀ CÁ NHÂN",
        PERSONA.id_number,
        PERSONA.full_name,
        "tiếp đón khám bệnh → hệ thống thông tin bệnh viện",
        "hệ thống bệnh viện xác nhận",
    ] {
        assert!(text.contains(want), "{want:?} not in the PDF: {text}");
    }
    // The file holds the name and the number now…
    let bytes = std::fs::read(&db).expect("db");
    assert!(contains(&bytes, PERSONA.id_number) && contains(&bytes, PERSONA.full_name));

    // …and after the erasure neither: the rows are gone and their bytes overwritten.
    let (code, out, err) = privacy(&["erase", "--site-db", dbs, "--id-number", PERSONA.id_number]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 check-in(s), 1 consent record(s)"), "{out}");
    let bytes = std::fs::read(&db).expect("db");
    for secret in [PERSONA.id_number, PERSONA.full_name, PERSONA.date_of_birth, "Hàng Bạc"] {
        assert!(!contains(&bytes, secret), "{secret:?} still in the database file");
    }
    let (_, out, _) = privacy(&["report", "--site-db", dbs, "--id-number", PERSONA.id_number, "--json"]);
    let r: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(r["checkins"], json!([]));
    assert_eq!(r["consents"], json!([]));
    assert_eq!(r["audit"], json!([]));
    // What remains: the register of requests (keyed hash, dates, result).
    let kinds: Vec<&str> =
        r["requests"].as_array().expect("requests").iter().filter_map(|q| q["kind"].as_str()).collect();
    assert!(kinds.contains(&"erase"), "{kinds:?}");
    let (code, out, _) = privacy(&["requests", "--site-db", dbs, "--json"]);
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(list.as_array().expect("list").iter().all(|q| q["done_at"].is_i64() && q["overdue"] == false));
    // A bad ID number is a usage error, named.
    let (code, _, err) = privacy(&["report", "--site-db", dbs, "--id-number", "０７９１９５０１２３４５"]);
    assert_eq!(code, 2);
    assert!(err.contains("12 digits"), "{err}");
}

#[test]
fn a_withdrawal_deletes_what_was_kept_only_on_it_and_the_breach_facts_count_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("site.sqlite");
    let dbs = db.to_str().expect("utf-8");
    let s = Serve::start(dir.path(), &["--site-db", dbs], &[]);
    let (_, read) = s.post_json("/v1/read", &s.token, json!({ "reader": "simulated" }));
    let id = read["id"].as_str().expect("id").to_string();
    let visit = json!({ "ma_cskcb": "01001", "ma_doituong_kcb": "1.1", "ma_dich_vu": "x", "ten_dich_vu": "Khám" });
    let (code, _) = s.post_json("/v1/checkin", &s.token, json!({ "read_id": id, "visit": visit, "consent": true }));
    assert_eq!(code, 200);
    drop(s);
    let today = chrono::Local::now().format("%d/%m/%Y").to_string();
    let (code, out, err) = privacy(&["breach-report", "--site-db", dbs, "--from", &today, "--to", &today, "--json"]);
    assert_eq!(code, 0, "{err}");
    let f: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(f["checkins"], 1);
    assert_eq!(f["actions"]["checkin"], 1);
    assert_eq!(f["fields"]["id_number"], 1);
    assert!(!out.contains(PERSONA.id_number) && !out.contains(PERSONA.full_name), "counts, never values");
    let (code, out, err) =
        privacy(&["withdraw", "--site-db", dbs, "--id-number", PERSONA.id_number, "--purpose", "checkin"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 consent record(s)") && out.contains("1 check-in(s)"), "{out}");
    let (_, out, _) = privacy(&["report", "--site-db", dbs, "--id-number", PERSONA.id_number, "--json"]);
    let r: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(r["checkins"], json!([]));
    assert!(r["consents"][0]["withdrawn_at"].is_i64(), "the record stays, marked withdrawn");
}
