// The board image's ELF: its loadable segments into the emulated flash, and function address
// ranges by name from its symbol table (for the profile and the wait accounting).

export const FLASH = 0x10000000;

/** Copies every PT_LOAD segment with bytes into `flash` (at its physical address); returns the bytes loaded. */
export function loadElf(buf, flash, fail, path) {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (dv.getUint32(0, false) !== 0x7f454c46 || buf[4] !== 1 || buf[5] !== 1 || dv.getUint16(18, true) !== 40) {
    fail(`${path} is not a 32-bit little-endian ARM ELF`);
  }
  const phoff = dv.getUint32(28, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  let bytes = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    const type = dv.getUint32(ph, true);
    const offset = dv.getUint32(ph + 4, true);
    const paddr = dv.getUint32(ph + 12, true);
    const filesz = dv.getUint32(ph + 16, true);
    if (type !== 1 || filesz === 0) continue; // PT_LOAD with bytes only
    if (paddr < FLASH || paddr + filesz > FLASH + flash.length) {
      fail(`segment at 0x${paddr.toString(16)} is not in flash: not an image for the RP2040`);
    }
    flash.set(buf.subarray(offset, offset + filesz), paddr - FLASH);
    bytes += filesz;
  }
  return bytes;
}

// Function address ranges by (mangled) name, from the ELF's symbol table.
export function functionRanges(buf, patterns, named = false) {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shoff = dv.getUint32(32, true);
  const shentsize = dv.getUint16(46, true);
  const shnum = dv.getUint16(48, true);
  const section = (i) => {
    const o = shoff + i * shentsize;
    return { type: dv.getUint32(o + 4, true), offset: dv.getUint32(o + 16, true), size: dv.getUint32(o + 20, true), link: dv.getUint32(o + 24, true) };
  };
  const out = [];
  for (let i = 0; i < shnum; i++) {
    const sh = section(i);
    if (sh.type !== 2) continue; // SHT_SYMTAB
    const strtab = section(sh.link);
    for (let o = sh.offset; o + 16 <= sh.offset + sh.size; o += 16) {
      const nameOff = dv.getUint32(o, true);
      const value = dv.getUint32(o + 4, true) & ~1;
      const size = dv.getUint32(o + 8, true);
      if ((buf[o + 12] & 0xf) !== 2 || size === 0) continue; // STT_FUNC
      let end = strtab.offset + nameOff;
      while (buf[end] !== 0) end++;
      const name = buf.toString('latin1', strtab.offset + nameOff, end);
      if (patterns.some((p) => p.test(name))) out.push(named ? [value, value + size, name] : [value, value + size]);
    }
  }
  return out;
}
