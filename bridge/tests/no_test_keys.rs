//! The shipped `cancuoc` program holds none of the test PKI's signing keys (docs/architecture.md:
//! test code is not product code). The demo mode ships finished card images and the public test
//! CSCAs only (bridge/demo).

#[test]
fn the_cancuoc_program_holds_no_test_signer_key() {
    let secrets = cancuoc_sim::pki::signer_secrets();
    assert!(secrets.len() >= 20, "{} secrets", secrets.len());
    // The scanner finds them where they are: this test program links the test PKI.
    let me = std::env::current_exe().unwrap();
    let found = cancuoc_sim::pki::signer_secrets_in(&me).unwrap();
    assert_eq!(found.len(), secrets.len(), "the scan must find every key in a program that has them");

    let program = std::path::Path::new(env!("CARGO_BIN_EXE_cancuoc"));
    let mut scanned = vec![program.to_path_buf()];
    // The release build too, when one is there (scripts/package builds it).
    let release = program.parent().and_then(|d| d.parent()).map(|t| t.join("release/cancuoc"));
    scanned.extend(release.filter(|p| p.exists()));
    for p in scanned {
        let found = cancuoc_sim::pki::signer_secrets_in(&p).unwrap();
        assert!(found.is_empty(), "{} holds test signer keys: {found:?}", p.display());
    }
    // And it still reads the simulated card, verified.
    let out = std::process::Command::new(program).args(["read", "--simulated", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
