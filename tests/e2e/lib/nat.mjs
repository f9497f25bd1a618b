// A NAT lab of Linux network namespaces (root only): CipherTalk on a
// "public" network, and clients behind their own NATs, as homes and carriers
// put them.
//
//   const lab = await createNatLab();
//   const server = await lab.startServer();           // signaling, media, STUN/TURN on 203.0.113.1
//   const alice = await lab.addClient('alice', 'cone');
//   const bob = await lab.addClient('bob', 'symmetric');
//   console.log(lab.describe());
//   const browser = await alice.launchBrowser(lab.origin(server));
//   ...
//   await lab.destroy();                               // in `finally`; also runs at process exit
//
// Layout. The public namespace holds a bridge with 203.0.113.0/24 (TEST-NET-3,
// RFC 5737): the server at .1, each NAT's public side at .11, .12, ...,
// unNATed clients at .101, .102, .... Each NATed client is two namespaces:
// the NAT (`wan` on the bridge, `lan` to the client, 192.168.N.1/24) and the
// client (`eth0`, 192.168.N.2, default route via its NAT). Each lab has its
// own namespaces, so the addresses repeat across labs without colliding; the
// host reaches the public namespace only through a management link (a /30 of
// 10.240-247.x) that carries the test's own HTTP requests (server.url).
//
// NAT types (RFC 4787 terms):
//   cone        plain MASQUERADE: the source port is kept where it is free, so a
//               mapping does not depend on the destination (endpoint-independent
//               mapping); conntrack lets in only replies from the address and
//               port written to (port-restricted filtering).
//   symmetric   MASQUERADE --random-fully: a new port for every destination.
//   udp-blocked the NAT forwards no UDP at all; TCP is masqueraded as for cone.
//   none        no NAT: the client sits on the public bridge.
// Whatever the type, nothing unsolicited comes in from the public side.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromiumPath, launchBrowser } from './browser.mjs';
import { alive, sh, shSync } from './netns.mjs';
import { binary } from './server.mjs';

const execFileAsync = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const NAT_PROBE = path.join(here, 'nat-probe.py');

export const NAT_TYPES = Object.freeze(['cone', 'symmetric', 'udp-blocked', 'none']);
export const PUBLIC_NET = '203.0.113';
export const SERVER_IP = `${PUBLIC_NET}.1`;
// The server keeps its usual ports: the public namespace is the lab's own.
export const SERVER_PORTS = Object.freeze({ http: 7880, rtc: 7882, turn: 3478, turnTls: 5349 });
// Ports of the probe's reflector (nat-probe.py) on SERVER_IP; each client
// has its own four, so clients may probe at the same time.
const probePorts = (client) => [0, 1, 2, 3].map((i) => String(40000 + 4 * client.index + i));

// Names start with PREFIX and the owning process id (base 36): a later run
// removes what a crashed one left behind. (netns.mjs uses "ctn".)
const PREFIX = 'ctx';
const MGMT_RANGE = { first: 240, count: 8 * 256 * 64 }; // 10.240.0.0 - 10.247.255.252 in /30s

const live = new Set();
let counter = 0;
let exitHooked = false;

const inNs = (ns, cmd, args, what) => sh('ip', ['netns', 'exec', ns, cmd, ...args], what);

async function requireCapabilities() {
  if (process.getuid?.() !== 0) throw new Error('the NAT lab needs root (ip netns, iptables): run the test as root');
  for (const tool of ['ip', 'iptables', '/usr/bin/python3']) {
    try { await execFileAsync('sh', ['-c', `command -v ${tool}`]); } catch { throw new Error(`the NAT lab needs "${tool}" (scripts/setup installs iproute2 and iptables)`); }
  }
}

const ownerOf = (name) => {
  const m = new RegExp(`^${PREFIX}([0-9a-z]+)-`).exec(name);
  return m ? parseInt(m[1], 36) : null;
};

// Kills what runs in a namespace of ours and removes it.
function removeNamespaceSync(ns) {
  let pids = [];
  try { pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number); } catch { /* gone */ }
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  shSync('ip', ['netns', 'del', ns]);
}

async function sweepStale() {
  const namespaces = (await sh('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
  for (const ns of namespaces) {
    const pid = ownerOf(ns);
    if (pid !== null && pid !== process.pid && !alive(pid)) removeNamespaceSync(ns);
  }
  const links = (await sh('ip', ['-o', 'link', 'show'])).split('\n').map((l) => l.split(': ')[1]?.split('@')[0]).filter(Boolean);
  for (const link of links) {
    const pid = ownerOf(link);
    if (pid !== null && pid !== process.pid && !alive(pid)) shSync('ip', ['link', 'del', link]);
  }
}

// A free /30 for the management link: [host address, public namespace address].
async function freeManagementNet() {
  const used = (await sh('ip', ['-4', '-o', 'addr', 'show'])) + (await sh('ip', ['-4', 'route', 'show', 'table', 'all']));
  for (let i = 0; i < MGMT_RANGE.count; i++) {
    const k = (process.pid * 13 + counter * 7919 + i) % MGMT_RANGE.count;
    const second = MGMT_RANGE.first + Math.floor(k / (256 * 64));
    const third = Math.floor(k / 64) % 256;
    const fourth = (k % 64) * 4;
    const base = `10.${second}.${third}.`;
    if (!used.includes(`${base}${fourth + 1}/`) && !used.includes(`${base}${fourth + 2}/`) && !used.includes(`${base}${fourth}/30`)) {
      return [`${base}${fourth + 1}`, `${base}${fourth + 2}`];
    }
  }
  throw new Error('no free 10.240-247.x.x/30 for the NAT lab management link');
}

function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => { for (const lab of live) lab.destroySync(); });
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.once(signal, () => { for (const lab of live) lab.destroySync(); process.exit(code); });
  }
}

export async function createNatLab() {
  await requireCapabilities();
  await sweepStale();
  hookExit();
  const id = `${process.pid.toString(36)}-${(counter++).toString(36)}`;
  const lab = new NatLab(id, await freeManagementNet());
  live.add(lab);
  try {
    await lab.init();
  } catch (e) {
    lab.destroySync();
    throw e;
  }
  return lab;
}

// IPv4 only: an IPv6 address finishing duplicate detection a second after a
// browser starts is a "network change" that aborts its page load.
const noIpv6 = (ns) => inNs(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);

class NatLab {
  constructor(id, [hostIp, publicMgmtIp]) {
    this.id = id;
    this.ns = `${PREFIX}${id}-public`;
    this.mgmtLink = `${PREFIX}${id}m`;
    this.hostIp = hostIp;
    this.mgmtIp = publicMgmtIp;
    this.clients = [];
    this.servers = [];
    this.children = new Set();
    this.natCount = 0;
    this.publicCount = 0;
    this.tmp = mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${id}-`));
  }

  async init() {
    await sh('ip', ['netns', 'add', this.ns]);
    await noIpv6(this.ns);
    const ip = (...args) => sh('ip', ['-n', this.ns, ...args]);
    await ip('link', 'set', 'lo', 'up');
    await ip('link', 'add', 'br0', 'type', 'bridge');
    await ip('addr', 'add', `${SERVER_IP}/24`, 'dev', 'br0');
    await ip('link', 'set', 'br0', 'up');
    await sh('ip', ['link', 'add', this.mgmtLink, 'type', 'veth', 'peer', 'name', 'mgmt', 'netns', this.ns]);
    await sh('ip', ['addr', 'add', `${this.hostIp}/30`, 'dev', this.mgmtLink]);
    await sh('ip', ['link', 'set', this.mgmtLink, 'up']);
    await ip('addr', 'add', `${this.mgmtIp}/30`, 'dev', 'mgmt');
    await ip('link', 'set', 'mgmt', 'up');
  }

  // One line: where everything is.
  describe() {
    const server = `server ${SERVER_IP} (http ${SERVER_PORTS.http}/tcp, media ${SERVER_PORTS.rtc}/udp, STUN/TURN ${SERVER_PORTS.turn}/udp+tcp, TURN/TLS ${SERVER_PORTS.turnTls}/tcp)`;
    const clients = this.clients.map((c) => (c.type === 'none' ? `${c.name} ${c.ip} (no NAT)` : `${c.name} ${c.ip} -> ${c.type} NAT ${c.publicIp}`));
    return `NAT lab ${this.id}: public ${PUBLIC_NET}.0/24 in ${this.ns}: ${server}; ${clients.join('; ')}`;
  }

  // Starts `ciphertalk serve --dev` in the public namespace: media, STUN and
  // TURN on SERVER_IP, HTTP on every address (clients use origin(server), the
  // test process server.url over the management link).
  async startServer(extraArgs = [], { env = {} } = {}) {
    const args = ['serve', '--dev', '--http-bind', '0.0.0.0', '--http-port', String(SERVER_PORTS.http),
      '--rtc-bind', SERVER_IP, '--rtc-port', String(SERVER_PORTS.rtc),
      '--turn-port', String(SERVER_PORTS.turn), '--turn-tls-port', String(SERVER_PORTS.turnTls), ...extraArgs];
    // `ip netns exec` execs the binary: the child's pid is the server's.
    const child = spawn('ip', ['netns', 'exec', this.ns, binary, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    const url = `http://${this.mgmtIp}:${SERVER_PORTS.http}`;
    const server = {
      url, ports: SERVER_PORTS, child, log: () => log,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
        const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      },
    };
    this.servers.push(server);
    const deadline = Date.now() + 10000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`ciphertalk exited with ${child.exitCode}:\n${log}`);
      try {
        if ((await fetch(`${url}/healthz`)).ok) return server;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`ciphertalk did not become healthy:\n${log}`); }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // Another address on the public network (for a second server).
  async addAddress(ip) {
    await sh('ip', ['-n', this.ns, 'addr', 'add', `${ip}/24`, 'dev', 'br0']);
  }

  // Starts a command in the public namespace; killed at destroy() if still running.
  spawnPublic(cmd, args = [], options = {}) {
    const child = spawn('ip', ['netns', 'exec', this.ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  // The server's web origin as the clients see it.
  origin() {
    return `http://${SERVER_IP}:${SERVER_PORTS.http}`;
  }

  // Adds a client behind a NAT of `type` (NAT_TYPES). Name: 1-12 lowercase letters or digits.
  async addClient(name, type) {
    if (!/^[a-z0-9]{1,12}$/.test(name)) throw new Error(`client name "${name}": 1-12 lowercase letters or digits`);
    if (!NAT_TYPES.includes(type)) throw new Error(`NAT type "${type}": one of ${NAT_TYPES.join(', ')}`);
    if (this.clients.some((c) => c.name === name)) throw new Error(`client "${name}" exists`);
    const client = new NatClient(this, name, type);
    this.clients.push(client);
    await client.init();
    return client;
  }

  async destroy() {
    await Promise.all(this.clients.map((c) => c.closeBrowsers()));
    await Promise.all(this.servers.map((s) => s.stop().catch(() => {})));
    this.destroySync();
  }

  // Kills whatever still runs inside the lab's namespaces (all started by
  // this test), then removes them and the management link.
  destroySync() {
    if (!live.has(this)) return;
    live.delete(this);
    for (const c of this.clients) c.destroySync();
    for (const child of this.children) { try { child.kill('SIGKILL'); } catch { /* gone */ } }
    removeNamespaceSync(this.ns);
    shSync('ip', ['link', 'del', this.mgmtLink]);
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

class NatClient {
  constructor(lab, name, type) {
    Object.assign(this, { lab, name, type });
    this.index = lab.clients.length;
    this.ns = `${PREFIX}${lab.id}-${name}`;
    this.browsers = new Set();
    this.children = new Set();
    if (type === 'none') {
      this.natNs = null;
      this.ip = this.publicIp = `${PUBLIC_NET}.${101 + lab.publicCount++}`;
    } else {
      const n = ++lab.natCount;
      this.natNs = `${PREFIX}${lab.id}-${name}-nat`;
      this.publicIp = `${PUBLIC_NET}.${10 + n}`;
      this.gateway = `192.168.${n}.1`;
      this.ip = `192.168.${n}.2`;
    }
  }

  async init() {
    const pub = this.lab.ns;
    await sh('ip', ['netns', 'add', this.ns]);
    await noIpv6(this.ns);
    await sh('ip', ['-n', this.ns, 'link', 'set', 'lo', 'up']);
    // The bridge port's name inside the public namespace.
    const port = `p-${this.name}`;
    if (!this.natNs) {
      await sh('ip', ['-n', this.ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', port, 'netns', pub]);
      await sh('ip', ['-n', pub, 'link', 'set', port, 'master', 'br0', 'up']);
      await sh('ip', ['-n', this.ns, 'addr', 'add', `${this.ip}/24`, 'dev', 'eth0']);
      await sh('ip', ['-n', this.ns, 'link', 'set', 'eth0', 'up']);
      return;
    }
    const nat = this.natNs;
    await sh('ip', ['netns', 'add', nat]);
    await noIpv6(nat);
    await sh('ip', ['-n', nat, 'link', 'set', 'lo', 'up']);
    // Public side: `wan` on the bridge.
    await sh('ip', ['-n', nat, 'link', 'add', 'wan', 'type', 'veth', 'peer', 'name', port, 'netns', pub]);
    await sh('ip', ['-n', pub, 'link', 'set', port, 'master', 'br0', 'up']);
    await sh('ip', ['-n', nat, 'addr', 'add', `${this.publicIp}/24`, 'dev', 'wan']);
    await sh('ip', ['-n', nat, 'link', 'set', 'wan', 'up']);
    // Private side: `lan` to the client's `eth0`.
    await sh('ip', ['-n', nat, 'link', 'add', 'lan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.ns]);
    await sh('ip', ['-n', nat, 'addr', 'add', `${this.gateway}/24`, 'dev', 'lan']);
    await sh('ip', ['-n', nat, 'link', 'set', 'lan', 'up']);
    await sh('ip', ['-n', this.ns, 'addr', 'add', `${this.ip}/24`, 'dev', 'eth0']);
    await sh('ip', ['-n', this.ns, 'link', 'set', 'eth0', 'up']);
    await sh('ip', ['-n', this.ns, 'route', 'add', 'default', 'via', this.gateway]);
    // The NAT itself.
    await inNs(nat, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    const ipt = (...args) => inNs(nat, 'iptables', args, `iptables in ${nat}: ${args.join(' ')}`);
    // Unsolicited packets to the NAT's own address are dropped in INPUT, as
    // home routers do, not answered: their conntrack entry is then never
    // confirmed, so it cannot take the tuple an outgoing flow needs a moment
    // later (which would make MASQUERADE pick another port and break hole
    // punching between two cone NATs).
    await ipt('-A', 'INPUT', '-i', 'wan', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
    await ipt('-A', 'INPUT', '-i', 'wan', '-j', 'DROP');
    await ipt('-P', 'FORWARD', 'DROP');
    await ipt('-A', 'FORWARD', '-i', 'wan', '-o', 'lan', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
    if (this.type === 'udp-blocked') await ipt('-A', 'FORWARD', '-i', 'lan', '-o', 'wan', '-p', 'udp', '-j', 'DROP');
    await ipt('-A', 'FORWARD', '-i', 'lan', '-o', 'wan', '-j', 'ACCEPT');
    await ipt('-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE', ...(this.type === 'symmetric' ? ['--random-fully'] : []));
  }

  // Runs a command inside the client's namespace to its end: { stdout, stderr }.
  exec(cmd, args = [], { timeout = 60000 } = {}) {
    return execFileAsync('ip', ['netns', 'exec', this.ns, cmd, ...args], { timeout, maxBuffer: 16 << 20 });
  }

  // Starts a command inside the client's namespace; killed at destroy() if still running.
  spawn(cmd, args = [], options = {}) {
    const child = spawn('ip', ['netns', 'exec', this.ns, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  // What the NAT does, seen from this client (nat-probe.py against a
  // reflector on SERVER_IP): { udp: [mapping via port 1, via port 2],
  // unsolicited, tcp, behaviour } where behaviour is "cone" (one mapping for
  // both destinations), "symmetric" (two), "udp-blocked" (no UDP, TCP works)
  // or "none" (the mapping is the client's own address and port).
  async probeNat() {
    const reflector = spawn('ip', ['netns', 'exec', this.lab.ns, '/usr/bin/python3', NAT_PROBE, 'reflect', SERVER_IP, ...probePorts(this)], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise((resolve, reject) => {
        let err = '';
        reflector.stderr.on('data', (d) => { err += d; });
        reflector.stdout.once('data', resolve);
        reflector.once('exit', (code) => reject(new Error(`nat-probe reflector exited (${code}): ${err}`)));
      });
      const { stdout } = await this.exec('/usr/bin/python3', [NAT_PROBE, 'probe', SERVER_IP, ...probePorts(this)], { timeout: 20000 });
      const seen = JSON.parse(stdout);
      const [a, b] = seen.udp;
      let behaviour = 'broken';
      if (!a && !b) behaviour = seen.tcp ? 'udp-blocked' : 'broken';
      else if (a && b && a === b) behaviour = a === `${this.ip}:${seen.local}` ? 'none' : 'cone';
      else if (a && b) behaviour = 'symmetric';
      return { ...seen, behaviour };
    } finally {
      reflector.kill('SIGKILL');
    }
  }

  // A Chromium (see browser.mjs) running inside the client's namespace.
  // `origin` (the server's http:// origin) is treated as secure, so the page
  // gets a camera.
  async launchBrowser(origin, { extraArgs = [] } = {}) {
    const wrapper = path.join(this.lab.tmp, `chromium-${this.name}`);
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${this.ns} ${chromiumPath} "$@"\n`, { mode: 0o755 });
    const browser = await launchBrowser({ executablePath: wrapper, extraArgs: [`--unsafely-treat-insecure-origin-as-secure=${origin}`, ...extraArgs] });
    this.browsers.add(browser);
    browser.once('disconnected', () => this.browsers.delete(browser));
    return browser;
  }

  async closeBrowsers() {
    await Promise.all([...this.browsers].map((b) => b.close().catch(() => {})));
  }

  destroySync() {
    for (const child of this.children) { try { child.kill('SIGKILL'); } catch { /* gone */ } }
    removeNamespaceSync(this.ns);
    if (this.natNs) removeNamespaceSync(this.natNs);
  }
}

// The selected ICE candidate pair of an RTCPeerConnection in `page`, found by
// `pcExpression` (e.g. 'window.ct.subscriber'): { local: {type, protocol,
// relayProtocol, address}, remote: {type, protocol, address} }, or null
// before one is selected.
export function selectedPair(page, pcExpression) {
  return page.evaluate(async (expr) => {
    // eslint-disable-next-line no-new-func
    const pc = new Function(`return ${expr}`)();
    if (!pc) return null;
    const report = await pc.getStats();
    let pair = null;
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
    });
    if (!pair) {
      report.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
    }
    if (!pair) return null;
    const side = (id) => {
      const c = report.get(id) ?? {};
      return { type: c.candidateType, protocol: c.protocol, relayProtocol: c.relayProtocol, address: c.address, port: c.port };
    };
    return { local: side(pair.localCandidateId), remote: side(pair.remoteCandidateId) };
  }, pcExpression);
}

// "relay/tcp ↔ host/udp" for a printed matrix.
export function describePair(pair) {
  if (!pair) return 'none';
  const local = pair.local.type === 'relay' ? `relay/${pair.local.relayProtocol ?? '?'}` : `${pair.local.type}/${pair.local.protocol}`;
  return `${local} <-> ${pair.remote.type}/${pair.remote.protocol}`;
}
