// Draining a node mid-call in a three-node cluster: the room is handed to
// another node and both participants follow `move` (reason "drain") without
// a gap in the video they see, end up on the new node, and the drained node
// answers /healthz with 503 meanwhile and exits once it is empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { startRedis, redisGet } from './lib/redis.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinCall, waitForVideoFrom } from './lib/call.mjs';
import { api, token } from './lib/roomapi.mjs';

// What each person sees: every 100 ms while `during` runs, the time since
// the tile of `other` last presented a frame (requestVideoFrameCallback on
// whichever <video> the tile holds then); returns the longest such stretch
// (ms) per page. A tile that goes away counts as no video.
async function longestGap(pages, during) {
  await Promise.all(pages.map(({ page, other }) => page.evaluate((who) => {
    const watch = { last: performance.now(), longest: 0, video: null };
    const onFrame = (video) => {
      if (watch.video !== video) return;
      watch.last = performance.now();
      video.requestVideoFrameCallback(() => onFrame(video));
    };
    watch.timer = setInterval(() => {
      const video = document.querySelector(`.tile[data-participant="${CSS.escape(who)}"] video`);
      if (video && video !== watch.video) {
        watch.video = video;
        video.requestVideoFrameCallback(() => onFrame(video));
      }
      watch.longest = Math.max(watch.longest, performance.now() - watch.last);
    }, 100);
    window.ctGapWatch = watch;
  }, other)));
  let gaps;
  try {
    await during();
  } finally {
    gaps = await Promise.all(pages.map(({ page }) => page.evaluate(() => {
      clearInterval(window.ctGapWatch.timer);
      return Math.round(window.ctGapWatch.longest);
    })));
  }
  return gaps;
}

test('drain mid-call: the participants move to another node with no gap in their video', { timeout: 90000 }, async () => {
  const redis = await startRedis();
  const nodes = {};
  let browser;
  try {
    // Node a is alone in its region, so the room its joiners open lands there.
    for (const [id, region] of [['node-a', 'eu'], ['node-b', 'us'], ['node-c', 'us']]) {
      nodes[id] = await startServer(['--redis', redis.url, '--node-id', id, '--region', region, '--drain-timeout', '60s']);
    }
    const a = nodes['node-a'];
    browser = await launchBrowser();
    const alice = await joinCall(browser, a.url, 'drained', 'alice');
    const bob = await joinCall(browser, a.url, 'drained', 'bob');
    for (const [page, other] of [[alice, 'bob'], [bob, 'alice']]) {
      const { ok, stats: s } = await waitForVideoFrom(page, [other], { minFrames: 15, timeout: 30000 });
      assert.ok(ok, `video from ${other} decodes: ${JSON.stringify(s)}`);
    }
    assert.equal(await redisGet(redis.port, 'ciphertalk:room:drained'), 'node-a');

    const admin = token({ grant: 'admin' });
    let target;
    const gaps = await longestGap([{ page: alice, other: 'bob' }, { page: bob, other: 'alice' }], async () => {
      a.drain();
      // A load balancer's health check sees the drain at once, while the node still serves its call.
      const health = await waitFor(async () => {
        const r = await fetch(`${a.url}/healthz`);
        return r.status === 503 && await r.json();
      }, { timeout: 3000, interval: 50 });
      assert.deepEqual(health, { status: 'draining' }, '/healthz of the draining node');
      target = await waitFor(async () => {
        const id = await redisGet(redis.port, 'ciphertalk:room:drained');
        return id !== 'node-a' && id;
      }, { timeout: 5000, interval: 100 });
      assert.ok(target, `the room's claim moved off node-a\n${a.log().slice(-2000)}`);
      // Both are in the room on the new node, publishing, and the drained node exits.
      const there = await waitFor(async () => {
        const r = await api(nodes[target], 'GET', '/api/rooms/drained/participants', { bearer: admin });
        const people = r.status === 200 ? r.body.participants : [];
        return ['alice', 'bob'].every((who) => people.some((p) => p.identity === who && p.tracks.length >= 2));
      }, { timeout: 20000 });
      assert.ok(there, `alice and bob joined on ${target}\n${nodes[target].log().slice(-2000)}`);
      const code = await Promise.race([a.exited, new Promise((r) => setTimeout(() => r('still running'), 25000))]);
      assert.equal(code, 0, `node-a exits once empty\n${a.log().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 1500));  // video goes on after the exit
    });
    assert.ok(gaps.every((g) => g < 2000), `no gap of 2 s in the video each sees (sampled every 100 ms): ${gaps.join(' ms, ')} ms`);
    const url = `ws://127.0.0.1:${nodes[target].ports.http}/rtc`;
    for (const page of [alice, bob]) assert.equal(await page.evaluate(() => window.ct.url), url);
    console.log(`drain: room moved to ${target}; longest video gaps ${gaps.join(' ms, ')} ms`);
  } finally {
    if (browser) await browser.close();
    for (const n of Object.values(nodes)) await n.stop();
    await redis.stop();
  }
});

test('drain of a node that only relays: the relayed participant takes its signaling to the room\'s node, keeps its video, and the node exits early', { timeout: 75000 }, async () => {
  const redis = await startRedis();
  const nodes = {};
  let browser;
  try {
    // Node a is alone in its region, so the room alice opens through it lands there; bob comes through b,
    // which relays his signaling there (no cascade: his call runs on node a).
    for (const [id, region] of [['node-a', 'eu'], ['node-b', 'us']]) {
      nodes[id] = await startServer(['--redis', redis.url, '--node-id', id, '--region', region, '--cascade', 'off', '--drain-timeout', '60s']);
    }
    const [a, b] = [nodes['node-a'], nodes['node-b']];
    const homeUrl = `ws://127.0.0.1:${a.ports.http}/rtc`;
    browser = await launchBrowser();
    const alice = await joinCall(browser, a.url, 'relayhop', 'alice');
    const bob = await joinCall(browser, b.url, 'relayhop', 'bob');
    for (const [page, other] of [[alice, 'bob'], [bob, 'alice']]) {
      const { ok, stats: s } = await waitForVideoFrom(page, [other], { minFrames: 15, timeout: 30000 });
      assert.ok(ok, `video from ${other} decodes: ${JSON.stringify(s)}`);
    }
    assert.equal(await redisGet(redis.port, 'ciphertalk:room:relayhop'), 'node-a');
    assert.match(b.log(), /bob joins room 'relayhop' relayed to ws:\/\/127\.0\.0\.1:\d+\/rtc/);

    let exitedAfter;
    const gaps = await longestGap([{ page: alice, other: 'bob' }, { page: bob, other: 'alice' }], async () => {
      const drainedAt = Date.now();
      b.drain();
      const code = await Promise.race([b.exited, new Promise((r) => setTimeout(() => r('still running'), 20000))]);
      exitedAfter = Date.now() - drainedAt;
      assert.equal(code, 0, `node-b exits once it relays no one (well before --drain-timeout 60s)\n${b.log().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 1500));  // video goes on after the exit
    });
    assert.match(b.log(), /drain: 1 relayed client\(s\) of room 'relayhop' sent to ws:\/\/127\.0\.0\.1:\d+\/rtc/);
    // Bob resumed on node a itself: the same participant (no rejoin), with its signaling there now.
    assert.match(a.log(), /bob joins room 'relayhop' \(resume\)/);
    assert.doesNotMatch(a.log(), /duplicate_identity|resume_failed/);
    const signaling = await bob.evaluate(() => ({ url: window.ct.url, open: window.ct.ws?.readyState === WebSocket.OPEN, state: window.ct.connection.state }));
    assert.deepEqual(signaling, { url: homeUrl, open: true, state: 'connected' });
    // Still in the call there, both publishing.
    const people = (await api(a, 'GET', '/api/rooms/relayhop/participants', { bearer: token({ grant: 'admin' }) })).body.participants;
    assert.deepEqual(people.map((p) => [p.identity, p.tracks.length >= 2]).sort(), [['alice', true], ['bob', true]]);
    assert.ok(gaps.every((g) => g < 2000), `no gap of 2 s in the video each sees (sampled every 100 ms): ${gaps.join(' ms, ')} ms`);
    console.log(`relay drain: node-b exited ${exitedAfter} ms after SIGTERM; longest video gaps ${gaps.join(' ms, ')} ms`);
  } finally {
    if (browser) await browser.close();
    for (const n of Object.values(nodes)) await n.stop();
    await redis.stop();
  }
});
