//! The key pairs drawn ahead of a read (`ecc::spare`, issue 39), in a test program of their own
//! (the stock is one per program). The first check is ICAO 9303-11 Appendix G.1 again: the
//! terminal's mapping key is drawn into the stock beforehand from the published secret, the
//! exchange is replayed with only the published key-agreement secret left to hand out — every
//! command must still equal the published one, so the mapping key came from the stock.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use cancuoc_core::AccessKey;
use cancuoc_core::apdu::{Transport, TransportError, TransportLimits};
use cancuoc_core::ecc::{Curve, Secret, spare};
use cancuoc_core::files::Card;
use cancuoc_core::lds::card_access;
use cancuoc_core::pace::{self, Password};

/// Hands out the given bytes, then zeros (an RNG that says exactly what it will draw).
struct Fixed(Vec<u8>);

impl rand_core::TryRng for Fixed {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for d in dst {
            *d = if self.0.is_empty() { 0 } else { self.0.remove(0) };
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for Fixed {}

struct Script(Vec<(Vec<u8>, Vec<u8>)>);

impl Transport for Script {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let (expect, answer) = self.0.remove(0);
        assert_eq!(hex::encode_upper(command), hex::encode_upper(expect), "a command differs from Appendix G.1");
        Ok(answer)
    }
    fn limits(&self) -> TransportLimits {
        TransportLimits::EXTENDED
    }
}

/// Only the key-agreement secret: the mapping key must come from the stock.
struct OneSecret(Option<Secret>);

impl pace::PaceRandom for OneSecret {
    fn secret(&mut self, _: pace::Domain) -> Secret {
        self.0.take().expect("PACE asked for a second secret: the drawn mapping key was not used")
    }
    fn nonce(&mut self, _: usize) -> Vec<u8> {
        unreachable!("generic mapping")
    }
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn pairs_drawn_ahead_are_used_once_and_pace_still_matches_appendix_g1() {
    let bp = Curve::BrainpoolP256r1;
    spare::clear();
    assert!(spare::take(bp).is_none());

    // Appendix G.1's terminal mapping secret, drawn ahead.
    let sk_map = "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99";
    assert_eq!(spare::draw(bp, &mut Fixed(h(sk_map))), Ok(true));
    let ca = card_access::parse(&h("31143012060A04007F0007020204020202010202010D")).unwrap();
    let script = [
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
    ];
    let mut card = Card::new(Script(script.iter().map(|(c, r)| (h(c), h(r))).collect()));
    let key = AccessKey::new("T22000129", "640812", "101031").unwrap();
    let eph = Secret(h("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595"));
    pace::establish_with(&mut card, &ca.pace[0], Password::Mrz(&key), false, &mut OneSecret(Some(eph))).unwrap();
    assert_eq!(hex::encode_upper(card.session().unwrap().key_material().0), "F5F0E35C0D7161EE6724EE513A0D9A7F");
    assert!(spare::take(bp).is_none(), "a pair is used once");

    // Two places; a third draw keeps nothing; pairs are taken by curve only.
    let mut rng = Fixed((1..=64).collect());
    assert_eq!(spare::draw(bp, &mut rng), Ok(true));
    assert_eq!(spare::draw(bp, &mut rng), Ok(true));
    assert!(!spare::wanted());
    assert_eq!(spare::draw(bp, &mut rng), Ok(false));
    assert!(spare::take(Curve::P256).is_none());
    let (k1, p1) = spare::key_pair(bp, &mut Fixed(vec![])).unwrap();
    let (k2, p2) = spare::take(bp).unwrap();
    assert_eq!(p1, bp.mul(&k1, None).unwrap());
    assert_eq!(p2, bp.mul(&k2, None).unwrap());
    assert_ne!(p1, p2);
    assert!(spare::wanted());
    // With nothing drawn, a pair is made on the spot.
    let (k3, p3) = spare::key_pair(Curve::P256, &mut Fixed((7..=70).collect())).unwrap();
    assert_eq!(p3, Curve::P256.mul(&k3, None).unwrap());
}
