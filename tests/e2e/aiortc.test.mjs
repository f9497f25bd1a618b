// The echo call from aiortc (Debian python3-aiortc), an independent WebRTC stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './lib/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

test('aiortc echo call gets its video frames back', async () => {
  const server = await startServer();
  try {
    const r = spawnSync('/usr/bin/python3', [path.join(here, 'aiortc_echo.py'), server.url, '30'],
      { encoding: 'utf8', timeout: 60000 });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, `aiortc echo failed:\n${out}\n--- server log ---\n${server.log()}`);
    const result = JSON.parse(r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop());
    assert.ok(result.videoFrames >= 30, out);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
