//! The cancuoc reader: a Raspberry Pi Pico (RP2040) or Pico 2 (RP2350) with a PN532 on SPI0.
//!
//! Core 1 owns the PN532 and runs the whole eMRTD job with the no_std core (cancuoc-reader's
//! `Device`): it blocks on the card, which is what a card read is. Core 0 runs embassy: the USB
//! CDC link (frames in and out), the status LED, flash writes of the trust store (the flash
//! driver must run on core 0, it pauses core 1), and the watchdog, which is fed only while core 1
//! shows signs of life — a hung read resets the reader instead of leaving the counter stuck.
//!
//! Nothing personal is logged: defmt lines carry states, sizes and error codes only.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use core::sync::atomic::Ordering;

use cancuoc_link::{Decoder, ErrorCode, HostMsg, ReaderMsg};
use defmt::{info, warn};
use defmt_rtt as _;
use embassy_executor::Spawner;
use embassy_rp::bind_interrupts;
use embassy_rp::flash::{Blocking, Flash};
#[cfg(not(feature = "pn532-i2c"))]
use embassy_rp::gpio::{Input, Pull};
use embassy_rp::gpio::{Level, Output};
use embassy_rp::multicore::{Stack, spawn_core1};
use embassy_rp::peripherals::{FLASH, USB};
#[cfg(not(feature = "pn532-i2c"))]
use embassy_rp::spi::{self, Spi};
use embassy_rp::usb::{Driver, InterruptHandler};
use embassy_rp::watchdog::Watchdog;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Instant, Ticker, Timer, with_timeout};
use embassy_usb::class::cdc_acm::{CdcAcmClass, Receiver, Sender, State};
use portable_atomic::{AtomicBool, AtomicU8, AtomicU32};
use static_cell::StaticCell;

#[cfg(feature = "rp2040")]
const BOARD: &str = "rp2040";
#[cfg(feature = "rp2350")]
const BOARD: &str = "rp2350";

/// Flash layout (memory-*.x): the trust store lives in the last 64 KB of the first 2 MB.
const FLASH_SIZE: usize = 2 * 1024 * 1024;
const TRUST_OFFSET: u32 = 0x1F_0000;
const TRUST_SIZE: usize = 64 * 1024;
/// Stack left to core 0 at the top of RAM; the heap takes what lies between the statics and it.
const CORE0_STACK: usize = 16 * 1024;

bind_interrupts!(struct Irqs {
    USBCTRL_IRQ => InterruptHandler<USB>;
});

#[global_allocator]
static HEAP: embedded_alloc::LlffHeap = embedded_alloc::LlffHeap::empty();

static mut CORE1_STACK: Stack<{ 48 * 1024 }> = Stack::new();
static EXECUTOR0: StaticCell<embassy_rp::executor::Executor> = StaticCell::new();

/// Host → core 1 (decoded messages), core 1 → host (messages to encode and send).
static TO_DEVICE: Channel<CriticalSectionRawMutex, HostMsg, 4> = Channel::new();
static TO_HOST: Channel<CriticalSectionRawMutex, ReaderMsg, 8> = Channel::new();
/// Core 1 asks core 0 to write the trust store, and waits for the answer.
static STORE: Signal<CriticalSectionRawMutex, Vec<u8>> = Signal::new();
static STORED: AtomicU8 = AtomicU8::new(0);
static REBOOT: Signal<CriticalSectionRawMutex, bool> = Signal::new();
/// Core 1 → core 0: passive authentication to run while core 1 asks the chip for its proofs
/// (card.rs, `OtherCore`); core 0 sets `CHECKED` when it has run it.
static CHECK: Signal<CriticalSectionRawMutex, card::Job> = Signal::new();
static CHECKED: AtomicBool = AtomicBool::new(false);
/// Set by core 0 when the host cancels; polled by the read before each APDU.
static CANCEL: AtomicBool = AtomicBool::new(false);
static READING: AtomicBool = AtomicBool::new(false);
/// Bumped by core 1 whenever it makes progress; the watchdog is fed only while it moves.
static HEARTBEAT: AtomicU32 = AtomicU32::new(0);
/// What the LED shows (see docs/hardware.md).
static LED_STATE: AtomicU8 = AtomicU8::new(LED_IDLE);
const LED_IDLE: u8 = 0;
const LED_READING: u8 = 1;
const LED_VERIFIED: u8 = 2;
const LED_NOT_VERIFIED: u8 = 3;
const LED_FAULT: u8 = 4;

mod card;
mod sleep;
use card::core1;

#[cortex_m_rt::entry]
fn main() -> ! {
    let p = embassy_rp::init(Default::default());
    init_heap();

    // Read the trust store before core 1 starts (flash reads are plain memory reads, but keep
    // one owner of the flash driver: core 0).
    let mut flash = Flash::<_, Blocking, FLASH_SIZE>::new_blocking(p.FLASH);
    let mut image = alloc::vec![0u8; TRUST_SIZE];
    if flash.blocking_read(TRUST_OFFSET, &mut image).is_err() {
        image.clear();
    }

    // PN532 on SPI0 (default): SCK GP18, MOSI GP19, MISO GP16, CS GP17 (docs/hardware.md). SPI
    // mode 0 at the PN532's maximum, 5 MHz (its datasheet, SPI timing: fSCK ≤ 5 MHz; embassy-rp
    // sets the nearest divider below, 4.8 MHz from 125 MHz), or 1 MHz with the `spi-1mhz`
    // feature for a PN532 on long jumper wires.
    // The PN532's IRQ on GP20 (optional): with a pull-up, so that an unwired pin reads high and
    // the front end keeps to the status byte (cancuoc_reader::pn532::spi). Each answer is read by
    // its length in one chip-select period.
    #[cfg(not(feature = "pn532-i2c"))]
    let front_end = {
        let mut cfg = spi::Config::default();
        cfg.frequency = if cfg!(feature = "spi-1mhz") { 1_000_000 } else { 5_000_000 };
        let bus = Spi::new_blocking(p.SPI0, p.PIN_18, p.PIN_19, p.PIN_16, cfg);
        let cs = Output::new(p.PIN_17, Level::High);
        let irq = Input::new(p.PIN_20, Pull::Up);
        cancuoc_reader::pn532::spi::SpiFrontEnd::new(bus, cs, Some(irq))
    };
    // Or on I2C0 (feature pn532-i2c): SDA GP4, SCL GP5, 400 kHz, address 0x24.
    #[cfg(feature = "pn532-i2c")]
    let front_end = {
        let mut cfg = embassy_rp::i2c::Config::default();
        cfg.frequency = 400_000;
        pn532::i2c::I2CInterface { i2c: embassy_rp::i2c::I2c::new_blocking(p.I2C0, p.PIN_5, p.PIN_4, cfg) }
    };
    let led = Output::new(p.PIN_25, Level::Low);

    spawn_core1(p.CORE1, unsafe { &mut *core::ptr::addr_of_mut!(CORE1_STACK) }, move || core1(front_end, image));

    let executor = EXECUTOR0.init(embassy_rp::executor::Executor::new());
    executor.run(|spawner| {
        if let Ok(t) = core0_main(spawner, p.USB, p.WATCHDOG, led, flash) {
            spawner.spawn(t);
        }
    })
}

fn init_heap() {
    unsafe extern "C" {
        static _stack_start: u32;
    }
    let start = cortex_m_rt::heap_start() as usize;
    let end = core::ptr::addr_of!(_stack_start) as usize - CORE0_STACK;
    unsafe { HEAP.init(start, end.saturating_sub(start)) };
}

// ---- core 0: USB, LED, flash, watchdog ----

type UsbDriver = Driver<'static, USB>;

#[embassy_executor::task]
async fn core0_main(
    spawner: Spawner,
    usb: embassy_rp::Peri<'static, USB>,
    wd: embassy_rp::Peri<'static, embassy_rp::peripherals::WATCHDOG>,
    led: Output<'static>,
    flash: Flash<'static, FLASH, Blocking, FLASH_SIZE>,
) {
    let driver = Driver::new(usb, Irqs);
    let mut config = embassy_usb::Config::new(cancuoc_link::USB_VID, cancuoc_link::USB_PID);
    config.manufacturer = Some("cancuoc");
    config.product = Some("cancuoc CCCD reader");
    config.serial_number = Some(BOARD);
    config.max_power = 250; // mA: the PN532's field needs up to ~150 mA.
    config.max_packet_size_0 = 64;

    static CONFIG_DESC: StaticCell<[u8; 256]> = StaticCell::new();
    static BOS_DESC: StaticCell<[u8; 256]> = StaticCell::new();
    static CONTROL_BUF: StaticCell<[u8; 64]> = StaticCell::new();
    static CDC_STATE: StaticCell<State> = StaticCell::new();
    let mut builder = embassy_usb::Builder::new(
        driver,
        config,
        CONFIG_DESC.init([0; 256]),
        BOS_DESC.init([0; 256]),
        &mut [],
        CONTROL_BUF.init([0; 64]),
    );
    let class = CdcAcmClass::new(&mut builder, CDC_STATE.init(State::new()), 64);
    let usb = builder.build();
    let (tx, rx) = class.split();
    if let Ok(t) = usb_task(usb) {
        spawner.spawn(t);
    }
    if let Ok(t) = link_rx(rx) {
        spawner.spawn(t);
    }
    if let Ok(t) = link_tx(tx) {
        spawner.spawn(t);
    }
    if let Ok(t) = led_task(led) {
        spawner.spawn(t);
    }
    if let Ok(t) = store_task(flash) {
        spawner.spawn(t);
    }
    if let Ok(t) = watchdog_task(Watchdog::new(wd)) {
        spawner.spawn(t);
    }
    if let Ok(t) = check_task() {
        spawner.spawn(t);
    }
}

/// Passive authentication of a read, handed over by core 1 (issue 39): it runs here while core 1
/// talks to the chip. It holds this executor for its length (0.2–0.8 s on the RP2040): the USB
/// link waits meanwhile (the host retries; nothing is lost), and the watchdog's 3 s is far off.
#[embassy_executor::task]
async fn check_task() -> ! {
    loop {
        let job = CHECK.wait().await;
        job.run();
        CHECKED.store(true, Ordering::Release);
    }
}

#[embassy_executor::task]
async fn usb_task(mut usb: embassy_usb::UsbDevice<'static, UsbDriver>) -> ! {
    usb.run().await
}

/// Host → reader: frames in, messages to core 1. Cancel is acted on here, at once.
#[embassy_executor::task]
async fn link_rx(mut rx: Receiver<'static, UsbDriver>) -> ! {
    let mut decoder = Decoder::new();
    let mut buf = [0u8; 64];
    loop {
        rx.wait_connection().await;
        decoder.reset();
        info!("host connected");
        loop {
            let Ok(n) = rx.read_packet(&mut buf).await else { break };
            let mut msgs: heapless::Vec<Result<HostMsg, cancuoc_link::FrameError>, 4> = heapless::Vec::new();
            let mut overflow = false;
            decoder.feed::<HostMsg>(buf.get(..n).unwrap_or(&[]), |r| overflow |= msgs.push(r).is_err());
            for r in msgs {
                match r {
                    Ok(HostMsg::Cancel) if READING.load(Ordering::Relaxed) => CANCEL.store(true, Ordering::Relaxed),
                    Ok(m) => TO_DEVICE.send(m).await,
                    Err(e) => {
                        warn!("bad frame from the host");
                        TO_HOST.send(ReaderMsg::Error { code: e.code(), detail: alloc::format!("{e}") }).await;
                    }
                }
            }
            if overflow {
                TO_HOST
                    .send(ReaderMsg::Error {
                        code: ErrorCode::BadFrame,
                        detail: "too many frames in one USB packet".into(),
                    })
                    .await;
            }
        }
        info!("host disconnected");
    }
}

/// Reader → host: messages from core 1 encoded into frames. With no host listening the messages
/// are dropped, so that core 1 never stalls on a full queue.
#[embassy_executor::task]
async fn link_tx(mut tx: Sender<'static, UsbDriver>) -> ! {
    loop {
        let m = TO_HOST.receive().await;
        if !tx.dtr() {
            continue;
        }
        let Ok(frame) = cancuoc_link::encode(&m) else {
            warn!("message too large for a frame; dropped");
            continue;
        };
        drop(m);
        for packet in frame.chunks(64) {
            if with_timeout(Duration::from_millis(500), tx.write_packet(packet)).await.is_err() {
                break;
            }
        }
        if frame.len() % 64 == 0 {
            let _ = with_timeout(Duration::from_millis(500), tx.write_packet(&[])).await;
        }
    }
}

/// Off: no USB host · slow blink: idle · fast blink: reading · on for 3 s: verified · three short
/// flashes: read but not verified · steady fast flicker: PN532 missing.
#[embassy_executor::task]
async fn led_task(mut led: Output<'static>) -> ! {
    loop {
        match LED_STATE.load(Ordering::Relaxed) {
            LED_READING => {
                led.toggle();
                Timer::after_millis(80).await;
            }
            LED_VERIFIED => {
                led.set_high();
                Timer::after_secs(3).await;
                LED_STATE.store(LED_IDLE, Ordering::Relaxed);
            }
            LED_NOT_VERIFIED => {
                // Off first: the reading blink may have left the LED on, and the first flash
                // would run on from it.
                led.set_low();
                Timer::after_millis(120).await;
                for _ in 0..3 {
                    led.set_high();
                    Timer::after_millis(120).await;
                    led.set_low();
                    Timer::after_millis(120).await;
                }
                Timer::after_millis(600).await;
                LED_STATE.store(LED_IDLE, Ordering::Relaxed);
            }
            LED_FAULT => {
                led.toggle();
                Timer::after_millis(40).await;
            }
            _ => {
                led.set_high();
                Timer::after_millis(50).await;
                led.set_low();
                Timer::after_millis(1950).await;
            }
        }
    }
}

#[embassy_executor::task]
async fn store_task(mut flash: Flash<'static, FLASH, Blocking, FLASH_SIZE>) -> ! {
    loop {
        let image = STORE.wait().await;
        let ok = image.len() <= TRUST_SIZE
            && flash.blocking_erase(TRUST_OFFSET, TRUST_OFFSET + TRUST_SIZE as u32).is_ok()
            && write_padded(&mut flash, &image).is_ok();
        info!("trust store written: {}", ok);
        STORED.store(if ok { 1 } else { 2 }, Ordering::Relaxed);
    }
}

/// Flash writes go in whole 256-byte pages.
fn write_padded(
    flash: &mut Flash<'static, FLASH, Blocking, FLASH_SIZE>,
    image: &[u8],
) -> Result<(), embassy_rp::flash::Error> {
    let mut page = [0xFFu8; 256];
    for (i, chunk) in image.chunks(256).enumerate() {
        page.fill(0xFF);
        page.get_mut(..chunk.len()).unwrap_or(&mut []).copy_from_slice(chunk);
        flash.blocking_write(TRUST_OFFSET + (i * 256) as u32, &page)?;
    }
    Ok(())
}

#[embassy_executor::task]
async fn watchdog_task(mut wd: Watchdog) -> ! {
    wd.start(Duration::from_secs(3));
    let mut ticker = Ticker::every(Duration::from_millis(500));
    let mut last = HEARTBEAT.load(Ordering::Relaxed);
    let mut quiet_since = Instant::now();
    loop {
        if REBOOT.signaled() {
            let bootloader = REBOOT.wait().await;
            // Let the Ack reach the host first.
            Timer::after_millis(200).await;
            if bootloader {
                embassy_rp::rom_data::reset_to_usb_boot(0, 0);
            }
            cortex_m::peripheral::SCB::sys_reset();
        }
        let now = HEARTBEAT.load(Ordering::Relaxed);
        if now != last {
            last = now;
            quiet_since = Instant::now();
        }
        // Core 1 beats at least every 250 ms when idle and before every APDU when reading; a PN532
        // timeout plus presence check takes under 1.5 s. Quiet for 2.5 s: stop feeding, reset.
        if quiet_since.elapsed() < Duration::from_millis(2500) {
            wd.feed(Duration::from_secs(3));
        }
        ticker.next().await;
    }
}

/// A panic (the code is written not to: clippy denies unwrap, expect, panic and indexing) logs
/// one line and resets the reader at once, so the counter has a working reader again within a
/// second instead of after the watchdog's timeout. Neither the message nor the location is
/// read: either keeps every panic site's formatting data and `core::fmt` in the image (measured:
/// +29 KB of flash for the location alone). Find a panic's site with a probe and a breakpoint on
/// `rust_begin_unwind`.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    defmt::error!("panic");
    cortex_m::peripheral::SCB::sys_reset()
}
