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
    // The matrix is not vacuous. Every fault reaches the chip: a card removed at any APDU stops
    // the read. Refusals the reader learns from (a chip that does not read by short EF
    // identifier or will not serve a whole first block) and the short-read fallback after a
    // broken extended-length exchange are meant to be survived, so "tolerated" is common on the
    // first read of a file — but most faults must still stop the read or withhold a proof.
    for r in &rows {
        let removed = r.cells.iter().find(|(n, _)| n == "removed").map(|(_, o)| o);
        assert!(
            matches!(removed, Some(matrix::Outcome::Failed { .. })),
            "{access:?}: APDU {} ({}): the card removed there did not stop the read: {removed:?}",
            r.apdu,
            r.command
        );
    }
    let stopped = rows
        .iter()
        .flat_map(|r| &r.cells)
        .filter(|(_, o)| matches!(o, matrix::Outcome::Failed { .. } | matrix::Outcome::RefusedProof { .. }))
        .count();
    let cells: usize = rows.iter().map(|r| r.cells.len()).sum();
    assert!(stopped * 2 > cells, "{access:?}: only {stopped} of {cells} cells stopped the read or a proof");
}

#[test]
fn pace_read_survives_every_fault_at_every_apdu() {
    check(Access::Pace);
}

#[test]
fn bac_read_survives_every_fault_at_every_apdu() {
    check(Access::Bac);
}
