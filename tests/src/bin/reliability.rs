//! Regenerates the tables of docs/reliability.md from the code that checks them (`bash
//! scripts/reliability` runs it all):
//! - `reliability` runs the fault matrix and rewrites `<!-- fault-matrix:begin/end -->` (the same
//!   matrix is asserted by tests/tests/fault_matrix.rs);
//! - `reliability --forged DIR` tables what the forged-matrix tests recorded in DIR (bridge.json,
//!   desk.json) between `<!-- forged-matrix:begin/end -->`.

use std::process::ExitCode;

use cancuoc_sim::matrix::{self, Access};

fn replace_between(doc: &str, tag: &str, body: &str) -> Option<String> {
    let begin = format!("<!-- {tag}:begin -->");
    let end = format!("<!-- {tag}:end -->");
    let i = doc.find(&begin)? + begin.len();
    let j = doc.find(&end)?;
    (i <= j).then(|| format!("{}\n{}\n{}", &doc[..i], body.trim_end(), &doc[j..]))
}

fn main() -> ExitCode {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/reliability.md");
    let Ok(doc) = std::fs::read_to_string(&path) else {
        eprintln!("cannot read {}", path.display());
        return ExitCode::FAILURE;
    };
    let args: Vec<String> = std::env::args().collect();
    if let (Some("--forged"), Some(dir)) = (args.get(1).map(String::as_str), args.get(2)) {
        return forged(&path, &doc, std::path::Path::new(dir));
    }
    let mut body = String::new();
    let mut violations = 0;
    for (access, title) in [
        (Access::Pace, "PACE with the CAN (variant `rsa`: brainpoolP256r1, AES-128, then RSA active authentication)"),
        (Access::Bac, "BAC with the MRZ key (variant `bac-only`: 3DES, then RSA active authentication)"),
    ] {
        let rows = matrix::run(access);
        violations += rows.iter().flat_map(|r| &r.cells).filter(|(_, o)| !o.is_ok()).count();
        body.push_str(&matrix::markdown(title, &rows));
        body.push_str("\n\n");
    }
    let Some(new) = replace_between(&doc, "fault-matrix", &body) else {
        eprintln!("{}: markers <!-- fault-matrix:begin/end --> not found", path.display());
        return ExitCode::FAILURE;
    };
    if let Err(e) = std::fs::write(&path, new) {
        eprintln!("cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("{} written; {violations} violations", path.display());
    if violations == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn forged(path: &std::path::Path, doc: &str, dir: &std::path::Path) -> ExitCode {
    use cancuoc_sim::forged::{ROWS, Seen};
    let mut seen: Vec<Seen> = Vec::new();
    for name in ["bridge", "desk"] {
        let file = dir.join(format!("{name}.json"));
        match std::fs::read_to_string(&file).ok().and_then(|t| serde_json::from_str::<Vec<Seen>>(&t).ok()) {
            Some(v) => seen.extend(v),
            None => {
                eprintln!(
                    "{}: missing or unreadable (run the forged-matrix tests with CANCUOC_MATRIX_OUT)",
                    file.display()
                );
                return ExitCode::FAILURE;
            }
        }
    }
    let layers = ["core", "cli", "api", "fhir", "desk"];
    let mut body = String::from(
        "| forgery | variant | must fail | core verdict | `cancuoc read --json` | API | API FHIR | desk app |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mut bad = 0;
    for row in ROWS {
        body.push_str(&format!("| {} | `{}` | {} |", row.what, row.variant, row.check));
        for layer in layers {
            match seen.iter().find(|s| s.variant == row.variant && s.layer == layer) {
                Some(s) if s.ok => body.push_str(&format!(" ✔ {} |", s.said)),
                Some(s) => {
                    bad += 1;
                    body.push_str(&format!(" ✘ {} |", s.said));
                }
                None => {
                    bad += 1;
                    body.push_str(" ✘ not run |");
                }
            }
        }
        body.push('\n');
    }
    body.push_str(&format!(
        "\n{} forgeries × {} layers: {} NOT verified for the right reason, {bad} not.\n",
        ROWS.len(),
        layers.len(),
        ROWS.len() * layers.len() - bad
    ));
    let Some(new) = replace_between(doc, "forged-matrix", &body) else {
        eprintln!("{}: markers <!-- forged-matrix:begin/end --> not found", path.display());
        return ExitCode::FAILURE;
    };
    if let Err(e) = std::fs::write(path, new) {
        eprintln!("cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("{} written; {bad} rows not as required", path.display());
    if bad == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
