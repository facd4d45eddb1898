//! `cancuoc flash`: ELF → UF2 conversion checked block by block, chip detection, and the messages
//! a technician sees with no Pico attached, with the wrong chip, and with a Pico in BOOTSEL mode
//! (a directory that looks like its drive).

use cancuoc_bridge::flash::uf2::{Chip, Uf2Error, chip_of, elf_to_uf2, find_bootsel_drives, parse_uf2};
mod common;
use common::cancuoc;

/// A minimal little-endian ELF32 (ARM) with one loadable segment at `paddr` (virtual address
/// `vaddr`) and, optionally, a named section over it.
fn elf(vaddr: u32, paddr: u32, data: &[u8], section: Option<&str>) -> Vec<u8> {
    let (ehsize, phsize, shsize) = (52u32, 32u32, 40u32);
    let data_off = ehsize + phsize;
    let shstr: Vec<u8> = match section {
        Some(n) => [b"\0", n.as_bytes(), b"\0.shstrtab\0"].concat(),
        None => b"\0.shstrtab\0".to_vec(),
    };
    let shstr_off = data_off + data.len() as u32;
    let sh_off = (shstr_off + shstr.len() as u32 + 3) & !3;
    let nsec = if section.is_some() { 3u16 } else { 2 };
    let mut v = Vec::new();
    v.extend_from_slice(&[0x7F, b'E', b'L', b'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let h16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let h32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    h16(&mut v, 2); // ET_EXEC
    h16(&mut v, 40); // EM_ARM
    h32(&mut v, 1);
    h32(&mut v, vaddr); // entry
    h32(&mut v, ehsize); // phoff
    h32(&mut v, sh_off);
    h32(&mut v, 0x0500_0200); // flags: EABI5, hard float
    h16(&mut v, ehsize as u16);
    h16(&mut v, phsize as u16);
    h16(&mut v, 1);
    h16(&mut v, shsize as u16);
    h16(&mut v, nsec);
    h16(&mut v, nsec - 1); // shstrndx
    // PT_LOAD
    for x in [1, data_off, vaddr, paddr, data.len() as u32, data.len() as u32, 5, 4] {
        h32(&mut v, x);
    }
    v.extend_from_slice(data);
    v.extend_from_slice(&shstr);
    v.resize(sh_off as usize, 0);
    v.extend_from_slice(&[0; 40]); // null section
    if let Some(n) = section {
        // name, PROGBITS, ALLOC|EXEC, addr, offset, size, link, info, align, entsize
        for x in [1, 1, 6, vaddr, data_off, data.len() as u32, 0, 0, 4, 0] {
            h32(&mut v, x);
        }
        let name_at = 1 + n.len() as u32 + 1;
        for x in [name_at, 3, 0, 0, shstr_off, shstr.len() as u32, 0, 0, 1, 0] {
            h32(&mut v, x);
        }
    } else {
        for x in [1, 3, 0, 0, shstr_off, shstr.len() as u32, 0, 0, 1, 0] {
            h32(&mut v, x);
        }
    }
    v
}

#[test]
fn elf_pages_become_uf2_blocks_at_their_load_addresses() {
    let data: Vec<u8> = (0..600u32).map(|i| (i * 7) as u8).collect();
    // .data-like segment: runs in RAM (vaddr), stored in flash (paddr) — the flash address counts.
    let image = elf(0x2000_0000, 0x1000_0100, &data, Some(".boot2"));
    assert_eq!(chip_of(&image), Ok(Chip::Rp2040));
    let uf2 = elf_to_uf2(&image, Chip::Rp2040).unwrap();
    assert_eq!(&uf2[..4], b"UF2\n");
    let blocks = parse_uf2(&uf2).unwrap();
    // 600 bytes from 0x1000_0100: pages 0x100, 0x200, 0x300.
    assert_eq!(blocks.iter().map(|b| b.1).collect::<Vec<_>>(), vec![0x1000_0100, 0x1000_0200, 0x1000_0300]);
    assert!(blocks.iter().all(|b| b.0 == 0xE48B_FF56 && b.2.len() == 256));
    let flat: Vec<u8> = blocks.iter().flat_map(|b| b.2.clone()).collect();
    assert_eq!(&flat[..600], data.as_slice());
    assert!(flat[600..].iter().all(|&b| b == 0));
    // Block numbers and the total are in each block header.
    for (i, b) in uf2.chunks(512).enumerate() {
        assert_eq!(u32::from_le_bytes(b[20..24].try_into().unwrap()), i as u32);
        assert_eq!(u32::from_le_bytes(b[24..28].try_into().unwrap()), 3);
    }
}

#[test]
fn rp2350_images_get_their_family_and_the_e10_lead_block() {
    let image = elf(0x1000_0000, 0x1000_0000, &[0xAA; 300], Some(".start_block"));
    assert_eq!(chip_of(&image), Ok(Chip::Rp2350));
    let blocks = parse_uf2(&elf_to_uf2(&image, Chip::Rp2350).unwrap()).unwrap();
    assert_eq!(blocks[0].0, 0xE48B_FF57);
    assert_eq!(blocks[0].1, 0x10FF_FF00);
    assert!(blocks[1..].iter().all(|b| b.0 == 0xE48B_FF59));
    assert_eq!(blocks.len(), 3);
}

#[test]
fn bad_inputs_are_named() {
    assert_eq!(chip_of(&elf(0x1000_0000, 0x1000_0000, &[1; 8], None)), Err(Uf2Error::UnknownChip));
    assert!(matches!(chip_of(b"not an elf"), Err(Uf2Error::NotElf(_))));
    assert_eq!(elf_to_uf2(&elf(0x2000_0000, 0x2000_0000, &[1; 8], Some(".boot2")), Chip::Rp2040), Err(Uf2Error::Empty));
    assert_eq!(parse_uf2(&[0u8; 512]), Err(Uf2Error::NotUf2(0)));
}

#[test]
fn flash_as_a_technician_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("cancuoc-board.elf");
    std::fs::write(&image, elf(0x1000_0100, 0x1000_0100, &[0x11; 1000], Some(".boot2"))).unwrap();
    let img = image.to_str().unwrap();

    // UF2 out.
    let uf2 = dir.path().join("reader.uf2");
    let (code, out, _) = cancuoc(&["flash", img, "--uf2", uf2.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("RP2040") && out.contains("4 blocks"), "{out}");
    assert_eq!(parse_uf2(&std::fs::read(&uf2).unwrap()).unwrap().len(), 4);

    // No Pico in BOOTSEL mode.
    let empty = dir.path().join("mnt");
    std::fs::create_dir(&empty).unwrap();
    let (code, _, err) = cancuoc(&["flash", img, "--drive", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no Pico in BOOTSEL mode") && err.contains("hold the BOOTSEL button"), "{err}");

    // A Pico 2 drive, an RP2040 image: wrong chip, nothing written.
    let pico2 = dir.path().join("RP2350");
    std::fs::create_dir(&pico2).unwrap();
    std::fs::write(pico2.join("INFO_UF2.TXT"), "UF2 Bootloader v1.0\nModel: Raspberry Pi RP2350\nBoard-ID: RP2350\n")
        .unwrap();
    let (code, _, err) = cancuoc(&["flash", img, "--drive", pico2.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("wrong chip") && err.contains("cargo board-rp2350"), "{err}");
    assert!(!pico2.join("cancuoc.uf2").exists());

    // A Pico drive: the UF2 lands on it.
    let pico = dir.path().join("RPI-RP2");
    std::fs::create_dir(&pico).unwrap();
    std::fs::write(pico.join("INFO_UF2.TXT"), "UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n")
        .unwrap();
    assert_eq!(find_bootsel_drives(&[dir.path().to_path_buf()]).len(), 2);
    let (code, out, err) = cancuoc(&["flash", img, "--drive", pico.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("firmware copied"), "{out}");
    assert_eq!(std::fs::read(pico.join("cancuoc.uf2")).unwrap(), std::fs::read(&uf2).unwrap());

    // Through a debug probe, on a PC with none attached: said plainly, with what to do.
    let (code, _, err) = cancuoc(&["flash", img, "--probe"]);
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("no debug probe found") && err.contains("SWCLK") && err.contains("BOOTSEL"), "{err}");
    let (code, _, err) = cancuoc(&["flash", uf2.to_str().unwrap(), "--probe"]);
    assert_eq!(code, 2);
    assert!(err.contains("takes the ELF image"), "{err}");

    // Not firmware at all.
    std::fs::write(&image, b"hello").unwrap();
    let (code, _, err) = cancuoc(&["flash", img, "--uf2", uf2.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not an ELF"), "{err}");
}
