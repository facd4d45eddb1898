//! The real app in a real window: `cancuoc-desk --demo --tour DIR` under Xvfb (OpenGL through
//! Mesa's software renderer) walks every screen and saves a PNG of each. This checks they were
//! all drawn at 1366×768 and that each verdict shows its colour — green only for the genuine
//! card. `bash scripts/screenshots` writes the same images to docs/screenshots/.

use std::path::Path;
use std::process::Command;

const GREEN: [u8; 3] = [0x1B, 0x5E, 0x20];
const RED: [u8; 3] = [0xB7, 0x1C, 0x1C];
const AMBER: [u8; 3] = [0xF9, 0xA8, 0x25];

/// Share of the image's pixels with exactly this colour.
fn share(img: &image::RgbaImage, rgb: [u8; 3]) -> f64 {
    let n = img.pixels().filter(|p| p.0[..3] == rgb).count();
    n as f64 / (img.width() * img.height()) as f64
}

fn load(dir: &Path, name: &str) -> image::RgbaImage {
    image::open(dir.join(format!("{name}.png"))).unwrap_or_else(|e| panic!("{name}.png: {e}")).to_rgba8()
}

#[test]
fn every_screen_renders_in_a_real_window_with_the_right_verdict_colour() {
    assert!(
        Command::new("xvfb-run").arg("--help").output().is_ok(),
        "xvfb-run is missing: `bash scripts/deps --test` installs xvfb"
    );
    let dir = tempfile::tempdir().expect("tmp");
    let out = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1366x768x24"])
        .arg(env!("CARGO_BIN_EXE_cancuoc-desk"))
        .args(["--demo", "--tour"])
        .arg(dir.path())
        .arg("--camera-file")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../bridge/face/tests/pictures/obama2.jpg"))
        .env(
            cancuoc_desk::tour::CHIP_PHOTO_ENV,
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../bridge/face/tests/pictures/obama_dg2.jp2"),
        )
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run the app under Xvfb");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tour failed: {stderr}");
    for name in cancuoc_desk::tour::STAGES {
        let img = load(dir.path(), name);
        assert_eq!((img.width(), img.height()), (1366, 768), "{name}");
        // Not a blank window: many distinct colours (text, photo).
        let distinct: std::collections::BTreeSet<[u8; 4]> = img.pixels().map(|p| p.0).collect();
        assert!(distinct.len() > 50, "{name} looks blank ({} colours)", distinct.len());
    }
    let verified = load(dir.path(), "03-xac-thuc");
    let forged = load(dir.path(), "06-the-gia");
    let untrusted = load(dir.path(), "07-noi-cap-la");
    // The verdict banner spans the window: several percent of all pixels.
    assert!(share(&verified, GREEN) > 0.03, "green banner on the genuine card");
    assert!(share(&forged, RED) > 0.03, "red banner on the forged card");
    assert!(share(&forged, GREEN) < 0.001, "no green on the forged card");
    assert!(share(&untrusted, AMBER) > 0.03, "amber banner for the unknown signer");
    assert!(share(&untrusted, GREEN) < 0.001, "no green for the unknown signer");
    // The face comparison with a picture file as the camera: amber "cannot compare" on the
    // simulated card's drawing, green "same" with a real face as the chip's photo.
    let no_face = load(dir.path(), "24-khuon-mat-khong-so-duoc");
    let same = load(dir.path(), "25-khuon-mat-giong-nhau");
    assert!(share(&no_face, AMBER) > 0.01, "amber advice: no face on the simulated card");
    assert!(share(&same, GREEN) > 0.01 && share(&same, GREEN) > share(&no_face, GREEN), "green advice: same person");
    // The face photo (skin tones of the simulated face) is on the result screen.
    // (skin ≈ rgb(220, 180, 145); the amber demo badge, rgb(249, 168, 37), is not counted)
    let skin = |p: &image::Rgba<u8>| {
        (205..=235).contains(&p.0[0]) && (150..=195).contains(&p.0[1]) && (125..=165).contains(&p.0[2])
    };
    let face = verified.pixels().filter(|p| skin(p)).count();
    let none = load(dir.path(), "01-nhap-khoa").pixels().filter(|p| skin(p)).count();
    assert!(none < 100, "no face on the entry screen ({none})");
    assert!(face > 2_000, "face photo drawn ({face} skin-tone pixels)");
}
