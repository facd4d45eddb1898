//! The PN532 on an SPI bus whose chip select we drive ourselves (UM0701-02 §6.2.5): each answer
//! is read by its length, in the one chip-select period the PN532 needs, rather than by the
//! largest answer the command could have; and the PN532's readiness is taken from its IRQ line
//! (P70_IRQ, low while it has a frame to read) once the line is seen to be wired, else from its
//! status byte. The bus carries bits MSB first, the PN532 wants them LSB first: every byte is
//! reversed (as `pn532`'s `msb-spi` feature does).

use core::task::Poll;

use embedded_hal::digital::{InputPin, OutputPin};
use embedded_hal::spi::SpiBus;

use super::frame::frame_len;

const STATUS_READ: u8 = 0x02;
const DATA_WRITE: u8 = 0x01;
const DATA_READ: u8 = 0x03;
/// Bytes read before the frame's length is looked at: the preamble, start code and length of a
/// normal frame, and room for the extended length's first byte.
const HEAD: usize = 8;
/// Ready answers seen with the IRQ line low, before the line is trusted.
const VOTES: u8 = 3;

/// The SPI bus or a pin failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusError;

/// What is known of the IRQ line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Irq {
    /// Not yet known: readiness comes from the status byte, and each ready status with the line
    /// low is a vote for it.
    Unknown(u8),
    /// The line follows the status: readiness comes from it, without bus traffic.
    Wired,
    /// No line on this board, or one that does not follow the status (unwired, pulled up).
    Absent,
}

/// The PN532 on SPI with chip select `cs` and, when the board has one, the IRQ line.
pub struct SpiFrontEnd<B, CS, IRQ> {
    bus: B,
    cs: CS,
    irq_pin: Option<IRQ>,
    irq: Irq,
}

impl<B: SpiBus, CS: OutputPin, IRQ: InputPin> SpiFrontEnd<B, CS, IRQ> {
    /// The front end; `irq` is the pin the PN532's IRQ is wired to, if the board has one (with a
    /// pull-up, so that an unwired pin reads high and is found out).
    pub fn new(bus: B, cs: CS, irq: Option<IRQ>) -> Self {
        let irq_state = if irq.is_some() { Irq::Unknown(0) } else { Irq::Absent };
        Self { bus, cs, irq_pin: irq, irq: irq_state }
    }

    /// Whether readiness now comes from the IRQ line (three ready answers came with it low).
    pub fn irq_wired(&self) -> bool {
        self.irq == Irq::Wired
    }

    fn irq_low(&mut self) -> Option<bool> {
        self.irq_pin.as_mut().and_then(|p| p.is_low().ok())
    }

    /// One chip-select period: `f` on the bus, chip select released whatever happened.
    fn selected<T>(&mut self, f: impl FnOnce(&mut B) -> Result<T, B::Error>) -> Result<T, BusError> {
        self.cs.set_low().map_err(|_| BusError)?;
        let r = f(&mut self.bus);
        let flushed = self.bus.flush();
        self.cs.set_high().map_err(|_| BusError)?;
        match (r, flushed) {
            (Ok(v), Ok(())) => Ok(v),
            _ => Err(BusError),
        }
    }

    fn status_ready(&mut self) -> Result<bool, BusError> {
        let mut buf = [STATUS_READ.reverse_bits(), 0];
        self.selected(|bus| bus.transfer_in_place(&mut buf))?;
        Ok(buf.get(1).copied() == Some(0x01u8.reverse_bits()))
    }
}

impl<B: SpiBus, CS: OutputPin, IRQ: InputPin> pn532::Interface for SpiFrontEnd<B, CS, IRQ> {
    type Error = BusError;

    fn write(&mut self, frame: &mut [u8]) -> Result<(), BusError> {
        // Nothing is waiting to be read before a command: a line still low does not follow the
        // PN532.
        if matches!(self.irq, Irq::Unknown(_)) && self.irq_low() == Some(true) {
            self.irq = Irq::Absent;
        }
        for b in frame.iter_mut() {
            *b = b.reverse_bits();
        }
        self.selected(|bus| {
            bus.write(&[DATA_WRITE.reverse_bits()])?;
            bus.write(frame)
        })
    }

    fn wait_ready(&mut self) -> Poll<Result<(), BusError>> {
        let ready = match self.irq {
            Irq::Wired => match self.irq_low() {
                Some(low) => Ok(low),
                None => Err(BusError),
            },
            Irq::Absent => self.status_ready(),
            Irq::Unknown(votes) => self.status_ready().inspect(|&ready| {
                if ready {
                    self.irq = match self.irq_low() {
                        Some(true) if votes + 1 >= VOTES => Irq::Wired,
                        Some(true) => Irq::Unknown(votes + 1),
                        _ => Irq::Absent,
                    };
                }
            }),
        };
        match ready {
            Ok(true) => Poll::Ready(Ok(())),
            Ok(false) => Poll::Pending,
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    /// Reads the frame the PN532 has ready into the start of `buf` and zeroes the rest: first
    /// the bytes that carry its length, then exactly the rest of it. A head that is not a frame
    /// start is read on to the end of `buf`, so that the frame layer sees what came.
    fn read(&mut self, buf: &mut [u8]) -> Result<(), BusError> {
        let head = buf.len().min(HEAD);
        let mut len = buf.len();
        self.selected(|bus| {
            bus.write(&[DATA_READ.reverse_bits()])?;
            let (first, rest) = buf.split_at_mut(head);
            bus.read(first)?;
            for b in first.iter_mut() {
                *b = b.reverse_bits();
            }
            len = frame_len(first).map_or(len, |n| n.max(head).min(len));
            match rest.get_mut(..len.saturating_sub(head)) {
                Some(wanted) => bus.read(wanted),
                None => Ok(()),
            }
        })?;
        for b in buf.iter_mut().take(len).skip(head) {
            *b = b.reverse_bits();
        }
        if let Some(unread) = buf.get_mut(len..) {
            unread.fill(0);
        }
        Ok(())
    }
}
