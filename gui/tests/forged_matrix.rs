//! The forged-card matrix (`cancuoc_sim::forged::ROWS`) in the desk app: each card, read as a
//! clerk would (CAN, Enter), must show no green verdict, the red (or, for an unknown signer,
//! amber) banner, and the failed check in plain words.

use std::time::{Duration, Instant};

use cancuoc_bridge::Status;
use cancuoc_desk::app::Phase;
use cancuoc_desk::{App, Options};
use cancuoc_sim::forged::{ROWS, Seen, record};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

#[test]
fn every_forgery_is_shown_not_verified_in_the_desk_app() {
    let mut seen = Vec::new();
    for row in ROWS {
        let app = App::new(Options { demo: true, sim_latency: Duration::ZERO, ..Default::default() }).expect("app");
        let mut h =
            Harness::builder().with_size(egui::vec2(1366.0, 768.0)).build_ui_state(|ui, app: &mut App| app.ui(ui), app);
        h.run_steps(2);
        h.state_mut().scenario.variant = row.variant.into();
        h.state_mut().key.id_or_can = "079195012345".into();
        h.run_steps(1);
        h.key_press(egui::Key::Enter);
        let deadline = Instant::now() + Duration::from_secs(30);
        while matches!(h.state().phase, Phase::Reading { .. }) || h.state().checkin.is_none() {
            assert!(Instant::now() < deadline, "{}: the read did not finish", row.variant);
            h.step();
            std::thread::sleep(Duration::from_millis(5));
        }
        h.run_steps(2);
        let status = h.state().checkin.as_ref().map(|c| c.status());
        let green = h.query_all_by_label_contains("CHIP ĐÃ XÁC THỰC").next().is_some();
        let banner = match status {
            Some(Status::NotVerified) => "KHÔNG XÁC THỰC",
            Some(Status::SignerUntrusted) => "CHƯA XÁC ĐỊNH ĐƯỢC NƠI CẤP",
            _ => "CHIP ĐÃ XÁC THỰC",
        };
        let shown = h.query_all_by_label_contains(banner).next().is_some();
        // The failed check in plain words, as the banner words it.
        let reasons: Vec<String> = h
            .state()
            .checkin
            .as_ref()
            .map(|c| {
                c.failures.iter().map(|f| cancuoc_bridge::words::failure(f, cancuoc_bridge::words::Lang::Vi)).collect()
            })
            .unwrap_or_default();
        let reason_shown = reasons.iter().any(|r| h.query_all_by_label_contains(r).next().is_some());
        let right_check =
            h.state().checkin.as_ref().is_some_and(|c| c.report.failures.iter().any(|f| f.check == row.check));
        let ok = !green
            && status.is_some_and(|s| s != Status::Verified)
            && shown
            && right_check
            && (reason_shown || status == Some(Status::SignerUntrusted));
        seen.push(Seen { variant: row.variant.into(), layer: "desk".into(), said: banner.into(), ok });
    }
    record("desk", &seen);
    let bad: Vec<&Seen> = seen.iter().filter(|s| !s.ok).collect();
    assert!(bad.is_empty(), "{bad:#?}");
}
