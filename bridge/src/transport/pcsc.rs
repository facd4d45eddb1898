//! PC/SC readers (pcsc-lite on Linux, WinSCard on Windows) as a core [`Transport`].

use std::ffi::CString;
use std::time::Duration;

use cancuoc_core::apdu::{Transport, TransportError, TransportLimits};

/// A PC/SC reader as the system lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReaderInfo {
    pub name: String,
    pub card_present: bool,
}

/// Why PC/SC could not be used, with the fix in plain words.
#[derive(Debug, thiserror::Error)]
pub enum PcscError {
    #[error(
        "the smart-card service is not running (Linux: `sudo systemctl start pcscd`; Windows: start the Smart Card service)"
    )]
    NoService,
    #[error("no PC/SC reader is connected")]
    NoReaders,
    #[error("no reader named {0:?}")]
    UnknownReader(String),
    #[error("no card on reader {0:?}")]
    NoCard(String),
    #[error("PC/SC: {0}")]
    Other(pcsc::Error),
}

impl From<pcsc::Error> for PcscError {
    fn from(e: pcsc::Error) -> Self {
        match e {
            pcsc::Error::NoService | pcsc::Error::ServiceStopped => Self::NoService,
            pcsc::Error::NoReadersAvailable => Self::NoReaders,
            other => Self::Other(other),
        }
    }
}

fn context() -> Result<pcsc::Context, PcscError> {
    Ok(pcsc::Context::establish(pcsc::Scope::User)?)
}

/// Every PC/SC reader and whether a card is on it.
pub fn readers() -> Result<Vec<ReaderInfo>, PcscError> {
    let ctx = context()?;
    let names = match ctx.list_readers_owned() {
        Ok(n) => n,
        Err(pcsc::Error::NoReadersAvailable) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut states: Vec<pcsc::ReaderState> =
        names.iter().map(|n| pcsc::ReaderState::new(n.clone(), pcsc::State::UNAWARE)).collect();
    ctx.get_status_change(Duration::from_millis(500), &mut states)?;
    Ok(states
        .iter()
        .map(|s| ReaderInfo {
            name: s.name().to_string_lossy().into_owned(),
            card_present: s.event_state().contains(pcsc::State::PRESENT),
        })
        .collect())
}

/// A connected card on a PC/SC reader.
pub struct PcscTransport {
    ctx: pcsc::Context,
    reader: CString,
    card: pcsc::Card,
    buf: Vec<u8>,
    /// T=0 carries short APDUs only (ISO 7816-3; extended ones would need ENVELOPE).
    t0: bool,
}

impl PcscTransport {
    /// Connects to the card on `reader` (T=0 or T=1, shared access).
    pub fn connect(reader: &str) -> Result<Self, PcscError> {
        let ctx = context()?;
        let name = CString::new(reader).map_err(|_| PcscError::UnknownReader(reader.into()))?;
        let card = match ctx.connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY) {
            Ok(c) => c,
            Err(pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard) => return Err(PcscError::NoCard(reader.into())),
            Err(pcsc::Error::UnknownReader | pcsc::Error::ReaderUnavailable) => {
                return Err(PcscError::UnknownReader(reader.into()));
            }
            Err(e) => return Err(e.into()),
        };
        let t0 = card.status2_owned().ok().and_then(|s| s.protocol2()) == Some(pcsc::Protocol::T0);
        Ok(Self { ctx, reader: name, card, buf: vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED], t0 })
    }

    /// The first reader that has a card on it.
    pub fn first_with_card() -> Result<(String, Self), PcscError> {
        let list = readers()?;
        if list.is_empty() {
            return Err(PcscError::NoReaders);
        }
        let r = list.iter().find(|r| r.card_present).ok_or_else(|| PcscError::NoCard(list[0].name.clone()))?;
        Ok((r.name.clone(), Self::connect(&r.name)?))
    }
}

fn map(e: pcsc::Error) -> TransportError {
    match e {
        pcsc::Error::RemovedCard | pcsc::Error::NoSmartcard | pcsc::Error::ResetCard | pcsc::Error::UnpoweredCard => {
            TransportError::CardRemoved
        }
        pcsc::Error::Timeout => TransportError::Timeout,
        other => TransportError::Reader(other.to_string()),
    }
}

impl Transport for PcscTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let r = self.card.transmit(command, &mut self.buf).map_err(map)?.to_vec();
        if r.len() < 2 {
            // Some drivers (vpcd among them) hand back an empty answer when the card leaves
            // mid-exchange, before the reader state changes: wait up to 5 s for it to change.
            let mut state = [pcsc::ReaderState::new(self.reader.clone(), pcsc::State::PRESENT)];
            let gone = match self.ctx.get_status_change(Duration::from_secs(5), &mut state) {
                Ok(()) => !state[0].event_state().contains(pcsc::State::PRESENT),
                Err(_) => false,
            };
            return Err(if gone {
                TransportError::CardRemoved
            } else {
                TransportError::Reader("the reader returned an answer without a status word".into())
            });
        }
        Ok(r)
    }
    fn limits(&self) -> TransportLimits {
        // T=0: short APDUs, the core fetches long answers with GET RESPONSE (61xx).
        if self.t0 {
            return TransportLimits::SHORT;
        }
        // PC/SC carries extended APDUs up to MAX_BUFFER_SIZE_EXTENDED; a chip or reader that
        // refuses them answers 6700 and the core falls back to short reads.
        TransportLimits {
            max_command: pcsc::MAX_BUFFER_SIZE_EXTENDED,
            max_response: pcsc::MAX_BUFFER_SIZE_EXTENDED,
            extended_length: true,
        }
    }
}
