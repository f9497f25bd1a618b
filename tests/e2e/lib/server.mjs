// Starts the real ciphertalk binary for a test and stops it afterwards.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const binary = process.env.CT_BIN || path.join(repoRoot, 'build/release/ciphertalk');

// Test ports come from one sequence per test process, below Linux's ephemeral
// range (32768+), so no outgoing connection can hold one and no two servers in
// a process share one. Blocks of 20; the start depends on the pid so a rerun
// does not meet the previous run's lingering sockets.
const PORT_RANGE = { first: 12000, end: 32000 };
let nextBlock = PORT_RANGE.first + ((process.pid * 20) % (PORT_RANGE.end - PORT_RANGE.first));
export function portBlock() {
  if (nextBlock + 20 > PORT_RANGE.end) nextBlock = PORT_RANGE.first;
  const base = nextBlock;
  nextBlock += 20;
  return base;
}

// Each server gets fresh ports so a slow shutdown never collides with the next test.
export function freePorts() {
  const base = portBlock();
  return { http: base, rtc: base + 2, turn: base + 4, turnTls: base + 5 };
}

export async function startServer(extraArgs = [], { ports = freePorts(), env = {} } = {}) {
  if (!existsSync(binary)) throw new Error(`ciphertalk binary not found at ${binary} (build first or set CT_BIN)`);
  const args = ['serve', '--dev', '--http-port', String(ports.http), '--rtc-port', String(ports.rtc),
    '--turn-port', String(ports.turn), '--turn-tls-port', String(ports.turnTls), ...extraArgs];
  const child = spawn(binary, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
  const url = `http://127.0.0.1:${ports.http}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ciphertalk exited with ${child.exitCode}:\n${log}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`ciphertalk did not become healthy:\n${log}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, ports, child,
    log: () => log,
    exited,
    // Stops the server now: SIGTERM (a node without calls, or a --dev node
    // without --redis, exits at once), a second SIGTERM a second later (a
    // draining node exits at once then), SIGKILL after 5 s.
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const again = setTimeout(() => child.kill('SIGTERM'), 1000);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(again);
      clearTimeout(timer);
      return code;
    },
    // Starts a drain (one SIGTERM): the server refuses new joins and exits
    // once its last participant leaves or --drain-timeout passes. Await
    // `exited` for its exit code.
    drain() { child.kill('SIGTERM'); },
  };
}
