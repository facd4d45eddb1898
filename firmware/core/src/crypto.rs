//! Hashes, key derivation and the block-cipher primitives of secure messaging, all from RustCrypto.

use alloc::vec::Vec;
use core::fmt;

use aes::{Aes128, Aes192, Aes256};
use cipher::block_padding::NoPadding;
use cipher::{BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit};
use cmac::Cmac;
use const_oid::ObjectIdentifier;
use des::TdesEde2;
use digest::{Digest, Mac};
use retail_mac::RetailMac;

/// Hash algorithms found in SODs, signatures and active authentication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum HashAlgorithm {
    /// SHA-1 (FIPS 180-4): still in older SODs and in active authentication's `BC` trailer.
    Sha1,
    /// SHA-224 (FIPS 180-4).
    Sha224,
    /// SHA-256 (FIPS 180-4): what Vietnamese SODs use.
    Sha256,
    /// SHA-384 (FIPS 180-4).
    Sha384,
    /// SHA-512 (FIPS 180-4).
    Sha512,
}

pub mod oid {
    //! Object identifiers used across the LDS and PKI (RFC 3279/4055/5758, ICAO 9303-10/11/12).
    use const_oid::ObjectIdentifier as O;
    /// id-sha1 (RFC 3279 §2.2.1).
    pub const SHA1: O = O::new_unwrap("1.3.14.3.2.26");
    /// id-sha224 (RFC 5754 §2.1).
    pub const SHA224: O = O::new_unwrap("2.16.840.1.101.3.4.2.4");
    /// id-sha256 (RFC 5754 §2.2).
    pub const SHA256: O = O::new_unwrap("2.16.840.1.101.3.4.2.1");
    /// id-sha384 (RFC 5754 §2.3).
    pub const SHA384: O = O::new_unwrap("2.16.840.1.101.3.4.2.2");
    /// id-sha512 (RFC 5754 §2.4).
    pub const SHA512: O = O::new_unwrap("2.16.840.1.101.3.4.2.3");
    /// rsaEncryption: an RSA public key, or PKCS #1 v1.5 with the hash given apart (RFC 8017 App. C).
    pub const RSA_ENCRYPTION: O = O::new_unwrap("1.2.840.113549.1.1.1");
    /// sha1WithRSAEncryption (RFC 8017 App. C).
    pub const SHA1_WITH_RSA: O = O::new_unwrap("1.2.840.113549.1.1.5");
    /// sha224WithRSAEncryption (RFC 8017 App. C).
    pub const SHA224_WITH_RSA: O = O::new_unwrap("1.2.840.113549.1.1.14");
    /// sha256WithRSAEncryption (RFC 8017 App. C).
    pub const SHA256_WITH_RSA: O = O::new_unwrap("1.2.840.113549.1.1.11");
    /// sha384WithRSAEncryption (RFC 8017 App. C).
    pub const SHA384_WITH_RSA: O = O::new_unwrap("1.2.840.113549.1.1.12");
    /// sha512WithRSAEncryption (RFC 8017 App. C).
    pub const SHA512_WITH_RSA: O = O::new_unwrap("1.2.840.113549.1.1.13");
    /// id-RSASSA-PSS, its hash and salt in the parameters (RFC 4055 §3.1).
    pub const RSASSA_PSS: O = O::new_unwrap("1.2.840.113549.1.1.10");
    /// id-mgf1, PSS's mask generation function (RFC 4055 §2.2).
    pub const MGF1: O = O::new_unwrap("1.2.840.113549.1.1.8");
    /// id-ecPublicKey: an elliptic-curve public key (RFC 5480 §2.1.1).
    pub const EC_PUBLIC_KEY: O = O::new_unwrap("1.2.840.10045.2.1");
    /// ecdsa-with-SHA1 (RFC 3279 §2.2.3).
    pub const ECDSA_SHA1: O = O::new_unwrap("1.2.840.10045.4.1");
    /// ecdsa-with-SHA224 (RFC 5758 §3.2).
    pub const ECDSA_SHA224: O = O::new_unwrap("1.2.840.10045.4.3.1");
    /// ecdsa-with-SHA256 (RFC 5758 §3.2).
    pub const ECDSA_SHA256: O = O::new_unwrap("1.2.840.10045.4.3.2");
    /// ecdsa-with-SHA384 (RFC 5758 §3.2).
    pub const ECDSA_SHA384: O = O::new_unwrap("1.2.840.10045.4.3.3");
    /// ecdsa-with-SHA512 (RFC 5758 §3.2).
    pub const ECDSA_SHA512: O = O::new_unwrap("1.2.840.10045.4.3.4");
    /// BSI TR-03111 plain (r‖s) ECDSA signatures.
    pub const ECDSA_PLAIN_SHA1: O = O::new_unwrap("0.4.0.127.0.7.1.1.4.1.1");
    /// ecdsa-plain-SHA224 (BSI TR-03111 §5.2.1).
    pub const ECDSA_PLAIN_SHA224: O = O::new_unwrap("0.4.0.127.0.7.1.1.4.1.2");
    /// ecdsa-plain-SHA256 (BSI TR-03111 §5.2.1).
    pub const ECDSA_PLAIN_SHA256: O = O::new_unwrap("0.4.0.127.0.7.1.1.4.1.3");
    /// ecdsa-plain-SHA384 (BSI TR-03111 §5.2.1).
    pub const ECDSA_PLAIN_SHA384: O = O::new_unwrap("0.4.0.127.0.7.1.1.4.1.4");
    /// ecdsa-plain-SHA512 (BSI TR-03111 §5.2.1).
    pub const ECDSA_PLAIN_SHA512: O = O::new_unwrap("0.4.0.127.0.7.1.1.4.1.5");
    /// secp256r1 / prime256v1, NIST P-256 (RFC 5480 §2.1.1.1).
    pub const P256: O = O::new_unwrap("1.2.840.10045.3.1.7");
    /// secp384r1, NIST P-384 (RFC 5480 §2.1.1.1).
    pub const P384: O = O::new_unwrap("1.3.132.0.34");
    /// secp521r1, NIST P-521 (RFC 5480 §2.1.1.1).
    pub const P521: O = O::new_unwrap("1.3.132.0.35");
    /// brainpoolP256r1 (RFC 5639 §4.1).
    pub const BRAINPOOL_P256R1: O = O::new_unwrap("1.3.36.3.3.2.8.1.1.7");
    /// brainpoolP384r1 (RFC 5639 §4.1).
    pub const BRAINPOOL_P384R1: O = O::new_unwrap("1.3.36.3.3.2.8.1.1.11");
    /// brainpoolP512r1 (RFC 5639 §4.1).
    pub const BRAINPOOL_P512R1: O = O::new_unwrap("1.3.36.3.3.2.8.1.1.13");
    /// id-icao-mrtd-security-ldsSecurityObject (9303-10 §4.6.2).
    pub const LDS_SECURITY_OBJECT: O = O::new_unwrap("2.23.136.1.1.1");
    /// id-icao-mrtd-security-aaProtocolObject (9303-11 §6.1).
    pub const ACTIVE_AUTHENTICATION: O = O::new_unwrap("2.23.136.1.1.5");
    /// id-signedData, the ContentInfo of an SOD or a master list (RFC 5652 §5.1).
    pub const CMS_SIGNED_DATA: O = O::new_unwrap("1.2.840.113549.1.7.2");
    /// id-contentType, a signed attribute (RFC 5652 §11.1).
    pub const CMS_CONTENT_TYPE: O = O::new_unwrap("1.2.840.113549.1.9.3");
    /// id-messageDigest, the signed attribute holding the content's hash (RFC 5652 §11.2).
    pub const CMS_MESSAGE_DIGEST: O = O::new_unwrap("1.2.840.113549.1.9.4");
}

impl HashAlgorithm {
    /// The hash an identifier names, `None` for one we do not know.
    pub fn from_oid(o: &ObjectIdentifier) -> Option<Self> {
        Some(match *o {
            oid::SHA1 => Self::Sha1,
            oid::SHA224 => Self::Sha224,
            oid::SHA256 => Self::Sha256,
            oid::SHA384 => Self::Sha384,
            oid::SHA512 => Self::Sha512,
            _ => return None,
        })
    }
    /// The hash's object identifier.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha224 => oid::SHA224,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
        }
    }
    /// Digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        self.digest_parts(&[data])
    }
    /// The digest of the parts one after the other, without joining them first.
    pub fn digest_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            d.finalize().to_vec()
        }
        match self {
            Self::Sha1 => run::<sha1::Sha1>(parts),
            Self::Sha224 => run::<sha2::Sha224>(parts),
            Self::Sha256 => run::<sha2::Sha256>(parts),
            Self::Sha384 => run::<sha2::Sha384>(parts),
            Self::Sha512 => run::<sha2::Sha512>(parts),
        }
    }
    /// The hash's name as standards write it ("SHA-256").
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Secure-messaging cipher suites (9303-11 §9.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SmCipher {
    /// 2-key 3DES-CBC + ISO 9797-1 MAC algorithm 3.
    Tdes,
    /// AES-CBC (IV = E(K, SSC)) + AES-CMAC truncated to 8 bytes, 128/192/256-bit keys.
    Aes128,
    /// AES with a 192-bit key, as [`SmCipher::Aes128`].
    Aes192,
    /// AES with a 256-bit key, as [`SmCipher::Aes128`].
    Aes256,
}

impl SmCipher {
    /// Cipher block size in bytes (8 for 3DES, 16 for AES): the padding and SSC length.
    pub fn block_size(self) -> usize {
        match self {
            Self::Tdes => 8,
            _ => 16,
        }
    }
    /// Session key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Tdes | Self::Aes128 => 16,
            Self::Aes192 => 24,
            Self::Aes256 => 32,
        }
    }
}

/// Key derivation function KDF(K, c) of 9303-11 §9.7.1. `counter` is 1 (enc), 2 (MAC) or 3 (PACE).
pub fn kdf(cipher: SmCipher, shared: &[u8], counter: u32) -> Vec<u8> {
    let c = counter.to_be_bytes();
    let mut out = match cipher {
        SmCipher::Tdes | SmCipher::Aes128 => HashAlgorithm::Sha1.digest_parts(&[shared, &c]),
        SmCipher::Aes192 | SmCipher::Aes256 => HashAlgorithm::Sha256.digest_parts(&[shared, &c]),
    };
    out.truncate(cipher.key_len());
    out
}

/// Appends ISO/IEC 9797-1 padding method 2 (`80 00 …`) up to a multiple of `block`.
pub fn pad(data: &mut Vec<u8>, block: usize) {
    data.push(0x80);
    while !data.len().is_multiple_of(block) {
        data.push(0);
    }
}

/// Removes method-2 padding; `None` when it is malformed.
pub fn unpad(data: &[u8]) -> Option<&[u8]> {
    let end = data.iter().rposition(|&b| b != 0)?;
    if data.get(end) != Some(&0x80) {
        return None;
    }
    data.get(..end)
}

/// Errors from the primitives: keys of the wrong size or data not a whole number of blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CryptoError;

type TdesCbcEnc = cbc::Encryptor<TdesEde2>;
type TdesCbcDec = cbc::Decryptor<TdesEde2>;

/// CBC encryption of already padded data (length a multiple of the block size).
pub fn cbc_encrypt(cipher: SmCipher, key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    fn run<C: KeyIvInit + BlockModeEncrypt>(key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let c = C::new_from_slices(key, iv).map_err(|_| CryptoError)?;
        if !data.len().is_multiple_of(C::block_size()) {
            return Err(CryptoError);
        }
        Ok(c.encrypt_padded_vec::<NoPadding>(data))
    }
    match cipher {
        SmCipher::Tdes => run::<TdesCbcEnc>(key, iv, data),
        SmCipher::Aes128 => run::<cbc::Encryptor<Aes128>>(key, iv, data),
        SmCipher::Aes192 => run::<cbc::Encryptor<Aes192>>(key, iv, data),
        SmCipher::Aes256 => run::<cbc::Encryptor<Aes256>>(key, iv, data),
    }
}

/// CBC decryption (no padding removed).
pub fn cbc_decrypt(cipher: SmCipher, key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    fn run<C: KeyIvInit + BlockModeDecrypt>(key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let c = C::new_from_slices(key, iv).map_err(|_| CryptoError)?;
        if !data.len().is_multiple_of(C::block_size()) {
            return Err(CryptoError);
        }
        c.decrypt_padded_vec::<NoPadding>(data).map_err(|_| CryptoError)
    }
    match cipher {
        SmCipher::Tdes => run::<TdesCbcDec>(key, iv, data),
        SmCipher::Aes128 => run::<cbc::Decryptor<Aes128>>(key, iv, data),
        SmCipher::Aes192 => run::<cbc::Decryptor<Aes192>>(key, iv, data),
        SmCipher::Aes256 => run::<cbc::Decryptor<Aes256>>(key, iv, data),
    }
}

/// Encrypts one block in ECB mode (AES SM's IV = E(K_enc, SSC), 9303-11 §9.8.6.2).
pub fn encrypt_block(cipher: SmCipher, key: &[u8], block: &[u8]) -> Result<Vec<u8>, CryptoError> {
    fn run<C: KeyInit + BlockCipherEncrypt>(key: &[u8], block: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let c = C::new_from_slice(key).map_err(|_| CryptoError)?;
        let mut b = cipher::Block::<C>::try_from(block).map_err(|_| CryptoError)?;
        c.encrypt_block(&mut b);
        Ok(b.to_vec())
    }
    match cipher {
        SmCipher::Tdes => run::<TdesEde2>(key, block),
        SmCipher::Aes128 => run::<Aes128>(key, block),
        SmCipher::Aes192 => run::<Aes192>(key, block),
        SmCipher::Aes256 => run::<Aes256>(key, block),
    }
}

/// The 8-byte SM MAC over data already padded by the caller: ISO 9797-1 MAC alg. 3 for 3DES,
/// AES-CMAC truncated to 8 bytes for AES.
pub fn mac(cipher: SmCipher, key: &[u8], padded: &[u8]) -> Result<[u8; 8], CryptoError> {
    fn run<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Result<[u8; 8], CryptoError> {
        let mut m = <M as KeyInit>::new_from_slice(key).map_err(|_| CryptoError)?;
        m.update(data);
        let full = m.finalize().into_bytes();
        let mut out = [0u8; 8];
        out.copy_from_slice(full.get(..8).ok_or(CryptoError)?);
        Ok(out)
    }
    match cipher {
        SmCipher::Tdes => run::<RetailMac<des::Des>>(key, padded),
        SmCipher::Aes128 => run::<Cmac<Aes128>>(key, padded),
        SmCipher::Aes192 => run::<Cmac<Aes192>>(key, padded),
        SmCipher::Aes256 => run::<Cmac<Aes256>>(key, padded),
    }
}

/// Constant-time comparison of MACs.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kdf_matches_icao_appendix_d() {
        let seed = hex::decode("239AB9CB282DAF66231DC5A4DF6BFBAE").unwrap();
        assert_eq!(hex::encode_upper(kdf(SmCipher::Tdes, &seed, 1)), "AB94FCEDF2664EDFB9B291F85D7F77F2");
        assert_eq!(hex::encode_upper(kdf(SmCipher::Tdes, &seed, 2)), "7862D9ECE03C1BCD4D77089DCF131442");
    }

    #[test]
    fn padding_round_trips() {
        let mut v = alloc::vec![1, 2, 3];
        pad(&mut v, 8);
        assert_eq!(v, [1, 2, 3, 0x80, 0, 0, 0, 0]);
        assert_eq!(unpad(&v), Some(&[1u8, 2, 3][..]));
        assert_eq!(unpad(&[1, 2, 0, 0]), None);
        assert_eq!(unpad(&[0, 0]), None);
    }
}
