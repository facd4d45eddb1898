#!/usr/bin/env node
// The cancuoc reader's RP2040 board image (firmware/board, the ELF `cargo board-rp2040` builds)
// running in rp2040js, the RP2040 emulator behind Wokwi, with:
//   - a simulated PN532 on SPI0 (SCK GP18, MOSI GP19, MISO GP16, CS GP17), speaking the PN532's
//     SPI frame protocol, whose card is the Rust chip simulator on a loopback TCP port
//     (cancuoc_sim::card_server; `card-server` prints one);
//   - the board's USB CDC port driven by rp2040js's USB host side, its bytes on this process's
//     stdin (host → reader) and stdout (reader → host), which a test or socat joins to a
//     pseudo-terminal that `cancuoc read --usb` opens;
//   - what rp2040js lacks and the image needs, supplied here (docs/hardware.md "The board image
//     in an emulator"): the second Cortex-M0+ core with the SIO inter-core FIFOs, CPUID, per-core
//     divider and MPU registers; the boot ROM's function table (looked up by the image, answered
//     here); the ring oscillator's random bit; system reset and the watchdog reported, not hidden.
//
// Events go to stderr, one JSON object per line: boot milestones, each card read's cycles and
// radio bytes, warnings from the emulator. Nothing personal: APDUs are counted, never printed.
//
//   node harness.mjs --elf cancuoc-rp2040.elf --card PORT --flash 0x1F0000:trust.bin
//                    [--seed N] [--max-sim-seconds S] [--hang-core1-after-ms T] [--profile]
//
// --seed: the ring oscillator's random bits (default 1: runs repeat exactly). --max-sim-seconds:
// stop after this much emulated time. --hang-core1-after-ms T: core 1 stops at T ms of emulated
// time, as a core stuck in a loop (the watchdog test). --profile: after each read, where core 1's cycles went, by
// function. CANCUOC_EMU_TRACE=1: every USB transfer's size (never its bytes).

import { readFileSync } from 'node:fs';
import { createSetupPacket, DataDirection, RP2040, SetupRecipient, SetupType, USBCDC } from 'rp2040js';

import { installBootRom } from './bootrom.mjs';
import { installSecondCore } from './cores.mjs';
import { FLASH, functionRanges, loadElf } from './elf.mjs';
import { installMissingPeripherals } from './peripherals.mjs';
import { installPn532 } from './pn532.mjs';

const args = process.argv.slice(2);
function opt(name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}
function opts(name) {
  const out = [];
  args.forEach((a, i) => {
    if (a === name && i + 1 < args.length) out.push(args[i + 1]);
  });
  return out;
}

const t0 = Date.now();
function event(name, fields = {}) {
  process.stderr.write(JSON.stringify({ event: name, sim_ms: +simMs().toFixed(3), wall_ms: Date.now() - t0, ...fields }) + '\n');
}
function fail(message, code = 1) {
  event('fatal', { message });
  process.exit(code);
}

const elfPath = opt('--elf');
const cardAddr = opt('--card');
if (!elfPath || !cardAddr) {
  process.stderr.write('usage: node harness.mjs --elf IMAGE.elf --card [HOST:]PORT [--flash OFFSET:FILE]... [--seed N] [--max-sim-seconds S]\n');
  process.exit(2);
}
const maxSimSeconds = Number(opt('--max-sim-seconds', '0'));

const mcu = new RP2040();
function simMs() {
  return mcu.clock.nanos / 1e6;
}

// ---- logger: rp2040js reports unimplemented registers and instructions through it ----------

const warned = new Map();
let core1Sev = null; // set below: signals an event to every core (SEV)
mcu.logger = {
  debug() {},
  info(_component, message) {
    if (message === 'SEV') core1Sev();
  },
  warn(component, message) {
    const key = `${component}: ${message}`; // each distinct register, up to three times
    const n = (warned.get(key) || 0) + 1;
    warned.set(key, n);
    if (n <= 3) event('emulator-warning', { component, message });
  },
  error(component, message) {
    fail(`${component}: ${message}`);
  },
};

// ---- the image --------------------------------------------------------------------------------

const elf = readFileSync(elfPath);
const imageBytes = loadElf(elf, mcu.flash, fail, elfPath);

// Where core 1 only waits for time to pass: embassy-time's busy delay and the clock it reads.
const waitRanges = functionRanges(elf, [/embassy_time.*block_for/, /TimerDriver.*embassy_time_driver.*Driver.*3now/]);
for (const spec of opts('--flash')) {
  const [off, file] = spec.split(/:(.*)/s);
  const data = readFileSync(file);
  const offset = Number(off);
  if (!(offset >= 0) || offset + data.length > 2 * 1024 * 1024) fail(`--flash ${spec}: outside the 2 MB flash`);
  mcu.flash.set(data, offset);
}

// ---- boot ROM: the function and data tables the image looks up ------------------------------
//
// The RP2040's mask ROM is not in the npm package. The image uses it only through the lookup
// function at 0x18 and the tables at 0x14/0x16 (embassy_rp::rom_data); each function we offer is a
// two-instruction stub `BKPT #n; BX LR` whose work is done here. A function we do not offer is a
// stub that stops the emulation and names it, so that a missing piece is never silent.

const romHandlers = installBootRom(mcu, { event, fail, finish });

installMissingPeripherals(mcu, BigInt(opt('--seed', '1')) || 1n);

// ---- the second core, the inter-core FIFOs, per-core registers (cores.mjs) -------------------

const dual = installSecondCore(mcu, { event, fail, finish, romHandlers });
const { cores, use } = dual;
const sio = mcu.sio;
core1Sev = dual.sev;

// ---- the simulated PN532 on SPI0, its card on a TCP port (pn532.mjs) --------------------------

// State the PN532 and the run loop share (pn532.mjs says what each field is).
const bus = { blocked: null, readStart: null, core1Waiting: 0, inWindow: 0, cutWindow: false };
const NS_PER_CYCLE = 1e9 / 125e6;
const pn532 = installPn532(mcu, {
  event,
  fail,
  cores,
  bus,
  nsPerCycle: NS_PER_CYCLE,
  // The card's TA(1) in its ATS (--ats-ta, default 0xB3: 212 and 424 kbit/s both ways; 0x80
  // offers nothing above 106) and whether it refuses the PPS (--refuse-pps).
  atsTa: Number(opt('--ats-ta', '0xB3')),
  refusePps: args.includes('--refuse-pps'),
  // The PN532's IRQ line left unconnected (--no-irq): the board keeps to the status byte.
  noIrq: args.includes('--no-irq'),
  onRead: (figures) => {
    // + the longest the host waited, in wall time, for the next bytes from the reader
    event('read', { ...figures, longest_silence_wall_ms: longestSilence });
    longestSilence = 0;
    holderDone = new Set();
    if (profile) {
      const total = [...profile.values()].reduce((a, b) => a + b, 0);
      const top = [...profile].sort((a, b) => b[1] - a[1]).slice(0, 25);
      event('profile', { core: 1, top: top.map(([f, n]) => [f.replace(/17h[0-9a-f]{16}E$/, ''), +((100 * n) / total).toFixed(1)]) });
      profile.clear();
    }
  },
});

// ---- the status LED (GP25) ---------------------------------------------------------------------
//
// Each time it goes off after being on for 100 ms or more (the idle blink is 50 ms, the reading
// blink 80 ms): an event with how long. "Verified" is 3 s on; "not verified", three 120 ms flashes.
const led = mcu.gpio[25];
let ledOnSince = null;
led.addListener(() => {
  const on = led.outputValue;
  if (on && ledOnSince === null) ledOnSince = mcu.clock.nanos;
  if (!on && ledOnSince !== null) {
    const ms = (mcu.clock.nanos - ledOnSince) / 1e6;
    ledOnSince = null;
    if (ms >= 100) event('led', { on_ms: +ms.toFixed(1) });
  }
});

// ---- fault injection: core 1 stops making progress --------------------------------------------

const hangAfterMs = Number(opt('--hang-core1-after-ms', '0'));
let core1Hung = false;

// ---- USB: rp2040js's CDC host, bytes to and from stdio ----------------------------------------

const usb = mcu.usbCtrl;
const cdc = new USBCDC(usb);
// SET_CONTROL_LINE_STATE (DTR, RTS) goes to the communication interface (USB CDC PSTN 1.2
// §6.3.12), as Linux's cdc_acm sends it; rp2040js addresses it to the device, which embassy-usb's
// CDC class does not take — and the board sends nothing until the host raises DTR.
cdc.cdcSetControlLineState = (value = 3, interfaceNumber = 0) => {
  usb.sendSetupPacket(
    createSetupPacket({
      dataDirection: DataDirection.HostToDevice,
      type: SetupType.Class,
      recipient: SetupRecipient.Interface,
      bRequest: 0x22,
      wValue: value,
      wIndex: interfaceNumber,
      wLength: 0,
    }),
  );
  cdc.initialized = true;
};
const toDevice = [];
let outWanted = 0;
// The device armed its OUT endpoint: hand it bytes when there are some. rp2040js clears the
// buffer's AVAILABLE bit at once and its own CDC host answers with an empty packet, so the
// device's read returns 0 bytes over and over and core 0 never sleeps; on the chip AVAILABLE
// stays set until the host has sent a packet, which is what we do here.
const AVAILABLE = 1 << 10;
const outBufferControl = (endpoint) => 0x80 + endpoint * 8 + 4;
usb.onEndpointRead = (endpoint, size) => {
  if (endpoint === cdc.outEndpoint) {
    const off = outBufferControl(endpoint);
    mcu.usbDPRAMView.setUint32(off, mcu.usbDPRAMView.getUint32(off, true) | AVAILABLE, true);
    outWanted = size;
    pumpToDevice();
  }
};
const finishRead = usb.finishRead.bind(usb);
usb.finishRead = (endpoint, buffer) => {
  const off = outBufferControl(endpoint);
  mcu.usbDPRAMView.setUint32(off, mcu.usbDPRAMView.getUint32(off, true) & ~AVAILABLE, true);
  finishRead(endpoint, buffer);
};
function pumpToDevice() {
  if (!outWanted || toDevice.length === 0 || !cdc.initialized) return;
  const n = Math.min(outWanted, toDevice.length, 64);
  outWanted = 0;
  usb.endpointReadDone(cdc.outEndpoint, Uint8Array.from(toDevice.splice(0, n)));
}
let usbUp = false;
cdc.onDeviceConnected = () => {
  usbUp = true;
  event('usb-configured', { cycles: cores[0].cycles });
  pumpToDevice();
};
const trace = process.env.CANCUOC_EMU_TRACE === '1';
let lastToHost = Date.now();
let longestSilence = 0;
// The frames to the host, decoded as far as one figure needs: when the holder's data (DG1 and
// DG13, the files the PC shows first) has wholly reached the host, in emulated time from the
// read's first APDU. A frame is COBS(postcard(ReaderMsg) ‖ CRC-32) 0x00 (firmware/link); a
// FileData message is variant 5: fid, offset, total as varints, then the data's length and bytes.
let inFrame = [];
let holderDone = new Set();
const varint = (b, at) => {
  let v = 0;
  let shift = 0;
  while (at.i < b.length) {
    const x = b[at.i++];
    v += (x & 0x7f) * 2 ** shift;
    if (!(x & 0x80)) return v;
    shift += 7;
  }
  return null;
};
const unCobs = (f) => {
  const out = [];
  let i = 0;
  while (i < f.length) {
    const code = f[i++];
    for (let j = 1; j < code && i < f.length; j++) out.push(f[i++]);
    if (code < 0xff && i < f.length) out.push(0);
  }
  return out;
};
const frameToHost = (f) => {
  const b = unCobs(f);
  const at = { i: 0 };
  if (varint(b, at) !== 5 || bus.readStart === null) return;
  const fid = varint(b, at);
  const offset = varint(b, at);
  const total = varint(b, at);
  const len = varint(b, at);
  if (offset + len !== total || (fid !== 0x0101 && fid !== 0x010d)) return;
  holderDone.add(fid);
  if (holderDone.size === 2) {
    event('holder-data', { ms_from_read_start: +((mcu.clock.nanos - bus.readStart.ns) / 1e6).toFixed(1) });
  }
};
cdc.onSerialData = (buf) => {
  if (trace) event('usb-in', { bytes: buf.length });
  const now = Date.now();
  if (bus.readStart !== null) longestSilence = Math.max(longestSilence, now - lastToHost);
  lastToHost = now;
  for (const x of buf) {
    if (x === 0) {
      frameToHost(inFrame);
      inFrame = [];
    } else inFrame.push(x);
  }
  process.stdout.write(Buffer.from(buf));
};
process.stdin.on('data', (chunk) => {
  if (trace) event('usb-out', { bytes: chunk.length, armed: outWanted });
  for (const b of chunk) toDevice.push(b);
  pumpToDevice();
  wake();
});
process.stdin.on('end', () => finish(0));

// ---- running both cores -----------------------------------------------------------------------

const MAX_WINDOW = 4096; // cycles, ≈ 33 µs
let stopped = false;
let wakeUp = null;
function wake() {
  if (wakeUp) {
    const w = wakeUp;
    wakeUp = null;
    w();
  }
}
function finish(codeOut) {
  if (stopped) return;
  stopped = true;
  event('exit', { code: codeOut, core0_cycles: cores[0].cycles, core1_cycles: cores[1].cycles });
  process.stdout.write('', () => process.exit(codeOut));
}

// Cycles the running core has executed in the current window (`bus.inWindow`), and
// `bus.cutWindow`, set when a peripheral it drives must end the window early (an SPI byte).

function slice(budgetCycles) {
  // Both cores run in step: each executes up to the same number of cycles, never past the next
  // timer, SPI or USB event (so that peripherals answer on time), then the clock moves on.
  const [c0, c1] = cores;
  let spent = 0;
  while (spent < budgetCycles && bus.blocked === null && !stopped) {
    const next = mcu.clock.nanosToNextAlarm;
    const window = next > 0 ? Math.min(MAX_WINDOW, Math.ceil(next / NS_PER_CYCLE)) : MAX_WINDOW;
    let t0 = 0;
    let t1 = 0;
    if (!c0.waiting) {
      use(0);
      bus.inWindow = 0;
      bus.cutWindow = false;
      // A core does not leave its window inside a critical section (holding an SIO spinlock):
      // on the chip the other core would spin for a few cycles, not for a whole window.
      while ((t0 < window || sio.spinLock !== 0) && !c0.waiting && bus.blocked === null && !(bus.cutWindow && sio.spinLock === 0)) {
        t0 += c0.executeInstruction();
        bus.inWindow = t0;
      }
    }
    if (dual.core1Running && !c1.waiting && !core1Hung && bus.blocked === null) {
      use(1);
      bus.inWindow = 0;
      bus.cutWindow = false;
      const until = t0 || window;
      while ((t1 < until || sio.spinLock !== 0) && !c1.waiting && bus.blocked === null && !(bus.cutWindow && sio.spinLock === 0)) {
        const pc = c1.PC;
        const n = c1.executeInstruction();
        t1 += n;
        bus.inWindow = t1;
        for (const [a, b] of waitRanges) if (pc >= a && pc < b) bus.core1Waiting += n;
      }
    }
    use(0);
    if (profile && bus.readStart !== null && t1 > 0) {
      const f = functionAt(c1.PC >>> 0);
      profile.set(f, (profile.get(f) || 0) + t1);
    }
    const dt = Math.max(t0, t1);
    if (dt === 0) {
      // Both cores asleep: on to the next event.
      if (next <= 0) return spent;
      mcu.clock.tick(next);
      spent += next / NS_PER_CYCLE;
      continue;
    }
    mcu.clock.tick(dt * NS_PER_CYCLE);
    spent += dt;
  }
  return spent;
}

let announced = false;
// --profile: where core 1's cycles go during each read, by function (sampled once a window).
const profile = args.includes('--profile') ? new Map() : null;
const allFunctions = profile ? functionRanges(elf, [/./], true).sort((a, b) => a[0] - b[0]) : [];
function functionAt(pc) {
  let lo = 0;
  let hi = allFunctions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b, name] = allFunctions[mid];
    if (pc < a) hi = mid - 1;
    else if (pc >= b) lo = mid + 1;
    else return name;
  }
  return `0x${pc.toString(16)}`;
}
async function main() {
  await pn532.connectCard(cardAddr, () => stopped);

  // Reset as the boot ROM leaves it after boot2: VTOR at the image's vector table.
  const c0 = cores[0];
  c0.VTOR = FLASH + 0x100;
  c0.SP = mcu.readUint32(FLASH + 0x100);
  c0.PC = mcu.readUint32(FLASH + 0x104) & ~1;
  event('reset', { image_bytes: imageBytes, wait_functions: waitRanges.length });

  let nextSecond = 1;
  while (!stopped) {
    if (bus.blocked) {
      await bus.blocked;
      continue;
    }
    slice(2_000_000);
    if (!announced && usbUp && pn532.fieldOn()) {
      announced = true;
      event('ready', { core0_cycles: cores[0].cycles, core1_cycles: cores[1].cycles });
    }
    // One event per emulated second: a test can wait for emulated time to pass (the reader
    // idle before the card comes) without depending on how fast the host runs the emulator.
    if (simMs() >= nextSecond * 1000) {
      event('second', { second: nextSecond });
      nextSecond += 1;
    }
    if (hangAfterMs && !core1Hung && simMs() >= hangAfterMs) {
      core1Hung = true;
      event('core1-hung', {});
    }
    if (maxSimSeconds && simMs() > maxSimSeconds * 1000) {
      event('time-limit', {});
      finish(5);
    }
    if (cores[0].waiting && (!dual.core1Running || cores[1].waiting) && mcu.clock.nanosToNextAlarm <= 0) {
      await new Promise((resolve) => {
        wakeUp = resolve;
      });
    } else {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
main().catch((e) => fail(e.stack || String(e)));
