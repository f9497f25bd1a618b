// Test networks of Linux network namespaces with shaped links (root only).
//
//   const net = await createNetwork();           // a bridge on the host: net.serverIp
//   const server = await startServer(net.serverArgs());
//   const phone = await net.addClient('phone');  // a namespace with a veth to the bridge
//   await phone.setProfile('3g');                // both directions; call again to change mid-call
//   const browser = await phone.launchBrowser(net.origin(server));
//   ...
//   await net.destroy();                         // in `finally`; also runs at process exit
//
// The server runs on the host and is reached at net.serverIp. Each client is a
// namespace whose `eth0` is one end of a veth pair; the other end (the "peer
// end") sits on the bridge. A profile shapes the client's link in both
// directions: the rate with the kernel's tbf on each end's egress (upstream on
// eth0, downstream on the peer end), delay, jitter and loss with
// netns-shaper.py, which holds the namespace's packets through NFQUEUE (the
// kernel here has no netem). A NAT namespace between a client and the bridge
// can later take the peer end; the client's shaping stays where it is.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromiumPath, launchBrowser } from './browser.mjs';
import { binary } from './server.mjs';

const execFileAsync = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const SHAPER = path.join(here, 'netns-shaper.py');
export const PROBE = path.join(here, 'netns-probe.mjs');

// rate: kbit/s (0 = unlimited); delay, jitter: ms, each direction (RTT = 2 x delay);
// loss: percent, each direction; burst: mean length of a loss burst in packets (> 1: bursty).
export const PROFILES = Object.freeze({
  none: {},
  '3g': { rate: 750, delay: 100, loss: 1 },
  '4g': { rate: 8000, delay: 50, jitter: 10, loss: 0.5 },
  '5g': { rate: 50000, delay: 15 },
  'lossy-wifi': { rate: 20000, loss: 5, burst: 4 },
});

// The rate limiter's queue holds this much time at the link's rate: enough to
// absorb a video keyframe, short enough not to hide congestion (bufferbloat).
export const QUEUE_MS = 150;

// Names start with PREFIX and the owning process id (base 36), so a later run
// can remove what a crashed one left behind.
const PREFIX = 'ctn';
// 10.160.0.0 - 10.199.255.0: one /24 per network, clear of other tests' ranges.
const SUBNETS = { first: 160, count: 40 * 256 };

const live = new Set();
let counter = 0;
let exitHooked = false;

export function resolveProfile(profile) {
  const p = typeof profile === 'string' ? PROFILES[profile] : profile;
  if (!p) throw new Error(`unknown network profile "${profile}" (${Object.keys(PROFILES).join(', ')}, or {rate, delay, jitter, loss, burst})`);
  const unknown = Object.keys(p).filter((k) => !['rate', 'delay', 'jitter', 'loss', 'burst'].includes(k));
  if (unknown.length) throw new Error(`unknown network profile keys: ${unknown.join(', ')}`);
  const out = { rate: p.rate ?? 0, delay: p.delay ?? 0, jitter: p.jitter ?? 0, loss: p.loss ?? 0, burst: p.burst ?? 1 };
  for (const [k, v] of Object.entries(out)) if (!(typeof v === 'number' && v >= 0)) throw new Error(`network profile ${k} must be a number >= 0`);
  if (out.jitter > out.delay) throw new Error('network profile jitter must not exceed its delay');
  if (out.loss >= 100) throw new Error('network profile loss must be below 100 %');
  return out;
}

async function sh(cmd, args, what) {
  try {
    return (await execFileAsync(cmd, args, { maxBuffer: 16 << 20 })).stdout;
  } catch (e) {
    throw new Error(`${what ?? `${cmd} ${args.join(' ')}`}: ${(e.stderr || e.message).trim()}`);
  }
}

function shSync(cmd, args) {
  try { execFileSync(cmd, args, { stdio: 'ignore' }); } catch { /* already gone */ }
}

// Fails with the reason when this machine cannot make test networks.
async function requireCapabilities() {
  if (process.getuid?.() !== 0) throw new Error('network profiles need root (ip netns, tc, iptables): run the test as root');
  for (const tool of ['ip', 'tc', 'iptables']) {
    try { await execFileAsync('sh', ['-c', `command -v ${tool}`]); } catch { throw new Error(`network profiles need "${tool}" (scripts/setup installs iproute2 and iptables)`); }
  }
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

const ownerOf = (name) => {
  const m = new RegExp(`^${PREFIX}([0-9a-z]+)-`).exec(name);
  return m ? parseInt(m[1], 36) : null;
};

// Removes namespaces and links of ours whose process is gone. Processes left
// inside such a namespace lose their link and the namespace dies with them.
async function sweepStale() {
  const namespaces = (await sh('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
  for (const ns of namespaces) {
    const pid = ownerOf(ns);
    if (pid !== null && pid !== process.pid && !alive(pid)) shSync('ip', ['netns', 'del', ns]);
  }
  const links = (await sh('ip', ['-o', 'link', 'show'])).split('\n').map((l) => l.split(': ')[1]?.split('@')[0]).filter(Boolean);
  for (const link of links) {
    const pid = ownerOf(link);
    if (pid !== null && pid !== process.pid && !alive(pid)) shSync('ip', ['link', 'del', link]);
  }
}

async function freeSubnet() {
  const used = (await sh('ip', ['-4', '-o', 'addr', 'show'])) + (await sh('ip', ['-4', 'route', 'show', 'table', 'all']));
  for (let i = 0; i < SUBNETS.count; i++) {
    const k = (process.pid + counter * 7919 + i) % SUBNETS.count;
    const subnet = `10.${SUBNETS.first + Math.floor(k / 256)}.${k % 256}`;
    if (!used.includes(`${subnet}.`)) return subnet;
  }
  throw new Error('no free 10.160-199.x.0/24 subnet for a test network');
}

function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => { for (const net of live) net.destroySync(); });
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.once(signal, () => { for (const net of live) net.destroySync(); process.exit(code); });
  }
}

// Makes a test network: a bridge on the host with address serverIp (x.x.x.1/24).
export async function createNetwork() {
  await requireCapabilities();
  await sweepStale();
  hookExit();
  const id = `${process.pid.toString(36)}-${(counter++).toString(36)}`;
  const net = new TestNetwork(id, await freeSubnet());
  live.add(net);
  try {
    await net.init();
  } catch (e) {
    net.destroySync();
    throw e;
  }
  return net;
}

class TestNetwork {
  constructor(id, subnet) {
    this.id = id;
    this.subnet = subnet;
    this.serverIp = `${subnet}.1`;
    this.bridge = `${PREFIX}${id}b`;
    this.clients = [];
    this.tmp = mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${id}-`));
  }

  async init() {
    await sh('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    await sh('ip', ['addr', 'add', `${this.serverIp}/24`, 'dev', this.bridge]);
    await sh('ip', ['link', 'set', this.bridge, 'up']);
  }

  // Flags for `ciphertalk serve`: media and TURN on the bridge address (what
  // the ICE candidates carry), HTTP on every address so the test process can
  // still reach it on 127.0.0.1 (server.url) and clients on origin(server).
  serverArgs() {
    return ['--http-bind', '0.0.0.0', '--rtc-bind', this.serverIp];
  }

  // The server's web origin as the clients see it.
  origin(server) {
    return `http://${this.serverIp}:${server.ports.http}`;
  }

  // Adds a client namespace on the bridge, unshaped (profile `none`).
  async addClient(name) {
    if (!/^[a-z0-9]{1,20}$/.test(name)) throw new Error(`client name "${name}": 1-20 lowercase letters or digits`);
    if (this.clients.length >= 250) throw new Error('at most 250 clients per test network');
    const n = this.clients.length + 2;
    const client = new Client(this, name, `${PREFIX}${this.id}-${name}`, `${this.subnet}.${n}`, `${PREFIX}${this.id}h${n.toString(36)}`);
    this.clients.push(client);
    await client.init();
    return client;
  }

  async destroy() {
    await Promise.all(this.clients.map((c) => c.closeBrowsers()));
    this.destroySync();
  }

  // Kills what the clients still run (processes this test started inside its
  // namespaces), then removes links, namespaces and the bridge.
  destroySync() {
    if (!live.has(this)) return;
    live.delete(this);
    for (const c of this.clients) c.destroySync();
    shSync('ip', ['link', 'del', this.bridge]);
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

class Client {
  constructor(net, name, ns, ip, peerIf) {
    Object.assign(this, { net, name, ns, ip, peerIf });
    this.profile = resolveProfile('none');
    this.children = new Set();
    this.browsers = new Set();
    this.shaper = null;
    this.loopbackSnat = false;
    this.stopping = false;
  }

  async init() {
    await sh('ip', ['netns', 'add', this.ns]);
    // IPv4 only: an IPv6 address finishing duplicate detection a second
    // after the browser starts is a "network change" that aborts its page load.
    await sh('ip', ['netns', 'exec', this.ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    await sh('ip', ['link', 'add', this.peerIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.ns]);
    await sh('ip', ['link', 'set', this.peerIf, 'master', this.net.bridge, 'up']);
    await sh('ip', ['-n', this.ns, 'addr', 'add', `${this.ip}/24`, 'dev', 'eth0']);
    await sh('ip', ['-n', this.ns, 'link', 'set', 'eth0', 'up']);
    await sh('ip', ['-n', this.ns, 'link', 'set', 'lo', 'up']);
  }

  // Runs a command inside the namespace to its end: { stdout, stderr }; throws on failure.
  exec(cmd, args = [], { timeout = 60000 } = {}) {
    return execFileAsync('ip', ['netns', 'exec', this.ns, cmd, ...args], { timeout, maxBuffer: 16 << 20 });
  }

  // Starts a command inside the namespace; it is killed at destroy() if still running.
  spawn(cmd, args = [], options = {}) {
    const child = spawn('ip', ['netns', 'exec', this.ns, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  // Applies a profile (a name from PROFILES or {rate, delay, jitter, loss, burst})
  // to both directions of this client's link; the call in progress keeps going.
  async setProfile(profile) {
    const p = resolveProfile(profile);
    await shapeRate(['-n', this.ns], 'eth0', p.rate); // upstream: leaves the client
    await shapeRate([], this.peerIf, p.rate); // downstream: leaves the bridge towards the client
    if (this.shaper || p.delay || p.jitter || p.loss) {
      await this.#startShaper();
      const direction = { delay: p.delay, jitter: p.jitter, loss: p.loss, burst: p.burst };
      await this.#shaperRequest({ up: direction, down: direction });
    }
    this.profile = p;
    return p;
  }

  // The shaper's counts per direction: { up: { packets, dropped }, down: ... }.
  async shaperStats() {
    return this.shaper ? this.#shaperRequest({ stats: true }) : null;
  }

  async #startShaper() {
    if (this.shaper) return;
    const child = this.spawn('/usr/bin/python3', [SHAPER, '0', '1']);
    const shaper = { child, lines: [], waiters: [], stderr: '', exited: false };
    this.shaper = shaper;
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      const waiter = shaper.waiters.shift();
      if (waiter) waiter.resolve(JSON.parse(line));
    });
    child.stderr.on('data', (d) => { shaper.stderr += d; });
    child.once('exit', (code) => {
      shaper.exited = true;
      const error = new Error(`netns-shaper in ${this.ns} exited (${code}): ${shaper.stderr.trim()}`);
      for (const w of shaper.waiters.splice(0)) w.reject(error);
      if (live.has(this.net) && !this.stopping) console.log(error.message);
    });
    await this.#shaperReply(); // {"ready": true}: both queues are bound
    // Only now: packets queued without a listener would be dropped.
    await this.exec('iptables', ['-t', 'mangle', '-A', 'OUTPUT', '-o', 'eth0', '-j', 'NFQUEUE', '--queue-num', '0']);
    await this.exec('iptables', ['-t', 'mangle', '-A', 'PREROUTING', '-i', 'eth0', '-j', 'NFQUEUE', '--queue-num', '1']);
  }

  #shaperReply() {
    const shaper = this.shaper;
    if (shaper.exited) return Promise.reject(new Error(`netns-shaper in ${this.ns} is not running: ${shaper.stderr.trim()}`));
    return new Promise((resolve, reject) => shaper.waiters.push({ resolve, reject }));
  }

  #shaperRequest(request) {
    const reply = this.#shaperReply();
    this.shaper.child.stdin.write(`${JSON.stringify(request)}\n`);
    return reply;
  }

  // A Chromium (see browser.mjs) running inside the namespace. `origin` is the
  // server's http:// origin here, which Chromium must treat as secure to give
  // the page a camera.
  async launchBrowser(origin, { extraArgs = [] } = {}) {
    const wrapper = path.join(this.net.tmp, `chromium-${this.name}`);
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${this.ns} ${chromiumPath} "$@"\n`, { mode: 0o755 });
    const browser = await launchBrowser({ executablePath: wrapper, extraArgs: [`--unsafely-treat-insecure-origin-as-secure=${origin}`, ...extraArgs] });
    this.browsers.add(browser);
    browser.once('disconnected', () => this.browsers.delete(browser));
    return browser;
  }

  async closeBrowsers() {
    await Promise.all([...this.browsers].map((b) => b.close().catch(() => {})));
  }

  // Runs `ciphertalk loadtest ARGS` inside the namespace (pass --url
  // ws://SERVER_IP:PORT). The load tool binds its media sockets to 127.0.0.1,
  // so the namespace lets loopback sources leave eth0 (route_localnet) and
  // rewrites them to the client's address (SNAT).
  async loadtest(args, { timeout = 60000 } = {}) {
    if (!this.loopbackSnat) {
      await this.exec('sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet']);
      await this.exec('iptables', ['-t', 'nat', '-A', 'POSTROUTING', '-o', 'eth0', '-s', '127.0.0.0/8', '-j', 'SNAT', '--to-source', this.ip]);
      this.loopbackSnat = true;
    }
    return this.exec(binary, ['loadtest', ...args], { timeout });
  }

  destroySync() {
    this.stopping = true;
    for (const child of this.children) { try { child.kill('SIGKILL'); } catch { /* gone */ } }
    // Whatever else runs in the namespace was started by this test (e.g. the
    // renderer processes of a browser it launched).
    let pids = [];
    try { pids = execFileSync('ip', ['netns', 'pids', this.ns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number); } catch { /* no namespace */ }
    for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    shSync('ip', ['link', 'del', this.peerIf]);
    shSync('ip', ['netns', 'del', this.ns]);
  }
}

// The kernel's token bucket on DEV's egress: `rate` kbit/s with a queue of
// QUEUE_MS (tbf drops beyond it), or no limit for rate 0.
async function shapeRate(nsArgs, dev, rate) {
  if (!rate) {
    try { await execFileAsync('tc', [...nsArgs, 'qdisc', 'del', 'dev', dev, 'root']); } catch { /* none to remove */ }
    return;
  }
  const bytesPerSecond = (rate * 1000) / 8;
  // The bucket lets a few full-size packets (or 4 ms at high rates) through at line speed.
  const burst = Math.max(3 * 1514, Math.ceil(bytesPerSecond * 0.004));
  const limit = Math.max(3 * 1514, Math.ceil((bytesPerSecond * QUEUE_MS) / 1000));
  await sh('tc', [...nsArgs, 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', `${rate}kbit`, 'burst', String(burst), 'limit', String(limit)],
    `rate limit on ${dev} (tbf; the kernel needs CONFIG_NET_SCH_TBF)`);
}

// The shell helpers the NAT lab (nat.mjs) shares.
export { alive, sh, shSync };
