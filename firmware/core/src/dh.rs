//! Finite-field Diffie-Hellman on the RFC 5114 groups, the standardized DH domain parameters of
//! ICAO 9303-11 table 4 (IDs 0–2), for PACE. Arithmetic is `rsa`'s `BigUint` (num-bigint-dig).
//! Values travel as unsigned big-endian integers at the full length of p.

use alloc::vec::Vec;
use core::fmt;

use rand_core::CryptoRng;
use rsa::BigUint;

use crate::ecc::{EccError, Secret};

/// An RFC 5114 group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum DhGroup {
    /// RFC 5114 §2.1: 1024-bit MODP group with 160-bit prime order subgroup (ID 0).
    Modp1024_160,
    /// RFC 5114 §2.2: 2048-bit MODP group with 224-bit prime order subgroup (ID 1).
    Modp2048_224,
    /// RFC 5114 §2.3: 2048-bit MODP group with 256-bit prime order subgroup (ID 2).
    Modp2048_256,
}

// RFC 5114 §2.1–2.3.
const P0: [u8; 128] = unhex(b"B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371");
const G0: [u8; 128] = unhex(b"A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5");
const Q0: [u8; 20] = unhex(b"F518AA8781A8DF278ABA4E7D64B7CB9D49462353");
const P1: [u8; 256] = unhex(b"AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71CF9DE5384E71B81C0AC4DFFE0C10E64F");
const G1: [u8; 256] = unhex(b"AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFAAB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98AE247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EFBB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC017981BC087F2A7065B384B890D3191F2BFA");
const Q1: [u8; 28] = unhex(b"801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB");
const P2: [u8; 256] = unhex(b"87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597");
const G2: [u8; 256] = unhex(b"3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659");
const Q2: [u8; 32] = unhex(b"8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3");

/// Hex digits to bytes at compile time (the RFC gives the groups in hex; a digit that is not hex
/// fails the build; so would an index out of range, since it only ever runs in the compiler).
#[allow(clippy::indexing_slicing, clippy::panic)]
const fn unhex<const N: usize>(hex: &[u8]) -> [u8; N] {
    const fn digit(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not an upper-case hex digit"),
        }
    }
    assert!(hex.len() == 2 * N, "hex length does not match the array");
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = (digit(hex[2 * i]) << 4) | digit(hex[2 * i + 1]);
        i += 1;
    }
    out
}

fn big(bytes: &[u8]) -> BigUint {
    BigUint::from_bytes_be(bytes)
}

impl DhGroup {
    /// The group of a standardized domain parameter ID (9303-11 table 4: 0, 1, 2).
    pub fn from_domain_id(id: u32) -> Option<Self> {
        Some(match id {
            0 => Self::Modp1024_160,
            1 => Self::Modp2048_224,
            2 => Self::Modp2048_256,
            _ => return None,
        })
    }
    /// Its standardized domain parameter ID.
    pub fn domain_id(self) -> u32 {
        match self {
            Self::Modp1024_160 => 0,
            Self::Modp2048_224 => 1,
            Self::Modp2048_256 => 2,
        }
    }
    fn params(self) -> (&'static [u8], &'static [u8], &'static [u8]) {
        match self {
            Self::Modp1024_160 => (&P0, &G0, &Q0),
            Self::Modp2048_224 => (&P1, &G1, &Q1),
            Self::Modp2048_256 => (&P2, &G2, &Q2),
        }
    }
    /// The prime modulus p.
    pub fn p(self) -> BigUint {
        big(self.params().0)
    }
    /// The generator g.
    pub fn g(self) -> BigUint {
        big(self.params().1)
    }
    /// The order q of the subgroup g generates.
    pub fn q(self) -> BigUint {
        big(self.params().2)
    }
    /// Length of p in bytes.
    pub fn byte_len(self) -> usize {
        self.params().0.len()
    }
    /// Length of p in bits.
    pub fn bits(self) -> usize {
        self.byte_len() * 8
    }

    fn to_bytes(self, v: &BigUint) -> Vec<u8> {
        let b = v.to_bytes_be();
        let mut out = alloc::vec![0u8; self.byte_len().saturating_sub(b.len())];
        out.extend_from_slice(&b);
        out
    }

    /// Parses a public value and checks 1 < y < p − 1 and y^q = 1 (it lies in the subgroup).
    fn element(self, bytes: &[u8]) -> Result<BigUint, EccError> {
        let (p, q) = (self.p(), self.q());
        let y = BigUint::from_bytes_be(bytes);
        let one = BigUint::from(1u8);
        if y <= one || y >= &p - &one || y.modpow(&q, &p) != one {
            return Err(EccError::BadPoint);
        }
        Ok(y)
    }

    /// A fresh secret exponent in [1, q − 1].
    pub fn random_secret<R: CryptoRng + ?Sized>(self, rng: &mut R) -> Secret {
        let q = self.q();
        let mut buf = alloc::vec![0u8; self.params().2.len() + 8];
        loop {
            rng.fill_bytes(&mut buf);
            let x = BigUint::from_bytes_be(&buf) % &q;
            if x > BigUint::from(0u8) {
                return Secret(x.to_bytes_be());
            }
        }
    }

    /// base^x mod p (base = g when `base` is `None`).
    pub fn pow(self, x: &Secret, base: Option<&[u8]>) -> Result<Vec<u8>, EccError> {
        let p = self.p();
        let b = match base {
            Some(v) => self.element(v)?,
            None => self.g(),
        };
        let x = BigUint::from_bytes_be(&x.0);
        if x == BigUint::from(0u8) {
            return Err(EccError::BadScalar);
        }
        Ok(self.to_bytes(&b.modpow(&x, &p)))
    }

    /// Generic mapping: g' = g^s · h mod p.
    pub fn map_generator(self, s: &[u8], h: &[u8]) -> Result<Vec<u8>, EccError> {
        let p = self.p();
        let h = self.element(h)?;
        let g = self.g().modpow(&BigUint::from_bytes_be(s), &p) * h % &p;
        Ok(self.to_bytes(&g))
    }

    /// Integrated mapping: g' = R_p^((p − 1)/q) mod p, which must not be 1 (9303-11 §4.4.3.3.2).
    pub fn encode_to_group(self, r: &[u8]) -> Result<Vec<u8>, EccError> {
        let (p, q) = (self.p(), self.q());
        let one = BigUint::from(1u8);
        let x = BigUint::from_bytes_be(r) % &p;
        let g = x.modpow(&((&p - &one) / &q), &p);
        if g <= one {
            return Err(EccError::BadPoint);
        }
        Ok(self.to_bytes(&g))
    }
}

impl fmt::Display for DhGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::ecc::domain_name(self.domain_id()))
    }
}
