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
import net from 'node:net';
import { createSetupPacket, DataDirection, RP2040, SetupRecipient, SetupType, USBCDC } from 'rp2040js';

import { installBootRom } from './bootrom.mjs';
import { installSecondCore } from './cores.mjs';
import { FLASH, functionRanges, loadElf } from './elf.mjs';
import { installMissingPeripherals } from './peripherals.mjs';

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

// ---- the simulated PN532 on SPI0 --------------------------------------------------------------

const rev8 = (b) => {
  let out = 0;
  for (let i = 0; i < 8; i++) out = (out << 1) | ((b >> i) & 1);
  return out;
};
const ACK = [0x00, 0x00, 0xff, 0x00, 0xff, 0x00];
// Radio: ISO 14443 at 106 kbit/s, 9 bits a byte (parity), with the PCB and CRC of each block;
// after a PPS (InPSL) at 212 or 424 kbit/s, the bytes take a half or a quarter of that time and
// the frame delay times stay as they are.
const BIT_NS = 1e9 / 105937.5;
let rateCode = 0; // 0: 106, 1: 212, 2: 424 kbit/s
function airNs(bytes) {
  return Math.round(((bytes + 3) * 9 * BIT_NS) / (1 << rateCode)) + 2 * 86 * BIT_NS; // + frame delay time both ways
}
// The card's TA(1) in its ATS (--ats-ta, default 0xB3: 212 and 424 kbit/s both ways; 0x80 offers
// nothing above 106) and whether it refuses the PPS (--refuse-pps).
const atsTa = Number(opt('--ats-ta', '0xB3'));
const refusePps = args.includes('--refuse-pps');

// The card on the antenna: the chip simulator over TCP, one request at a time.
let cardSocket = null;
let cardBuf = Buffer.alloc(0);
let cardWaiter = null;
let blocked = null; // while set, the emulation waits: the card is answering (time stands still)
function cardRequest(bytes) {
  if (!cardSocket) fail('no card server');
  const msg = Buffer.alloc(4 + bytes.length);
  msg.writeUInt32BE(bytes.length, 0);
  Buffer.from(bytes).copy(msg, 4);
  cardSocket.write(msg);
  blocked = new Promise((resolve) => {
    cardWaiter = resolve;
  });
  return blocked;
}
function cardData(chunk) {
  cardBuf = Buffer.concat([cardBuf, chunk]);
  if (cardBuf.length >= 4) {
    const n = cardBuf.readUInt32BE(0);
    if (cardBuf.length >= 4 + n) {
      const body = cardBuf.subarray(4, 4 + n);
      cardBuf = cardBuf.subarray(4 + n);
      const w = cardWaiter;
      cardWaiter = null;
      blocked = null;
      w(Uint8Array.from(body));
    }
  }
}

let frontEndUp = false;
const stats = { apdus: 0, bytesOut: 0, bytesIn: 0, waitNs: 0, spiBytes: 0, spiNs: 0 };
let busyStart = null;
let core1Waiting = 0; // core 1's cycles in embassy-time's busy delay
function busyEnd() {
  // The reader's core 1 polls the PN532's status while it works (radio, card): that time and
  // those cycles are waiting, not the reader's own work.
  if (busyStart && readStart !== null) {
    stats.waitNs += mcu.clock.nanos - busyStart.ns;
  }
  busyStart = null;
}
let readStart = null;
const pn = {
  mode: null, // transaction: 'write' | 'status' | 'read' | 'junk'
  inbuf: [],
  out: null, // the frame the host reads next
  outPos: 0,
  ready: false,
  afterAck: null, // the command to run once the host has read the ACK
  field: false,
  target: false,
  chainIn: [], // APDU pieces sent with MI
  chainOut: null, // the rest of a long card answer
  readyAlarm: mcu.clock.createAlarm(() => {
    pn.ready = true;
    busyEnd();
  }),
};
function pnByte(wire) {
  const b = rev8(wire);
  if (pn.mode === null) {
    pn.mode = b === 0x01 ? 'write' : b === 0x02 ? 'status' : b === 0x03 ? 'read' : 'junk';
    pn.inbuf = [];
    pn.outPos = 0;
    return 0;
  }
  switch (pn.mode) {
    case 'write':
      pn.inbuf.push(b);
      return 0;
    case 'status':
      return rev8(pn.ready ? 0x01 : 0x00);
    case 'read':
      return rev8(pn.out && pn.outPos < pn.out.length ? pn.out[pn.outPos++] : 0x00);
  }
  return 0;
}
function pnCsHigh() {
  const mode = pn.mode;
  pn.mode = null;
  if (mode === 'write') pnFrame(pn.inbuf);
  else if (mode === 'read' && pn.out && pn.outPos > 0) {
    pn.out = null;
    pn.ready = false;
    if (pn.afterAck) {
      const cmd = pn.afterAck;
      pn.afterAck = null;
      busyStart = { ns: mcu.clock.nanos };
      pnRun(cmd);
    }
  }
}
function pnFrame(bytes) {
  // Host → PN532: 00 00 FF LEN LCS D4 … DCS 00, or the extended form FF FF LENM LENL LCS.
  let i = bytes.findIndex((b, k) => b === 0x00 && bytes[k + 1] === 0xff);
  if (i < 0) return;
  i += 2;
  let len;
  if (bytes[i] === 0xff && bytes[i + 1] === 0xff) {
    len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (((bytes[i + 2] + bytes[i + 3] + bytes[i + 4]) & 0xff) !== 0) return;
    i += 5;
  } else {
    len = bytes[i];
    if (len === 0 && bytes[i + 1] === 0xff) return; // an ACK from the host
    if (((len + bytes[i + 1]) & 0xff) !== 0) return; // the PN532 ignores a bad length checksum
    i += 2;
  }
  const data = bytes.slice(i, i + len);
  const dcs = bytes[i + len];
  if (data.length !== len || ((data.reduce((a, b) => a + b, 0) + dcs) & 0xff) !== 0 || data[0] !== 0xd4) return;
  pn.out = ACK;
  pn.ready = true;
  pn.afterAck = data.slice(1);
}
function pnAnswer(command, params, delayNs = 50_000) {
  const data = [0xd5, command + 1, ...params];
  const frame = [0x00, 0x00, 0xff];
  if (data.length > 255) frame.push(0xff, 0xff, data.length >> 8, data.length & 0xff, (-(data.length >> 8) - (data.length & 0xff)) & 0xff);
  else frame.push(data.length, -data.length & 0xff);
  frame.push(...data, -data.reduce((a, b) => a + b, 0) & 0xff, 0x00);
  pn.out = frame;
  pn.ready = false;
  pn.readyAlarm.schedule(delayNs);
}
async function pnRun([command, ...params]) {
  switch (command) {
    case 0x02: // GetFirmwareVersion: PN532 v1.6, ISO/IEC 14443 A and B and ISO 18092
      return pnAnswer(command, [0x32, 0x01, 0x06, 0x07]);
    case 0x14: // SAMConfiguration
      return pnAnswer(command, []);
    case 0x32: // RFConfiguration
      // The reader's PN532 set-up ends with the timeouts (item 0x02): the front end is ready.
      if (params[0] === 0x02 && !frontEndUp) {
        frontEndUp = true;
        event('front-end-initialised', { core1_cycles: cores[1].cycles });
      }
      if (params[0] === 0x01 && !(params[1] & 1) && pn.field) {
        pn.field = false;
        pn.target = false;
        await cardRequest([]); // the chip loses power
        readDone();
      }
      return pnAnswer(command, []);
    case 0x4a: {
      // InListPassiveTarget (MaxTg, BrTy, …): the card answers type A
      pn.field = true;
      rateCode = 0;
      const present = (await cardRequest([0x01]))[0] === 1;
      if (!present || params[1] !== 0x00) return pnAnswer(command, [0x00], 5_000_000);
      pn.target = true;
      event('card-detected', {});
      // Tg, SENS_RES, SEL_RES (ISO 14443-4), NFCID1 (random, 4 bytes), ATS
      return pnAnswer(command, [0x01, 0x01, 0x00, 0x04, 0x20, 0x04, 0x08, 0x5a, 0x13, 0x37, 0x05, 0x78, atsTa, 0x70, 0x02], 3_000_000);
    }
    case 0x4e: {
      // InPSL (Tg, BRit, BRti): the PPS at 106 kbit/s, then the new rate (or status 0x01, the card
      // did not answer it, and 106 stays)
      const [, brit, brti] = params;
      const offered = (atsTa & 0x22) === 0x22 ? 2 : (atsTa & 0x11) === 0x11 ? 1 : 0;
      if (!pn.target || refusePps || brit !== brti || brit > offered) return pnAnswer(command, [0x01], airNs(4));
      const before = airNs(4);
      rateCode = brit;
      event('pps', { kbps: [106, 212, 424][brit] });
      return pnAnswer(command, [0x00], before);
    }
    case 0x40: {
      // InDataExchange (Tg | MI, data)
      if (!pn.target) return pnAnswer(command, [0x27]); // no target activated
      const mi = params[0] & 0x40;
      const piece = params.slice(1);
      if (pn.chainOut && piece.length === 0 && !mi) {
        return pnChunk(command, airNs(0));
      }
      pn.chainIn.push(...piece);
      if (mi) return pnAnswer(command, [0x00], airNs(piece.length));
      const apdu = pn.chainIn;
      pn.chainIn = [];
      if (readStart === null) readStart = { cycles: cores.map((c) => c.cycles), ns: mcu.clock.nanos, waiting: core1Waiting };
      const answer = await cardRequest(apdu);
      if (answer.length === 0) {
        pn.target = false;
        return pnAnswer(command, [0x01], 102_400_000); // the card did not answer: timeout
      }
      stats.apdus++;
      stats.bytesOut += apdu.length;
      stats.bytesIn += answer.length;
      pn.chainOut = answer;
      return pnChunk(command, airNs(apdu.length + answer.length));
    }
    case 0x00: {
      // Diagnose 0x06: is the activated card still there?
      if (params[0] !== 0x06) return pnAnswer(command, [0x00]);
      const present = pn.target && (await cardRequest([0x01]))[0] === 1;
      if (!present) pn.target = false;
      return pnAnswer(command, [present ? 0x00 : 0x01], present ? airNs(2) : 102_400_000);
    }
    case 0x52: // InRelease
      pn.target = false;
      return pnAnswer(command, [0x00]);
    default:
      event('pn532-unknown-command', { command });
      pn.out = [0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00]; // the error frame
      pn.ready = true;
  }
}
function pnChunk(command, delayNs) {
  const rest = pn.chainOut;
  const part = rest.slice(0, 262);
  pn.chainOut = rest.length > 262 ? rest.slice(262) : null;
  pnAnswer(command, [pn.chainOut ? 0x40 : 0x00, ...part], delayNs);
}
function readDone() {
  if (readStart === null) return;
  const cycles = cores.map((c, i) => c.cycles - readStart.cycles[i]);
  event('read', {
    apdus: stats.apdus,
    command_bytes: stats.bytesOut,
    response_bytes: stats.bytesIn,
    core0_cycles: cycles[0],
    core1_cycles: cycles[1],
    // core 1's cycles less those it spent in embassy-time's busy delay (polling the PN532's
    // status every millisecond while it talks to the card, waiting for room in the USB queue)
    core1_work_cycles: cycles[1] - (core1Waiting - readStart.waiting),
    read_ms: +((mcu.clock.nanos - readStart.ns) / 1e6).toFixed(1),
    pn532_busy_ms: +(stats.waitNs / 1e6).toFixed(1),
    // bytes on the SPI bus to and from the PN532 (status polls included) and their wire time
    spi_bytes: stats.spiBytes,
    spi_wire_ms: +(stats.spiNs / 1e6).toFixed(1),
    // the longest the host waited, in wall time, for the next bytes from the reader
    longest_silence_wall_ms: longestSilence,
  });
  longestSilence = 0;
  if (profile) {
    const total = [...profile.values()].reduce((a, b) => a + b, 0);
    const top = [...profile].sort((a, b) => b[1] - a[1]).slice(0, 25);
    event('profile', { core: 1, top: top.map(([f, n]) => [f.replace(/17h[0-9a-f]{16}E$/, ''), +((100 * n) / total).toFixed(1)]) });
    profile.clear();
  }
  readStart = null;
  Object.assign(stats, { apdus: 0, bytesOut: 0, bytesIn: 0, waitNs: 0, spiBytes: 0, spiNs: 0 });
}

const spi0 = mcu.spi[0];
let spiHz = null;
spi0.onTransmit = (value) => {
  // A byte takes 8 SPI clocks on the wire; the answer byte arrives as the last one goes out.
  const hz = spi0.clockFrequency || 1e6;
  if (hz !== spiHz) {
    spiHz = hz;
    event('spi-clock', { hz: Math.round(hz) });
  }
  const answer = pnByte(value & 0xff);
  spiAlarm.value = answer;
  // The core that wrote the byte is `inWindow` cycles into its window, and the clock still stands
  // at the window's start: the byte is done that much later, and the window ends here so that the
  // core does not run on past the byte (it would wait out a whole window per byte: 33 µs, not
  // the 1.7 µs of 8 clocks at 4.8 MHz).
  spiAlarm.schedule(Math.round((8 * 1e9) / hz + inWindow * NS_PER_CYCLE));
  cutWindow = true;
  if (readStart !== null) {
    stats.spiBytes++;
    stats.spiNs += (8 * 1e9) / hz;
  }
};
const spiAlarm = mcu.clock.createAlarm(() => spi0.completeTransmit(spiAlarm.value));
const cs = mcu.gpio[17];
let csLevel = true;
cs.addListener(() => {
  const level = cs.outputValue;
  if (level === csLevel) return;
  csLevel = level;
  if (level) pnCsHigh();
  else pn.mode = null;
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
cdc.onSerialData = (buf) => {
  if (trace) event('usb-in', { bytes: buf.length });
  const now = Date.now();
  if (readStart !== null) longestSilence = Math.max(longestSilence, now - lastToHost);
  lastToHost = now;
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

const NS_PER_CYCLE = 1e9 / 125e6;
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

// Cycles the running core has executed in the current window; set when a peripheral it drives
// must end the window early (the SPI byte above).
let inWindow = 0;
let cutWindow = false;

function slice(budgetCycles) {
  // Both cores run in step: each executes up to the same number of cycles, never past the next
  // timer, SPI or USB event (so that peripherals answer on time), then the clock moves on.
  const [c0, c1] = cores;
  let spent = 0;
  while (spent < budgetCycles && blocked === null && !stopped) {
    const next = mcu.clock.nanosToNextAlarm;
    const window = next > 0 ? Math.min(MAX_WINDOW, Math.ceil(next / NS_PER_CYCLE)) : MAX_WINDOW;
    let t0 = 0;
    let t1 = 0;
    if (!c0.waiting) {
      use(0);
      inWindow = 0;
      cutWindow = false;
      // A core does not leave its window inside a critical section (holding an SIO spinlock):
      // on the chip the other core would spin for a few cycles, not for a whole window.
      while ((t0 < window || sio.spinLock !== 0) && !c0.waiting && blocked === null && !(cutWindow && sio.spinLock === 0)) {
        t0 += c0.executeInstruction();
        inWindow = t0;
      }
    }
    if (dual.core1Running && !c1.waiting && !core1Hung && blocked === null) {
      use(1);
      inWindow = 0;
      cutWindow = false;
      const until = t0 || window;
      while ((t1 < until || sio.spinLock !== 0) && !c1.waiting && blocked === null && !(cutWindow && sio.spinLock === 0)) {
        const pc = c1.PC;
        const n = c1.executeInstruction();
        t1 += n;
        inWindow = t1;
        for (const [a, b] of waitRanges) if (pc >= a && pc < b) core1Waiting += n;
      }
    }
    use(0);
    if (profile && readStart !== null && t1 > 0) {
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
  const [host, port] = cardAddr.includes(':') ? cardAddr.split(':') : ['127.0.0.1', cardAddr];
  cardSocket = net.createConnection({ host, port: Number(port) });
  cardSocket.setNoDelay(true);
  cardSocket.on('data', cardData);
  cardSocket.on('error', (e) => fail(`card server: ${e.message}`));
  cardSocket.on('close', () => {
    if (!stopped) fail('the card server closed the connection');
  });
  await new Promise((resolve) => cardSocket.once('connect', resolve));

  // Reset as the boot ROM leaves it after boot2: VTOR at the image's vector table.
  const c0 = cores[0];
  c0.VTOR = FLASH + 0x100;
  c0.SP = mcu.readUint32(FLASH + 0x100);
  c0.PC = mcu.readUint32(FLASH + 0x104) & ~1;
  event('reset', { image_bytes: imageBytes, wait_functions: waitRanges.length });

  while (!stopped) {
    if (blocked) {
      await blocked;
      continue;
    }
    slice(2_000_000);
    if (!announced && usbUp && pn.field) {
      announced = true;
      event('ready', { core0_cycles: cores[0].cycles, core1_cycles: cores[1].cycles });
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
