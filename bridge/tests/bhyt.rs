//! The insurance check (`cancuoc_bridge::his::bhyt`) against the simulated insurer over real HTTP:
//! renewed cards, a birth year only, the insurer's record compared with the chip, the token kept
//! for its life and renewed once on a 401, every failure "not checked" — and `cancuoc bhyt`, the
//! CLI, on the same answers (with its token shared between runs, sealed on disk).
//!
//! Long on purpose: one test binary per area is linked once; split into several it would link
//! as many times, which CI pays for on every run (docs/ci.md).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use cancuoc_bridge::his::bhyt::{self, Account, Eligibility, NotChecked, Query};
use cancuoc_sim::PERSONA;
mod common;
use cancuoc_sim::hospital::{Hospital, HospitalConfig, InsuranceRecord};
use common::Serve;

const TODAY: &str = "23/11/2026";

fn account(h: &Hospital) -> Account {
    Account {
        base_url: h.base_url(),
        username: h.username().into(),
        password_md5: bhyt::md5_hex(h.password()),
        clerk_name: "Lê Văn Tiếp".into(),
        clerk_id: "001090000001".into(),
        timeout: Duration::from_secs(5),
        cache_dir: None,
    }
}

fn persona() -> Query {
    Query {
        id_number: PERSONA.id_number.into(),
        full_name: PERSONA.full_name.into(),
        date_of_birth: PERSONA.date_of_birth.into(),
        sex: Some(PERSONA.sex.into()),
    }
}

fn with(record: InsuranceRecord) -> Hospital {
    let mut c = HospitalConfig::default();
    c.records.insert(PERSONA.id_number.into(), record);
    Hospital::start(c).expect("server")
}

#[test]
fn a_valid_card_its_note_and_exactly_the_consented_fields() {
    let h = Hospital::start(HospitalConfig::default()).expect("server");
    let r = bhyt::lookup(&account(&h), &persona(), TODAY).expect("answer");
    assert_eq!((r.code.as_str(), r.eligibility), ("000", Eligibility::Valid));
    assert_eq!(r.card.number.as_deref(), Some("DN4010120123456"));
    assert_eq!(r.card.facility.as_deref(), Some("01001"));
    assert_eq!(r.note.as_deref(), Some("Thẻ còn giá trị sử dụng!"), "ghiChu is always carried");
    assert!(r.differences.is_empty() && r.previous_card.is_none() && !r.birth_year_only);
    let got = h.received();
    assert_eq!(got.len(), 2);
    // The login as the documents give it: form-encoded, the MD5 in upper-case hex, never the password.
    assert_eq!(got[0].body["password"], bhyt::md5_hex(h.password()).to_uppercase());
    let keys: Vec<&str> = got[1].body.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["maThe", "hoTen", "ngaySinh", "hoTenCb", "cccdCb"], "the sex is compared here, never sent");
    // A valid code whose period has ended is not shown as valid.
    let r = bhyt::lookup(&account(&h), &persona(), "01/01/2100").expect("answer");
    assert_eq!((r.code.as_str(), r.eligibility), ("000", Eligibility::Expired));
}

#[test]
fn a_003_renewed_card_is_the_new_card_usable_today_with_both_shown() {
    let h = with(InsuranceRecord::persona_renewed());
    let r = bhyt::lookup(&account(&h), &persona(), TODAY).expect("answer");
    assert_eq!((r.code.as_str(), r.eligibility), ("003", Eligibility::Valid));
    assert_eq!(r.card.number.as_deref(), Some("DN4010120654321"), "today's card is the new one");
    assert_eq!(r.card.facility.as_deref(), Some("01002"));
    assert_eq!(r.card.facility_name.as_deref(), Some("Bệnh viện Bạch Mai"));
    let old = r.previous_card.as_ref().expect("the old card is shown too");
    assert_eq!((old.number.as_deref(), old.valid_to.as_deref()), (Some("DN4010120123456"), Some("31/12/2025")));
    // Before the new card starts, a 003 (old card ended) is not usable.
    let r = bhyt::lookup(&account(&h), &persona(), "15/12/2025").expect("answer");
    assert_eq!(r.eligibility, Eligibility::Expired);
    assert_eq!(r.card.number.as_deref(), Some("DN4010120123456"));
    // A 004 (old card still valid) before the new card starts: the old card, usable.
    let h = with(InsuranceRecord { code: "004", ..InsuranceRecord::persona_renewed() });
    let r = bhyt::lookup(&account(&h), &persona(), "15/12/2025").expect("answer");
    assert_eq!((r.eligibility, r.card.number.as_deref()), (Eligibility::Valid, Some("DN4010120123456")));
}

#[test]
fn a_birth_year_only_record_is_asked_again_with_the_year() {
    let h = with(InsuranceRecord::persona_year_only());
    let r = bhyt::lookup(&account(&h), &persona(), TODAY).expect("answer");
    assert_eq!((r.code.as_str(), r.eligibility), ("000", Eligibility::Valid));
    assert!(r.birth_year_only, "the answer says the year was used");
    assert!(r.differences.is_empty(), "the year matches the chip's: no difference");
    let sent: Vec<String> = h
        .received()
        .iter()
        .filter(|x| x.path.ends_with("KCB2024"))
        .map(|x| x.body["ngaySinh"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(sent, [PERSONA.date_of_birth, "1995"]);
    // Another year is not retried: a 070 with the difference flagged.
    let mut other = InsuranceRecord::persona_year_only();
    other.date_of_birth = "1994";
    let h = with(other);
    let r = bhyt::lookup(&account(&h), &persona(), TODAY).expect("answer");
    assert_eq!((r.code.as_str(), r.eligibility), ("070", Eligibility::Invalid));
    assert!(!r.birth_year_only);
    assert_eq!(r.differences.len(), 1);
    assert_eq!((r.differences[0].field, r.differences[0].insurer.as_str()), ("date_of_birth", "1994"));
}

#[test]
fn the_insurers_record_is_shown_beside_the_chip_and_differences_flagged() {
    let mut rec = InsuranceRecord::persona_valid();
    rec.full_name = "Nguyễn Thị Thu Hằng";
    let h = with(rec);
    let r = bhyt::lookup(&account(&h), &persona(), TODAY).expect("answer");
    assert_eq!((r.code.as_str(), r.eligibility), ("061", Eligibility::Invalid));
    assert_eq!(r.insurer.full_name.as_deref(), Some("Nguyễn Thị Thu Hằng"));
    assert_eq!(r.insurer.date_of_birth.as_deref(), Some(PERSONA.date_of_birth));
    assert!(r.insurer.address.is_some());
    let d = &r.differences;
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].field, d[0].chip.as_str()), ("full_name", PERSONA.full_name));
    // The insurer's sex differs on a 000: the card is usable, the difference still flagged.
    let mut rec = InsuranceRecord::persona_valid();
    rec.sex = "Nam";
    let h = with(rec);
    let r = bhyt::lookup(&account(&h), &persona(), TODAY).expect("answer");
    assert_eq!(r.eligibility, Eligibility::Valid);
    assert_eq!(r.differences.iter().map(|d| d.field).collect::<Vec<_>>(), ["sex"]);
}

#[test]
fn the_token_is_kept_for_its_life_and_renewed_once_on_a_401() {
    let h = Hospital::start(HospitalConfig::default()).expect("server");
    // A fresh account key per test: the process-wide cache is per gateway and user.
    let a = account(&h);
    for _ in 0..3 {
        bhyt::lookup(&a, &persona(), TODAY).expect("answer");
    }
    assert_eq!(h.logins(), 1, "one login for three checks within the token's life");
    // The gateway forgets the token: one new login, one retry, an answer.
    h.expire_tokens();
    let r = bhyt::lookup(&a, &persona(), TODAY).expect("answer after a new login");
    assert_eq!(r.code, "000");
    assert_eq!(h.logins(), 2);
    // A token whose expires_in is already (almost) past is not used at all.
    let short =
        Hospital::start(HospitalConfig { token_life: Duration::from_secs(30), ..Default::default() }).expect("server");
    let a = account(&short);
    bhyt::lookup(&a, &persona(), TODAY).expect("answer");
    bhyt::lookup(&a, &persona(), TODAY).expect("answer");
    assert_eq!(short.logins(), 2, "a token in its last minute is renewed before use");
}

#[test]
fn every_failure_is_not_checked_with_its_reason() {
    let h = Hospital::start(HospitalConfig::default()).expect("server");
    let mut a = account(&h);
    a.password_md5 = bhyt::md5_hex("wrong");
    assert_eq!(bhyt::lookup(&a, &persona(), TODAY), Err(NotChecked::Auth));
    let h = Hospital::start(HospitalConfig { fail_status: Some(503), ..Default::default() }).expect("server");
    let e = bhyt::lookup(&account(&h), &persona(), TODAY).expect_err("server error");
    assert_eq!(e, NotChecked::Server { status: 503 });
    assert!(e.retryable());
    let h = Hospital::start(HospitalConfig { delay: Duration::from_secs(3), ..Default::default() }).expect("server");
    let mut a = account(&h);
    a.timeout = Duration::from_millis(300);
    assert_eq!(bhyt::lookup(&a, &persona(), TODAY), Err(NotChecked::Timeout));
    let dead = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("addr");
    let a = Account { base_url: format!("http://{dead}"), ..account(&h) };
    assert!(matches!(bhyt::lookup(&a, &persona(), TODAY), Err(NotChecked::Unreachable { .. })));
    let a = Account { base_url: String::new(), ..account(&h) };
    assert_eq!(bhyt::lookup(&a, &persona(), TODAY), Err(NotChecked::Offline));
    // Codes about the gateway or the clerk's account say nothing about the card.
    for code in ["054", "055", "100", "101", "205", "500", "777"] {
        let h = with(InsuranceRecord {
            code: Box::leak(code.to_string().into_boxed_str()),
            ..InsuranceRecord::persona_valid()
        });
        assert_eq!(
            bhyt::lookup(&account(&h), &persona(), TODAY),
            Err(NotChecked::Gateway { code: code.into() }),
            "{code}"
        );
    }
}

#[test]
fn every_card_code_gets_its_documented_verdict() {
    for (code, want) in [
        ("001", Eligibility::Valid),
        ("002", Eligibility::Valid),
        ("010", Eligibility::Expired),
        ("110", Eligibility::Invalid),
        ("120", Eligibility::Invalid),
        ("121", Eligibility::Invalid),
        ("122", Eligibility::Invalid),
        ("123", Eligibility::Invalid),
        ("124", Eligibility::Invalid),
        ("130", Eligibility::Invalid),
        ("051", Eligibility::Invalid),
        ("052", Eligibility::Invalid),
        ("053", Eligibility::Invalid),
    ] {
        let h = with(InsuranceRecord { code, ..InsuranceRecord::persona_valid() });
        let r = bhyt::lookup(&account(&h), &persona(), TODAY).expect("answer");
        assert_eq!((r.code.as_str(), r.eligibility), (code, want), "{code}");
    }
    // No record at all.
    let h = Hospital::start(HospitalConfig { records: Default::default(), ..Default::default() }).expect("server");
    let r = bhyt::lookup(&account(&h), &persona(), TODAY).expect("answer");
    assert_eq!((r.code.as_str(), r.eligibility), ("050", Eligibility::Invalid));
}

#[test]
fn the_visit_history_comes_from_lskcb2025_form_encoded() {
    let h = Hospital::start(HospitalConfig::default()).expect("server");
    let hist = bhyt::history(&account(&h), &persona()).expect("history");
    assert_eq!(hist.code, "000");
    assert_eq!(hist.visits.len(), 1);
    assert_eq!(hist.visits[0].diagnosis.as_deref(), Some("Viêm họng cấp"));
    let got = h.received();
    let last = got.last().expect("request");
    assert_eq!(last.path, "/api/egw/Lskcb2025");
    assert_eq!(last.body["hoTen"], PERSONA.full_name, "form-encoded Vietnamese arrives intact");
}

fn cancuoc(args: &[&str], h: &Hospital, cache: &Path, pw: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cancuoc"))
        .args(args)
        .env("CANCUOC_BHYT_USER", h.username())
        .env("CANCUOC_BHYT_PASSWORD_FILE", pw)
        .env("CANCUOC_CACHE_DIR", cache)
        .env_remove("CANCUOC_BHYT_GATEWAY")
        .output()
        .expect("run cancuoc");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_cli_answers_as_the_library_and_shares_its_sealed_token_between_runs() {
    let h = with(InsuranceRecord::persona_renewed());
    let dir = tempfile::tempdir().expect("tmp");
    let pw = dir.path().join("password");
    std::fs::write(&pw, format!("{}\n", h.password())).expect("password file");
    let cache = dir.path().join("cache");
    let gw = h.base_url();
    let base = ["bhyt", "--gateway", &gw, "--id-number", PERSONA.id_number, "--name", PERSONA.full_name];
    let args: Vec<&str> = base.iter().copied().chain(["--dob", PERSONA.date_of_birth, "--json"]).collect();
    let (code, out) = cancuoc(&args, &h, &cache, &pw);
    assert_eq!(code, 0, "{out}");
    let j: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(j["answer"]["eligibility"], "valid");
    assert_eq!(j["answer"]["card"]["number"], "DN4010120654321");
    assert_eq!(j["answer"]["previous_card"]["number"], "DN4010120123456");
    assert_eq!(j["meaning"]["kind"], "new_card");
    // The second run, another process: no second login; the token file holds no token in clear.
    let args: Vec<&str> = base.iter().copied().chain(["--dob", PERSONA.date_of_birth, "--history"]).collect();
    let (code, out) = cancuoc(&args, &h, &cache, &pw);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("✔ THẺ BHYT DÙNG ĐƯỢC HÔM NAY"), "{out}");
    assert!(out.contains("DN4010120654321") && out.contains("Thẻ cũ (previous card)"), "{out}");
    assert!(out.contains("Lịch sử khám chữa bệnh (visit history): 1"), "{out}");
    assert_eq!(h.logins(), 1, "the token is shared between runs");
    let files: Vec<_> = std::fs::read_dir(&cache).expect("cache").flatten().collect();
    assert_eq!(files.len(), 1);
    let sealed = std::fs::read(files[0].path()).expect("read");
    let issued = h.received().iter().filter_map(|r| r.query_token.clone()).next().expect("a token was used");
    assert!(!sealed.windows(issued.len()).any(|w| w == issued.as_bytes()), "never in clear");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = files[0].metadata().expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // A mismatching birth date: exit 1, the difference shown.
    let args: Vec<&str> = base.iter().copied().chain(["--dob", "16/03/1995"]).collect();
    let (code, out) = cancuoc(&args, &h, &cache, &pw);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("070") && out.contains("Ngày sinh (date of birth): chip «16/03/1995» — BHXH «15/03/1995»"),
        "{out}"
    );
    // A record with the birth year only: usable, and the CLI says the year was used.
    let year = with(InsuranceRecord::persona_year_only());
    let gy = year.base_url();
    let args: Vec<&str> = ["bhyt", "--gateway", &gy, "--id-number", PERSONA.id_number, "--name", PERSONA.full_name]
        .into_iter()
        .chain(["--dob", PERSONA.date_of_birth])
        .collect();
    let (code, out) = cancuoc(&args, &year, &cache, &pw);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("BHXH chỉ có năm sinh"), "{out}");
    // A different name at the insurer: 060, both names shown.
    let mut other = InsuranceRecord::persona_valid();
    other.full_name = "Trần Thị Thu Hà";
    let other = with(other);
    let go = other.base_url();
    let args: Vec<&str> = ["bhyt", "--gateway", &go, "--id-number", PERSONA.id_number, "--name", PERSONA.full_name]
        .into_iter()
        .chain(["--dob", PERSONA.date_of_birth, "--json"])
        .collect();
    let (code, out) = cancuoc(&args, &other, &cache, &pw);
    assert_eq!(code, 1, "{out}");
    let j: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(j["answer"]["code"], "060");
    assert_eq!(j["answer"]["differences"][0]["field"], "full_name");
    assert_eq!(j["answer"]["differences"][0]["insurer"], "Trần Thị Thu Hà");
    // The gateway down: exit 6, "not checked".
    drop(h);
    let h2 = Hospital::start(HospitalConfig::default()).expect("server");
    let dead_args: Vec<&str> =
        ["bhyt", "--gateway", "http://127.0.0.1:9", "--id-number", PERSONA.id_number, "--name", PERSONA.full_name]
            .into_iter()
            .chain(["--dob", PERSONA.date_of_birth])
            .collect();
    let (code, out) = cancuoc(&dead_args, &h2, &cache, &pw);
    assert_eq!(code, 6, "{out}");
    assert!(out.contains("Chưa kiểm tra"), "{out}");
}

/// `cancuoc serve` with the gateway set up, as a web HIS uses it.
fn serve(h: &Hospital, dir: &Path) -> Serve {
    let pw = dir.join("password");
    std::fs::write(&pw, h.password()).expect("password file");
    let gw = h.base_url();
    let cache = dir.join("cache");
    let args = ["--bhyt-gateway", &gw, "--bhyt-clerk-name", "Lê Văn Tiếp", "--bhyt-clerk-id", "001090000001"];
    let envs = [
        ("CANCUOC_BHYT_USER", std::ffi::OsStr::new(h.username())),
        ("CANCUOC_BHYT_PASSWORD_FILE", pw.as_os_str()),
        ("CANCUOC_CACHE_DIR", cache.as_os_str()),
    ];
    Serve::start(dir, &args, &envs)
}

#[test]
fn the_api_checks_a_verified_read_with_consent_and_the_same_answers() {
    use serde_json::json;
    let h = with(InsuranceRecord::persona_renewed());
    let dir = tempfile::tempdir().expect("tmp");
    let s = serve(&h, dir.path());
    let (code, read) = s.post_json("/v1/read", &s.token, json!({ "reader": "simulated" }));
    assert_eq!(code, 200, "{read}");
    let id = read["id"].as_str().expect("read id").to_string();
    // No consent, no check; the wrong token, nothing at all.
    let (code, e) = s.post_json("/v1/bhyt", &s.token, json!({ "read_id": id }));
    assert_eq!((code, e["error"].as_str()), (400, Some("consent_needed")), "{e}");
    let (code, _) = s.post_json("/v1/bhyt", "wrong", json!({ "read_id": id, "consent": true }));
    assert_eq!(code, 401);
    assert_eq!(h.logins(), 0, "nothing reached the insurer without consent");
    // With consent: the renewed card resolved, as in the library and the CLI.
    let (code, a) = s.post_json("/v1/bhyt", &s.token, json!({ "read_id": id, "consent": true }));
    assert_eq!(code, 200, "{a}");
    assert_eq!(a["checked"], true, "{a}");
    assert_eq!(a["answer"]["eligibility"], "valid");
    assert_eq!(a["answer"]["card"]["number"], "DN4010120654321");
    assert_eq!(a["answer"]["previous_card"]["number"], "DN4010120123456");
    assert_eq!(a["meaning"]["code"], "003");
    // The fields sent directly, and the visit history under its own consent.
    let fields = json!({ "id_number": PERSONA.id_number, "full_name": PERSONA.full_name,
                         "date_of_birth": PERSONA.date_of_birth, "consent": true, "history": true });
    let (code, e) = s.post_json("/v1/bhyt", &s.token, fields.clone());
    assert_eq!((code, e["error"].as_str()), (400, Some("consent_needed")), "{e}");
    let mut with_history = fields;
    with_history["consent_history"] = json!(true);
    let (code, a) = s.post_json("/v1/bhyt", &s.token, with_history);
    assert_eq!(code, 200, "{a}");
    assert_eq!(a["history"]["visits"].as_array().map(Vec::len), Some(1), "{a}");
    assert_eq!(h.logins(), 1, "one login for every check within the token's life");
}

/// The code table in the clerk's and the integrator's guides, made from [`bhyt::CODES`]: the
/// docs list every code with what the clerk sees. `CANCUOC_BLESS=1` rewrites them.
#[test]
fn the_guides_list_every_code_and_what_the_clerk_sees() {
    use cancuoc_bridge::his::bhyt::Kind;
    let shows = |k: Kind| match k {
        Kind::Accept => "green: usable",
        Kind::AcceptAfterPapers => "green: usable after checking papers",
        Kind::NewCard => "green with the new card (or red when no card covers today); both cards shown",
        Kind::Expired => "red: expired",
        Kind::Reenter => "red: not usable; the insurer's record beside the chip's, differences flagged",
        Kind::Reject => "red: not usable",
        Kind::NotChecked => "amber: not checked (the card is neither usable nor refused)",
    };
    let mut table =
        String::from("| code | meaning | what the clerk sees | what to do (as shown) |\n|---|---|---|---|\n");
    for c in bhyt::CODES {
        table.push_str(&format!("| `{}` | {} — {} | {} | {} |\n", c.code, c.vi, c.en, shows(c.kind), c.todo_vi));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for doc in ["docs/desk.md", "docs/guide-integrator.md"] {
        let path = root.join(doc);
        let text = std::fs::read_to_string(&path).expect("doc");
        let (start, end) = ("<!-- bhyt-codes: made by bridge/tests/bhyt.rs -->\n", "<!-- /bhyt-codes -->");
        let (Some(a), Some(b)) = (text.find(start), text.find(end)) else { panic!("{doc}: no code table markers") };
        let current = &text[a + start.len()..b];
        if std::env::var_os("CANCUOC_BLESS").is_some() {
            let new = format!("{}{start}{table}{}", &text[..a], &text[b..]);
            std::fs::write(&path, new).expect("write");
        } else {
            assert_eq!(current, table, "{doc}: the code table is out of date (CANCUOC_BLESS=1 rewrites it)");
        }
    }
}

/// The field list as docs/api.md states it (written from the QĐ's table by hand): name, type,
/// whether always required.
fn documented_fields() -> Vec<(String, String, bool)> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/api.md")).expect("api.md");
    let start = doc.find("<!-- qd4750-fields -->").expect("table start");
    let end = doc.find("<!-- /qd4750-fields -->").expect("table end");
    doc[start..end]
        .lines()
        .filter(|l| l.starts_with("| ") && l.split('|').nth(1).is_some_and(|c| c.trim().parse::<u32>().is_ok()))
        .map(|l| {
            let c: Vec<&str> = l.split('|').map(str::trim).collect();
            (c[2].to_string(), c[3].to_string(), c[4] == "yes")
        })
        .collect()
}

/// Parses the XML with Python's own XML parser (not ours) and returns the rows' (tag, text) pairs.
fn parse_xml_independently(xml: &str) -> Vec<Vec<(String, String)>> {
    use std::io::Write;
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import sys,json,xml.etree.ElementTree as E\nr=E.fromstring(sys.stdin.buffer.read())\n\
             assert r.tag=='CHI_TIEU_TRANG_THAI_KCB'\nl=r.find('DSACH_TRANG_THAI_KCB')\n\
             print(json.dumps([[[c.tag,c.text or ''] for c in row] for row in l.findall('TRANG_THAI_KCB')]))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().expect("stdin").write_all(xml.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("python");
    assert!(out.status.success(), "the XML does not parse");
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn the_checkin_row_of_a_verified_read_validates_against_the_documented_field_list() {
    use serde_json::json;
    let h = with(InsuranceRecord::persona_renewed());
    let dir = tempfile::tempdir().expect("tmp");
    let s = serve(&h, dir.path());
    let (_, read) = s.post_json("/v1/read", &s.token, json!({ "reader": "simulated" }));
    let id = read["id"].as_str().expect("id").to_string();
    let visit = json!({ "ma_cskcb": "01001", "ma_doituong_kcb": "1.1", "ma_dich_vu": "02.1896",
                        "ten_dich_vu": "Khám Nội & <tổng quát>", "ngay_vao": "202611230815" });
    // Before the insurance check: a valid row with the insurance fields empty.
    let (code, c) = s.post_json("/v1/checkin", &s.token, json!({ "read_id": id, "visit": visit }));
    assert_eq!(code, 200, "{c}");
    assert_eq!(c["row"]["ma_the_bhyt"], "");
    let (code, _) = s.post_json("/v1/bhyt", &s.token, json!({ "read_id": id, "consent": true }));
    assert_eq!(code, 200);
    let (code, c) = s.post_json("/v1/checkin", &s.token, json!({ "read_id": id, "visit": visit }));
    assert_eq!(code, 200, "{c}");
    assert_eq!(c["status"], "verified");
    assert_eq!(c["problems"], json!([]));
    let rows = parse_xml_independently(c["xml"].as_str().expect("xml"));
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let fields = documented_fields();
    assert_eq!(fields.len(), 26, "the documented list has QĐ 4750's 26 fields");
    let names: Vec<&str> = row.iter().map(|(t, _)| t.as_str()).collect();
    let documented: Vec<&str> = fields.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, documented, "every field, in the documented order");
    for ((name, text), (_, kind, required)) in row.iter().zip(&fields) {
        assert!(!required || !text.is_empty(), "{name} is required");
        let max: Option<usize> = kind[1..].parse().ok();
        if let Some(max) = max {
            assert!(text.chars().count() <= max, "{name}: {text:?} over {kind}");
        }
        if kind.starts_with('N') {
            assert!(text.bytes().all(|b| b.is_ascii_digit()), "{name}: {text:?} is not a number");
        }
        // The JSON carries the same value under the lower-case name.
        assert_eq!(c["row"][name.to_lowercase()].as_str(), Some(text.as_str()), "{name}");
    }
    let get = |n: &str| row.iter().find(|(t, _)| t == n).map(|(_, v)| v.as_str()).unwrap_or_default();
    assert_eq!(get("HO_TEN"), PERSONA.full_name);
    assert_eq!(get("SO_CCCD"), PERSONA.id_number);
    assert_eq!(get("NGAY_SINH"), "199503150000");
    assert_eq!(get("GIOI_TINH"), "2");
    assert_eq!(get("MA_THE_BHYT"), "DN4010120654321", "today's card: the new one");
    assert_eq!((get("GT_THE_TU"), get("GT_THE_DEN")), ("20260101", "20991231"));
    assert_eq!(get("MA_DKBD"), "01002");
    assert_eq!(get("TEN_DICH_VU"), "Khám Nội & <tổng quát>", "escaped in the XML, intact when parsed");
    assert_eq!(get("NGAY_YL"), "202611230815");
    // A site code missing: 422, the field named.
    let (code, c) = s.post_json(
        "/v1/checkin",
        &s.token,
        json!({ "read_id": id, "visit": { "ma_doituong_kcb": "1.1", "ma_dich_vu": "x", "ten_dich_vu": "y" } }),
    );
    assert_eq!(code, 422, "{c}");
    assert!(c["problems"].as_array().is_some_and(|p| p.iter().any(|p| p["field"] == "MA_CSKCB")), "{c}");
}

#[test]
fn the_check_in_answer_carries_the_residence_in_today_s_units_and_the_api_maps_an_address() {
    use serde_json::json;
    let h = with(InsuranceRecord::persona_renewed());
    let dir = tempfile::tempdir().expect("tmp");
    let s = serve(&h, dir.path());
    let (_, read) = s.post_json("/v1/read", &s.token, json!({ "reader": "simulated" }));
    // The read's JSON: the chip's text kept, today's unit beside it.
    let res = &read["report"]["addresses"]["place_of_residence"];
    assert_eq!(res["status"], "exact");
    assert_eq!(res["text"], PERSONA.place_of_residence);
    assert_eq!(
        (res["candidates"][0]["code"].as_str(), res["candidates"][0]["province_code"].as_str()),
        (Some("00070"), Some("01"))
    );
    assert_eq!(read["report"]["addresses"]["place_of_origin"]["old"]["district"], "Huyện Đông Anh");
    let id = read["id"].as_str().expect("id").to_string();
    let visit =
        json!({ "ma_cskcb": "01001", "ma_doituong_kcb": "1.1", "ma_dich_vu": "02.1896", "ten_dich_vu": "Khám" });
    let (code, c) = s.post_json("/v1/checkin", &s.token, json!({ "read_id": id, "visit": visit }));
    assert_eq!(code, 200, "{c}");
    assert_eq!(c["cu_tru"]["matinh_cu_tru"], "01");
    assert_eq!(c["cu_tru"]["maxa_cu_tru"], "00070");
    assert_eq!(c["cu_tru"]["mahuyen_cu_tru"], "", "no district level by default");
    assert_eq!(c["cu_tru"]["dia_chi"], "Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội");
    // The setting: the old district's code.
    let mut v2 = visit.clone();
    v2["district_field"] = json!("old");
    let (_, c) = s.post_json("/v1/checkin", &s.token, json!({ "read_id": id, "visit": v2 }));
    assert_eq!(c["cu_tru"]["mahuyen_cu_tru"], "002");
    // POST /v1/address: the same answer as the CLI's; a split commune lists every candidate.
    let (code, a) = s.post_json("/v1/address", &s.token, json!({ "text": "Phường Cửa Nam, Quận Hoàn Kiếm, Hà Nội" }));
    assert_eq!(code, 200, "{a}");
    assert_eq!(a["status"], "ambiguous");
    assert_eq!(a["candidates"].as_array().map(Vec::len), Some(4));
    assert!(a["units_version"].as_str().is_some_and(|v| !v.is_empty()));
    let (code, _) = s.post_json("/v1/address", &s.token, json!({ "text": "x", "extra": 1 }));
    assert_eq!(code, 400, "unknown fields are refused");
    let (code, _) = s.post_json("/v1/address", "wrong-token", json!({ "text": "x" }));
    assert_eq!(code, 401);
}

/// The benefit level is the card number's third character (QĐ 1351/QĐ-BHXH: 2 letters, the
/// level 1–5, 2 province digits, 10 digits); numbers written by hand from that layout.
#[test]
fn the_benefit_level_comes_from_the_card_number_s_third_character() {
    let t = bhyt::benefit_table();
    assert!(t.source.contains("1351/QĐ-BHXH") && !t.unconfirmed.is_empty());
    let percents: Vec<(String, u8)> = t.level.iter().map(|l| (l.code.clone(), l.percent)).collect();
    let want = [("1", 100), ("2", 100), ("3", 95), ("4", 80), ("5", 100)].map(|(c, p)| (c.to_string(), p));
    assert_eq!(percents, want);
    // The gateway documents' example card (shared/cccd.md) and the simulated one.
    assert_eq!(bhyt::benefit_level("HC4797938123456").map(|l| l.percent), Some(80));
    assert_eq!(bhyt::benefit_level("DN4010120123456").map(|l| l.code.as_str()), Some("4"));
    assert_eq!(bhyt::benefit_level("TE1010120123456").map(|l| l.percent), Some(100));
    assert!(bhyt::benefit_level("HT3790000000001").is_some_and(|l| l.vi.starts_with("95%")));
    // Not the layout: no level rather than a guess.
    for n in ["DN6010120123456", "DN401012012345", "dn4010120123456", "0791950123456", "", "079195012345"] {
        assert!(bhyt::benefit_level(n).is_none(), "{n:?}");
    }
}

/// The registered facility: here or elsewhere (by the site's code, "01-001" and "01001" alike),
/// and its name from the gateway, this site's own name, or the site's table — each said.
#[test]
fn the_registered_facility_is_named_and_placed_from_the_answer_or_the_site_s_tables() {
    use bhyt::NameSource;
    let dir = tempfile::tempdir().expect("tmp");
    let card = |code: &str, name: Option<&str>| bhyt::Card {
        facility: Some(code.into()),
        facility_name: name.map(String::from),
        ..Default::default()
    };
    let table_file = dir.path().join("co-so-kcb.tsv");
    std::fs::write(&table_file, "# mã\ttên\n01002\tBệnh viện Đa khoa Phố Huế\r\n\n79005\tBệnh viện Quận Chín\n")
        .expect("w");
    let table = bhyt::read_facility_names(&table_file).expect("table");
    assert_eq!(table.len(), 2);
    assert_eq!(bhyt::registered_here(&card("01001", None), "01-001"), Some(true));
    assert_eq!(bhyt::registered_here(&card("01002", None), "01001"), Some(false));
    assert_eq!(bhyt::registered_here(&card("01002", None), ""), None, "no site code: not known");
    let name = |c: &bhyt::Card| bhyt::facility_name(c, "01001", "Bệnh viện Thử nghiệm", &table);
    assert_eq!(
        name(&card("01002", Some("Bệnh viện Bạch Mai"))),
        Some(("Bệnh viện Bạch Mai".into(), NameSource::Gateway))
    );
    assert_eq!(name(&card("01001", None)), Some(("Bệnh viện Thử nghiệm".into(), NameSource::ThisSite)));
    assert_eq!(name(&card("01-002", None)), Some(("Bệnh viện Đa khoa Phố Huế".into(), NameSource::SiteTable)));
    assert_eq!(name(&card("48001", None)), None, "not in any table: no name, never a guess");
    // A missing table is empty; a malformed line is an error that names the line.
    assert!(bhyt::read_facility_names(&dir.path().join("none.tsv")).expect("missing").is_empty());
    std::fs::write(&table_file, "01001 Bệnh viện không có tab\n").expect("w");
    let e = bhyt::read_facility_names(&table_file).expect_err("malformed");
    assert!(e.to_string().contains("line 1"), "{e}");
}
