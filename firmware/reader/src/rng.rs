//! A random stream from a 256-bit seed: SHA-256(seed ‖ counter) blocks. The board seeds it from
//! hardware entropy for each session; replays seed it with a recorded value.

use sha2::{Digest, Sha256};

pub struct Sha256Ctr {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl Sha256Ctr {
    pub fn new(seed: [u8; 32]) -> Self {
        Self { seed, counter: 0, block: [0; 32], used: 32 }
    }
}

impl rand_core::TryRng for Sha256Ctr {
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
            if self.used == 32 {
                let mut h = Sha256::new();
                h.update(self.seed);
                h.update(self.counter.to_be_bytes());
                self.block.copy_from_slice(&h.finalize());
                self.counter += 1;
                self.used = 0;
            }
            *d = self.block.get(self.used).copied().unwrap_or(0);
            self.used += 1;
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for Sha256Ctr {}

impl Drop for Sha256Ctr {
    fn drop(&mut self) {
        // Session secrets were drawn from this: do not leave the seed in RAM.
        self.seed = [0; 32];
        self.block = [0; 32];
    }
}
