// The 2-minute soak: scripts/soak runs the server under a churning load
// (10 rooms of 1 publisher + 3 subscribers, one participant replaced every
// second) and fails unless RSS, open descriptors and the workers' queue depth
// stay flat and no join failed. The warm-up is the first minute (in a 1-hour
// run, the first 20 %): the allocator's pools fill while every participant
// is replaced once or twice. Its PNG and CSV go to a temporary folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binary, portBlock, repoRoot } from './lib/server.mjs';

test('soak: 2 minutes of churn leave RSS, descriptors and queue depth flat', { timeout: 170000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ct-soak-'));
  try {
    const png = path.join(dir, 'soak.png');
    const child = spawn(path.join(repoRoot, 'scripts/soak'),
      ['--duration', '120', '--out', png, '--interval', '3', '--warm-up', '60', '--port', String(portBlock())],
      { env: { ...process.env, CT_BIN: binary }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const code = await new Promise((resolve) => child.on('close', resolve));
    console.log(out);
    assert.equal(code, 0, `soak failed:\n${out}`);
    assert.match(out, /soak: flat/);
    assert.ok(statSync(png).size > 10000, 'a PNG plot');
    const rows = readFileSync(path.join(dir, 'soak.csv'), 'utf8').trim().split('\n');
    assert.equal(rows[0], 'seconds,rss_kib,fds,queue_depth,participants');
    // A sample every 3 s for 2 minutes, the load present in them.
    assert.ok(rows.length >= 30, `${rows.length} rows`);
    const participants = rows.slice(1).map((r) => Number(r.split(',')[4]));
    assert.ok(Math.max(...participants) >= 40, `participants ${Math.max(...participants)}`);
    const load = JSON.parse(out.match(/^load: (.*)$/m)[1]);
    assert.equal(load.failed_joins, 0);
    assert.ok(load.churn_leaves >= 100, `churned ${load.churn_leaves}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
