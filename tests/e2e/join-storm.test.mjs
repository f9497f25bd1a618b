// The join storm: scripts/join-storm joins 500 synthetic participants (real
// ICE/DTLS/SRTP; one publisher and 9 subscribers per room) into 50 rooms
// within 10 s, all from 127.0.0.1 (the server's --max-connections-per-ip is
// raised), and reports each join's time from WebSocket connect to first
// media. No join may fail, and every one must have had media.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { binary, portBlock, repoRoot } from './lib/server.mjs';

test('join storm: 500 participants into 50 rooms within 10 s, none fails', { timeout: 90000 }, async () => {
  const child = spawn(path.join(repoRoot, 'scripts/join-storm'),
    ['--participants', '500', '--rooms', '50', '--within', '10', '--port', String(portBlock()), '--json'],
    { env: { ...process.env, CT_BIN: binary }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const timer = setTimeout(() => child.kill('SIGTERM'), 80000);
  const code = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const r = JSON.parse(out);
  console.log(`join storm (full 500/50): ${r.joins} joins, ${r.failed_joins} failed; first media p50 ` +
    `${r.first_media_p50_ms.toFixed(0)} ms, p99 ${r.first_media_p99_ms.toFixed(0)} ms, max ${r.first_media_max_ms.toFixed(0)} ms`);
  assert.equal(code, 0, `join storm failed:\n${out}\n${err}`);
  assert.equal(r.ok, true);
  assert.equal(r.failed_joins, 0, r.error);
  assert.equal(r.joins, 500);
  assert.equal(r.first_media_samples, 500);
  assert.equal(r.rooms, 50);
  assert.ok(r.first_media_p99_ms > 0 && r.first_media_p99_ms < 30000, `p99 ${r.first_media_p99_ms} ms`);
  assert.ok(r.packets_received > 0);
});
