// Measures a link with UDP: round-trip time (echo), delivered rate, and loss
// with its burst lengths. Each function runs in the calling process; run as a
// script (`node netns-probe.mjs MODE ...`, e.g. inside a client namespace) it
// prints one JSON result:
//   ping HOST PORT COUNT INTERVAL_MS   round trips to an echo server
//   send HOST PORT KBIT SECONDS SIZE   a paced stream of numbered datagrams
//   recv PORT                          counts a stream until stdin closes
import dgram from 'node:dgram';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const HEADER = 12; // u32 sequence number, f64 send time (ms)

// Answers every datagram with itself.
export async function udpEcho({ host = '0.0.0.0', port = 0 } = {}) {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, from) => sock.send(msg, from.port, from.address));
  sock.bind(port, host);
  await once(sock, 'listening');
  return { port: sock.address().port, close: () => sock.close() };
}

// COUNT echo round trips, one every INTERVAL ms; a probe unanswered after 2 s is lost.
export async function udpPing({ host, port, count = 20, intervalMs = 50 }) {
  const sock = dgram.createSocket('udp4');
  const rtts = [];
  sock.on('message', (msg) => { if (msg.length >= HEADER) rtts.push(performance.now() - msg.readDoubleBE(4)); });
  sock.bind(0);
  await once(sock, 'listening');
  for (let i = 0; i < count; i++) {
    const msg = Buffer.alloc(64);
    msg.writeUInt32BE(i, 0);
    msg.writeDoubleBE(performance.now(), 4);
    sock.send(msg, port, host);
    await sleep(intervalMs);
  }
  const deadline = Date.now() + 2000;
  while (rtts.length < count && Date.now() < deadline) await sleep(20);
  sock.close();
  const sorted = [...rtts].sort((a, b) => a - b);
  return {
    sent: count, received: rtts.length,
    minMs: round(sorted[0]), medianMs: round(sorted[Math.floor(sorted.length / 2)]), maxMs: round(sorted.at(-1)),
  };
}

// Sends SECONDS of SIZE-byte datagrams paced at KBIT kbit/s. A shaper holds
// each datagram against its socket's send buffer until it leaves, which would
// cap the rate at (buffer / delay); several sockets keep that cap far above it.
export async function udpSend({ host, port, kbit, seconds, size = 1200, sockets = 8 }) {
  const socks = [];
  for (let i = 0; i < sockets; i++) {
    const sock = dgram.createSocket('udp4');
    sock.bind(0);
    await once(sock, 'listening');
    socks.push(sock);
  }
  const perSecond = (kbit * 1000) / 8 / size;
  const start = performance.now();
  let paced = start; // when the sending schedule began, moved on by stalls
  let sent = 0;
  for (;;) {
    const now = performance.now();
    if (now - start >= seconds * 1000) break;
    let due = Math.floor(((now - paced) / 1000) * perSecond) + 1;
    // After a stall of this process (a busy machine), resume the pace instead
    // of sending the backlog in one burst the link would have to drop.
    if (due - sent > perSecond * 0.05 + 1) {
      paced = now - (sent / perSecond) * 1000;
      due = sent + 1;
    }
    while (sent < due) {
      const msg = Buffer.alloc(size);
      msg.writeUInt32BE(sent, 0);
      msg.writeDoubleBE(performance.now(), 4);
      socks[sent++ % sockets].send(msg, port, host);
    }
    await sleep(2);
  }
  await sleep(50); // let the sockets flush their last sends
  for (const sock of socks) sock.close();
  return { sent };
}

// Counts a udpSend stream. summary(): delivered rate (over the arrivals after
// the first `skipMs`, so a shaper's initial burst does not count), loss from
// sequence gaps and the mean length of a run of lost packets.
export async function udpSink({ host = '0.0.0.0', port = 0 } = {}) {
  const sock = dgram.createSocket('udp4');
  const arrivals = [];
  sock.on('message', (msg) => { if (msg.length >= HEADER) arrivals.push([performance.now(), msg.readUInt32BE(0), msg.length]); });
  sock.bind(port, host);
  await once(sock, 'listening');
  return {
    port: sock.address().port,
    close: () => sock.close(),
    summary: ({ skipMs = 300 } = {}) => summarize(arrivals, skipMs),
  };
}

// kbit: the mean over the whole stream; medianKbit: the median of its 250 ms
// slices, which a stall of the sender on a busy machine does not pull down.
function summarize(arrivals, skipMs) {
  if (arrivals.length < 2) return { received: arrivals.length, kbit: 0, medianKbit: 0, lossPct: 100, meanLossBurst: 0 };
  const t0 = arrivals[0][0] + skipMs;
  const window = arrivals.filter(([t]) => t >= t0);
  const wireBytes = (len) => len + 28; // + IPv4 and UDP headers
  let kbit = 0;
  const slices = [];
  if (window.length >= 2) {
    const bytes = window.slice(1).reduce((n, [, , len]) => n + wireBytes(len), 0);
    kbit = (bytes * 8) / (window.at(-1)[0] - window[0][0]); // bits per ms = kbit/s
    for (const [t, , len] of window) {
      const i = Math.floor((t - t0) / 250);
      if (t < window.at(-1)[0] - ((window.at(-1)[0] - t0) % 250)) slices[i] = (slices[i] ?? 0) + wireBytes(len); // whole slices only
    }
  }
  const sliceKbit = [...slices].map((b) => ((b ?? 0) * 8) / 250).sort((a, b) => a - b);
  const medianKbit = sliceKbit.length ? sliceKbit[Math.floor(sliceKbit.length / 2)] : kbit;
  const seqs = [...new Set(arrivals.map(([, s]) => s))].sort((a, b) => a - b);
  let lost = 0;
  let bursts = 0;
  let previous = -1;
  for (const s of seqs) {
    if (s > previous + 1) { lost += s - previous - 1; bursts++; }
    previous = s;
  }
  return {
    received: seqs.length, kbit: round(kbit), medianKbit: round(medianKbit), lossPct: round((100 * lost) / (previous + 1)),
    meanLossBurst: bursts ? round(lost / bursts) : 0,
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x) => (x === undefined ? undefined : Math.round(x * 100) / 100);

async function main([mode, ...args]) {
  if (mode === 'ping') {
    const [host, port, count, intervalMs] = args;
    return udpPing({ host, port: Number(port), count: Number(count), intervalMs: Number(intervalMs) });
  }
  if (mode === 'send') {
    const [host, port, kbit, seconds, size] = args;
    return udpSend({ host, port: Number(port), kbit: Number(kbit), seconds: Number(seconds), size: Number(size) });
  }
  if (mode === 'recv') {
    const sink = await udpSink({ port: Number(args[0]) });
    console.log(JSON.stringify({ ready: true, port: sink.port }));
    process.stdin.resume();
    await once(process.stdin, 'end');
    sink.close();
    return sink.summary();
  }
  throw new Error(`unknown mode ${mode}: ping, send or recv`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e.message); process.exit(1); });
}
