#!/usr/bin/env node
// E2EE frame encryption benchmark: encrypt + decrypt of one encoded frame
// through FrameCryptor, side by side with bare WebCrypto AES-128-GCM on the
// same bytes, in Node and in a dedicated worker of headless Chromium.
//
//   node web/bench/e2ee-frame-bench.mjs [--iterations N] [--no-browser]
//
// CPU per frame is process CPU time (all threads: WebCrypto works off the
// calling thread) over the frames run; in Chromium, the CPU of the whole
// browser process tree from /proc (its idle CPU per second is printed too).

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const iterations = Number(args[args.indexOf('--iterations') + 1] || 0) || 2000;
const withBrowser = !args.includes('--no-browser');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium';

const loadBefore = loadavg().map((x) => x.toFixed(1)).join(' ');
const outDir = mkdtempSync(path.join(tmpdir(), 'ct-e2ee-bench-'));
await build({
  configFile: false,
  logLevel: 'error',
  build: {
    outDir,
    emptyOutDir: true,
    minify: false,
    target: 'es2022',
    lib: { entry: path.join(here, 'e2ee-frame-bench.ts'), formats: ['es'], fileName: () => 'bench.js' },
  },
});
const bundle = path.join(outDir, 'bench.js');
const bench = await import(pathToFileURL(bundle).href);

const CLK_TCK = 100; // USER_HZ on Linux
function treeCpuMs(rootPid) {
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended while we read.
    }
  }
  let ticks = 0;
  const inTree = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = stats.get(p)?.ppid ?? 0, hops++) if (p === rootPid) return true;
    return false;
  };
  for (const [pid, s] of stats) if (inTree(pid)) ticks += s.ticks;
  return (ticks * 1000) / CLK_TCK;
}

const fmt = (x) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
const rows = [];

const REPEATS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Each case runs REPEATS times, FrameCryptor and bare AES-GCM alternating,
// and the median of each is reported: the machine is shared and noisy.
async function measure(where, run, cpuMs) {
  const samples = bench.CASES.map(() => ({ frameCryptor: [], bareAesGcm: [] }));
  const count = (c) => (c.bytes >= 20000 ? Math.max(200, iterations / 4) : iterations);
  for (let i = 0; i < bench.CASES.length; i++) await run(i, 'frameCryptor', 50); // warm up
  for (let rep = 0; rep < REPEATS; rep++) {
    for (let i = 0; i < bench.CASES.length; i++) {
      const n = count(bench.CASES[i]);
      for (const kind of ['frameCryptor', 'bareAesGcm']) {
        const before = await cpuMs();
        const wallUs = await run(i, kind, n);
        samples[i][kind].push({ wallUs, cpuUs: (((await cpuMs()) - before) * 1000) / n });
      }
    }
  }
  bench.CASES.forEach((c, i) => {
    const pick = (kind) => ({ wallUs: median(samples[i][kind].map((s) => s.wallUs)), cpuUs: median(samples[i][kind].map((s) => s.cpuUs)) });
    rows.push({ where, name: c.name, n: count(c), frameCryptor: pick('frameCryptor'), bareAesGcm: pick('bareAesGcm') });
  });
}

// Node: process.cpuUsage covers every thread of the process.
await measure('Node ' + process.versions.node, (i, kind, n) => bench.runStep(i, kind, n), async () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
});

if (withBrowser) {
  const { chromium } = await import(pathToFileURL(path.join(here, '../../tests/e2e/node_modules/playwright-core/index.mjs')).href);
  const code = readFileSync(bundle, 'utf8');
  const workerSource = `${code}\nself.onmessage = async (e) => { const [i, kind, n] = e.data; self.postMessage(await runStep(i, kind, n)); };`;
  // A localhost origin is a secure context, which WebCrypto needs.
  const server = createServer((req, res) => {
    if (req.url === '/worker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(workerSource.replace(/^export\s*\{[^}]*\};?\s*$/m, ''));
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>e2ee bench</title>');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://localhost:${server.address().port}`;
  const browserServer = await chromium.launchServer({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions'],
  });
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const page = await browser.newPage();
  await page.goto(origin + '/');
  await page.evaluate(() => {
    window.benchWorker = new Worker('/worker.js', { type: 'module' });
    window.runInWorker = (msg) =>
      new Promise((resolve, reject) => {
        window.benchWorker.onmessage = (e) => resolve(e.data);
        window.benchWorker.onerror = (e) => reject(new Error(e.message));
        window.benchWorker.postMessage(msg);
      });
  });
  const browserPid = browserServer.process().pid;
  const version = browser.version();
  await measure(
    'Chromium ' + version + ' worker',
    (i, kind, n) => page.evaluate((m) => window.runInWorker(m), [i, kind, n]),
    async () => treeCpuMs(browserPid),
  );
  // Idle baseline: the browser tree's CPU while the page does nothing, per second.
  const idleStart = treeCpuMs(browserPid);
  await new Promise((r) => setTimeout(r, 3000));
  const idleMsPerSec = (treeCpuMs(browserPid) - idleStart) / 3;
  for (const r of rows) if (r.where.startsWith('Chromium')) r.idleMsPerSec = idleMsPerSec;
  await browser.close();
  await browserServer.close();
  server.close();
}
rmSync(outDir, { recursive: true, force: true });

console.log(`frames per run: ${iterations} (keyframes: a quarter, at least 200); median of ${REPEATS} runs; load average before: ${loadBefore}\n`);
console.log('| where | frame | FrameCryptor encrypt+decrypt: CPU µs/frame (wall) | bare AES-GCM encrypt+decrypt: CPU µs (wall) | ratio (CPU) |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const ratio = r.frameCryptor.cpuUs / r.bareAesGcm.cpuUs;
  console.log(
    `| ${r.where} | ${r.name} | ${fmt(r.frameCryptor.cpuUs)} (${fmt(r.frameCryptor.wallUs)}) | ${fmt(r.bareAesGcm.cpuUs)} (${fmt(r.bareAesGcm.wallUs)}) | ${ratio.toFixed(2)} |`,
  );
}
const idle = rows.find((r) => r.idleMsPerSec !== undefined)?.idleMsPerSec;
if (idle !== undefined) console.log(`\nChromium tree idle CPU: ${idle.toFixed(1)} ms per second (included in the Chromium CPU figures above).`);
