// The simulated PN532 on SPI0 (SCK GP18, MOSI GP19, MISO GP16, CS GP17) of the board image in
// rp2040js (harness.mjs): the PN532's SPI frame protocol (NXP UM0701-02), the commands the
// reader uses, the radio's time at the bit rate in force, and the card on its antenna — the
// Rust chip simulator over a loopback TCP socket, one request at a time.
//
// `bus` is the state this device shares with the harness's run loop: `blocked` (set while the
// card answers: the emulation waits, time stands still), `readStart` (a read is being measured),
// `core1Waiting` (core 1's cycles in embassy-time's busy delay, counted by the run loop),
// `inWindow` and `cutWindow` (where the core that wrote an SPI byte is in its window, and the
// request to end the window at that byte). `onRead` gets each finished read's figures.

import net from 'node:net';

export function installPn532(mcu, { event, fail, cores, bus, onRead, atsTa, refusePps, noIrq, nsPerCycle }) {

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

  // The card on the antenna: the chip simulator over TCP, one request at a time.
  let cardBuf = Buffer.alloc(0);
  let cardWaiter = null;
  function cardRequest(bytes) {
    if (!cardSocket) fail('no card server');
    const msg = Buffer.alloc(4 + bytes.length);
    msg.writeUInt32BE(bytes.length, 0);
    Buffer.from(bytes).copy(msg, 4);
    cardSocket.write(msg);
    bus.blocked = new Promise((resolve) => {
      cardWaiter = resolve;
    });
    return bus.blocked;
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
        bus.blocked = null;
        w(Uint8Array.from(body));
      }
    }
  }

  let frontEndUp = false;
  const stats = { apdus: 0, bytesOut: 0, bytesIn: 0, waitNs: 0, spiBytes: 0, spiNs: 0, statusReads: 0 };
  let busyStart = null;
  function busyEnd() {
    // The reader's core 1 polls the PN532's status while it works (radio, card): that time and
    // those cycles are waiting, not the reader's own work.
    if (busyStart && bus.readStart !== null) {
      stats.waitNs += mcu.clock.nanos - busyStart.ns;
    }
    busyStart = null;
  }
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
      setReady(true);
      busyEnd();
    }),
  };
  // P70_IRQ on GP20: low while the PN532 has a frame for the host (UM0701-02 §6.2.5). With
  // --no-irq the line is not connected and the board's pull-up holds it high.
  const irqPin = mcu.gpio[20];
  irqPin.setInputValue(true);
  function setReady(ready) {
    pn.ready = ready;
    if (!noIrq) irqPin.setInputValue(!ready);
  }
  function pnByte(wire) {
    const b = rev8(wire);
    if (pn.mode === null) {
      pn.mode = b === 0x01 ? 'write' : b === 0x02 ? 'status' : b === 0x03 ? 'read' : 'junk';
      if (pn.mode === 'status' && bus.readStart !== null) stats.statusReads++;
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
      setReady(false);
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
    setReady(true);
    pn.afterAck = data.slice(1);
  }
  function pnAnswer(command, params, delayNs = 50_000) {
    const data = [0xd5, command + 1, ...params];
    const frame = [0x00, 0x00, 0xff];
    if (data.length > 255) frame.push(0xff, 0xff, data.length >> 8, data.length & 0xff, (-(data.length >> 8) - (data.length & 0xff)) & 0xff);
    else frame.push(data.length, -data.length & 0xff);
    frame.push(...data, -data.reduce((a, b) => a + b, 0) & 0xff, 0x00);
    pn.out = frame;
    setReady(false);
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
        if (bus.readStart === null) bus.readStart = { cycles: cores.map((c) => c.cycles), ns: mcu.clock.nanos, waiting: bus.core1Waiting };
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
        setReady(true);
    }
  }
  function pnChunk(command, delayNs) {
    const rest = pn.chainOut;
    const part = rest.slice(0, 262);
    pn.chainOut = rest.length > 262 ? rest.slice(262) : null;
    pnAnswer(command, [pn.chainOut ? 0x40 : 0x00, ...part], delayNs);
  }
  function readDone() {
    if (bus.readStart === null) return;
    const cycles = cores.map((c, i) => c.cycles - bus.readStart.cycles[i]);
    onRead({
      apdus: stats.apdus,
      command_bytes: stats.bytesOut,
      response_bytes: stats.bytesIn,
      core0_cycles: cycles[0],
      core1_cycles: cycles[1],
      // core 1's cycles less those it spent in embassy-time's busy delay (polling the PN532's
      // status every millisecond while it talks to the card, waiting for room in the USB queue)
      core1_work_cycles: cycles[1] - (bus.core1Waiting - bus.readStart.waiting),
      read_ms: +((mcu.clock.nanos - bus.readStart.ns) / 1e6).toFixed(1),
      pn532_busy_ms: +(stats.waitNs / 1e6).toFixed(1),
      // bytes on the SPI bus to and from the PN532 (status polls included) and their wire time
      spi_bytes: stats.spiBytes,
      spi_wire_ms: +(stats.spiNs / 1e6).toFixed(1),
      // status reads on the bus (none when the board takes readiness from the IRQ line)
      status_reads: stats.statusReads,
    });
    bus.readStart = null;
    Object.assign(stats, { apdus: 0, bytesOut: 0, bytesIn: 0, waitNs: 0, spiBytes: 0, spiNs: 0, statusReads: 0 });
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
    // The core that wrote the byte is `bus.inWindow` cycles into its window, and the clock still stands
    // at the window's start: the byte is done that much later, and the window ends here so that the
    // core does not run on past the byte (it would wait out a whole window per byte: 33 µs, not
    // the 1.7 µs of 8 clocks at 4.8 MHz).
    spiAlarm.schedule(Math.round((8 * 1e9) / hz + bus.inWindow * nsPerCycle));
    bus.cutWindow = true;
    if (bus.readStart !== null) {
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

  // The card server: one TCP connection for the whole run.
  let cardSocket = null;
  async function connectCard(addr, stopped) {
    const [host, port] = addr.includes(':') ? addr.split(':') : ['127.0.0.1', addr];
    cardSocket = net.createConnection({ host, port: Number(port) });
    cardSocket.setNoDelay(true);
    cardSocket.on('data', cardData);
    cardSocket.on('error', (e) => fail(`card server: ${e.message}`));
    cardSocket.on('close', () => {
      if (!stopped()) fail('the card server closed the connection');
    });
    await new Promise((resolve) => cardSocket.once('connect', resolve));
  }

  return {
    connectCard,
    // the field is on: the reader has set up its front end and looks for cards
    fieldOn: () => pn.field,
  };
}
