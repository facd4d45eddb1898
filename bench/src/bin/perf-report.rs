//! Writes the wire-efficiency, air-time and DG2-scaling tables of docs/performance.md (between
//! their markers), draws docs/perf-dg2-scaling.png, and, when `cargo bench` has run, the host
//! verification table with the ratio to dmrtd. `bash scripts/bench` runs it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use cancuoc_sim::CardSpec;
use cancuoc_sim::perf::{RATES, ReadCounts, Strategy, full_read};
use plotters::prelude::*;

const FSC: usize = 256;
const STRATEGIES: [Strategy; 4] = [Strategy::Extended, Strategy::Pn532, Strategy::Blocks(223), Strategy::Blocks(160)];

/// The physical limit: the payload's bits alone at `kbps` (no APDU, no SM, no framing, no
/// parity, no frame delay), seconds.
fn payload_alone(payload: usize, kbps: u32) -> f64 {
    (payload * 8) as f64 / (f64::from(kbps) * 1000.0)
}

fn pct(n: usize, of: usize) -> String {
    format!("{:.1} %", n as f64 * 100.0 / of.max(1) as f64)
}

fn wire_tables() -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Model: ISO-DEP frames of at most {FSC} bytes (FSC/FSD 256: PCB + up to 253 APDU bytes + CRC), longer APDUs chained with an R(ACK) per block; 9 bit times a byte (type A parity) and 2 a frame; the minimum frame delay (1172/fc ≈ 86 µs) after every frame. The chip's computing time (PACE, AA signature, EEPROM) is not modelled. Code: `tests/src/perf.rs`. Each air-time cell gives, in brackets, the physical limit at that bit rate: the payload's bits alone (8 a byte, nothing else).\n"
    );
    let _ = writeln!(
        s,
        "| card | strategy | APDUs | sent | received | payload | transfer overhead (APDU + SM) | ISO-DEP framing | session | air 106 (limit) | air 212 (limit) | air 424 (limit) | air 848 (limit) |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for variant in ["rsa", "ecdsa-p256", "bac-only"] {
        let Some(spec) = CardSpec::variant(variant) else { continue };
        for st in STRATEGIES {
            let r = full_read(&spec, st);
            let p = r.payload();
            let mut row = format!(
                "| `{variant}` | {} | {} | {} | {} | {} | {} ({}) | {} ({}) | {} |",
                st.label(),
                r.apdus(),
                r.sent(),
                r.received(),
                p,
                r.transfer_overhead(),
                pct(r.transfer_overhead(), p),
                r.transfer_framing(FSC),
                pct(r.transfer_framing(FSC), p),
                r.session_bytes()
            );
            for k in RATES {
                let _ = write!(row, " {:.2} s ({:.2}) |", r.air_time(FSC, k), payload_alone(p, k));
            }
            let _ = writeln!(s, "{row}");
        }
    }
    s
}

fn scaling(png: &Path) -> String {
    let sizes = [10_000usize, 20_000, 40_000, 80_000];
    let strategies = [Strategy::Extended, Strategy::Blocks(223), Strategy::Blocks(160)];
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| DG2 | strategy | APDUs | bytes on the wire | air 106 kbit/s (payload alone) | air 424 kbit/s (payload alone) |"
    );
    let _ = writeln!(s, "|---:|---|---:|---:|---:|---:|");
    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for st in strategies {
        let mut at106 = Vec::new();
        let mut at424 = Vec::new();
        for &size in &sizes {
            // Below the persona's 17.6 KB photo, the same face at a lower JPEG quality (9.5 KB).
            let small_face = size < cancuoc_sim::image::FACE_JPEG.len();
            let spec = CardSpec { min_dg2: size, small_face, ..CardSpec::variant("rsa").unwrap_or_default() };
            let r: ReadCounts = full_read(&spec, st);
            let dg2 = r.files.get("DG2").copied().unwrap_or(0);
            let (t106, t424) = (r.air_time(FSC, 106), r.air_time(FSC, 424));
            let _ = writeln!(
                s,
                "| {:.1} KB | {} | {} | {} | {t106:.2} s ({:.2}) | {t424:.2} s ({:.2}) |",
                dg2 as f64 / 1000.0,
                st.label(),
                r.apdus(),
                r.sent() + r.received(),
                payload_alone(r.payload(), 106),
                payload_alone(r.payload(), 424)
            );
            at106.push((dg2 as f64 / 1000.0, t106));
            at424.push((dg2 as f64 / 1000.0, t424));
        }
        series.push((format!("{}, 106 kbit/s", st.label()), at106));
        series.push((format!("{}, 424 kbit/s", st.label()), at424));
    }
    if let Err(e) = plot(png, &series) {
        eprintln!("plot not drawn: {e}");
    }
    s
}

fn plot(png: &Path, series: &[(String, Vec<(f64, f64)>)]) -> Result<(), Box<dyn std::error::Error>> {
    let font = include_bytes!("../../../gui/assets/fonts/NotoSans-Regular.ttf");
    plotters::style::register_font("sans-serif", FontStyle::Normal, font).map_err(|_| "font")?;
    let root = BitMapBackend::new(png, (900, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let ymax = series.iter().flat_map(|(_, p)| p.iter().map(|(_, y)| *y)).fold(0.0, f64::max) * 1.1;
    let xmax = series.iter().flat_map(|(_, p)| p.iter().map(|(x, _)| *x)).fold(0.0, f64::max) * 1.05;
    let mut chart = ChartBuilder::on(&root)
        .caption("Modelled air time of a full read vs DG2 size", ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..xmax, 0.0..ymax)?;
    chart.configure_mesh().x_desc("DG2 (face image file), KB").y_desc("air time, s").draw()?;
    let colours = [RGBColor(0, 110, 60), RGBColor(200, 120, 0), RGBColor(180, 30, 30)];
    for (i, (label, points)) in series.iter().enumerate() {
        let colour = colours[(i / 2) % colours.len()];
        let style = if i % 2 == 0 { colour.stroke_width(3) } else { colour.stroke_width(1) };
        chart
            .draw_series(LineSeries::new(points.iter().copied(), style))?
            .label(label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Mean time of a criterion benchmark, ns, if it has run.
fn criterion_mean(dir: &Path, id: &str) -> Option<f64> {
    let p = dir.join(id).join("new/estimates.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).ok()?).ok()?;
    // The figure criterion prints: the slope of the linear fit when it sampled linearly.
    v["slope"]["point_estimate"].as_f64().or_else(|| v["mean"]["point_estimate"].as_f64())
}

fn host_table(criterion: &Path) -> Option<String> {
    let mut s = String::new();
    let _ = writeln!(s, "| work (same card bytes) | cancuoc | dmrtd 0.3 | dmrtd / cancuoc |");
    let _ = writeln!(s, "|---|---:|---:|---:|");
    let mut any = false;
    for (label, ours, theirs) in [
        ("SOD parse + hashes + DS signature + chain, RSA-2048 DS", "passive_rsa/cancuoc", "passive_rsa/dmrtd"),
        ("SOD parse + hashes + DS signature + chain, ECDSA P-256 DS", "passive_p256/cancuoc", "passive_p256/dmrtd"),
    ] {
        let (Some(a), Some(b)) = (criterion_mean(criterion, ours), criterion_mean(criterion, theirs)) else { continue };
        any = true;
        let _ = writeln!(s, "| {label} | {:.0} µs | {:.0} µs | {:.2}× |", a / 1000.0, b / 1000.0, b / a);
    }
    for (label, id) in [
        ("whole simulated read, PACE + files + PA + AA, RSA card", "read/rsa"),
        ("whole simulated read, ECDSA P-256 card + chip authentication", "read/ecdsa-p256"),
    ] {
        if let Some(a) = criterion_mean(criterion, id) {
            any = true;
            let _ = writeln!(s, "| {label} | {:.1} ms | — | — |", a / 1e6);
        }
    }
    any.then_some(s)
}

fn replace_between(doc: &str, name: &str, body: &str) -> String {
    let (begin, end) = (format!("<!-- {name}:begin -->"), format!("<!-- {name}:end -->"));
    match (doc.find(&begin), doc.find(&end)) {
        (Some(a), Some(b)) if a < b => format!("{}{begin}\n{body}{}", &doc[..a], &doc[b..]),
        _ => format!("{doc}\n{begin}\n{body}{end}\n"),
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc_path = root.join("docs/performance.md");
    let Ok(mut doc) = std::fs::read_to_string(&doc_path) else {
        eprintln!("cannot read {}", doc_path.display());
        std::process::exit(1);
    };
    doc = replace_between(&doc, "wire", &wire_tables());
    doc = replace_between(&doc, "dg2-scaling", &scaling(&root.join("docs/perf-dg2-scaling.png")));
    // Cargo puts the bench workspace's output in the shared target directory (.cargo/config.toml).
    let criterion = root.join("target/criterion");
    if let Some(t) = host_table(&criterion) {
        doc = replace_between(&doc, "host-bench", &t);
    }
    if let Err(e) = std::fs::write(&doc_path, doc) {
        eprintln!("cannot write {}: {e}", doc_path.display());
        std::process::exit(1);
    }
    println!("{} written", doc_path.display());
}
