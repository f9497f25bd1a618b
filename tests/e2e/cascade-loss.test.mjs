// Loss on a cascade link is repaired as on a client's: node a (eu, the
// room's home) drops 5% of what it sends (a test-only option, which covers
// its cascade links), a browser publishes through a and one watches through
// node b (us). b NACKs the gaps on the link and a sends those packets again
// (its ciphertalk_cascade_retransmissions_total); the video keeps decoding
// without long freezes. The watcher's own NACKs go to b, which answers them
// from its buffer of the link's stream (logged: how many b had by then).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCluster } from './lib/cluster.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { joinCall, stats, waitForVideoFrom } from './lib/call.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';

test('cascade: 5% loss on the link is repaired by NACKs back to the home node', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-cascade-loss-'));
  const lossy = path.join(dir, 'lossy.yaml');
  writeFileSync(lossy, 'testing:\n  drop_forwarded_fraction: 0.05\n');
  // Only a's links lose packets: what b resends on its watcher's NACKs it first had to get back from a.
  const cluster = await startCluster([['node-a', 'eu'], ['node-b', 'us']],
    { argsFor: (id) => (id === 'node-a' ? ['--config', lossy] : []) });
  let browser;
  try {
    const { 'node-a': a, 'node-b': b } = cluster.nodes;
    const logs = () => cluster.logs();

    browser = await launchBrowser();
    await joinCall(browser, a.url, 'lossy-link', 'pub', { query: '&simulcast=0' });
    const watcher = await joinCall(browser, b.url, 'lossy-link', 'us-1', { query: '&publish=0' });
    const { ok, stats: first } = await waitForVideoFrom(watcher, ['pub'], { minFrames: 15, timeout: 30000 });
    assert.ok(ok, `the watcher on b decodes: ${JSON.stringify(first)}\n${logs()}`);

    const s1 = await stats(watcher);
    const m1 = await scrapeMetrics(a.url);
    await watcher.waitForTimeout(6000);
    const s2 = await stats(watcher);
    const m2 = await scrapeMetrics(a.url);
    const sent = m2.sum('ciphertalk_cascade_packets_sent_total', { peer: 'node-b' }) -
      m1.sum('ciphertalk_cascade_packets_sent_total', { peer: 'node-b' });
    const resent = m2.sum('ciphertalk_cascade_retransmissions_total', { peer: 'node-b' }) -
      m1.sum('ciphertalk_cascade_retransmissions_total', { peer: 'node-b' });
    console.log(`link to b in 6 s: ${sent} packets sent, ${resent} sent again on NACKs; watcher: ${JSON.stringify(s2.pub)}`);
    // About 5% of what went out was lost and asked for again (lost NACKs and
    // packets too old to be worth asking for make it less than all of them).
    assert.ok(sent > 200, `media flows to b: ${sent}`);
    assert.ok(resent > 0.01 * sent && resent < 0.1 * sent, `b's NACKs were answered over the link: ${resent} of ${sent}`);
    const fps = (s2.pub.framesDecoded - s1.pub.framesDecoded) / 6;
    assert.ok(fps >= 10, `video keeps decoding at ${fps.toFixed(1)} fps`);
    const frozen = s2.pub.totalFreezesDuration - s1.pub.totalFreezesDuration;
    assert.ok(frozen < 1.5, `freezes total ${frozen.toFixed(2)} s in 6 s`);
    const mb = await scrapeMetrics(b.url);
    const unanswered = mb.sum('ciphertalk_retransmissions_total', { result: 'missing' });
    console.log(`watcher's NACKs: ${s2.pub.nackCount}; b resent ${mb.sum('ciphertalk_retransmissions_total', { result: 'sent' })}, missing ${unanswered}`);
  } finally {
    if (browser) await browser.close();
    await cluster.stop();
  }
});
