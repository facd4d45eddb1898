//! Regenerates the tables of docs/reliability.md from the code that checks them:
//! `cargo run --release -p cancuoc-sim --bin reliability` (rewrites the part between the
//! `<!-- fault-matrix:begin/end -->` markers). The same matrix is asserted by
//! tests/tests/fault_matrix.rs.

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
