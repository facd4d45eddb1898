//! PACE against published transcripts, byte for byte: ICAO 9303-11 Appendix G.1 (ECDH generic
//! mapping, brainpoolP256r1, AES-128, MRZ password) and a 3DES generic-mapping exchange on the
//! same curve. The terminal's ephemeral secrets are the published ones; every command we send
//! must equal the published command, and the session keys must equal the published keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use cancuoc_core::AccessKey;
use cancuoc_core::apdu::{Transport, TransportError, TransportLimits};
use cancuoc_core::ecc::{Curve, Secret};
use cancuoc_core::error::Error;
use cancuoc_core::files::Card;
use cancuoc_core::lds::card_access;
use cancuoc_core::pace::{self, Password};

struct Script {
    steps: Vec<(Vec<u8>, Vec<u8>)>,
    at: usize,
}

impl Script {
    fn new(steps: &[(&str, &str)]) -> Self {
        Self { steps: steps.iter().map(|(c, r)| (hex::decode(c).unwrap(), hex::decode(r).unwrap())).collect(), at: 0 }
    }
}

impl Transport for Script {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let (expect, resp) = self.steps.get(self.at).ok_or(TransportError::Reader("script exhausted".into()))?;
        assert_eq!(
            hex::encode_upper(command),
            hex::encode_upper(expect),
            "command {} differs from the transcript",
            self.at
        );
        self.at += 1;
        Ok(resp.clone())
    }
    fn limits(&self) -> TransportLimits {
        TransportLimits::EXTENDED
    }
}

/// Replays published randomness: the listed secrets in order, and the listed nonce t.
struct Replay {
    secrets: Vec<Secret>,
    t: Vec<u8>,
}

impl pace::PaceRandom for Replay {
    fn secret(&mut self, _: pace::Domain) -> Secret {
        self.secrets.remove(0)
    }
    fn nonce(&mut self, len: usize) -> Vec<u8> {
        assert_eq!(len, self.t.len());
        self.t.clone()
    }
}

fn replay(secrets: &[&str], t: &str) -> Replay {
    Replay { secrets: secrets.iter().map(|s| Secret(hex::decode(s).unwrap())).collect(), t: hex::decode(t).unwrap() }
}

fn run(
    card_access_hex: &str,
    key: &AccessKey,
    secrets: [&str; 2],
    script: &[(&str, &str)],
) -> (Card<Script>, pace::PaceOutcome) {
    let ca = card_access::parse(&hex::decode(card_access_hex).unwrap()).unwrap();
    let mut card = Card::new(Script::new(script));
    let out =
        pace::establish_with(&mut card, &ca.pace[0], Password::Mrz(key), false, &mut replay(&secrets, "")).unwrap();
    (card, out)
}

#[test]
fn icao_appendix_g1_ecdh_generic_mapping() {
    let key = AccessKey::new("T22000129", "640812", "101031").unwrap();
    let (card, out) = run(
        "31143012060A04007F0007020204020202010202010D",
        &key,
        [
            "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99",
            "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595",
        ],
        &[
            ("0022C1A40F800A04007F00070202040202830101", "9000"),
            ("10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
            (
                "10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
                "7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000",
            ),
            (
                "10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
                "7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000",
            ),
            ("008600000C7C0A8508C2B0BD78D94BA86600", "7C0A86083ABB9674BCE93C089000"),
        ],
    );
    assert_eq!(out.domain, pace::Domain::Ec(Curve::BrainpoolP256r1));
    assert_eq!(out.protocol.to_string(), "PACE-GM ECDH AES-128");
    let sm = card.session().expect("session installed");
    assert_eq!(hex::encode_upper(sm.key_material().0), "F5F0E35C0D7161EE6724EE513A0D9A7F");
    assert_eq!(hex::encode_upper(sm.key_material().1), "FE251C7858B356B24514B3BD5F4297D1");
    assert_eq!(sm.ssc(), [0u8; 16]);
}

#[test]
fn icao_g1_mapped_generator_and_nonce() {
    // Appendix G.1 intermediate values: s, H, and the mapped generator G'.
    let key = AccessKey::new("T22000129", "640812", "101031").unwrap();
    let k_pi = pace::password_key(Password::Mrz(&key), cancuoc_core::crypto::SmCipher::Aes128);
    let s = hex::decode("3F00C4D39D153F2B2A214A078D899B22").unwrap();
    assert_eq!(
        hex::encode_upper(pace::encrypt_nonce(cancuoc_core::crypto::SmCipher::Aes128, &k_pi, &s).unwrap()),
        "95A3A016522EE98D01E76CB6B98B42C3"
    );
    let h = "04".to_string()
        + "60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5"
        + "0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181";
    let g = Curve::BrainpoolP256r1.map_generator(&s, &hex::decode(h).unwrap()).unwrap();
    assert_eq!(
        hex::encode_upper(g),
        "048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E28C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522"
    );
}

#[test]
fn tdes_generic_mapping_transcript() {
    let key = AccessKey::new("LM277954", "781214", "271115").unwrap();
    let (card, out) = run(
        "31143012060a04007f0007020204020102010202010d",
        &key,
        [
            "2808272c0ec20e01a3450030ef32855e9feb5cb17719e985389b1cf47609e69f",
            "8f89449052df6c7983750c7b042c3cea12b36819174424c7cd28153f7b70b402",
        ],
        &[
            ("0022c1a40f800a04007f00070202040201830101", "9000"),
            ("10860000027c0000", "7c128010b88382812290017af1cc906ff00e7f4d9000"),
            (
                "10860000457c438141047706b2b6246ab4612229b8a11212ddba7fea0568c9c0975dee22c0e3dd3a3f0321e8afee836e373b570d24000d56fb195104d486e63321ff8c819dd5ee018dcb00",
                "7c43824104780b4edec9b926f9f964fad826d9990a667608d96ba7b397ae8609b6533e0d036d148365ddf4e5ff6611c2b62aa17fc9899f327bc929db543e7abd0ee724e4be9000",
            ),
            (
                "10860000457c43834104507a0156efae8fb8acc519036c0b2fe0393c878744c7f91878ee4e07a41412ba5c0753d68a44a91e9f57f3f992ab689e6c2065d3b2a27c3658a4fd632931ee3800",
                "7c438441042dbaf62e6fdfb31eb66f206493b9e7721586f0e5c93754d7bd5a884ca251ee4d720ab539a60561bc46812fa289b58ac69f0c6e32adbaf7241049a31211f80f5b9000",
            ),
            ("008600000c7c0a85088d7c617d43efe09e00", "7c0a8608cb57047c809079f69000"),
        ],
    );
    assert_eq!(out.protocol.to_string(), "PACE-GM ECDH 3DES");
    let sm = card.session().unwrap();
    // The published keys are DES-parity-adjusted; DES ignores the parity bit (the low bit).
    let no_parity = |b: &[u8]| b.iter().map(|x| x & 0xFE).collect::<Vec<u8>>();
    assert_eq!(no_parity(sm.key_material().0), no_parity(&hex::decode("430e4c8c38dfefaed92067b919a897f8").unwrap()));
    assert_eq!(no_parity(sm.key_material().1), no_parity(&hex::decode("c1bc1f075797b970b5a45e64a764b0cb").unwrap()));
}

#[test]
fn a_wrong_chip_token_and_a_refused_password_are_errors() {
    let key = AccessKey::new("T22000129", "640812", "101031").unwrap();
    let ca = card_access::parse(&hex::decode("31143012060A04007F0007020204020202010202010D").unwrap()).unwrap();
    let mut steps = vec![
        ("0022C1A40F800A04007F00070202040202830101", "9000"),
        ("10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
        (
            "10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
            "7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000",
        ),
        (
            "10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
            "7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000",
        ),
        ("008600000C7C0A8508C2B0BD78D94BA86600", "7C0A86083ABB9674BCE93C099000"),
    ];
    let secrets = [
        "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99",
        "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595",
    ];
    let attempt = |steps: &[(&str, &str)]| {
        let mut card = Card::new(Script::new(steps));
        pace::establish_with(&mut card, &ca.pace[0], Password::Mrz(&key), false, &mut replay(&secrets, ""))
    };
    assert_eq!(attempt(&steps).unwrap_err(), Error::Pace(pace::PaceError::TokenMismatch));
    steps[4].1 = "63C2";
    let e = attempt(&steps).unwrap_err();
    assert!(matches!(e, Error::AccessDenied { .. }), "{e:?}");
    assert!(e.to_string().contains("2 tries left"), "{e}");
    assert!(e.to_string().contains("can suspend or block"), "{e}");
}

#[test]
fn icao_appendix_g3_ecdh_integrated_mapping() {
    use cancuoc_core::crypto::SmCipher;
    // The pseudo-random function and the point encoding, value by value.
    let s = hex::decode("2923BE84E16CD6AE529049F1F1BBE9EB").unwrap();
    let t = hex::decode("5DD4CBFC96F5453B130D890A1CDBAE32").unwrap();
    let r = pace::pseudo_random(SmCipher::Aes128, &s, &t, 256).unwrap();
    assert_eq!(
        hex::encode_upper(&r),
        "E4447E2DFB3586BAC05DDB00156B57FBB2179A3949294C97254189800C517BAA8DA0FF397ED8C445D3E421E4FEB57322"
    );
    let g = Curve::BrainpoolP256r1.encode_to_curve(&r).unwrap();
    assert_eq!(
        hex::encode_upper(&g),
        "048E82D31559ED0FDE92A4D0498ADD3C23BABA94FB77691E31E90AEA77FB17D4274C1AE14BD0C3DBAC0C871B7F3608169364437CA30AC243A089D3F266C1E60FAD"
    );
    // The whole exchange with the CAN 123456, replayed as APDUs.
    let ca = card_access::parse(&hex::decode("31143012060A04007F0007020204040202010202010D").unwrap()).unwrap();
    let script = Script::new(&[
        ("0022C1A40F800A04007F00070202040402830102", "9000"),
        ("10860000027C0000", "7C128010143DC40C08C8E891FBED7DEDB92B64AD9000"),
        ("10860000147C1281105DD4CBFC96F5453B130D890A1CDBAE3200", "7C0282009000"),
        (
            "10860000457C4383410489CBA23FFE96AA18D824627C3E934E54A9FD0B87A95D1471DC1C0ABFDCD640D46755DE9B7B778280B6BEBD57439ADFEB0E21FD4ED6DF42578C13418A59B34C3700",
            "7C4384410467F78E5F7F7686082B293E8D087E056916D0F74BC01A5F8957D0DE45691E51E8932B69A962B52A0985AD2C0A271EE6A13A8ADDDCD1A3A994B9DED257F4D227539000",
        ),
        ("008600000C7C0A8508450F02B86F6A090900", "7C0A860875D4D96E8D5B03089000"),
    ]);
    let mut card = Card::new(script);
    let can = pace::Can::new("123456").unwrap();
    let out = pace::establish_with(
        &mut card,
        &ca.pace[0],
        Password::Can(&can),
        false,
        &mut replay(
            &["A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595"],
            "5DD4CBFC96F5453B130D890A1CDBAE32",
        ),
    )
    .unwrap();
    assert_eq!(out.protocol.to_string(), "PACE-IM ECDH AES-128");
    let sm = card.session().unwrap();
    assert_eq!(hex::encode_upper(sm.key_material().0), "0D3FEB33251A6370893D62AE8DAAF51B");
    assert_eq!(hex::encode_upper(sm.key_material().1), "B01E89E3D9E8719E586B50B4A7506E0B");
}

fn ga(tag: u32, value: &str) -> String {
    let v = hex::decode(value.replace(' ', "")).unwrap();
    let data = cancuoc_core::tlv::encode(0x7C, &cancuoc_core::tlv::encode(tag, &v));
    hex::encode_upper(data)
}

fn cmd(cla: &str, data: &str) -> String {
    let n = data.len() / 2;
    format!("{cla}860000{n:02X}{data}00")
}

#[test]
fn icao_appendix_g2_dh_generic_mapping() {
    // 9303-11 Appendix G.2: DH, RFC 5114 1024-bit group (ID 0), AES-128, MRZ password.
    let key = AccessKey::new("T22000129", "640812", "101031").unwrap();
    let ca = card_access::parse(&hex::decode("31143012060A04007F00070202040102020102020100").unwrap()).unwrap();
    let t_map = "23FB3749EA030D2A25B278D2A562047ADE3F01B74F17A15402CB7352CA7D2B3EB71C343DB13D1DEBCE9A3666DBCFC920B49174A602CB47965CAA73DC702489A44D41DB914DE9613DC5E98C94160551C0DF86274B9359BC0490D01B03AD54022DCB4F57FAD6322497D7A1E28D46710F461AFE710FBBBC5F8BA166F4311975EC6C";
    let c_map = "78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E623EA5738B26381E4DA19E004706FACE7B235C2DBF2F38748312F3C98C2DD4882A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F2449400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6";
    let t_eph = "907D89E2D425A178AA81AF4A7774EC8E388C115CAE67031E85EECE520BD911551B9AE4D04369F29A02626C86FBC6747CC7BC352645B6161A2A42D44EDA80A08FA8D61B76D3A154AD8A5A51786B0BC07147057871A922212C5F67F43173172236B7747D1671E6D692A3C7D40A0C3C5CE397545D015C175EB5130551EDBC2EE5D4";
    let c_eph = "075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152BD8B3A213F53820C42ADC79AB5D0AEEC3AEFB91394DA476BD97B9B14D0A65C1FC71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1";
    let script_owned = [
        ("0022C1A40F800A04007F00070202040102830101".to_string(), "9000".to_string()),
        ("10860000027C0000".into(), ga(0x80, "854D8DF5827FA6852D1A4FA701CDDDCA") + "9000"),
        (cmd("10", &ga(0x81, t_map)), ga(0x82, c_map) + "9000"),
        (cmd("10", &ga(0x83, t_eph)), ga(0x84, c_eph) + "9000"),
        (cmd("00", &ga(0x85, "B46DD9BD4D98381F")), ga(0x86, "917F37B5C0E6D8D1") + "9000"),
    ];
    let script: Vec<(&str, &str)> = script_owned.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let mut card = Card::new(Script::new(&script));
    let out = pace::establish_with(
        &mut card,
        &ca.pace[0],
        Password::Mrz(&key),
        false,
        &mut replay(&["5265030F751F4AD18B08AC565FC7AC952E41618D", "89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA"], ""),
    )
    .unwrap();
    assert_eq!(out.protocol.to_string(), "PACE-GM DH AES-128");
    let sm = card.session().unwrap();
    assert_eq!(hex::encode_upper(sm.key_material().0), "2F7F46ADCC9E7E521B45D192FAFA9126");
    assert_eq!(hex::encode_upper(sm.key_material().1), "805A1D27D45A5116F73C54469462B7D8");
}

#[test]
fn icao_dh_integrated_mapping_example() {
    use cancuoc_core::crypto::SmCipher;
    use cancuoc_core::dh::DhGroup;
    let s = hex::decode("FA5B7E3E49753A0DB9178B7B9BD898C8").unwrap();
    let t = hex::decode("B3A6DB3C870C3E99245E0D1C06B747DE").unwrap();
    let r = pace::pseudo_random(SmCipher::Aes128, &s, &t, 1024).unwrap();
    assert_eq!(
        hex::encode_upper(&r),
        "EAB98D13E09052952AA729907C3C946184DEA0FE74AD2B3AF506F0A83018459C38099CD1F7FF4EA0A078DB1FAC1365505E3DC85500EF95E20B4EEF2E88489233BEE0546B472F994B618D168702406791DEEF3CB4810932EC278F3533FDB860EB4835C36FA4F1BF3FA0B828A718C96BDE88FBA38A3E6C35AAA10959251EB5FC710FC187258995944C0F926E249373F485"
    );
    let g = DhGroup::Modp1024_160.encode_to_group(&r).unwrap();
    assert_eq!(
        hex::encode_upper(&g),
        "1D7D767F11E333BCD6DBAEF40E799E7A926B96973550656FF3C830726D118D61C276CDCC61D475CF03A98E0C0E79CAEBA5BE25578BD4551D0B10903236F0B0F976852FA78EEA14EA0ACA87D1E91F688FE0DFF897BBE35A472621D343564B262F34223AE8FC59B664BFEDFA2BFE7516CA5510A6BBB633D517EC25D4E0BBAA16C2"
    );
    // The exchange with the CAN 123456.
    let ca = card_access::parse(&hex::decode("31143012060A04007F00070202040302020102020100").unwrap()).unwrap();
    let t_eph = "0F0CC62945A8029251FB7EF3C094E12EC68E4EF07F27CB9D9CD04C5C4250FAE0E4F8A951557E929AEB48E5C6DD47F2F5CD7C351A9BD2CD722C07EDE166770F08FFCB370262CF308DD7B07F2E0DA9CAAA1492344C852906919538C98A4BA4187E76CE9D87832386D319CE2E043C3343AEAE6EDBA1A9894DC5094D22F7FE1351D5";
    let c_eph = "928D9A0F9DBA450F13FC859C6F290D1D36E42431138A4378500BEB4E0401854CFF111F71CB6DC1D0335807A11388CC8EAA87B07907AAD9FBA6B169AF6D8C26AF8DDDC39ADC3AD2E3FF882B84D23E9768E95A80E4746FB07A9767679FE92133B4D379935C771BD7FBED6C7BB4B1708B275EA75679524CDC9C6A91370CC662A2F3";
    let script_owned = [
        ("0022C1A40F800A04007F00070202040302830102".to_string(), "9000".to_string()),
        ("10860000027C0000".into(), ga(0x80, "9ABB8864CA0FF1551E620D1EF4E13510") + "9000"),
        (cmd("10", &ga(0x81, "B3A6DB3C870C3E99245E0D1C06B747DE")), "7C0282009000".into()),
        (cmd("10", &ga(0x83, t_eph)), ga(0x84, c_eph) + "9000"),
        (cmd("00", &ga(0x85, "55D61977CBF5307E")), ga(0x86, "C2F04230187E1525") + "9000"),
    ];
    let script: Vec<(&str, &str)> = script_owned.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let mut card = Card::new(Script::new(&script));
    let can = pace::Can::new("123456").unwrap();
    let x = "4BD0E54740F9A028E6A515BFDAF967848C4F5F5FFF65AA0915947FFD1A0DF2FA6981271BC905F3551457B7E03AC3B8066DE4AA406C1171FB43DD939C4BA16175103BA3DEE16419AA248118F90CC36A3D6F4C373652E0C3CCE7F0F1D0C5425B3600F0F0D6A67F004C8BBA33F2B4733C7252445C1DFC4F1107203F71D2EFB28161";
    let out = pace::establish_with(
        &mut card,
        &ca.pace[0],
        Password::Can(&can),
        false,
        &mut replay(&[x], "B3A6DB3C870C3E99245E0D1C06B747DE"),
    )
    .unwrap();
    assert_eq!(out.protocol.to_string(), "PACE-IM DH AES-128");
    let sm = card.session().unwrap();
    assert_eq!(hex::encode_upper(sm.key_material().0), "01AFC10CF87BE36D8179E87370171F07");
    assert_eq!(hex::encode_upper(sm.key_material().1), "23F0FBD05FD6C7B8B88F4C8309669061");
}

#[test]
fn pace_cam_transcript_chooses_cam_and_recovers_ca_ic() {
    // A recorded exchange with a chip offering ECDH-GM and ECDH-CAM (AES-128, brainpoolP256r1).
    let key = AccessKey::new("C4KHNY1PF", "780214", "330315").unwrap();
    let ca = card_access::parse(
        &hex::decode("31283012060A04007F0007020204020202010202010D3012060A04007F0007020204060202010202010D").unwrap(),
    )
    .unwrap();
    let (info, protocol, _) = pace::choose(&ca.pace).unwrap();
    assert_eq!(protocol.to_string(), "PACE-CAM ECDH AES-128");
    let script = Script::new(&[
        ("0022c1a40f800a04007f00070202040602830101", "9000"),
        ("10860000027c0000", "7c1280109bff93e6ed9f5f9764ec0d783d14fb039000"),
        (
            "10860000457c43814104303f340815eea501772393e299a4a6f6694600189c249c63a8513ff3fefa66e346d11970b5f76fb564c3b0e54b215528f647ec5a9ab209cdbe262e763d6119a100",
            "7c4382410476dc295c4fb14237d87318d70967e25ec45f74d6fd4aff588c90efb3d868f05b450ba6b64967227c2246dbe2905522c8086dac7f3bbe5cf3b192f0a0c2d97ee59000",
        ),
        (
            "10860000457c438341048442b191ef5346a6b6dacb6cd5728c4a72f0ca7aecdf7afdfb3ef175e12a6f7c74f509af768b8dbe2cf42d16c1f00714691d78a19cdf1b493390d1173785f2b700",
            "7c438441042315ae8143f21de15b35f083cfa148c5fcbd9f2eb9dcdc4519bcf337443e79e55b28a5e218fb919c30880d263e469645ff114c46ed29918910be3453527d21649000",
        ),
        (
            "008600000c7c0a8508fee088a4d7be1b7f00",
            "7c3c860819a2b9192e11512a8a30b3ae8830311b1d5605777f47cb4ed028346cd00105d32859de127da3d8398865358f26f08ebe410864eaf6e39f33f3f59000",
        ),
    ]);
    let mut card = Card::new(script);
    let secrets = [
        "01fd26013f5bc41fad8bb09811e435f16fbe2eb3c2e1d999b0f63da8c3d58bb5",
        "1fcd3d8ac4fae3960a14fea2925d75add335f13b248eba192358dded93a89552",
    ];
    let out = pace::establish_with(&mut card, info, Password::Mrz(&key), false, &mut replay(&secrets, "")).unwrap();
    let sm = card.session().unwrap();
    assert_eq!(hex::encode(sm.key_material().0), "a8e85e938514ec67ae33cda3d43d3c48");
    assert_eq!(hex::encode(sm.key_material().1), "27f1adeb705a049a305b0c619b14b9b3");
    let cam = out.cam.expect("CAM proof");
    assert_eq!(hex::encode(&cam.ca_ic.0), "61fde6bc2006eb41ca6c5de2490c0a5affe629c7a696701a22b249099f8c5b90");
    assert!(cam.chip_mapping_key.starts_with(&[0x04, 0x76, 0xdc]));
}

#[test]
fn wrong_le_6cxx_is_answered_with_the_length_the_chip_names() {
    // GET CHALLENGE with Le 16 → 6C08 → again with Le 8 → the challenge.
    let script = Script::new(&[("0084000010", "6C08"), ("0084000008", "01020304050607089000")]);
    let mut card = Card::new(script);
    let cmd = cancuoc_core::apdu::Command::new(0x00, 0x84, 0x00, 0x00).with_le(16);
    let r = card.transmit_plain(cancuoc_core::error::Step::GetChallenge, &cmd).unwrap();
    assert_eq!(r.data, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert!(r.sw.is_success());
    assert_eq!(card.stats().apdus, 2);
}
