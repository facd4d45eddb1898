//! The ways a card reaches this PC, each a core `Transport`: a PC/SC reader ([`pcsc`]) and the
//! cancuoc USB reader that reads and verifies on its own ([`usb`]). [`crate::read`] chooses one;
//! the simulated card is the demo crate's.

pub mod pcsc;
pub mod usb;
