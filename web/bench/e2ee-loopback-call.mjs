#!/usr/bin/env node
// The E2EE worker in a real call: one headless Chromium page sends its fake
// camera (1280x720) and microphone over a loopback RTCPeerConnection pair,
// encrypting in one worker through RTCRtpScriptTransform and decrypting in
// another, for VP8 and for H.264. For each codec it reports the frames the
// receiver decoded, audio received, the workers' counts, and the CPU of the
// browser per sent video frame; then the same call with a wrong key on the
// receiver, which must decode nothing.
//
//   node web/bench/e2ee-loopback-call.mjs [--seconds N]

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] || 0) || 8;
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium';

const outDir = mkdtempSync(path.join(tmpdir(), 'ct-e2ee-call-'));
await build({
  configFile: false,
  logLevel: 'error',
  build: {
    outDir,
    emptyOutDir: true,
    minify: false,
    target: 'es2022',
    lib: { entry: path.join(here, '../src/sdk/e2ee/worker.ts'), formats: ['es'], fileName: () => 'worker.js' },
  },
});
const workerCode = readFileSync(path.join(outDir, 'worker.js'), 'utf8');
rmSync(outDir, { recursive: true, force: true });

const server = createServer((req, res) => {
  if (req.url === '/e2ee-worker.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(workerCode);
  } else {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>e2ee call</title><video id="v" autoplay muted playsinline></video>');
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://localhost:${server.address().port}`;

function treeCpuMs(rootPid) {
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone
    }
  }
  let ticks = 0;
  for (const [pid, s] of stats) {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = stats.get(p)?.ppid ?? 0, hops++) {
      if (p === rootPid) {
        ticks += s.ticks;
        break;
      }
    }
  }
  return ticks * 10;
}

// Runs in the page: the call, the transforms, and what the receiver got.
async function call({ codec, seconds, encrypt, receiveKeyByte, api = 'script' }) {
  const key = new Uint8Array(16).fill(7).buffer;
  const receiveKey = new Uint8Array(16).fill(receiveKeyByte).buffer;
  const kid = 0x10000n;
  const sendWorker = new Worker('/e2ee-worker.js', { type: 'module' });
  const recvWorker = new Worker('/e2ee-worker.js', { type: 'module' });
  const events = [];
  recvWorker.onmessage = (e) => events.push(e.data);
  sendWorker.postMessage({ type: 'setSendKey', kid, key });
  recvWorker.postMessage({ type: 'setReceiveKey', participant: 'alice', kid, key: receiveKey });

  const media = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 }, audio: true });
  // 'script': RTCRtpScriptTransform; 'streams': the createEncodedStreams fallback, streams posted to the worker.
  const streams = api === 'streams';
  const pc1 = new RTCPeerConnection(streams ? { encodedInsertableStreams: true } : {});
  const pc2 = new RTCPeerConnection(streams ? { encodedInsertableStreams: true } : {});
  const attach = (worker, endpoint, options) => {
    if (!streams) return new RTCRtpScriptTransform(worker, options);
    const { readable, writable } = endpoint.createEncodedStreams();
    worker.postMessage({ type: 'attach', readable, writable, options }, [readable, writable]);
    return undefined;
  };
  for (const track of media.getTracks()) {
    const t = pc1.addTransceiver(track, { direction: 'sendonly' });
    if (track.kind === 'video') {
      const caps = RTCRtpSender.getCapabilities('video').codecs;
      const wanted = caps.filter((c) => c.mimeType.toLowerCase() === `video/${codec}` && (codec !== 'h264' || /packetization-mode=1/.test(c.sdpFmtpLine || '')));
      t.setCodecPreferences([...wanted, ...caps.filter((c) => c.mimeType.toLowerCase() === 'video/rtx')]);
    }
    if (encrypt) {
      const transform = attach(sendWorker, t.sender, { direction: 'encrypt', track: track.kind });
      if (transform) t.sender.transform = transform;
    } else if (streams) {
      const { readable, writable } = t.sender.createEncodedStreams();
      readable.pipeTo(writable);
    }
    if (track.kind === 'video') {
      // Keep 720p while the loopback bandwidth estimate ramps up, so the frames are 720p-sized.
      const params = t.sender.getParameters();
      params.degradationPreference = 'maintain-resolution';
      params.encodings = [{ ...(params.encodings?.[0] ?? {}), maxBitrate: 2_500_000 }];
      await t.sender.setParameters(params).catch(() => undefined);
    }
  }
  pc2.ontrack = (e) => {
    if (encrypt) {
      const transform = attach(recvWorker, e.receiver, { direction: 'decrypt', track: e.track.kind, participant: 'alice' });
      if (transform) e.receiver.transform = transform;
    }
    const element = e.track.kind === 'video' ? document.getElementById('v') : new Audio();
    element.srcObject = new MediaStream([e.track]);
    element.play().catch(() => undefined);
  };
  // Whole descriptions with every candidate in them: no trickle to race.
  const gathered = (pc) =>
    new Promise((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())));
  await pc1.setLocalDescription();
  await gathered(pc1);
  await pc2.setRemoteDescription(pc1.localDescription);
  await pc2.setLocalDescription();
  await gathered(pc2);
  await pc1.setRemoteDescription(pc2.localDescription);
  const t0 = performance.now();
  while (pc1.connectionState !== 'connected' && performance.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 50));
  const connectMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, seconds * 1000));

  const stats = async (pc, type, kind) => [...(await pc.getStats()).values()].find((s) => s.type === type && s.kind === kind) || {};
  const inVideo = await stats(pc2, 'inbound-rtp', 'video');
  const inAudio = await stats(pc2, 'inbound-rtp', 'audio');
  const outVideo = await stats(pc1, 'outbound-rtp', 'video');
  const workerStats = async (w) =>
    new Promise((resolve) => {
      w.addEventListener('message', function on(e) {
        if (e.data.type !== 'stats') return;
        w.removeEventListener('message', on);
        resolve(e.data.tracks);
      });
      w.postMessage({ type: 'getStats', requestId: 1 });
    });
  const video = document.getElementById('v');
  const result = {
    connection: `${pc1.connectionState} after ${connectMs.toFixed(0)} ms`,
    sentFrames: outVideo.framesEncoded ?? 0,
    sentSize: `${outVideo.frameWidth}x${outVideo.frameHeight}`,
    sentKB: ((outVideo.bytesSent ?? 0) / Math.max(1, outVideo.framesEncoded ?? 0) / 1000).toFixed(1),
    encoder: outVideo.encoderImplementation,
    decodedFrames: inVideo.framesDecoded ?? 0,
    decoder: inVideo.decoderImplementation,
    videoWidth: video.videoWidth,
    audioSamples: inAudio.totalSamplesReceived ?? 0,
    audioConcealed: inAudio.concealedSamples ?? 0,
    sender: await workerStats(sendWorker),
    receiver: await workerStats(recvWorker),
    states: events.filter((e) => e.type === 'decryptState').map((e) => `${e.track}:${e.state}`),
  };
  pc1.close();
  pc2.close();
  media.getTracks().forEach((t) => t.stop());
  sendWorker.terminate();
  recvWorker.terminate();
  return result;
}

const { chromium } = await import(pathToFileURL(path.join(here, '../../tests/e2e/node_modules/playwright-core/index.mjs')).href);
const browserServer = await chromium.launchServer({
  executablePath: chromiumPath,
  headless: true,
  ignoreDefaultArgs: ['--disable-features'],
  args: [
    '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-extensions', '--mute-audio', '--use-fake-device-for-media-stream=fps=30',
    '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection',
    '--disable-features=WebRtcHideLocalIpsWithMdns,MediaRouter',
  ],
});
const browser = await chromium.connect(browserServer.wsEndpoint());
const pid = browserServer.process().pid;
console.log(`Chromium ${browser.version()}, ${seconds} s per call, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
const runs = [
  { label: 'VP8, plain (no transform)', codec: 'vp8', encrypt: false, receiveKeyByte: 7 },
  { label: 'VP8, E2EE', codec: 'vp8', encrypt: true, receiveKeyByte: 7 },
  { label: 'VP8, plain (no transform), again', codec: 'vp8', encrypt: false, receiveKeyByte: 7 },
  { label: 'VP8, E2EE, again', codec: 'vp8', encrypt: true, receiveKeyByte: 7 },
  { label: 'H.264, E2EE', codec: 'h264', encrypt: true, receiveKeyByte: 7 },
  { label: 'VP8, E2EE through createEncodedStreams', codec: 'vp8', encrypt: true, receiveKeyByte: 7, api: 'streams' },
  { label: 'VP8, E2EE, receiver has a wrong key', codec: 'vp8', encrypt: true, receiveKeyByte: 9 },
];
for (const run of runs) {
  const page = await browser.newPage();
  await page.goto(origin + '/');
  const before = treeCpuMs(pid);
  const result = await page.evaluate(
    ({ fn, opts }) => new Function(`return (${fn})`)()(opts),
    { fn: call.toString(), opts: { ...run, seconds } },
  );
  const cpuMs = treeCpuMs(pid) - before;
  await page.close();
  console.log(`${run.label} (${result.connection}):`);
  console.log(`  sent ${result.sentFrames} frames ${result.sentSize}, ${result.sentKB} KB each (${result.encoder}); decoded ${result.decodedFrames} (${result.decoder}), <video> ${result.videoWidth} px wide`);
  console.log(`  audio samples received ${result.audioSamples}, concealed ${result.audioConcealed}`);
  console.log(`  sender worker ${JSON.stringify(result.sender)}`);
  console.log(`  receiver worker ${JSON.stringify(result.receiver)} states ${result.states.join(' ') || '-'}`);
  console.log(`  browser CPU ${(cpuMs / 1000).toFixed(1)} s over the call = ${((cpuMs * 1000) / Math.max(1, result.sentFrames)).toFixed(0)} µs per video frame sent (all of it: capture, encode, send, receive, decode)\n`);
}
await browser.close();
await browserServer.close();
server.close();
