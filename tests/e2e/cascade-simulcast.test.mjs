// Simulcast over cascade links: a publisher on node a (eu, the home) sends
// three layers; the watcher on node b (us) has a small tile, the one on node
// c (ap) a large one. Each node tells a which layers its subscribers pick
// among: a sends b the low layer only and c every layer (fewer packets on the
// link to b, counted in a's /metrics), and when b's tile grows, b gets a
// higher layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './lib/cluster.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinCall, inboundVideo, setTile } from './lib/call.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';

const VIEWPORT = { width: 1400, height: 900 };
const SMALL = 'width: 240px; height: 135px; aspect-ratio: auto;';
const LARGE = 'width: 1280px; height: 720px; aspect-ratio: auto; grid-column: 1 / -1;';

test('cascade: a node whose watchers have small tiles gets only the low layer over its link', { timeout: 60000 }, async () => {
  const cluster = await startCluster([['node-a', 'eu'], ['node-b', 'us'], ['node-c', 'ap']]);
  const { nodes } = cluster;
  let browser;
  try {
    const [a, b, c] = [nodes['node-a'], nodes['node-b'], nodes['node-c']];
    const logs = () => cluster.logs(1500);

    browser = await launchBrowser();
    await joinCall(browser, a.url, 'layers', 'pub', { query: '&capture=720', viewport: VIEWPORT });
    const small = await joinCall(browser, b.url, 'layers', 'us-1', { query: '&publish=0', viewport: VIEWPORT });
    const large = await joinCall(browser, c.url, 'layers', 'ap-1', { query: '&publish=0', viewport: VIEWPORT });
    for (const page of [small, large]) {
      await page.waitForFunction(() => document.querySelector('.tile[data-participant="pub"]'), null, { timeout: 15000 });
    }
    await setTile(small, 'pub', SMALL);
    await setTile(large, 'pub', LARGE);

    const lowOnB = await waitFor(async () => {
      const s = await inboundVideo(small, 'pub');
      return s && s.framesDecoded > 10 && s.frameWidth > 0 && s.frameWidth <= 320 && s;
    }, { timeout: 25000 });
    assert.ok(lowOnB, `the small tile on b decodes the low layer: ${JSON.stringify(await inboundVideo(small, 'pub'))}\n${logs()}`);
    const higherOnC = await waitFor(async () => {
      const s = await inboundVideo(large, 'pub');
      return s && s.framesDecoded > 10 && s.frameWidth > 320 && s;
    }, { timeout: 25000 });
    assert.ok(higherOnC, `the large tile on c decodes a higher layer: ${JSON.stringify(await inboundVideo(large, 'pub'))}`);

    // Over the same seconds, a sends b (the low layer and audio) far fewer packets than c (every layer and audio).
    const sent = async () => {
      const m = await scrapeMetrics(a.url);
      return { b: m.sum('ciphertalk_cascade_packets_sent_total', { peer: 'node-b' }), c: m.sum('ciphertalk_cascade_packets_sent_total', { peer: 'node-c' }) };
    };
    const first = await sent();
    await small.waitForTimeout(4000);
    const second = await sent();
    const toB = second.b - first.b;
    const toC = second.c - first.c;
    console.log(`a sent in 4 s: ${toB} packets to b (small tile), ${toC} to c (large tile)`);
    assert.ok(toB > 100, `media flows to b: ${toB}`);
    assert.ok(toB < 0.6 * toC, `b gets only the low layer: ${toB} packets vs ${toC} to c`);

    // b's tile grows: b asks a for more layers, and its watcher gets a higher one.
    await setTile(small, 'pub', LARGE);
    const grown = await waitFor(async () => {
      const s = await inboundVideo(small, 'pub');
      return s && s.frameWidth > 320 && s;
    }, { timeout: 20000 });
    assert.ok(grown, `the grown tile on b gets a higher layer: ${JSON.stringify(await inboundVideo(small, 'pub'))}`);
  } finally {
    if (browser) await browser.close();
    await cluster.stop();
  }
});
