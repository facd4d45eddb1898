//! `cancuoc-desk`: the desk app. `cancuoc-desk --demo` runs it on the built-in simulated card.

use cancuoc_desk::i18n::LangExt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use cancuoc_desk::i18n::Lang;
use cancuoc_desk::tour::Tour;
use cancuoc_desk::ui::DeskApp;
use cancuoc_desk::ui::startup::{Choice, StartupError};
use cancuoc_desk::{App, Options};
use clap::Parser;

#[derive(Parser)]
#[command(name = "cancuoc-desk", version, about = "Check a patient or citizen in from the chip citizen ID card (CCCD)")]
struct Args {
    /// Demo and training: the built-in simulated card, a simulated insurer and HIS; nothing is
    /// written to disk.
    #[arg(long)]
    demo: bool,
    /// Where the check-in database lives (default: the user's data directory, or
    /// $CANCUOC_DATA_DIR).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Language: vi (default) or en.
    #[arg(long)]
    lang: Option<String>,
    /// Larger text throughout.
    #[arg(long)]
    large_text: bool,
    /// Also look for a cancuoc USB reader on this serial port (repeatable).
    #[arg(long = "usb")]
    usb_ports: Vec<String>,
    /// Verify with the CSCA certificates in this folder instead of the user's trust store
    /// (`cancuoc trust` manages it).
    #[arg(long)]
    trust_dir: Option<PathBuf>,
    /// The site's PostgreSQL server shared by every counter, e.g.
    /// postgres://cancuoc:PASSWORD@10.0.0.5/cancuoc (default: $CANCUOC_DATABASE_URL; without
    /// it, this PC's own database file).
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// This counter's name on the site server (default: $CANCUOC_COUNTER, or the PC's name).
    #[arg(long)]
    counter: Option<String>,
    /// Delay per APDU on the simulated card, in milliseconds.
    #[arg(long, default_value_t = 25)]
    sim_latency_ms: u64,
    /// A picture file (JPEG, PNG) that stands in for the camera in the face comparison (the
    /// demo, training, tests).
    #[arg(long, value_name = "FILE")]
    camera_file: Option<PathBuf>,
    /// Walk through every screen in demo mode, save a PNG of each in DIR, and exit.
    #[arg(long, value_name = "DIR", requires = "demo")]
    tour: Option<PathBuf>,
}

fn main() -> ExitCode {
    let a = Args::parse();
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!(
            "cancuoc-desk: no display (neither DISPLAY nor WAYLAND_DISPLAY is set). Run it from the desktop, or try the\n\
             command-line reader: cargo cancuoc read --simulated"
        );
        return ExitCode::from(2);
    }
    let opts = Options {
        demo: a.demo,
        data_dir: a.data_dir,
        lang: a.lang.as_deref().map(cancuoc_desk::i18n::lang_from_code),
        large_text: a.large_text,
        sim_latency: Duration::from_millis(a.sim_latency_ms),
        usb_ports: a.usb_ports,
        trust_dir: a.trust_dir,
        database_url: a.database_url.or_else(|| std::env::var("CANCUOC_DATABASE_URL").ok().filter(|u| !u.is_empty())),
        counter: a.counter.or_else(|| std::env::var("CANCUOC_COUNTER").ok().filter(|c| !c.is_empty())),
        camera_file: a.camera_file,
    };
    // A data store that cannot be opened (site server down, network out) gets a window that
    // says so, with "try again", rather than an app that does not appear. The tour (an
    // unattended run) fails at once instead.
    let app = loop {
        match App::new(opts.clone()) {
            Ok(a) => break a,
            Err(e) => {
                eprintln!("cancuoc-desk: {e}");
                if a.tour.is_some() {
                    return ExitCode::from(1);
                }
                match startup_error(opts.lang.unwrap_or_default(), e) {
                    Some(Choice::Retry) => continue,
                    _ => return ExitCode::from(1),
                }
            }
        }
    };
    let tour = a.tour.map(|dir| {
        let _ = std::fs::create_dir_all(&dir);
        Tour::new(dir)
    });
    let touring = tour.is_some();
    let title = app.counter_words().0;
    let native = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title(title)
            .with_inner_size([1366.0, 768.0])
            .with_min_inner_size([1024.0, 640.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    let result = std::sync::Arc::new(std::sync::Mutex::new((0usize, None::<String>)));
    let out = result.clone();
    let run = eframe::run_native(
        "cancuoc-desk",
        native,
        Box::new(move |cc| Ok(Box::new(TourReport(DeskApp::new(cc, app, tour), out)))),
    );
    if let Err(e) = run {
        eprintln!("cancuoc-desk: cannot open the window: {e}");
        return ExitCode::from(1);
    }
    if touring {
        let (n, err) = result.lock().map(|g| g.clone()).unwrap_or((0, Some("lock".into())));
        if let Some(e) = err {
            eprintln!("cancuoc-desk: tour failed: {e}");
            return ExitCode::from(1);
        }
        println!("{n} screenshots written");
        if n != cancuoc_desk::tour::STAGES.len() {
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

/// Shows the start-failure window until the clerk picks "try again" or "quit" (or closes it).
fn startup_error(lang: Lang, detail: String) -> Option<Choice> {
    let choice = std::sync::Arc::new(std::sync::Mutex::new(None));
    let out = choice.clone();
    let native = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title(lang.tr().app_title)
            .with_inner_size([900.0, 420.0])
            .with_min_inner_size([640.0, 360.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    let run = eframe::run_native(
        "cancuoc-desk",
        native,
        Box::new(move |_| Ok(Box::new(StartupWindow(StartupError::new(lang, detail), out)))),
    );
    if let Err(e) = run {
        eprintln!("cancuoc-desk: cannot open the window: {e}");
        return None;
    }
    choice.lock().ok().and_then(|g| *g)
}

/// Hands the clerk's choice back to `main` when the window closes.
struct StartupWindow(StartupError, std::sync::Arc<std::sync::Mutex<Option<Choice>>>);

impl eframe::App for StartupWindow {
    fn ui(&mut self, ui: &mut eframe::egui::Ui, _frame: &mut eframe::Frame) {
        self.0.ui(ui);
        if let (Some(c), Ok(mut g)) = (self.0.choice, self.1.lock()) {
            *g = Some(c);
        }
    }
}

/// Hands the tour's outcome back to `main` when the window closes.
struct TourReport(DeskApp, std::sync::Arc<std::sync::Mutex<(usize, Option<String>)>>);

impl eframe::App for TourReport {
    fn ui(&mut self, ui: &mut eframe::egui::Ui, frame: &mut eframe::Frame) {
        self.0.ui(ui, frame);
        if let (Some(t), Ok(mut g)) = (&self.0.tour, self.1.lock()) {
            *g = (t.written.len(), t.error.clone());
        }
    }
}
