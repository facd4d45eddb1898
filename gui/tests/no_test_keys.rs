//! The shipped `cancuoc-desk` program holds none of the test PKI's signing keys (its demo mode
//! uses bridge/demo's finished card images and public test CSCAs).

#[test]
fn the_desk_program_holds_no_test_signer_key() {
    let me = std::env::current_exe().unwrap();
    let secrets = cancuoc_sim::pki::signer_secrets();
    assert_eq!(
        cancuoc_sim::pki::signer_secrets_in(&me).unwrap().len(),
        secrets.len(),
        "the scan finds them where they are"
    );
    let program = std::path::Path::new(env!("CARGO_BIN_EXE_cancuoc-desk"));
    let mut scanned = vec![program.to_path_buf()];
    let release = program.parent().and_then(|d| d.parent()).map(|t| t.join("release/cancuoc-desk"));
    scanned.extend(release.filter(|p| p.exists()));
    for p in scanned {
        let found = cancuoc_sim::pki::signer_secrets_in(&p).unwrap();
        assert!(found.is_empty(), "{} holds test signer keys: {found:?}", p.display());
    }
}
