//! The store on SQLite: saving, purging, the audit log, queue numbers, migrations.

use super::*;

fn row(at: i64) -> CheckinRow {
    CheckinRow {
        at,
        clerk: "Lê Văn Tiếp".into(),
        full_name: Some("Nguyễn Thị Thu Hà".into()),
        id_number: Some("079195012345".into()),
        reason: "Đau đầu".into(),
        service: "Khám bệnh".into(),
        verdict: "verified".into(),
        bhyt: "000".into(),
        photo: Some(vec![1, 2, 3]),
        ..Default::default()
    }
}

#[test]
fn saves_purges_and_keeps_settings_on_disk() {
    let dir = tempfile::tempdir().expect("tmp");
    let now = 1_800_000_000;
    {
        let st = Store::open(dir.path()).expect("open");
        let mut s = Settings { clerk_name: "Lê Văn Tiếp".into(), ..Default::default() };
        st.save_settings(&s).expect("settings");
        let old = st.save_checkin(&row(now - 31 * 86_400), &s).expect("save").id.expect("kept");
        let new = st.save_checkin(&row(now - 86_400), &s).expect("save").id.expect("kept");
        assert!(new > old);
        // Photos are not stored by default.
        assert_eq!(st.checkins(10).expect("list")[0].photo, None);
        s.store_photos = true;
        st.save_checkin(&row(now), &s).expect("save");
        assert_eq!(st.checkins(10).expect("list")[0].photo, Some(vec![1, 2, 3]));
        // 30 days: the 31-day-old one goes, the others stay.
        s.store_photos = false;
        assert_eq!(st.purge(now, &s).expect("purge"), 1);
        let left = st.checkins(10).expect("list");
        assert_eq!(left.len(), 2);
        assert!(left.iter().all(|c| c.photo.is_none()), "photos dropped when no longer kept");
    }
    // Reopened: the settings survived, the rows too; retention 0 deletes everything.
    let st = Store::open(dir.path()).expect("reopen");
    let mut s = st.settings().expect("settings");
    assert_eq!(s.clerk_name, "Lê Văn Tiếp");
    assert_eq!(st.checkins(10).expect("list").len(), 2);
    s.retention_days = 0;
    assert_eq!(st.save_checkin(&row(now), &s).expect("save").id, None);
    assert_eq!(st.purge(now, &s).expect("purge"), 2);
    assert!(st.checkins(10).expect("list").is_empty());
}

#[test]
fn audit_rows_carry_names_not_values_and_age_out_after_a_year() {
    let st = Store::in_memory().expect("db");
    let now = 1_800_000_000;
    for (at, action) in [(now - 400 * 86_400, "bhyt"), (now, "his")] {
        st.audit(&AuditRow {
            at,
            clerk: "clerk".into(),
            action: action.into(),
            purpose: Some(action.into()),
            fields: "id_number,full_name".into(),
            checkin: None,
            detail: String::new(),
        })
        .expect("audit");
    }
    st.purge(now, &Settings::default()).expect("purge");
    let log = st.audit_log(10).expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "his");
}

#[test]
fn queue_numbers_run_per_day_and_a_repeated_write_is_stored_once() {
    let st = Store::in_memory().expect("db");
    let s = Settings::default();
    let day1 = 1_800_000_000;
    let day2 = day1 + 86_400;
    let nos: Vec<i64> = (0..3).map(|i| st.save_checkin(&row(day1 + i), &s).expect("save").queue_no).collect();
    assert_eq!(nos, [1, 2, 3]);
    assert_eq!(st.save_checkin(&row(day2), &s).expect("save").queue_no, 1, "a new day starts at 1");
    // Retention 0 keeps no row but the patient still gets a number.
    let none = Settings { retention_days: 0, ..Settings::default() };
    let r = st.save_checkin(&row(day2 + 1), &none).expect("save");
    assert_eq!((r.id, r.queue_no), (None, 2));
    // The same write id again: same answer, no second row, no number used.
    let a = st.save_checkin_as("retry-1", &row(day2 + 2), &s).expect("save");
    let b = st.save_checkin_as("retry-1", &row(day2 + 2), &s).expect("save again");
    assert_eq!((a.id, a.queue_no, a.repeat), (b.id, b.queue_no, false));
    assert!(b.repeat, "the second answer says it was saved before");
    assert_eq!(st.checkins(10).expect("list").len(), 5);
    assert_eq!(st.save_checkin(&row(day2 + 3), &s).expect("save").queue_no, 4);
    assert_eq!(st.checkins(1).expect("list")[0].queue_no, Some(4));
    assert_eq!(st.schema_version().expect("version"), 4);
}

#[test]
fn a_database_from_before_versioned_migrations_is_upgraded_in_place() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        // The schema as the first release created it, with a row and settings.
        let c = rusqlite::Connection::open(dir.path().join("desk.sqlite")).expect("open");
        c.execute_batch(
            "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE checkins (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, clerk TEXT NOT NULL,
               full_name TEXT, id_number TEXT, date_of_birth TEXT, sex TEXT, address TEXT,
               reason TEXT NOT NULL, service TEXT NOT NULL, verdict TEXT NOT NULL, bhyt TEXT NOT NULL, photo BLOB);
             CREATE TABLE audit (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, clerk TEXT NOT NULL, action TEXT NOT NULL,
               purpose TEXT, fields TEXT NOT NULL, checkin INTEGER, detail TEXT NOT NULL);
             INSERT INTO settings VALUES('settings', '{\"clerk_name\":\"Lê Văn Tiếp\"}');
             INSERT INTO checkins(at, clerk, full_name, reason, service, verdict, bhyt)
               VALUES(1800000000, 'c', 'Nguyễn Thị Thu Hà', '', 'Khám bệnh', 'verified', '000');",
        )
        .expect("old schema");
    }
    let st = Store::open(dir.path()).expect("upgrade");
    assert_eq!(st.schema_version().expect("version"), 4);
    assert_eq!(st.settings().expect("settings").clerk_name, "Lê Văn Tiếp");
    let rows = st.checkins(10).expect("list");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].full_name.as_deref(), Some("Nguyễn Thị Thu Hà"));
    assert_eq!(rows[0].queue_no, None);
    assert_eq!(st.save_checkin(&row(1_800_000_100), &Settings::default()).expect("save").queue_no, 1);
    drop(st);
    // Opening again applies nothing twice.
    assert_eq!(Store::open(dir.path()).expect("reopen").checkins(10).expect("list").len(), 2);
}
