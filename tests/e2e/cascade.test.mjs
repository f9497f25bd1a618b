// A room that spans nodes: three nodes in three regions share one real
// redis-server. A browser publishes through node a (eu), which becomes the
// room's home; one browser watches through a, two through node b (us) and
// one through node c (ap). Each of b and c serves the room too, linked to a: every watcher
// decodes the publisher's video and hears its audio, and a sends each stream
// once to b and once to c, however many watch there (its /metrics). When the
// publisher mutes, the watchers on b and c see it muted, as the one on a does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './lib/cluster.mjs';
import { redisCommand } from './lib/redis.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinCall, stats, waitForVideoFrom } from './lib/call.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';

test('cascade: one publisher on a, watchers on b and c, each stream sent once per node', { timeout: 90000 }, async () => {
  const cluster = await startCluster([['node-a', 'eu'], ['node-b', 'us'], ['node-c', 'ap']]);
  const { redis, nodes } = cluster;
  let browser;
  try {
    const [a, b, c] = [nodes['node-a'], nodes['node-b'], nodes['node-c']];
    const logs = () => cluster.logs(2500);

    browser = await launchBrowser();
    const pub = await joinCall(browser, a.url, 'cascade', 'pub', { query: '&simulcast=0' });
    const local = await joinCall(browser, a.url, 'cascade', 'eu-1', { query: '&publish=0' });
    const watchers = [
      await joinCall(browser, b.url, 'cascade', 'us-1', { query: '&publish=0' }),
      await joinCall(browser, b.url, 'cascade', 'us-2', { query: '&publish=0' }),
      await joinCall(browser, c.url, 'cascade', 'ap-1', { query: '&publish=0' }),
    ];
    for (const [i, page] of watchers.entries()) {
      const { ok, stats: s } = await waitForVideoFrom(page, ['pub'], { minFrames: 15, timeout: 30000 });
      assert.ok(ok, `watcher ${i} decodes the publisher's video: ${JSON.stringify(s)}\n${logs()}`);
      assert.ok(s.pub.audioPackets > 0, `watcher ${i} receives its audio: ${JSON.stringify(s)}`);
    }
    // The home is a (the first joiner's region); b and c serve their own part of the room.
    assert.equal((await redisCommand(redis.port, 'GET', 'ciphertalk:room:cascade')).split('\r\n')[1], 'node-a');
    const fields = await redisCommand(redis.port, 'HKEYS', 'ciphertalk:room:cascade:nodes');
    for (const id of ['node-b', 'node-c']) assert.ok(fields.includes(id), `${id} in the room's nodes: ${fields}`);
    // Each node's part of the room holds everyone, but a node's load (and
    // ciphertalk_participants) is its own participants only: 2 on a, 2 on b, 1 on c.
    for (const [id, n] of Object.entries(nodes)) {
      const own = { 'node-a': 2, 'node-b': 2, 'node-c': 1 }[id];
      assert.equal((await scrapeMetrics(n.url)).sum('ciphertalk_participants'), own, `${id}'s own participants`);
    }

    // a sends the publisher's audio and video once to each node: two streams
    // to b (two watchers there) as to c (one), and as many packets.
    const at = async () => {
      const m = await scrapeMetrics(a.url);
      const peer = (p) => ({
        streams: m.sum('ciphertalk_cascade_streams_sent', { peer: p }),
        packets: m.sum('ciphertalk_cascade_packets_sent_total', { peer: p }),
      });
      return { b: peer('node-b'), c: peer('node-c'), keyframes: m.sum('ciphertalk_cascade_keyframe_requests_total', { direction: 'received' }) };
    };
    const first = await at();
    await new Promise((r) => setTimeout(r, 3000));
    const second = await at();
    for (const p of ['b', 'c']) assert.equal(second[p].streams, 2, `streams to node-${p}: ${JSON.stringify(second)}`);
    const toB = second.b.packets - first.b.packets;
    const toC = second.c.packets - first.c.packets;
    assert.ok(toB > 100 && toC > 100, `media flows to both nodes: ${toB}, ${toC}`);
    assert.ok(toB / toC > 0.8 && toB / toC < 1.25, `b (two watchers) gets as many packets as c (one): ${toB} vs ${toC}`);
    // The watchers' keyframe requests reached the publisher's node over the links.
    assert.ok(second.keyframes > 0, `keyframe requests from b and c reached a: ${JSON.stringify(second)}`);

    // Still decoding throughout.
    const before = await stats(watchers[1]);
    assert.ok(await waitFor(async () => (await stats(watchers[1])).pub.framesDecoded > before.pub.framesDecoded + 20,
      { timeout: 10000 }), 'a watcher on b keeps decoding');

    // The publisher mutes its microphone and turns its camera off: the
    // watchers on b and c see it as the watcher on a does (the SDK's
    // participant, its tracks' kind, source, name and mute state, the tile's
    // muted microphone), and see it back when it unmutes. The control
    // exchange runs twice a second: 5 s is ample.
    const view = (page) => page.evaluate(() => {
      const p = window.ct.participants.get('pub');
      if (!p) return null;
      const tracks = [...p.tracks.values()].map((t) => ({ sid: t.sid, kind: t.kind, source: t.source, name: t.name, muted: t.muted }));
      tracks.sort((x, y) => x.kind.localeCompare(y.kind));
      const tile = document.querySelector('.tile[data-participant="pub"]');
      return { name: p.info.name, metadata: p.info.metadata ?? '', tracks, micShownMuted: tile?.dataset.audioMuted === 'true' };
    });
    const sameEverywhere = async (muted) => {
      let views = [];
      const ok = await waitFor(async () => {
        views = await Promise.all([local, watchers[0], watchers[2]].map(view));
        return views.every((v) => v && v.tracks.length === 2 && v.tracks.every((t) => t.muted === muted) && v.micShownMuted === muted);
      }, { timeout: 5000 });
      assert.ok(ok, `every watcher sees the publisher ${muted ? 'muted' : 'unmuted'}: ${JSON.stringify(views)}`);
      assert.deepEqual(views[1], views[0], 'a watcher on b sees what the watcher on a sees');
      assert.deepEqual(views[2], views[0], 'a watcher on c sees what the watcher on a sees');
      assert.deepEqual(views[0].tracks.map((t) => [t.kind, t.source]), [['audio', 'microphone'], ['video', 'camera']]);
    };
    await sameEverywhere(false);
    await pub.click('#mic');
    await pub.click('#cam');
    await sameEverywhere(true);
    await pub.click('#mic');
    await pub.click('#cam');
    await sameEverywhere(false);
    const resumed = await stats(watchers[2]);
    assert.ok(await waitFor(async () => (await stats(watchers[2])).pub.framesDecoded > resumed.pub.framesDecoded + 10,
      { timeout: 10000 }), 'the watcher on c decodes the camera again');
  } finally {
    if (browser) await browser.close();
    await cluster.stop();
  }
});
