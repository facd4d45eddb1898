//! Core 1's waits, asleep: a delay that stops the core (WFI) until the timer's alarm 1 wakes it,
//! instead of embassy-time's busy delay, which spins on the clock. The PN532 driver waits with it
//! between looks at the IRQ line (every 20 µs while the card works: issue 39's "waiting without
//! burning"), and core 1's idle loop between its looks for a card and for host messages.
//!
//! embassy-time's driver uses alarm 0 and its interrupt on core 0; alarm 1 and its interrupt are
//! core 1's alone (enabled in core 1's NVIC only). The handler only clears the alarm: taking the
//! interrupt is what ends the WFI.

use embassy_rp::interrupt::InterruptExt;
use embassy_rp::{interrupt, pac};
use embassy_time::{Duration, Instant};

#[cfg(feature = "rp2040")]
use pac::TIMER;
#[cfg(feature = "rp2350")]
use pac::TIMER0 as TIMER;

#[cfg(feature = "rp2040")]
const ALARM_IRQ: interrupt::Interrupt = interrupt::TIMER_IRQ_1;
#[cfg(feature = "rp2350")]
const ALARM_IRQ: interrupt::Interrupt = interrupt::TIMER0_IRQ_1;

const ALARM: usize = 1;

/// A delay that sleeps. Made on core 1 ([`Sleep::on_this_core`]), used there only.
pub(crate) struct Sleep(());

impl Sleep {
    /// Enables alarm 1's interrupt, in the calling core's NVIC.
    pub(crate) fn on_this_core() -> Self {
        TIMER.intr().write(|w| w.set_alarm(ALARM, true));
        TIMER.inte().modify(|w| w.set_alarm(ALARM, true));
        ALARM_IRQ.unpend();
        // SAFETY: the handler below only clears the alarm's flag; nothing here relies on this
        // interrupt staying masked.
        unsafe { ALARM_IRQ.enable() };
        Self(())
    }

    /// Sleeps for `d`. On core 1 only, after [`Sleep::on_this_core`] (core 0's NVIC does not
    /// take alarm 1: it would sleep until some other interrupt).
    pub(crate) fn nap(d: Duration) {
        Self(()).until(Instant::now().as_ticks().saturating_add(d.as_ticks()));
    }

    /// Sleeps until the timer reads `deadline` (µs since boot, embassy-time's ticks).
    fn until(&mut self, deadline: u64) {
        loop {
            // Interrupts masked from the check to the WFI: an alarm that fires in between stays
            // pending and ends the WFI at once, then is taken when they are unmasked.
            cortex_m::interrupt::disable();
            let mut done = Instant::now().as_ticks() >= deadline;
            if !done {
                // The alarm matches the timer's low 32 bits. If the deadline passed while it was
                // being set, it would not match for 72 minutes: look again after setting it.
                TIMER.alarm(ALARM).write_value(deadline as u32);
                done = Instant::now().as_ticks() >= deadline;
                if !done {
                    cortex_m::asm::wfi();
                }
            }
            // SAFETY: masked just above by this same loop, on this core.
            unsafe { cortex_m::interrupt::enable() };
            if done {
                return;
            }
        }
    }
}

impl embedded_hal::delay::DelayNs for Sleep {
    fn delay_ns(&mut self, ns: u32) {
        let deadline = Instant::now().as_ticks().saturating_add(u64::from(ns.div_ceil(1000)));
        self.until(deadline);
    }
}

#[cfg(feature = "rp2040")]
#[interrupt]
fn TIMER_IRQ_1() {
    TIMER.intr().write(|w| w.set_alarm(ALARM, true));
}

#[cfg(feature = "rp2350")]
#[interrupt]
fn TIMER0_IRQ_1() {
    TIMER.intr().write(|w| w.set_alarm(ALARM, true));
}
