// The boot ROM's function and data tables, as the board image looks them up: the RP2040's mask
// ROM is not in the npm package, so each function the image uses is a two-instruction stub
// (`BKPT #n; BX LR`) whose work is done here; a function not offered stops the emulation and
// names it. `installBootRom` returns the breakpoint handlers, by number, for `mcu.onBreak`.

import { createHash } from 'node:crypto';

import { FLASH } from './elf.mjs';

export function installBootRom(mcu, { event, fail, finish }) {
  const rom = new Uint8Array(mcu.bootrom.buffer);
  const romFns = new Map(); // code ('MC') -> [bkpt number, handler(core) ]
  let romNext = 0x100;
  const romHandlers = [];
  function romStub(handler) {
    const n = romHandlers.length;
    romHandlers.push(handler);
    const addr = romNext;
    rom[addr] = n; // BKPT #n (0xBEnn)
    rom[addr + 1] = 0xbe;
    rom[addr + 2] = 0x70; // BX LR (0x4770)
    rom[addr + 3] = 0x47;
    romNext += 4;
    return addr;
  }
  function code(s) {
    return s.charCodeAt(0) | (s.charCodeAt(1) << 8);
  }
  const r = (core, i) => core.registers[i] >>> 0;
  const set0 = (core, v) => {
    core.registers[0] = v >>> 0;
  };
  function flashOffset(addr) {
    return addr >= FLASH ? addr - FLASH : addr;
  }
  const functions = {
    P3: (c) => set0(c, popcount(r(c, 0))),
    R3: (c) => set0(c, reverse32(r(c, 0))),
    L3: (c) => set0(c, Math.clz32(r(c, 0))),
    T3: (c) => set0(c, r(c, 0) === 0 ? 32 : 31 - Math.clz32(r(c, 0) & -r(c, 0))),
    MS: (c) => memset(c),
    S4: (c) => memset(c),
    MC: (c) => memcpy(c),
    C4: (c) => memcpy(c),
    IF: () => {}, // connect_internal_flash
    EX: () => {}, // flash_exit_xip
    FC: () => {}, // flash_flush_cache
    CX: () => {}, // flash_enter_cmd_xip
    RE: (c) => {
      // flash_range_erase(offset, count, block_size, block_cmd)
      const off = flashOffset(r(c, 0));
      mcu.flash.fill(0xff, off, off + r(c, 1));
      event('flash-erase', { offset: off, bytes: r(c, 1) });
    },
    RP: (c) => {
      // flash_range_program(offset, data, count): NOR flash only clears bits
      const off = flashOffset(r(c, 0));
      for (let i = 0; i < r(c, 2); i++) mcu.flash[off + i] &= mcu.readUint8(r(c, 1) + i);
      // What the 64 KB block now holds, for a test to compare with what it pushed.
      const block = off & ~0xffff;
      const sha256 = createHash('sha256').update(mcu.flash.subarray(block, block + 0x10000)).digest('hex');
      event('flash-program', { offset: off, bytes: r(c, 2), block, block_sha256: sha256 });
    },
    UB: (c) => {
      event('reset-to-usb-boot', { gpio_mask: r(c, 0), disable_interface_mask: r(c, 1) });
      finish(0);
    },
  };
  function popcount(v) {
    let n = 0;
    for (; v; v &= v - 1) n++;
    return n;
  }
  function reverse32(v) {
    let out = 0;
    for (let i = 0; i < 32; i++) out = (out << 1) | ((v >>> i) & 1);
    return out >>> 0;
  }
  function memset(c) {
    const [p, v, n] = [r(c, 0), r(c, 1) & 0xff, r(c, 2)];
    for (let i = 0; i < n; i++) mcu.writeUint8(p + i, v);
  }
  function memcpy(c) {
    const [d, s, n] = [r(c, 0), r(c, 1), r(c, 2)];
    for (let i = 0; i < n; i++) mcu.writeUint8(d + i, mcu.readUint8(s + i));
  }
  const funcTable = [];
  for (const [name, fn] of Object.entries(functions)) funcTable.push([code(name), romStub(fn)]);
  const missing = (name) => romStub(() => fail(`the image called the boot ROM's '${name}', which this harness does not provide`));
  const lookup = romStub((c) => {
    // rom_table_lookup(table, code): our two tables are searched by code
    const table = r(c, 0);
    const wanted = r(c, 1);
    const name = String.fromCharCode(wanted & 0xff, wanted >> 8);
    if (table === FUNC_TABLE_ADDR) {
      const hit = funcTable.find(([k]) => k === wanted);
      set0(c, hit ? hit[1] : missing(name));
    } else {
      event('rom-data-lookup', { code: name });
      set0(c, 0);
    }
  });
  const FUNC_TABLE_ADDR = 0x40;
  const DATA_TABLE_ADDR = 0x80;
  rom.set([0x4d, 0x75, 0x01, 0x03], 0x10); // magic 'M' 'u' 0x01, ROM version 3 (B2)
  new DataView(rom.buffer).setUint16(0x14, FUNC_TABLE_ADDR, true);
  new DataView(rom.buffer).setUint16(0x16, DATA_TABLE_ADDR, true);
  new DataView(rom.buffer).setUint16(0x18, lookup | 1, true);
  return romHandlers;
}
