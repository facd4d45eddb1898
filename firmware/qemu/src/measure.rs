//! What the on-target run measures with: a heap that counts its peak, the MPS2 board's clock
//! (driven by QEMU's virtual clock), and the stack's high-water mark from a painted stack.

use super::*;

// ---- heap with a peak counter ----

pub(crate) struct PeakHeap {
    pub(crate) heap: embedded_alloc::LlffHeap,
    used: critical_section::Mutex<Cell<(usize, usize)>>,
}

unsafe impl GlobalAlloc for PeakHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.heap.alloc(layout) };
        if !p.is_null() {
            critical_section::with(|cs| {
                let c = self.used.borrow(cs);
                let (used, peak) = c.get();
                let used = used + layout.size();
                c.set((used, peak.max(used)));
            });
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        critical_section::with(|cs| {
            let c = self.used.borrow(cs);
            let (used, peak) = c.get();
            c.set((used.saturating_sub(layout.size()), peak));
        });
        unsafe { self.heap.dealloc(ptr, layout) }
    }
}

#[global_allocator]
pub(crate) static HEAP: PeakHeap =
    PeakHeap { heap: embedded_alloc::LlffHeap::empty(), used: critical_section::Mutex::new(Cell::new((0, 0))) };

/// What the board images give the allocator (docs/hardware.md, memory budget).
pub(crate) const HEAP_SIZE: usize = 160 * 1024;

pub(crate) fn heap_reset_peak() {
    critical_section::with(|cs| {
        let c = HEAP.used.borrow(cs);
        let (used, _) = c.get();
        c.set((used, used));
    });
}

pub(crate) fn heap_peak() -> usize {
    critical_section::with(|cs| HEAP.used.borrow(cs).get().1)
}

// ---- the clock: the MPS2 FPGAIO free-running counter, driven by QEMU's virtual clock ----

#[cfg(not(armv8m))]
pub(crate) const FPGAIO: usize = 0x4002_8000;
#[cfg(armv8m)]
pub(crate) const FPGAIO: usize = 0x5030_2000;

pub(crate) fn ticks() -> u32 {
    // COUNTER (offset 0x18) counts at the board's prescale clock; with `-icount shift=0` QEMU
    // advances virtual time by 1 ns per instruction, so ticks are proportional to instructions.
    unsafe { core::ptr::read_volatile((FPGAIO + 0x18) as *const u32) }
}

/// Runs exactly `2 * n` instructions (SUBS + BNE per turn) for calibration.
pub(crate) fn spin(n: u32) {
    if n == 0 {
        return;
    }
    unsafe {
        core::arch::asm!("2:", "subs {0}, #1", "bne 2b", inout(reg) n => _, options(nomem, nostack));
    }
}

pub(crate) fn measure<T>(case: &str, phase: &str, f: impl FnOnce() -> T) -> T {
    let t0 = ticks();
    let r = f();
    let t = ticks().wrapping_sub(t0);
    hprintln!("M {} {} ticks={}", case, phase, t);
    r
}

// ---- stack high-water mark ----

unsafe extern "C" {
    static mut __sheap: u32;
}

pub(crate) const PAINT: u32 = 0xA5C3_5AC3;

pub(crate) fn paint_stack() -> (usize, usize) {
    let bottom = core::ptr::addr_of_mut!(__sheap) as usize;
    let sp = cortex_m::register::msp::read() as usize;
    let top = sp - 256;
    let mut p = bottom;
    while p < top {
        unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
    (bottom, sp)
}

pub(crate) fn stack_used(bottom: usize, sp: usize) -> usize {
    let mut p = bottom;
    while p < sp && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    sp - p
}
