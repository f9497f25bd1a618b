// Scale-out through Redis: three nodes on this machine share one real
// redis-server. Browsers that reach different nodes meet in one room (the
// signaling is relayed to the node that hosts it), new rooms go to the
// least-loaded node, and a Redis outage drops no call. Draining one node keeps
// its calls, refuses new joins and exits when the last participant leaves;
// in a cluster it moves them to another node. The room API answers from any
// node, and a room it creates is placed on the least-loaded node.
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { binary, startServer } from './lib/server.mjs';
import { startRedis, redisGet } from './lib/redis.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinCall, stats, waitForVideoFrom } from './lib/call.mjs';
import { connect, devToken } from './lib/signal.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';
import { api, token } from './lib/roomapi.mjs';

// A participant without media: joins `room` through `node` and returns the
// first answer, "joined" or an error.
async function signalJoin(node, room, identity) {
  const c = await connect(node);
  c.send({ type: 'join', token: await devToken(node, room, identity) });
  const answer = await c.until((m) => m.type === 'joined' || m.type === 'error', `${identity}'s join`, 15000);
  return { client: c, answer };
}

async function keepsDecoding(page, others, ms = 2000) {
  const before = await stats(page);
  await page.waitForTimeout(ms);
  const after = await stats(page);
  return others.every((o) => after[o] && before[o] && after[o].framesDecoded > before[o].framesDecoded);
}

test('three nodes: relayed signaling, least-loaded placement, Redis outage', { timeout: 150000 }, async () => {
  const redis = await startRedis();
  const nodes = {};
  let browser;
  const clients = [];
  try {
    for (const id of ['node-a', 'node-b', 'node-c']) {
      nodes[id] = await startServer(['--redis', redis.url, '--node-id', id]);
    }
    const [a, b, c] = [nodes['node-a'], nodes['node-b'], nodes['node-c']];
    const logs = () => Object.entries(nodes).map(([id, n]) => `--- ${id}\n${n.log().slice(-1500)}`).join('\n');

    // Alice reaches node a, Bob node b: one room, hosted on one node, and they see each other.
    browser = await launchBrowser();
    const alice = await joinCall(browser, a.url, 'standup', 'alice');
    const bob = await joinCall(browser, b.url, 'standup', 'bob');
    for (const [page, other] of [[alice, 'bob'], [bob, 'alice']]) {
      const { ok, stats: s } = await waitForVideoFrom(page, [other], { minFrames: 15, timeout: 30000 });
      assert.ok(ok, `video from ${other} decodes: ${JSON.stringify(s)}\n${logs()}`);
    }
    // One node hosts the room (all were idle: any of them); the others only relay signaling.
    const host = await redisGet(redis.port, 'ciphertalk:room:standup');
    assert.ok(nodes[host], `the room is claimed by a node: ${host}`);
    for (const [id, n] of Object.entries(nodes)) {
      assert.equal((await scrapeMetrics(n.url)).sum('ciphertalk_participants'), id === host ? 2 : 0, `${id}'s participants`);
    }
    for (const [who, id] of [['alice', 'node-a'], ['bob', 'node-b']]) {
      if (id !== host) assert.match(nodes[id].log(), new RegExp(`${who} joins room 'standup' relayed to ws://127\\.0\\.0\\.1:${nodes[host].ports.http}/rtc`));
    }
    // Both got their TURN credentials from the node that hosts their call.
    for (const page of [alice, bob]) {
      const turn = await page.evaluate(() => JSON.stringify(window.ct.rtcConfig.iceServers));
      assert.ok(turn.includes(`turn:127.0.0.1:${nodes[host].ports.turn}?transport=udp`), turn);
    }
    const info = (await scrapeMetrics(b.url)).text;
    assert.match(info, /ciphertalk_node_info\{node="node-b",region=""\} 1/);
    assert.match(info, /ciphertalk_cluster_redis_up 1/);

    // New rooms go to the least-loaded node: after the loads are refreshed
    // (every 2 s) a room asked for at node a lands on an empty node, and the
    // next one on the node still empty.
    await new Promise((r) => setTimeout(r, 2500));
    const side = await signalJoin(a, 'side', 'sid');
    clients.push(side.client);
    assert.equal(side.answer.type, 'joined', JSON.stringify(side.answer));
    const sideHost = await redisGet(redis.port, 'ciphertalk:room:side');
    assert.ok(nodes[sideHost] && sideHost !== host, `'side' went to an empty node, not ${sideHost}`);
    await new Promise((r) => setTimeout(r, 2500));
    const third = await signalJoin(a, 'third', 'thea');
    clients.push(third.client);
    assert.equal(third.answer.type, 'joined', JSON.stringify(third.answer));
    const thirdHost = Object.keys(nodes).find((id) => id !== host && id !== sideHost);
    assert.equal(await redisGet(redis.port, 'ciphertalk:room:third'), thirdHost, 'the least-loaded node took the room');
    assert.equal((await scrapeMetrics(nodes[thirdHost].url)).sum('ciphertalk_participants'), 1);

    // Redis goes away mid-call: the call goes on; a join for a room no node
    // knows is refused clearly after the retries.
    await redis.kill();
    assert.ok(await keepsDecoding(alice, ['bob'], 2500), 'alice keeps decoding bob with Redis down');
    assert.ok(await keepsDecoding(bob, ['alice'], 500), 'bob keeps decoding alice with Redis down');
    const started = Date.now();
    const lost = await signalJoin(b, 'outage', 'olga');
    clients.push(lost.client);
    assert.equal(lost.answer.type, 'error', JSON.stringify(lost.answer));
    assert.equal(lost.answer.code, 'cluster_unavailable');
    assert.ok(Date.now() - started >= 2000, 'the join was retried before it was refused');
    // A room that runs on the node reached still takes joins.
    const local = await signalJoin(nodes[host], 'standup', 'lena');
    clients.push(local.client);
    assert.equal(local.answer.type, 'joined', JSON.stringify(local.answer));
    assert.equal((await scrapeMetrics(nodes[host].url)).sum('ciphertalk_cluster_redis_up'), 0);

    // Redis returns empty (no persistence): the nodes register again and claim their rooms again.
    const again = await startRedis(redis.port);
    Object.assign(redis, again);
    const converged = await waitFor(async () => (await redisGet(redis.port, 'ciphertalk:room:standup')) === host &&
      (await redisGet(redis.port, 'ciphertalk:room:side')) === sideHost &&
      (await redisGet(redis.port, 'ciphertalk:node:node-c')) !== null, { timeout: 40000, interval: 500 });
    assert.ok(converged, `the nodes re-registered and re-claimed their rooms\n${logs()}`);
    const after = await signalJoin(c, 'outage', 'olga2');
    clients.push(after.client);
    assert.equal(after.answer.type, 'joined', JSON.stringify(after.answer));
    assert.ok(await keepsDecoding(bob, ['alice'], 1000), 'the call went on throughout');
  } finally {
    for (const cl of clients) cl.ws.close();
    if (browser) await browser.close();
    for (const n of Object.values(nodes)) await n.stop();
    await redis.stop();
  }
});

test('drain: SIGTERM keeps the call, refuses new joins, exits when the room empties', { timeout: 90000 }, async () => {
  const server = await startServer(['--drain-timeout', '60s']);
  const browser = await launchBrowser();
  try {
    const alice = await joinCall(browser, server.url, 'standup', 'alice');
    const bob = await joinCall(browser, server.url, 'standup', 'bob');
    const { ok } = await waitForVideoFrom(alice, ['bob'], { minFrames: 15, timeout: 30000 });
    assert.ok(ok, 'the call runs before the drain');

    server.drain();
    await waitFor(() => /draining/.test(server.log()), { timeout: 5000, interval: 100 });
    assert.ok(await keepsDecoding(alice, ['bob'], 2000), 'alice keeps decoding bob while the node drains');
    assert.ok(await keepsDecoding(bob, ['alice'], 500), 'bob keeps decoding alice while the node drains');
    const late = await signalJoin(server, 'standup', 'carol');
    assert.equal(late.answer.type, 'error', JSON.stringify(late.answer));
    assert.equal(late.answer.code, 'node_draining');
    late.client.ws.close();
    assert.equal((await scrapeMetrics(server.url)).sum('ciphertalk_node_draining'), 1);
    assert.equal(server.child.exitCode, null, 'the node waits for its calls');

    await alice.click('#leave');
    await bob.click('#leave');
    const code = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r('still running'), 10000))]);
    assert.equal(code, 0, `the node exits once the last participant left\n${server.log().slice(-2000)}`);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('ciphertalk node drain: an authenticated drain over HTTP', { timeout: 30000 }, async () => {
  const server = await startServer(['--drain-timeout', '60s']);
  let ana;
  try {
    const cli = (...args) => execFileSync(binary, ['node', ...args, '--url', server.url], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(cli('status', '--dev')).draining, false);
    const refused = await fetch(`${server.url}/admin/node/drain`, { method: 'POST' });
    assert.equal(refused.status, 401);
    assert.throws(() => execFileSync(binary, ['node', 'drain', '--url', server.url, '--api-key', 'devkey', '--api-secret', 'not-the-secret'], { stdio: 'pipe' }));
    assert.equal(server.child.exitCode, null);

    ana = (await signalJoin(server, 'standup', 'ana')).client;
    const answer = JSON.parse(cli('drain', '--dev'));
    assert.equal(answer.draining, true);
    const late = await signalJoin(server, 'standup', 'ben');
    assert.equal(late.answer.code, 'node_draining');
    late.client.ws.close();
    assert.equal(server.child.exitCode, null, 'a participant is still here');
    ana.send({ type: 'leave' });
    const code = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r('still running'), 8000))]);
    assert.equal(code, 0, server.log().slice(-1500));
  } finally {
    ana?.ws.close();
    await server.stop();
  }
});

test('drain in a cluster: the room moves to the other node, a relayed client keeps its call', { timeout: 60000 }, async () => {
  const redis = await startRedis();
  const nodes = {};
  const clients = [];
  try {
    for (const id of ['node-a', 'node-b']) nodes[id] = await startServer(['--redis', redis.url, '--node-id', id, '--drain-timeout', '60s']);
    const first = await signalJoin(nodes['node-a'], 'keep', 'kim');
    clients.push(first.client);
    assert.equal(first.answer.type, 'joined', JSON.stringify(first.answer));
    const hostId = await redisGet(redis.port, 'ciphertalk:room:keep');
    const otherId = hostId === 'node-a' ? 'node-b' : 'node-a';
    const [host, other] = [nodes[hostId], nodes[otherId]];
    // A client whose signaling reaches the host but whose room runs on the other node.
    await new Promise((r) => setTimeout(r, 2500));  // the loads are in the registry
    const relayed = await signalJoin(host, 'fresh', 'fay');
    clients.push(relayed.client);
    assert.equal(relayed.answer.type, 'joined', JSON.stringify(relayed.answer));
    assert.equal(await redisGet(redis.port, 'ciphertalk:room:fresh'), otherId);

    host.drain();
    // The relayed client is told to take its signaling to the node that hosts its room.
    const hop = await relayed.client.until((m) => m.type === 'reconnect', 'fay is sent to the room\'s node', 5000);
    assert.deepEqual(hop, { type: 'reconnect', url: `ws://127.0.0.1:${other.ports.http}/rtc`, reason: 'drain' });
    // There a resume_only of someone not in the room is refused with a code (never a fresh join), and a
    // forged token as any join's; fay's own resume takes her over, and her relayed connection ends.
    const stale = await connect(other);
    const forged = await connect(other);
    const direct = await connect(other);
    clients.push(stale, forged, direct);
    stale.send({ type: 'join', token: await devToken(other, 'fresh', 'nobody'), resume_only: true });
    const refused = await stale.until((m) => m.type === 'error' || m.type === 'joined', 'a stale resume_only');
    assert.deepEqual([refused.type, refused.code, refused.request], ['error', 'resume_failed', 'join']);
    forged.send({ type: 'join', token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl', resume_only: true });
    const forgedAnswer = await forged.until((m) => m.type === 'error' || m.type === 'joined', 'a forged resume_only');
    assert.equal(forgedAnswer.type, 'error', JSON.stringify(forgedAnswer));
    direct.send({ type: 'join', token: await devToken(other, 'fresh', 'fay'), resume_only: true });
    const resumed = await direct.until((m) => m.type === 'joined' || m.type === 'error', 'fay resumes on the room\'s node');
    assert.equal(resumed.type, 'joined', JSON.stringify(resumed));
    assert.ok(await waitFor(() => relayed.client.closeCode !== null, { timeout: 5000, interval: 50 }), 'the relayed connection closes');
    assert.ok(relayed.client.has((m) => m.type === 'removed' && m.reason === 'resumed_elsewhere'), JSON.stringify(relayed.client.got.map((m) => m.type)));
    // The room's claim moves to the other node and kim is told to follow, with a fresh token.
    const move = await first.client.until((m) => m.type === 'move', 'kim is moved', 5000);
    assert.equal(move.room, 'keep');
    assert.equal(move.reason, 'drain');
    assert.equal(move.url, `ws://127.0.0.1:${other.ports.http}/rtc`);
    assert.equal(await redisGet(redis.port, 'ciphertalk:room:keep'), otherId);
    assert.ok(JSON.parse(await redisGet(redis.port, `ciphertalk:node:${hostId}`)).draining, 'the registry says the host drains');
    const moved = await connect({ url: move.url.replace('ws://', 'http://').replace(/\/rtc$/, '') });
    clients.push(moved);
    moved.send({ type: 'join', token: move.token });
    const rejoined = await moved.until((m) => m.type === 'joined' || m.type === 'error', 'kim joins on the other node');
    assert.equal(rejoined.type, 'joined', JSON.stringify(rejoined));
    // Newcomers to the room go to the other node, through the draining one too.
    const late = await signalJoin(host, 'keep', 'lou');
    clients.push(late.client);
    assert.equal(late.answer.type, 'joined', JSON.stringify(late.answer));
    first.client.send({ type: 'leave' });

    // A client that does not follow `reconnect` (lou, relayed since the drain began, is told too) stays
    // relayed: the draining node waits for it.
    await late.client.until((m) => m.type === 'reconnect', 'lou is sent to the room\'s node once joined', 5000);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(host.child.exitCode, null, 'the draining node waits for the relayed client');
    late.client.send({ type: 'ping', timestamp: 42 });
    await late.client.until((m) => m.type === 'pong' && m.timestamp === 42, 'the relay still answers');
    direct.send({ type: 'leave' });
    late.client.send({ type: 'leave' });
    const code = await Promise.race([host.exited, new Promise((r) => setTimeout(() => r('still running'), 8000))]);
    assert.equal(code, 0, host.log().slice(-1500));
    assert.ok(await waitFor(async () => (await redisGet(redis.port, `ciphertalk:node:${hostId}`)) === null,
      { timeout: 3000, interval: 100 }), 'a node that exits leaves the registry at once');
    assert.equal(await redisGet(redis.port, 'ciphertalk:room:keep'), otherId, 'the exit leaves the moved claim alone');
  } finally {
    for (const c of clients) c.ws.close();
    for (const n of Object.values(nodes)) await n.stop();
    await redis.stop();
  }
});

test('the room API from any node: list, get, participants and remove through a node that does not host the room; create places the room', { timeout: 60000 }, async () => {
  const redis = await startRedis();
  const nodes = {};
  const clients = [];
  try {
    for (const id of ['node-a', 'node-b']) nodes[id] = await startServer(['--redis', redis.url, '--node-id', id]);
    const kim = await signalJoin(nodes['node-a'], 'api-room', 'kim');
    clients.push(kim.client);
    assert.equal(kim.answer.type, 'joined', JSON.stringify(kim.answer));
    const hostId = await redisGet(redis.port, 'ciphertalk:room:api-room');
    const other = nodes[hostId === 'node-a' ? 'node-b' : 'node-a'];
    const admin = token({ grant: 'room-list,admin' });

    // The node asked hosts nothing, yet lists and reads the room on the other node.
    let r = await api(other, 'GET', '/api/rooms', { bearer: admin });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.rooms.map((room) => room.name), ['api-room']);
    r = await api(other, 'GET', '/api/rooms/api-room', { bearer: admin });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.name, 'api-room');
    r = await api(other, 'GET', '/api/rooms/api-room/participants', { bearer: admin });
    assert.deepEqual(r.body.participants.map((p) => p.identity), ['kim']);
    // The hosting node checks the token: a bad one is refused there.
    r = await api(other, 'GET', '/api/rooms/api-room/participants', { bearer: token({ room: 'elsewhere', grant: 'admin' }) });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    r = await api(other, 'GET', '/api/rooms/nowhere', { bearer: admin });
    assert.equal(r.status, 404, JSON.stringify(r.body));

    // A room created through the API is placed as a first join would place it:
    // once the loads are refreshed (every 2 s), asked at the busy node, it goes
    // to the idle one, which the answer names and which has it.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const creator = token({ grant: 'room-create,room-list' });
    const busy = nodes[hostId];
    const otherId = hostId === 'node-a' ? 'node-b' : 'node-a';
    r = await api(busy, 'POST', '/api/rooms', { bearer: creator, body: { name: 'placed', max_participants: 7 } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.node, otherId, `placed on the idle node: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.settings.max_participants, 7);
    assert.equal(await redisGet(redis.port, 'ciphertalk:room:placed'), otherId);
    r = await api(other, 'GET', '/api/rooms/placed', { bearer: admin });
    assert.equal(r.status, 200, `${otherId} has the room: ${JSON.stringify(r.body)}`);
    r = await api(other, 'POST', '/api/rooms', { bearer: creator, body: { name: 'placed' } });
    assert.equal(r.status, 409, JSON.stringify(r.body));
    // Without the grant nothing is claimed.
    r = await api(busy, 'POST', '/api/rooms', { bearer: token({ grant: 'room-list' }), body: { name: 'unclaimed' } });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(await redisGet(redis.port, 'ciphertalk:room:unclaimed'), null);

    r = await api(other, 'DELETE', '/api/rooms/api-room/participants/kim', { bearer: admin });
    assert.equal(r.status, 204, JSON.stringify(r.body));
    await kim.client.until((m) => m.type === 'removed' && m.reason === 'removed_by_admin', 'kim is removed');
  } finally {
    for (const c of clients) c.ws.close();
    for (const n of Object.values(nodes)) await n.stop();
    await redis.stop();
  }
});
