//! The forged-card matrix: every way a card can be forged or cloned that the simulator builds,
//! with the check that must fail. The bridge (core verdict, CLI, API and FHIR) and the desk app
//! each read every row and must say NOT verified for the right reason
//! (bridge/tests/forged_matrix.rs, gui/tests/forged_matrix.rs); `bash scripts/reliability`
//! tables what they saw in docs/reliability.md.

/// One forgery: what it is, the simulated card variant, and the check that must fail (the
/// machine name the bridge's report uses).
#[derive(Clone, Copy, Debug)]
pub struct ForgedRow {
    pub what: &'static str,
    pub variant: &'static str,
    pub check: &'static str,
}

pub const ROWS: &[ForgedRow] = &[
    ForgedRow { what: "DG1 (MRZ) altered after signing", variant: "tampered-dg1", check: "data_group_hash" },
    ForgedRow { what: "DG2 (face photo) altered", variant: "tampered-dg2", check: "data_group_hash" },
    ForgedRow { what: "DG13 (personal data) altered", variant: "tampered-dg13", check: "data_group_hash" },
    ForgedRow { what: "SOD signature invalid", variant: "bad-sod-signature", check: "sod_signature" },
    ForgedRow { what: "DS not chained to a trusted CSCA", variant: "unknown-csca", check: "certificate_chain" },
    ForgedRow {
        what: "DS certificate not signed by the CSCA it names",
        variant: "forged-ds",
        check: "certificate_chain",
    },
    ForgedRow { what: "DS certificate expired at read time", variant: "expired-ds", check: "certificate_chain" },
    ForgedRow { what: "DS certificate revoked (on its CSCA's CRL)", variant: "revoked-ds", check: "certificate_chain" },
    ForgedRow {
        what: "CSCA certificate revoked (CRL of its successor key)",
        variant: "revoked-csca",
        check: "certificate_chain",
    },
    ForgedRow {
        what: "AA signature wrong (chip signs with another EC key)",
        variant: "wrong-aa-key",
        check: "active_authentication",
    },
    ForgedRow {
        what: "AA key swapped (RSA DG15, chip holds another key)",
        variant: "wrong-aa-key-rsa",
        check: "active_authentication",
    },
    ForgedRow { what: "DG15 present, AA refused by the chip", variant: "aa-skipped", check: "active_authentication" },
    ForgedRow { what: "chip-authentication key not DG14's", variant: "wrong-ca-key", check: "chip_authentication" },
    ForgedRow {
        what: "PACE-CAM: chip's mapping key not DG14's",
        variant: "wrong-cam-key",
        check: "chip_authentication",
    },
    ForgedRow { what: "a DG on the chip absent from the SOD", variant: "unsigned-dg13", check: "data_group_hash" },
];

/// One layer's finding for one row, as the tests record it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Seen {
    pub variant: String,
    pub layer: String,
    /// What the layer said (status word, exit code, banner), short.
    pub said: String,
    /// NOT verified, for the right reason.
    pub ok: bool,
}

/// Appends findings to `$CANCUOC_MATRIX_OUT/<name>.json` when that variable is set.
pub fn record(name: &str, seen: &[Seen]) {
    let Some(dir) = std::env::var_os("CANCUOC_MATRIX_OUT") else { return };
    let path = std::path::Path::new(&dir).join(format!("{name}.json"));
    if let Ok(json) = serde_json::to_string_pretty(seen) {
        let _ = std::fs::write(path, json);
    }
}
