//! Every cell of the fault matrix (see `cancuoc_sim::matrix`): for each APDU of a full read over
//! PACE and over BAC, and each fault, the pipeline fails cleanly naming the step, keeps only
//! intact bytes, and a resumed retry verifies — or the fault did not matter and the read is
//! identical and verified. Never a "verified" from damaged data.

use cancuoc_sim::matrix::{self, Access};

fn check(access: Access) {
    let rows = matrix::run(access);
    assert!(rows.len() >= 10, "{access:?}: a full read has more APDUs than {}", rows.len());
    let bad: Vec<String> = rows
        .iter()
        .flat_map(|r| r.cells.iter().map(move |(f, o)| (r, f, o)))
        .filter(|(_, _, o)| !o.is_ok())
        .map(|(r, f, o)| format!("APDU {} ({}) / {f}: {o:?}", r.apdu, r.command))
        .collect();
    assert!(bad.is_empty(), "{access:?}: {} cells not handled:\n{}", bad.len(), bad.join("\n"));
    // The matrix is not vacuous: most faults must have stopped the read.
    let failed =
        rows.iter().flat_map(|r| &r.cells).filter(|(_, o)| matches!(o, matrix::Outcome::Failed { .. })).count();
    let cells: usize = rows.iter().map(|r| r.cells.len()).sum();
    assert!(failed * 2 > cells, "{access:?}: only {failed} of {cells} cells failed the read");
}

#[test]
fn pace_read_survives_every_fault_at_every_apdu() {
    check(Access::Pace);
}

#[test]
fn bac_read_survives_every_fault_at_every_apdu() {
    check(Access::Bac);
}
