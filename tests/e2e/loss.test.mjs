// NACK/RTX repair: the server drops 5% of the packets it forwards (a test-only
// option) and the receivers' retransmission requests are answered from its
// buffer, so video keeps decoding without long freezes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { joinCall, stats, waitForVideoFrom } from './lib/call.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';

test('5% forwarded loss is repaired by NACK/RTX', { timeout: 120000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-loss-'));
  const config = path.join(dir, 'ciphertalk.yaml');
  writeFileSync(config, 'testing:\n  drop_forwarded_fraction: 0.05\n');
  const server = await startServer(['--config', config]);
  const browser = await launchBrowser();
  try {
    const a = await joinCall(browser, server.url, 'lossy', 'alice');
    const b = await joinCall(browser, server.url, 'lossy', 'bob');
    assert.ok((await waitForVideoFrom(a, ['bob'])).ok);
    assert.ok((await waitForVideoFrom(b, ['alice'])).ok);
    const s1 = await stats(a);
    await a.waitForTimeout(6000);
    const s2 = await stats(a);
    console.log('alice receiving bob under 5% loss:', JSON.stringify(s2.bob));
    assert.ok(s2.bob.nackCount > 0, 'alice sent NACKs');
    const fps = (s2.bob.framesDecoded - s1.bob.framesDecoded) / 6;
    assert.ok(fps >= 10, `video keeps decoding at ${fps.toFixed(1)} fps`);
    assert.ok(s2.bob.totalFreezesDuration - s1.bob.totalFreezesDuration < 1.5,
      `freezes total ${(s2.bob.totalFreezesDuration - s1.bob.totalFreezesDuration).toFixed(2)} s in 6 s`);
    // The server's side of the repair: injected drops, and NACKed packets resent.
    const m = await scrapeMetrics(server.url);
    const dropped = m.sum('ciphertalk_rtp_dropped_total', { reason: 'fault_injection' });
    const forwarded = m.sum('ciphertalk_forwarded_packets_total');
    assert.ok(dropped > 0.02 * forwarded && dropped < 0.08 * forwarded, `dropped ${dropped} of ${forwarded}`);
    assert.ok(m.sum('ciphertalk_retransmissions_total', { result: 'sent' }) > 0, m.text);
  } finally {
    await browser.close();
    assert.equal(await server.stop(), 0);
  }
});
