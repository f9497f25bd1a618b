// An end-to-end encrypted room that spans nodes: Alice joins through node a
// (eu), the room's home, Bob through node b (us), which serves its own part
// of the room. Each one's key announcement and the sender key wrapped for the
// other cross the nodes' control channel as opaque blobs; both pages decrypt
// and decode the other's video, and show the call encrypted (a lock on the
// tile, nothing undecryptable). No node writes any of those blobs in its log
// (at trace level) or its /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './lib/cluster.mjs';
import { redisCommand } from './lib/redis.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { decryptedFrom, joinApp, waitForFramesFrom, workerStats } from './lib/app.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';

// Records what the page sends of its key material: its announcements and wrapped keys.
const RECORD_KEY_MATERIAL = () => {
  window.sentKeyMaterial = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      const m = JSON.parse(data);
      if (m.type === 'e2ee_announce') window.sentKeyMaterial.push(m.announcement);
      if (m.type === 'e2ee_keys') for (const k of m.keys) window.sentKeyMaterial.push(k.blob);
    } catch { /* not JSON */ }
    return send.call(this, data);
  };
};

test('cascade: an encrypted room with a participant on each of two nodes decrypts both ways', { timeout: 60000 }, async () => {
  const cluster = await startCluster([['node-a', 'eu'], ['node-b', 'us']], { args: ['--log-level', 'trace'] });
  const { redis } = cluster;
  const nodes = Object.values(cluster.nodes);
  let browser;
  try {
    const [a, b] = nodes;
    const logs = () => cluster.logs();

    browser = await launchBrowser();
    // Each join asks for an encrypted room (--dev honours it where the join creates the room).
    const alice = await joinApp(browser, a.url, { room: 'vault', identity: 'alice', name: 'Alice', query: { e2ee: '1' }, initScript: RECORD_KEY_MATERIAL });
    const bob = await joinApp(browser, b.url, { room: 'vault', identity: 'bob', name: 'Bob', query: { e2ee: '1' }, initScript: RECORD_KEY_MATERIAL });

    for (const [viewer, page, other] of [['alice', alice, 'bob'], ['bob', bob, 'alice']]) {
      const frames = await waitForFramesFrom(page, [other], { minFrames: 30, timeout: 25000 });
      assert.ok(frames.ok, `${viewer} decodes ${other}'s video: ${JSON.stringify(frames.stats)}\n${logs()}`);
      const worker = await workerStats(page);
      assert.ok(decryptedFrom(worker, other) > 30, `${viewer} decrypted ${other}'s frames: ${JSON.stringify(worker)}`);
      const tile = `[data-participant="${other}"]`;
      assert.ok(await waitFor(() => page.locator(`${tile} [data-testid="tile-lock"]`).isVisible()), `${viewer} shows a lock on ${other}'s tile`);
      assert.equal(await page.locator(`${tile} [data-testid="tile-undecryptable"]`).isVisible(), false);
    }
    // Each page sent an announcement and a wrapped key at least; no node wrote any of them down.
    for (const [who, page] of [['alice', alice], ['bob', bob]]) {
      const material = await page.evaluate(() => window.sentKeyMaterial);
      assert.ok(material.length >= 2, `${who} sent its announcement and a wrapped key: ${material.length}`);
      for (const n of nodes) {
        const metrics = (await scrapeMetrics(n.url)).text;
        for (const blob of material) {
          assert.ok(!n.log().includes(blob) && !metrics.includes(blob), `a node's log or metrics hold ${who}'s key material`);
        }
      }
    }
    // Bob was served by b, in its own part of the room, not relayed to a.
    const fields = await redisCommand(redis.port, 'HKEYS', 'ciphertalk:room:vault:nodes');
    assert.ok(fields.includes('node-b'), `node-b serves a part of the room: ${fields}`);
  } finally {
    if (browser) await browser.close();
    await cluster.stop();
  }
});
