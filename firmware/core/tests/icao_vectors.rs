//! Every value in shared/vectors/icao9303-11-bac.txt (ICAO 9303-11 Appendix D, and the PACE K_π of
//! Appendix G.1), reproduced by the core — terminal side and chip side of secure messaging.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::HashMap;

use cancuoc_core::AccessKey;
use cancuoc_core::apdu::{Command, Response, StatusWord};
use cancuoc_core::bac::BacKeys;
use cancuoc_core::crypto::{HashAlgorithm, SmCipher, kdf};
use cancuoc_core::sm::SmSession;

fn vectors() -> HashMap<String, String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/vectors/icao9303-11-bac.txt");
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {path}: {e} (shared/ must sit beside the repo)"));
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && l.contains('='))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            let v = v.split('#').next().unwrap().trim().trim_matches('"').to_string();
            (k.trim().to_string(), v)
        })
        .collect()
}

fn h(v: &HashMap<String, String>, k: &str) -> Vec<u8> {
    hex::decode(v.get(k).unwrap_or_else(|| panic!("vector {k} missing"))).unwrap()
}

fn arr<const N: usize>(b: Vec<u8>) -> [u8; N] {
    b.try_into().unwrap()
}

#[test]
fn bac_and_secure_messaging_reproduce_appendix_d() {
    let v = vectors();
    let key = AccessKey::new("L898902C", "690806", "940623").unwrap();
    assert_eq!(key.mrz_information(), v["mrz_information"]);
    let seed = &HashAlgorithm::Sha1.digest(key.mrz_information().as_bytes())[..16];
    assert_eq!(seed, h(&v, "k_seed"));
    let keys = BacKeys::derive(&key);
    assert_eq!(keys.k_enc, h(&v, "k_enc"));
    assert_eq!(keys.k_mac, h(&v, "k_mac"));

    let (rnd_ic, rnd_ifd, k_ifd) = (arr::<8>(h(&v, "rnd_ic")), arr::<8>(h(&v, "rnd_ifd")), arr::<16>(h(&v, "k_ifd")));
    let auth = keys.authentication_data(&rnd_ic, &rnd_ifd, &k_ifd).unwrap();
    assert_eq!(&auth[..32], h(&v, "e_ifd"));
    assert_eq!(&auth[32..], h(&v, "m_ifd"));

    // Session keys from K.IFD xor K.IC.
    let k_ic = h(&v, "k_ic");
    let kseed: Vec<u8> = k_ifd.iter().zip(&k_ic).map(|(a, b)| a ^ b).collect();
    assert_eq!(kdf(SmCipher::Tdes, &kseed, 1), h(&v, "ks_enc"));
    assert_eq!(kdf(SmCipher::Tdes, &kseed, 2), h(&v, "ks_mac"));

    let mut term = keys.complete(&h(&v, "ext_auth_response"), &rnd_ic, &rnd_ifd, &k_ifd).expect("chip answer verifies");
    assert_eq!(term.ssc(), h(&v, "ssc"));
    // The chip's view of the same session.
    let mut chip = SmSession::new(SmCipher::Tdes, &h(&v, "ks_enc"), &h(&v, "ks_mac"), &h(&v, "ssc")).unwrap();

    // A wrong nonce or altered answer is refused.
    let mut bad = h(&v, "ext_auth_response");
    bad[3] ^= 1;
    assert!(keys.complete(&bad, &rnd_ic, &rnd_ifd, &k_ifd).is_none());

    for (plain, protected, response, data) in [
        ("select_ef_com_plain", "select_ef_com_protected", "select_ef_com_response", None),
        ("read_binary_1_plain", "read_binary_1_protected", "read_binary_1_response", Some("read_binary_1_data")),
        ("read_binary_2_plain", "read_binary_2_protected", "read_binary_2_response", Some("read_binary_2_data")),
    ] {
        let cmd = Command::decode(&h(&v, plain)).unwrap();
        let wrapped = term.wrap_command(&cmd).unwrap();
        assert_eq!(wrapped.encode(false).unwrap(), h(&v, protected), "{protected}");
        assert_eq!(chip.unwrap_command(&wrapped).unwrap(), cmd, "chip side of {plain}");

        let expected_data = data.map(|d| h(&v, d)).unwrap_or_default();
        let chip_resp =
            chip.wrap_response(cmd.ins, &Response { data: expected_data.clone(), sw: StatusWord::OK }).unwrap();
        assert_eq!(chip_resp.to_bytes(), h(&v, response), "chip side of {response}");

        let resp = Response::from_bytes(h(&v, response)).unwrap();
        let plain_resp = term.unwrap_response(&resp).unwrap();
        assert_eq!(plain_resp.sw, StatusWord::OK);
        assert_eq!(plain_resp.data, expected_data, "{response}");
    }
}

#[test]
fn pace_password_key_reproduces_appendix_g1() {
    let v = vectors();
    let mrz = &v["pace_mrz_information"];
    let pi = HashAlgorithm::Sha1.digest(mrz.as_bytes());
    assert_eq!(kdf(SmCipher::Aes128, &pi, 3), h(&v, "pace_k_pi"));
}

#[test]
fn a_tampered_response_mac_is_rejected_before_use() {
    let v = vectors();
    let keys = BacKeys::derive(&AccessKey::new("L898902C", "690806", "940623").unwrap());
    let (rnd_ic, rnd_ifd, k_ifd) = (arr::<8>(h(&v, "rnd_ic")), arr::<8>(h(&v, "rnd_ifd")), arr::<16>(h(&v, "k_ifd")));
    let mut term = keys.complete(&h(&v, "ext_auth_response"), &rnd_ic, &rnd_ifd, &k_ifd).unwrap();
    term.wrap_command(&Command::decode(&h(&v, "select_ef_com_plain")).unwrap()).unwrap();
    let mut resp = h(&v, "select_ef_com_response");
    resp[2] ^= 0x01; // flip a bit of DO'99'
    let r = Response::from_bytes(resp).unwrap();
    assert_eq!(term.unwrap_response(&r), Err(cancuoc_core::sm::SmError::BadMac));
}
