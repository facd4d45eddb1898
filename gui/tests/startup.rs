//! The desk app when its data store cannot be opened at start (the site's PostgreSQL server is
//! down or unreachable): it says so in a window, with the detail for the technician and "try
//! again", instead of not appearing at all.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cancuoc_desk::i18n::Lang;
use cancuoc_desk::ui::startup::{Choice, StartupError};
use cancuoc_desk::{App, Options};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// Nothing listens on port 1 of loopback: the connection is refused at once.
const DEAD_SERVER: &str = "postgres://cancuoc:s3cret-pw@127.0.0.1:1/site";

fn start_failure() -> String {
    let opts =
        Options { database_url: Some(DEAD_SERVER.into()), counter: Some("Quầy 1".into()), ..Default::default() };
    match App::new(opts) {
        Ok(_) => panic!("a store on a dead server opened"),
        Err(e) => e,
    }
}

#[test]
fn an_unreachable_site_server_is_an_error_naming_the_server_but_not_the_password() {
    let e = start_failure();
    assert!(e.contains("127.0.0.1:1/site"), "{e}");
    assert!(!e.contains("s3cret-pw"), "the password leaked into the message: {e}");
}

#[test]
fn the_start_failure_screen_explains_and_offers_try_again_and_quit() {
    let detail = start_failure();
    for (lang, title, retry, quit) in [
        (Lang::Vi, "Chưa mở được chương trình", "Thử lại", "Thoát"),
        (Lang::En, "The app could not start", "Try again", "Quit"),
    ] {
        for (button, choice) in [(retry, Choice::Retry), (quit, Choice::Quit)] {
            let mut h = Harness::builder()
                .with_size(egui::vec2(900.0, 420.0))
                .build_ui_state(|ui, s: &mut StartupError| s.ui(ui), StartupError::new(lang, detail.clone()));
            h.run();
            h.get_by_label_contains(title);
            h.get_by_label_contains("127.0.0.1:1/site");
            assert_eq!(h.state().choice, None, "nothing chosen before a click");
            h.get_by_label(button).click();
            h.run();
            assert_eq!(h.state().choice, Some(choice), "{lang:?} {button}");
        }
    }
}

/// Kills the child when the test ends, whatever happens.
struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_real_app_stays_open_with_the_error_window_when_the_server_is_down() {
    assert!(
        Command::new("Xvfb").arg("-help").output().is_ok(),
        "Xvfb is missing: `bash scripts/deps --test` installs xvfb"
    );
    let display = format!(":{}", 300 + std::process::id() % 300);
    let _x = Child(
        Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1366x768x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb"),
    );
    std::thread::sleep(Duration::from_millis(1500));
    let data = tempfile::tempdir().expect("tmp");
    let mut app = Child(
        Command::new(env!("CARGO_BIN_EXE_cancuoc-desk"))
            .args(["--database-url", DEAD_SERVER, "--counter", "Quầy 1", "--data-dir"])
            .arg(data.path())
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("CANCUOC_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the app"),
    );
    // Before this change the app printed the error and exited at once; now it waits for the clerk.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        if let Some(status) = app.0.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut s) = app.0.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut s, &mut err);
            }
            panic!("the app exited ({status}) instead of showing the error window: {err}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = app.0.kill();
    let _ = app.0.wait();
    let mut err = String::new();
    if let Some(mut s) = app.0.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut s, &mut err);
    }
    assert!(err.contains("127.0.0.1:1/site"), "stderr names the server: {err}");
    assert!(!err.contains("s3cret-pw"), "the password leaked to stderr: {err}");
}
