// A real redis-server (Debian's) for the scale-out tests: on a test port,
// nothing written to disk, stopped (or killed, to test an outage) by the test.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { portBlock } from './server.mjs';

// Whether a simple reply (status, error, integer or one bulk string) is all here.
function complete(b) {
  if (!b.endsWith('\r\n')) return false;
  if (b[0] !== '$') return true;
  const n = parseInt(b.slice(1), 10);
  return n < 0 || b.length >= b.indexOf('\r\n') + 2 + n + 2;
}

// One command over RESP, the answer as text (enough for GET/KEYS in tests).
export function redisCommand(port, ...args) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    sock.on('data', (d) => {
      buf += d;
      if (complete(buf)) { sock.end(); resolve(buf); }
    });
    sock.on('error', reject);
    sock.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
    sock.setTimeout(2000, () => { sock.destroy(); reject(new Error('redis: no answer')); });
  });
}

// The value of a string key, or null.
export async function redisGet(port, key) {
  const r = await redisCommand(port, 'GET', key);
  if (r.startsWith('$-1')) return null;
  return r.split('\r\n')[1];
}

export async function startRedis(port = portBlock()) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
  for (const deadline = Date.now() + 10000; ;) {
    try {
      if ((await redisCommand(port, 'PING')).startsWith('+PONG')) break;
    } catch { /* not yet */ }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port, url: `redis://127.0.0.1:${port}`, log: () => log,
    // SIGKILL: Redis vanishes as in a crash.
    async kill() { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited; } },
    async stop() { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGTERM'); await exited; } },
  };
}
