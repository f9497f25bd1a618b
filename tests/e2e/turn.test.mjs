// CipherTalk's TURN server against independent clients: coturn's own
// turnutils (STUN, UDP/TCP/TLS relaying, channels and Send indications, REST
// secrets) and headless Chromium relaying a real call through it over UDP,
// TCP and TLS, including from a network namespace where UDP is blocked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { writeFileSync, chmodSync, rmSync } from 'node:fs';
import { startServer, binary, freePorts, portBlock } from './lib/server.mjs';
import { chromiumPath, launchBrowser } from './lib/browser.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';

const SECRET = 'e2e-turn-secret';
const REALM = 'ciphertalk';
function turnPorts() {
  const base = portBlock();
  return { udp: base, tls: base + 1, peer: base + 2, metrics: base + 3, relayMin: base + 4, relayMax: base + 19 };
}

// coturn's REST scheme: username "<expiry>:<user>", password base64(HMAC-SHA1(secret, username)).
function restCredentials(user, ttlSeconds = 3600, secret = SECRET) {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${user}`;
  return { username, password: createHmac('sha1', secret).update(username).digest('base64') };
}

async function startTurn(ports, extra = [], { listen = '127.0.0.1', prefix = [] } = {}) {
  const args = ['turn', '--listen', listen, '--port', String(ports.udp), '--tls-port', String(ports.tls), '--dev',
    '--realm', REALM, '--secret', SECRET, '--allow-peer', '127.0.0.1/32',
    '--min-port', String(ports.relayMin), '--max-port', String(ports.relayMax), '--metrics-port', String(ports.metrics),
    '--metrics-address', listen, ...extra];
  const [cmd, cmdArgs] = prefix.length ? [prefix[0], [...prefix.slice(1), binary, ...args]] : [binary, args];
  const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const deadline = Date.now() + 10000;
  while (!log.includes('turn: listening')) {
    if (child.exitCode !== null) throw new Error(`ciphertalk turn exited ${child.exitCode}:\n${log}`);
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`ciphertalk turn did not start:\n${log}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function run(cmd, args, timeout = 60000) {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout }, (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, out: stdout + stderr }));
  });
}

function lossOf(out) {
  const m = out.match(/Total lost packets (\d+) \(([\d.]+)%\)/);
  const recv = [...out.matchAll(/tot_recv_msgs=(\d+)/g)].pop();
  return { lost: m ? Number(m[1]) : NaN, received: recv ? Number(recv[1]) : 0 };
}

test('coturn clients: STUN binding, UDP/TCP/TLS relaying with channels and Send indications, wrong secret refused', async () => {
  const ports = turnPorts();
  const turn = await startTurn(ports);
  const peer = spawn('turnutils_peer', ['-L', '127.0.0.1', '-p', String(ports.peer)], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const stun = await run('turnutils_stunclient', ['-p', String(ports.udp), '127.0.0.1']);
    assert.match(stun.out, /UDP reflexive addr: 127\.0\.0\.1:\d+/, stun.out);

    const common = ['-W', SECRET, '-u', 'interop', '-m', '4', '-n', '100', '-l', '170', '-e', '127.0.0.1', '-r', String(ports.peer)];
    const variants = {
      'UDP, channels (RTP/RTCP pairs: EVEN-PORT, RESERVATION-TOKEN)': [...common, '-p', String(ports.udp)],
      'UDP, Send/Data indications': [...common, '-s', '-p', String(ports.udp)],
      'TCP': [...common, '-t', '-p', String(ports.udp)],
      'TLS': [...common, '-t', '-S', '-p', String(ports.tls)],
    };
    for (const [name, args] of Object.entries(variants)) {
      const r = await run('turnutils_uclient', [...args, '127.0.0.1']);
      const { lost, received } = lossOf(r.out);
      console.log(`turnutils_uclient ${name}: received ${received}, lost ${lost}`);
      assert.equal(lost, 0, `${name}: loss\n${r.out.slice(-2000)}\n${turn.log()}`);
      assert.ok(received >= 400, `${name}: received ${received}\n${r.out.slice(-2000)}`);
    }
    // The standalone server's metrics endpoint saw it all.
    const metricsUrl = `http://127.0.0.1:${ports.metrics}`;
    const m = await scrapeMetrics(metricsUrl);
    assert.ok(m.sum('ciphertalk_turn_allocations_total') >= 16, m.text);
    assert.ok(m.sum('ciphertalk_turn_relayed_packets_total', { direction: 'to_peer' }) >= 1600, m.text);
    assert.ok(m.sum('ciphertalk_turn_relayed_packets_total', { direction: 'to_client' }) >= 1600, m.text);
    assert.equal(m.sum('ciphertalk_turn_dropped_total'), 0, m.text);
    const wrong = await run('turnutils_uclient', ['-W', 'not-the-secret', '-u', 'x', '-m', '1', '-n', '10', '-e', '127.0.0.1', '-r', String(ports.peer), '-p', String(ports.udp), '127.0.0.1'], 20000);
    assert.match(wrong.out, /Cannot complete Allocation|401/, wrong.out);
    assert.doesNotMatch(wrong.out, /Total lost packets 0/);
    // The challenge and the refused credentials both answer 401.
    const after = await scrapeMetrics(metricsUrl);
    assert.ok(after.sum('ciphertalk_turn_refused_total', { reason: 'unauthenticated' }) >=
      m.sum('ciphertalk_turn_refused_total', { reason: 'unauthenticated' }) + 2, after.text);
  } finally {
    peer.kill('SIGTERM');
    assert.equal(await turn.stop(), 0);
  }
  assert.match(turn.log(), /refused: 401 [1-9]/, 'the wrong secret shows in the refusal metrics');
});

// An echo call whose ICE goes through `turnUrl`; returns the decoded frame count.
async function echoThroughTurn(serverUrl, turnUrl, { relayOnly = true, prefixScript, seconds = 15 } = {}) {
  const cred = restCredentials('browser');
  const q = new URLSearchParams({ autostart: '1', turn: turnUrl, user: cred.username, pass: cred.password });
  if (relayOnly) q.set('relay', '1');
  // Off loopback, http:// is not a secure context and getUserMedia is missing.
  const browser = await launchBrowser({
    executablePath: prefixScript || chromiumPath,
    extraArgs: [`--unsafely-treat-insecure-origin-as-secure=${serverUrl}`],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${serverUrl}/echo.html?${q}`);
    let stats;
    const deadline = Date.now() + seconds * 1000;
    do {
      await page.waitForTimeout(500);
      stats = await page.evaluate(async () => ({ ...(await window.echoStats()), state: document.getElementById('state').textContent }));
    } while (stats.videoFramesDecoded < 30 && Date.now() < deadline);
    await page.click('#stop').catch(() => {});
    return stats;
  } finally {
    await browser.close();
  }
}

for (const [name, url] of [['UDP', 'turn:127.0.0.1:PORT?transport=udp'], ['TCP', 'turn:127.0.0.1:PORT?transport=tcp'], ['TLS', 'turns:127.0.0.1:TLSPORT?transport=tcp']]) {
  test(`Chromium relays a call through our TURN over ${name} (iceTransportPolicy relay)`, async () => {
    const ports = turnPorts();
    const turn = await startTurn(ports);
    const server = await startServer([]);
    try {
      const stats = await echoThroughTurn(server.url, url.replace('TLSPORT', ports.tls).replace('PORT', ports.udp));
      assert.ok(stats.videoFramesDecoded >= 30, `${name}: framesDecoded ${stats.videoFramesDecoded}\n${JSON.stringify(stats)}\n${turn.log()}`);
    } finally {
      await server.stop();
      assert.equal(await turn.stop(), 0);
    }
    const m = turn.log().match(/(\d+) packets \/ \d+ bytes to peers, (\d+) packets/);
    assert.ok(m && Number(m[1]) > 100 && Number(m[2]) > 100, `the media went through the relay:\n${turn.log()}`);
  });
}

// `ciphertalk serve --dev` with HTTP on `ip` (lib/server.mjs checks health on loopback only).
async function startServeAt(ip, ports) {
  const child = spawn(binary, ['serve', '--dev', '--no-turn', '--http-bind', ip, '--http-port', String(ports.http), '--rtc-port', String(ports.rtc)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ciphertalk exited with ${child.exitCode}:\n${log}`);
    try { if ((await fetch(`http://${ip}:${ports.http}/healthz`)).ok) break; } catch { /* not yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`ciphertalk did not become healthy:\n${log}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// A client namespace whose UDP is blocked (policy routing: every UDP packet
// leaving it is refused), joined to the host by a veth pair. The servers run
// on the host; only the browser runs inside.
function makeUdpBlockedNamespace() {
  const id = process.pid % 200;
  const ns = `ct-turn-${process.pid}`;
  const host = `ctt${id}h`, inner = `ctt${id}c`;
  const hostIp = `10.214.${id}.1`, clientIp = `10.214.${id}.2`;
  const sh = (cmd) => execFileSync('sh', ['-c', cmd], { stdio: 'pipe' });
  sh(`ip netns add ${ns}`);
  sh(`ip link add ${host} type veth peer name ${inner} && ip link set ${inner} netns ${ns}`);
  sh(`ip addr add ${hostIp}/30 dev ${host} && ip link set ${host} up`);
  sh(`ip netns exec ${ns} sh -c 'ip addr add ${clientIp}/30 dev ${inner} && ip link set ${inner} up && ip link set lo up'`);
  sh(`ip netns exec ${ns} sh -c 'ip rule add ipproto udp lookup 100 prio 100 && ip route add prohibit default table 100'`);
  const wrapper = `/tmp/ct-turn-chromium-${process.pid}.sh`;
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${chromiumPath} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return {
    hostIp, wrapper,
    remove() {
      try { sh(`ip netns del ${ns}`); } catch { /* already gone */ }
      try { sh(`ip link del ${host}`); } catch { /* went with the namespace */ }
      rmSync(wrapper, { force: true });
    },
  };
}

test('with UDP blocked, a call succeeds through TURN over TCP and TLS and fails without TURN', async (t) => {
  if (process.getuid && process.getuid() !== 0) return t.skip('needs root for network namespaces');
  const net = makeUdpBlockedNamespace();
  const httpPorts = freePorts();
  let server;
  try {
    // HTTP on the veth so the namespaced browser can load the page; media on loopback.
    server = await startServeAt(net.hostIp, httpPorts);
    const url = `http://${net.hostIp}:${httpPorts.http}`;
    for (const scheme of ['turn:HOST:PORT?transport=tcp', 'turns:HOST:TLSPORT?transport=tcp']) {
      const ports = turnPorts();
      const turn = await startTurn(ports, ['--relay-ip', '127.0.0.1'], { listen: net.hostIp });
      try {
        const turnUrl = scheme.replace('HOST', net.hostIp).replace('TLSPORT', ports.tls).replace('PORT', ports.udp);
        // Not relay-only: the browser may try anything, but only TURN over TCP/TLS can work.
        const stats = await echoThroughTurn(url, turnUrl, { relayOnly: false, prefixScript: net.wrapper });
        assert.ok(stats.videoFramesDecoded >= 30, `${turnUrl}: ${JSON.stringify(stats)}\n${turn.log()}`);
      } finally {
        assert.equal(await turn.stop(), 0);
      }
    }
    // The same call with the TURN server turned off: no way through.
    const stats = await echoThroughTurn(url, `turn:${net.hostIp}:${turnPorts().udp}?transport=tcp`, { relayOnly: false, prefixScript: net.wrapper, seconds: 10 });
    assert.equal(stats.videoFramesDecoded, 0, `without TURN the call must fail: ${JSON.stringify(stats)}`);
  } finally {
    if (server) await server.stop();
    net.remove();
  }
});
