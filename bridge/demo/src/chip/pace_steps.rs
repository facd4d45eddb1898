//! The chip's side of PACE (ICAO 9303-11 §4.4): MSE:Set AT and the General Authenticate steps,
//! for every mapping and curve the practice cards offer.

use super::*;

/// The chip's side of a PACE run in progress (9303-11 §4.4).
pub(super) struct PaceState {
    oid: const_oid::ObjectIdentifier,
    protocol: PaceProtocol,
    domain: Domain,
    /// The encrypted nonce z = E(K_π, s) sent in step 1.
    z: Vec<u8>,
    /// The nonce s.
    s: Vec<u8>,
    step: u8,
    /// The mapped generator G' (after step 2).
    g_mapped: Vec<u8>,
    /// The chip's mapping secret (PACE-CAM needs it for CA_IC).
    sk_map: Option<Secret>,
    chip_eph: Option<(Secret, Vec<u8>)>,
    terminal_eph: Vec<u8>,
    keys: Option<(Vec<u8>, Vec<u8>)>,
}

pub(super) fn dyn_auth(tag: u32, value: &[u8]) -> Response {
    Response { data: tlv::encode(0x7C, &tlv::encode(tag, value)), sw: StatusWord::OK }
}

impl SimChip {
    pub(super) fn mse_set_at(&mut self, cmd: &Command) -> Response {
        if (cmd.p1, cmd.p2) != (0xC1, 0xA4) {
            return sw(0x6A86);
        }
        if self.image.refuses_pace {
            return sw(0x6982);
        }
        let Some(ca) = self.image.files.get(&FileId::CardAccess.fid()).and_then(|b| card_access::parse(b).ok()) else {
            return sw(0x6A88);
        };
        let mut oid = None;
        let mut password = None;
        for t in tlv::TlvIter::new(&cmd.data) {
            let Ok(t) = t else { return sw(0x6A80) };
            match t.tag {
                0x80 => oid = const_oid::ObjectIdentifier::from_bytes(t.value).ok(),
                0x83 => password = t.value.first().copied(),
                _ => {}
            }
        }
        let (Some(oid), Some(password)) = (oid, password) else { return sw(0x6A80) };
        let Some(info) = ca.pace.iter().find(|i| i.protocol == oid) else { return sw(0x6A80) };
        let (Some(protocol), Some(domain)) =
            (PaceProtocol::from_oid(&oid), info.parameter_id.and_then(|id| Domain::from_id(id).ok()))
        else {
            return sw(0x6A80);
        };
        let k_pi = match password {
            0x01 => pace::password_key(Password::Mrz(&self.image.access_key), protocol.cipher),
            0x02 => match Can::new(&self.image.can) {
                Ok(c) => pace::password_key(Password::Can(&c), protocol.cipher),
                Err(_) => return sw(0x6F00),
            },
            _ => return sw(0x6A80),
        };
        let nonce = random::<16>().to_vec();
        let Ok(z) = pace::encrypt_nonce(protocol.cipher, &k_pi, &nonce) else { return sw(0x6F00) };
        self.sm = None;
        self.pace = Some(PaceState {
            oid,
            protocol,
            domain,
            z,
            s: nonce,
            step: 0,
            g_mapped: Vec::new(),
            sk_map: None,
            chip_eph: None,
            terminal_eph: Vec::new(),
            keys: None,
        });
        sw(SW_OK)
    }

    pub(super) fn general_authenticate(&mut self, cmd: &Command) -> Response {
        let Some(st) = self.pace.as_mut() else { return sw(0x6985) };
        let Ok(outer) = tlv::expect(&cmd.data, 0x7C) else { return sw(0x6A80) };
        let inner = outer.children().next().and_then(Result::ok);
        let mut rng = OsRandom;
        let domain = st.domain;
        match (st.step, inner) {
            (0, None) => {
                st.step = 1;
                dyn_auth(0x80, &st.z)
            }
            (1, Some(t)) if t.tag == 0x81 && st.protocol.mapping == cancuoc_core::pace::Mapping::Integrated => {
                // Integrated mapping: G' = f_G(R_p(s, t)); the answer carries no data.
                let Ok(r) = pace::pseudo_random(st.protocol.cipher, &st.s, t.value, domain.field_bits()) else {
                    return sw(0x6A80);
                };
                let Ok(g) = domain.map_integrated(&r) else { return sw(0x6A80) };
                st.g_mapped = g;
                st.step = 2;
                dyn_auth(0x82, &[])
            }
            (1, Some(t)) if t.tag == 0x81 => {
                // Generic mapping: H = SK · PK_map(terminal); G' = s · G + H.
                let sk = domain.random_secret(&mut rng);
                let (Ok(pk), Ok(h)) = (domain.public(&sk, None), domain.shared(&sk, t.value)) else {
                    return sw(0x6A80);
                };
                let Ok(g) = domain.map_generic(&st.s, &h) else { return sw(0x6A80) };
                st.g_mapped = g;
                st.sk_map = Some(sk);
                st.step = 2;
                dyn_auth(0x82, &pk)
            }
            (2, Some(t)) if t.tag == 0x83 => {
                let sk = domain.random_secret(&mut rng);
                let (Ok(pk), Ok(shared)) = (domain.public(&sk, Some(&st.g_mapped)), domain.shared(&sk, t.value)) else {
                    return sw(0x6A80);
                };
                let Ok(k) = domain.secret_bytes(&shared) else { return sw(0x6A80) };
                let c = st.protocol.cipher;
                st.keys = Some((crypto::kdf(c, &k, 1), crypto::kdf(c, &k, 2)));
                st.terminal_eph = t.value.to_vec();
                st.chip_eph = Some((sk, pk.clone()));
                st.step = 3;
                dyn_auth(0x84, &pk)
            }
            (3, Some(t)) if t.tag == 0x85 => {
                let (Some((k_enc, k_mac)), Some((_, chip_pk))) = (st.keys.clone(), st.chip_eph.clone()) else {
                    return sw(0x6985);
                };
                let c = st.protocol.cipher;
                let Ok(expect) = pace::auth_token(c, &k_mac, &st.oid, &chip_pk) else { return sw(0x6F00) };
                if !crypto::ct_eq(&expect, t.value) {
                    // Wrong password: the terminal derived other keys (9303-11 §4.4.4.2: 6300).
                    self.pace = None;
                    return sw(0x6300);
                }
                let Ok(token) = pace::auth_token(c, &k_mac, &st.oid, &st.terminal_eph) else { return sw(0x6F00) };
                let mut data = tlv::encode(0x86, &token);
                if st.protocol.mapping == cancuoc_core::pace::Mapping::ChipAuthentication {
                    // PACE-CAM: CA_IC = SK_IC⁻¹ · SK_Map,IC, sent encrypted as A_IC.
                    let (Some(ca), Some(sk_map), Domain::Ec(curve)) = (&self.image.ca_key, &st.sk_map, st.domain)
                    else {
                        return sw(0x6F00);
                    };
                    let Ok(ca_ic) = curve.cam_scalar(&ca.secret, sk_map) else { return sw(0x6F00) };
                    let Ok(a_ic) = pace::encrypt_cam_data(c, &k_enc, &ca_ic.0) else { return sw(0x6F00) };
                    data.extend(tlv::encode(0x8A, &a_ic));
                }
                match SmSession::new(c, &k_enc, &k_mac, &vec![0u8; c.block_size()]) {
                    Ok(s) => self.sm = Some(s),
                    Err(_) => return sw(0x6F00),
                }
                self.pace = None;
                Response { data: tlv::encode(0x7C, &data), sw: StatusWord::OK }
            }
            _ => {
                self.pace = None;
                sw(0x6A80)
            }
        }
    }
}
