//! 64-bit multiplication for the Cortex-M0+ (RP2040), in place of compiler-builtins' generic one.
//!
//! The M0+ has a 32×32→32 multiplier (MULS, one cycle on the RP2040) but no 32×32→64 (UMULL), so
//! every `u64 * u64` — the limb products of crypto-bigint's Montgomery arithmetic and of
//! num-bigint-dig's RSA, whose limbs are 32 bits on this target — is a call to `__aeabi_lmul`
//! (ARM run-time ABI, IHI 0043, §4.2: the low 64 bits of the product of two 64-bit integers, in
//! r0:r1 and r2:r3, low word first). compiler-builtins implements it generically; profiled in the
//! emulator it took 29 % of core 1's cycles on a whole read (docs/performance.md). This one is
//! the textbook split for a core with only a 32-bit multiplier: the two cross products need only
//! their low 32 bits (two MULS), and the low 64 bits of `a_lo × b_lo` come from four 16×16-bit
//! MULS with their middle terms added at bit 16.
//!
//! Linked into every thumbv6m image that links this crate (the RP2040 board image and its QEMU
//! harness), ahead of compiler-builtins, which the linker searches last; the harness checks it
//! against a multiplication that uses no 64-bit multiply, and every signature, key agreement and
//! real-world SOD of the QEMU run goes through it.

/// `__aeabi_lmul(a, b)`: the low 64 bits of `a × b`. 25 instructions, 6 multiplications, one
/// branch, no loop.
#[cfg(cancuoc_armv6m)]
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub extern "C" fn __aeabi_lmul(a: u64, b: u64) -> u64 {
    // r0 = a_lo, r1 = a_hi, r2 = b_lo, r3 = b_hi. The result in r0 (low), r1 (high).
    core::arch::naked_asm!(
        "push {{r4, r5}}",
        // The cross products: only their low words reach the result's high word.
        "muls r1, r2, r1", // a_hi·b_lo
        "muls r3, r0, r3", // a_lo·b_hi
        "adds r1, r1, r3", // cross
        // a_lo·b_lo in full, from 16-bit halves.
        "lsrs r3, r0, #16", // ah
        "uxth r0, r0",      // al
        "lsrs r4, r2, #16", // bh
        "uxth r2, r2",      // bl
        "movs r5, r0",
        "muls r5, r4, r5", // al·bh
        "muls r0, r2, r0", // al·bl
        "muls r2, r3, r2", // ah·bl
        "muls r3, r4, r3", // ah·bh
        "adds r5, r5, r2", // mid = al·bh + ah·bl, carry out …
        "bcc 1f",
        "movs r2, #1", // … worth 2^48 in the product: 2^16 in the high word
        "lsls r2, r2, #16",
        "adds r3, r3, r2",
        "1:",
        "lsls r2, r5, #16", // mid's low half to the low word,
        "lsrs r5, r5, #16", // its high half to the high word,
        "adds r0, r0, r2",
        "adcs r3, r3, r5", // with the carry of the low word
        "adds r1, r1, r3", // high word = cross + high(a_lo·b_lo)
        "pop {{r4, r5}}",
        "bx lr",
    )
}

/// The same product without any multiplication wider than 32 bits, in 16-bit pieces: what the
/// QEMU harness compares [`__aeabi_lmul`] against (and the host's tests compare with `u64`'s).
pub fn mul_reference(a: u64, b: u64) -> u64 {
    let (mut out, mut carry) = ([0u32; 4], 0u32);
    let half = |x: u64, i: usize| ((x >> (16 * i)) & 0xFFFF) as u32;
    for k in 0..4 {
        // Column k of the schoolbook product in 16-bit digits; each term < 2^32, so the sum is
        // kept as a running 32-bit value plus the carry of 16-bit overflow.
        let mut acc = carry;
        let mut high = 0u32;
        for i in 0..=k {
            let term = half(a, i) * half(b, k - i);
            let (s, over) = acc.overflowing_add(term);
            acc = s;
            high += u32::from(over);
        }
        if let Some(slot) = out.get_mut(k) {
            *slot = acc & 0xFFFF;
        }
        carry = (acc >> 16) | (high << 16);
    }
    let [d0, d1, d2, d3] = out;
    u64::from(d0) | (u64::from(d1) << 16) | (u64::from(d2) << 32) | (u64::from(d3) << 48)
}

#[cfg(test)]
mod tests {
    use super::mul_reference;

    #[test]
    fn the_reference_agrees_with_u64_multiplication() {
        let edges = [0u64, 1, 2, 0xFFFF, 0x1_0000, 0xFFFF_FFFF, 0x1_0000_0000, u64::MAX, u64::MAX - 1, 1 << 63];
        for &a in &edges {
            for &b in &edges {
                assert_eq!(mul_reference(a, b), a.wrapping_mul(b), "{a:#x} × {b:#x}");
            }
        }
        // The widening limb product crypto-bigint asks for: (2^32 − 1)² = 0xFFFFFFFE_00000001.
        assert_eq!(mul_reference(0xFFFF_FFFF, 0xFFFF_FFFF), 0xFFFF_FFFE_0000_0001);
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let y = x.rotate_left(29) ^ 0xD1B5_4A32_D192_ED03;
            assert_eq!(mul_reference(x, y), x.wrapping_mul(y), "{x:#x} × {y:#x}");
        }
    }
}
