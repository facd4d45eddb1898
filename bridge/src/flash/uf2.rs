//! Reader firmware as UF2, the format the RP2040/RP2350 boot ROM takes by drag and drop onto the
//! "RPI-RP2" / "RP2350" drive a Pico shows when plugged in with BOOTSEL held.
//!
//! A UF2 file is a sequence of 512-byte blocks, each carrying 256 bytes for one flash address
//! (Microsoft's UF2 specification). The ELF's loadable segments are laid out by their load
//! (physical) addresses, cut into 256-byte pages, gaps inside a page filled with zeros.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use object::{Object, ObjectSection, ObjectSegment};

const MAGIC_START0: u32 = 0x0A32_4655;
const MAGIC_START1: u32 = 0x9E5D_5157;
const MAGIC_END: u32 = 0x0AB1_6F30;
const FLAG_FAMILY_ID: u32 = 0x0000_2000;
const PAGE: u32 = 256;
const FLASH: std::ops::Range<u64> = 0x1000_0000..0x1100_0000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chip {
    Rp2040,
    Rp2350,
}

impl Chip {
    /// The UF2 family ID the boot ROM checks.
    pub fn family(self) -> u32 {
        match self {
            Self::Rp2040 => 0xE48B_FF56,
            // RP2350, Arm secure image.
            Self::Rp2350 => 0xE48B_FF59,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Rp2040 => "RP2040",
            Self::Rp2350 => "RP2350",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Uf2Error {
    #[error("not an ELF file the reader firmware build makes: {0}")]
    NotElf(String),
    #[error("the image has nothing to load into flash (0x10000000…)")]
    Empty,
    #[error(
        "cannot tell whether the image is for the RP2040 or the RP2350 (no .boot2 or .start_block section); pass --chip"
    )]
    UnknownChip,
    #[error("not a UF2 file (block {0} has bad magic numbers)")]
    NotUf2(usize),
}

/// Which chip an ELF built by firmware/board is for: the RP2040 image carries the second-stage
/// bootloader (`.boot2`), the RP2350 image the IMAGE_DEF block (`.start_block`).
pub fn chip_of(elf: &[u8]) -> Result<Chip, Uf2Error> {
    let file = object::File::parse(elf).map_err(|e| Uf2Error::NotElf(e.to_string()))?;
    let has = |n: &str| file.sections().any(|s| s.name().is_ok_and(|x| x == n) && s.size() > 0);
    match (has(".boot2"), has(".start_block")) {
        (true, false) => Ok(Chip::Rp2040),
        (false, true) => Ok(Chip::Rp2350),
        _ => Err(Uf2Error::UnknownChip),
    }
}

/// Converts the ELF's flash contents into UF2 blocks for `chip`.
pub fn elf_to_uf2(elf: &[u8], chip: Chip) -> Result<Vec<u8>, Uf2Error> {
    let file = object::File::parse(elf).map_err(|e| Uf2Error::NotElf(e.to_string()))?;
    let mut pages: BTreeMap<u32, [u8; PAGE as usize]> = BTreeMap::new();
    for seg in file.segments() {
        let data = seg.data().map_err(|e| Uf2Error::NotElf(e.to_string()))?;
        let addr = load_address(&file, &seg);
        if data.is_empty() || !FLASH.contains(&addr) {
            continue;
        }
        for (i, b) in data.iter().enumerate() {
            let a = addr as u32 + i as u32;
            let page = pages.entry(a & !(PAGE - 1)).or_insert([0; PAGE as usize]);
            page[(a % PAGE) as usize] = *b;
        }
    }
    if pages.is_empty() {
        return Err(Uf2Error::Empty);
    }
    let mut blocks: Vec<(u32, u32, Vec<u8>)> = Vec::new();
    if chip == Chip::Rp2350 {
        // Erratum RP2350-E10: lead with one block of the "absolute" family (0xE48BFF57) at the
        // end of flash, so that a download is not mistaken for a partition-table-relative one.
        blocks.push((0xE48B_FF57, 0x10FF_FF00, vec![0xEF; PAGE as usize]));
    }
    for (addr, page) in &pages {
        blocks.push((chip.family(), *addr, page.to_vec()));
    }
    let mut out = Vec::with_capacity(blocks.len() * 512);
    let count = |family: u32| blocks.iter().filter(|b| b.0 == family).count() as u32;
    let mut index: BTreeMap<u32, u32> = BTreeMap::new();
    for (family, addr, data) in &blocks {
        let n = index.entry(*family).or_insert(0);
        let mut b = [0u8; 512];
        for (i, w) in
            [MAGIC_START0, MAGIC_START1, FLAG_FAMILY_ID, *addr, PAGE, *n, count(*family), *family].iter().enumerate()
        {
            b[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
        }
        b[32..32 + data.len()].copy_from_slice(data);
        b[508..512].copy_from_slice(&MAGIC_END.to_le_bytes());
        out.extend_from_slice(&b);
        *n += 1;
    }
    Ok(out)
}

/// The load address of a segment: its physical address (where .data's initial values sit in
/// flash), which the object crate does not expose generically; ELF32 only.
fn load_address(file: &object::File<'_>, seg: &object::Segment<'_, '_>) -> u64 {
    use object::read::elf::ProgramHeader;
    if let object::File::Elf32(elf) = file {
        let endian = elf.endian();
        for ph in elf.elf_program_headers() {
            if u64::from(ph.p_vaddr(endian)) == seg.address() && u64::from(ph.p_filesz(endian)) == seg.file_range().1 {
                return u64::from(ph.p_paddr(endian));
            }
        }
    }
    seg.address()
}

/// One block of a UF2 file: (family, target address, payload).
pub fn parse_uf2(bytes: &[u8]) -> Result<Vec<(u32, u32, Vec<u8>)>, Uf2Error> {
    let word = |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    bytes
        .chunks(512)
        .enumerate()
        .map(|(n, b)| {
            if b.len() != 512 || word(b, 0) != MAGIC_START0 || word(b, 4) != MAGIC_START1 || word(b, 508) != MAGIC_END {
                return Err(Uf2Error::NotUf2(n));
            }
            let len = (word(b, 16) as usize).min(476);
            Ok((word(b, 28), word(b, 12), b[32..32 + len].to_vec()))
        })
        .collect()
}

/// A Pico in BOOTSEL mode: its drive and the chip it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootselDrive {
    pub path: PathBuf,
    pub chip: Option<Chip>,
}

/// Looks for mounted BOOTSEL drives (they hold INFO_UF2.TXT naming the board) under the usual
/// mount points, or under `roots` when given.
pub fn find_bootsel_drives(roots: &[PathBuf]) -> Vec<BootselDrive> {
    let default_roots: Vec<PathBuf> = ["/media", "/run/media", "/mnt", "/Volumes"].iter().map(PathBuf::from).collect();
    let roots = if roots.is_empty() { &default_roots } else { roots };
    let mut found = Vec::new();
    let mut visit = |dir: &Path| {
        if let Some(d) = bootsel_drive(dir) {
            found.push(d);
        }
    };
    for root in roots {
        visit(root);
        // /media/<user>/<label> and /media/<label>
        for e in std::fs::read_dir(root).into_iter().flatten().flatten() {
            let p = e.path();
            visit(&p);
            for e2 in std::fs::read_dir(&p).into_iter().flatten().flatten() {
                visit(&e2.path());
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup();
    found
}

fn bootsel_drive(dir: &Path) -> Option<BootselDrive> {
    let info = std::fs::read_to_string(dir.join("INFO_UF2.TXT")).ok()?;
    let chip = if info.contains("RP2350") {
        Some(Chip::Rp2350)
    } else if info.contains("RPI-RP2") || info.contains("RP2040") {
        Some(Chip::Rp2040)
    } else {
        None
    };
    Some(BootselDrive { path: dir.to_path_buf(), chip })
}
