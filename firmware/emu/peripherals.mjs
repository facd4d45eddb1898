// Peripherals the image touches that rp2040js lacks: the ring oscillator's random bit (RoscRng,
// from a seeded xorshift so that runs repeat), XIP_CTRL (idle and flushed, always) and
// VREG_AND_CHIP_RESET (at its reset values).

import { BasePeripheral } from 'rp2040js';

export function installMissingPeripherals(mcu, seedIn) {
  // ---- ring oscillator: its random bit (RoscRng) ------------------------------------------------

  let seed = seedIn;
  function randomBit() {
    // xorshift64: reproducible runs (the same seed, the same session keys, the same cycle count)
    seed ^= (seed << 13n) & 0xffffffffffffffffn;
    seed ^= seed >> 7n;
    seed ^= (seed << 17n) & 0xffffffffffffffffn;
    return Number(seed & 1n);
  }
  class Rosc extends BasePeripheral {
    constructor() {
      super(mcu, 'ROSC');
      this.regs = new Uint32Array(16);
      this.regs[0] = 0xfab000; // CTRL: enabled
    }
    readUint32(offset) {
      if (offset === 0x18) return 0x80000000 | 0x1000; // STATUS: stable, enabled
      if (offset === 0x1c) return randomBit(); // RANDOMBIT
      return this.regs[(offset >> 2) & 15];
    }
    writeUint32(offset, value) {
      this.regs[(offset >> 2) & 15] = value;
    }
  }
  mcu.peripherals[0x40060] = new Rosc();

  // XIP_CTRL (0x14000000), not in rp2040js: embassy-rp's flash writes wait for the XIP streaming
  // engine to be idle and flush the cache. Idle, empty and flushed, always.
  class XipCtrl extends BasePeripheral {
    constructor() {
      super(mcu, 'XIP_CTRL');
      this.regs = new Uint32Array(8);
      this.regs[0] = 0x3; // CTRL: cache enabled
    }
    readUint32(offset) {
      if (offset === 0x08) return 0x3; // STAT: FIFO empty, flush ready
      if (offset === 0x18 || offset === 0x1c) return 0; // STREAM_CTR, STREAM_FIFO
      return this.regs[(offset >> 2) & 7];
    }
    writeUint32(offset, value) {
      this.regs[(offset >> 2) & 7] = value;
    }
  }
  mcu.peripherals[0x14000] = new XipCtrl();

  // VREG_AND_CHIP_RESET (0x40064000), not in rp2040js: embassy-rp reads the regulator setting and
  // writes it back with the core voltage it wants. Registers at their reset values (VREG 1.10 V
  // enabled, BOD 0.86 V enabled, CHIP_RESET after power-on).
  class Vreg extends BasePeripheral {
    constructor() {
      super(mcu, 'VREG_AND_CHIP_RESET');
      this.regs = Uint32Array.from([0xb1, 0x91, 0x100]);
    }
    readUint32(offset) {
      return this.regs[offset >> 2] ?? 0;
    }
    writeUint32(offset, value) {
      if (offset >> 2 < 2) this.regs[offset >> 2] = value;
    }
  }
  mcu.peripherals[0x40064] = new Vreg();
}
