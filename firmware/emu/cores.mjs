// What rp2040js lacks for a dual-core image: the second Cortex-M0+ core, run in step with the
// first; the SIO inter-core FIFOs (with the boot ROM's core-1 launch protocol), CPUID and the
// per-core divider and interpolators; every interrupt line to both NVICs; the PSM putting core 1
// back into the boot ROM; the MPU registers; system reset and the watchdog reported.
//
// `installSecondCore` returns the two cores, `use(i)` (make core i the one rp2040js runs),
// whether core 1 runs, and `sev` (the SEV instruction's event to every core).

export function installSecondCore(mcu, { event, fail, finish, romHandlers }) {
  const cores = [mcu.core, new mcu.core.constructor(mcu)];
  let current = 0;
  let core1Running = false;
  let core1Rom = []; // the command sequence the boot ROM's core-1 loop has taken so far
  const rx = [[], []]; // each core's receive FIFO (depth 8)
  const sticky = [0, 0]; // WOF (bit 2) and ROE (bit 3) per core
  const SIO_IRQ_PROC = [15, 16];

  // The divider and interpolators are per core on the chip, one object in rp2040js: swap them.
  const sio = mcu.sio;
  const perCore = [null, null].map(() => ({
    divDividend: 0,
    divDivisor: 1,
    divQuotient: 0,
    divRemainder: 0,
    divCSR: 0,
    interp0: sio.interp0,
    interp1: sio.interp1,
  }));
  perCore[1].interp0 = new sio.interp0.constructor(0);
  perCore[1].interp1 = new sio.interp1.constructor(1);
  const SIO_FIELDS = ['divDividend', 'divDivisor', 'divQuotient', 'divRemainder', 'divCSR', 'interp0', 'interp1'];
  function use(i) {
    if (current === i) return;
    for (const f of SIO_FIELDS) perCore[current][f] = sio[f];
    for (const f of SIO_FIELDS) sio[f] = perCore[i][f];
    mcu.core = cores[i];
    current = i;
  }

  function fifoIrq(c) {
    cores[c].setInterrupt(SIO_IRQ_PROC[c], rx[c].length > 0 || sticky[c] !== 0);
  }
  function fifoWrite(from, value) {
    const to = 1 - from;
    if (to === 1 && !core1Running) {
      core1BootRom(value >>> 0);
      return;
    }
    if (rx[to].length >= 8) sticky[from] |= 4;
    else rx[to].push(value >>> 0);
    fifoIrq(to);
  }
  function core1BootRom(value) {
    // The mask ROM's core-1 wait loop: echo every word; 0 restarts the sequence; after
    // 0, 0, 1, vector table, stack pointer, entry it starts core 1 there.
    rx[0].push(value);
    fifoIrq(0);
    if (value === 0) core1Rom = core1Rom.length === 1 && core1Rom[0] === 0 ? [0, 0] : [0];
    else core1Rom.push(value);
    if (core1Rom.length === 3 && core1Rom[2] !== 1) core1Rom = [];
    if (core1Rom.length === 6) {
      const [, , , vtor, sp, entry] = core1Rom;
      const c1 = cores[1];
      c1.VTOR = vtor;
      c1.SP = sp;
      c1.PC = entry & ~1;
      c1.waiting = false;
      core1Running = true;
      core1Rom = [];
      event('core1-started', { entry: `0x${entry.toString(16)}` });
    }
  }
  const sioRead = sio.readUint32.bind(sio);
  const sioWrite = sio.writeUint32.bind(sio);
  sio.readUint32 = (offset) => {
    switch (offset) {
      case 0x000: // CPUID
        return current;
      case 0x050: // FIFO_ST: VLD, RDY, WOF, ROE
        return (rx[current].length > 0 ? 1 : 0) | (rx[1 - current].length < 8 ? 2 : 0) | sticky[current];
      case 0x058: {
        // FIFO_RD
        if (rx[current].length === 0) {
          sticky[current] |= 8;
          fifoIrq(current);
          return 0;
        }
        const v = rx[current].shift();
        fifoIrq(current);
        return v;
      }
    }
    return sioRead(offset);
  };
  sio.writeUint32 = (offset, value) => {
    if (offset === 0x050) {
      sticky[current] = 0;
      fifoIrq(current);
    } else if (offset === 0x054) {
      fifoWrite(current, value);
    } else {
      sioWrite(offset, value);
    }
  };
  const sev = () => {
    // SEV signals every core: a core in WFE wakes, the others keep the event for their next WFE
    for (const c of cores) {
      if (c.waiting) c.waiting = false;
      else c.eventRegistered = true;
    }
  };
  // Every interrupt line reaches both cores' NVICs, as on the chip; each core's enable mask decides.
  mcu.setInterrupt = (irq, value) => {
    cores[0].setInterrupt(irq, value);
    cores[1].setInterrupt(irq, value);
  };

  // The PSM forcing core 1 off puts it back into the boot ROM's wait loop.
  const psm = mcu.peripherals[0x40010];
  const psmWrite = psm.writeUint32.bind(psm);
  psm.writeUint32 = (offset, value) => {
    psmWrite(offset, value);
    if (offset === 0x4 && value & (1 << 16)) {
      core1Running = false;
      core1Rom = [];
      rx[1] = [];
    }
  };

  // PPB: the MPU registers (core 1 sets a stack guard), system reset requests.
  const mpu = [new Uint32Array(5), new Uint32Array(5)];
  const ppb = mcu.ppb;
  const ppbRead = ppb.readUint32.bind(ppb);
  const ppbWrite = ppb.writeUint32.bind(ppb);
  ppb.readUint32 = (offset) => {
    if (offset >= 0xd90 && offset <= 0xda0) return offset === 0xd90 ? 0x800 : mpu[current][(offset - 0xd90) >> 2];
    return ppbRead(offset);
  };
  ppb.writeUint32 = (offset, value) => {
    if (offset >= 0xd94 && offset <= 0xda0) {
      mpu[current][(offset - 0xd90) >> 2] = value;
      return;
    }
    if (offset === 0xd0c && value >>> 16 === 0x05fa && value & 4) {
      event('system-reset', { core: current, pc: `0x${(cores[current].PC >>> 0).toString(16)}` });
      finish(3);
      return;
    }
    ppbWrite(offset, value);
  };
  mcu.watchdog = mcu.peripherals[0x40058];
  mcu.watchdog.onWatchdogTrigger = () => {
    event('watchdog-reset', {});
    finish(4);
  };
  mcu.onBreak = (n) => {
    const h = romHandlers[n];
    const c = cores[current];
    if (h && (c.PC >>> 0) < 0x4000) h(c);
    else fail(`breakpoint #${n} at 0x${((c.PC - 2) >>> 0).toString(16)} on core ${current}`);
  };
  return {
    cores,
    use,
    sev,
    get core1Running() {
      return core1Running;
    },
  };
}
