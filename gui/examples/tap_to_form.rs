//! Tap to form, measured: the desk app in demo mode (the real app state and read, driven through
//! egui_kittest as a clerk drives it), from Enter on the CAN to the check-in form filled, with
//! the simulated link slowed per APDU to the air time of the ISO 14443 bit rates (docs/
//! performance.md, "Tap to form"). A measurement, not a test: `cargo run --release -p
//! cancuoc-desk --example tap_to_form`.

use std::time::{Duration, Instant};

use cancuoc_desk::app::Phase;
use cancuoc_desk::{App, Options};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// One frame at 60 Hz, as the real window paces them.
const FRAME: Duration = Duration::from_millis(16);

fn once(latency: Duration) -> Option<Duration> {
    let app = App::new(Options { demo: true, sim_latency: latency, ..Default::default() }).ok()?;
    let mut h =
        Harness::builder().with_size(egui::vec2(1366.0, 768.0)).build_ui_state(|ui, app: &mut App| app.ui(ui), app);
    h.run_steps(2);
    h.get_by_label("Số định danh").focus();
    h.run_steps(1);
    h.get_by_label("Số định danh").type_text("079195012345");
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(30);
    while Instant::now() < deadline {
        h.step();
        let a = h.state();
        if matches!(a.phase, Phase::Result) && a.checkin.is_some() {
            return Some(start.elapsed());
        }
        std::thread::sleep(FRAME);
    }
    None
}

fn main() {
    // The RSA persona's read: 29 APDUs, modelled air time 1.93 / 0.98 / 0.50 s at 106 / 212 /
    // 424 kbit/s (docs/performance.md), spread evenly over the APDUs.
    let cases = [("no link delay (host work only)", 0u64), ("424 kbit/s", 17), ("212 kbit/s", 34), ("106 kbit/s", 67)];
    println!("| link | per APDU | tap to form (median of 5) | min | max |");
    println!("|---|---:|---:|---:|---:|");
    for (label, ms) in cases {
        let mut runs: Vec<Duration> = (0..5).filter_map(|_| once(Duration::from_millis(ms))).collect();
        runs.sort();
        let (Some(min), Some(max)) = (runs.first().copied(), runs.last().copied()) else {
            println!("| {label} | {ms} ms | did not finish | | |");
            continue;
        };
        let median = runs[runs.len() / 2];
        println!(
            "| {label} | {ms} ms | {:.2} s | {:.2} s | {:.2} s |",
            median.as_secs_f64(),
            min.as_secs_f64(),
            max.as_secs_f64()
        );
    }
}
