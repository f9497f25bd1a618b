// Webhooks (docs/api.md, "Webhooks") to a real HTTP receiver in this test,
// which checks every request by its own code: an HS256 JWT under the API
// secret (HMAC over header.payload) whose sha256 claim is the SHA-256 of the
// exact body. A browser call produces its events in order, retried when the
// receiver answers 500 at first; a recording's start and completion arrive
// too; a receiver that is down for a while gets everything, in order, once
// it is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { binary, portBlock, startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinCall } from './lib/call.mjs';
import { connect } from './lib/signal.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';

const SECRETS = { devkey: 'devsecret' };

// The receiver's own check; returns why a request is refused, or null.
function refusal(req, body) {
  if (req.method !== 'POST') return `method ${req.method}`;
  if (req.headers['content-type'] !== 'application/webhook+json') return `content-type ${req.headers['content-type']}`;
  const [h, p, s] = (req.headers.authorization ?? '').split('.');
  if (!s) return 'no JWT';
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  if (header.alg !== 'HS256') return `alg ${header.alg}`;
  const secret = SECRETS[claims.iss];
  if (!secret) return `iss ${claims.iss}`;
  const mac = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const sig = Buffer.from(s, 'base64url');
  if (sig.length !== mac.length || !timingSafeEqual(sig, mac)) return 'bad signature';
  const now = Date.now() / 1000;
  if (now < claims.nbf - 10 || now >= claims.exp) return 'outside nbf/exp';
  if (createHash('sha256').update(body).digest('base64') !== claims.sha256) return 'body hash differs';
  return null;
}

// A webhook receiver on `port`: refuses the first `failFirst` deliveries with
// 500, keeps the events it accepted in arrival order.
async function startReceiver(port, { failFirst = 0 } = {}) {
  const r = { events: [], requests: 0, refused: [] };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      ++r.requests;
      const why = refusal(req, body);
      if (why) {
        r.refused.push(why);
        res.writeHead(401).end();
      } else if (r.requests <= failFirst) {
        res.writeHead(500).end();
      } else {
        r.events.push(JSON.parse(body));
        res.writeHead(200).end();
      }
    });
  });
  await new Promise((resolve) => r.server.listen(port, '127.0.0.1', resolve));
  r.close = () => new Promise((resolve) => { r.server.closeAllConnections(); r.server.close(resolve); });
  r.names = (room) => r.events.filter((e) => e.room.name === room).map((e) => e.event);
  return r;
}

// room.empty_timeout 1s, so room_finished comes soon after the last leaves.
function quickRoomsConfig(dir) {
  const file = path.join(dir, 'ciphertalk.yaml');
  writeFileSync(file, 'room:\n  empty_timeout: 1s\n');
  return file;
}

test('a browser call: each event once, signed, in order, after two 500s', { timeout: 90000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-webhooks-'));
  const port = portBlock();
  const receiver = await startReceiver(port, { failFirst: 2 });
  const server = await startServer(['-c', quickRoomsConfig(dir), '--webhook-url', `http://127.0.0.1:${port}/hook`]);
  const browser = await launchBrowser();
  try {
    const page = await joinCall(browser, server.url, 'hooks', 'alice');
    assert.ok(await waitFor(() => receiver.names('hooks').filter((n) => n === 'track_published').length === 2,
      { timeout: 20000 }), `two tracks published: ${receiver.names('hooks')}`);
    await page.click('#leave');
    assert.ok(await waitFor(() => receiver.names('hooks').includes('room_finished'), { timeout: 20000 }),
      `room_finished: ${receiver.names('hooks')}`);
    await page.close();

    assert.deepEqual(receiver.refused, [], 'every request carried a valid signature over its body');
    assert.deepEqual(receiver.names('hooks'), ['room_started', 'participant_joined', 'track_published',
      'track_published', 'track_unpublished', 'track_unpublished', 'participant_left', 'room_finished']);
    assert.equal(receiver.requests, receiver.events.length + 2, 'the two refused deliveries were sent again');
    const [started, joined, pub1, pub2, unpub1, unpub2, left] = receiver.events;
    assert.ok(started.room.sid.startsWith('RM_'));
    assert.ok(receiver.events.every((e) => e.room.sid === started.room.sid), 'one room, one sid');
    assert.equal(new Set(receiver.events.map((e) => e.id)).size, receiver.events.length, 'ids are unique');
    assert.equal(joined.participant.identity, 'alice');
    // Every participant and track event says what kind of client it is: the web client is "standard".
    for (const e of [joined, pub1, pub2, unpub1, unpub2, left]) assert.equal(e.participant.kind, 'standard', e.event);
    assert.deepEqual([pub1.track.type, pub2.track.type].sort(), ['audio', 'video']);
    assert.deepEqual([pub1.track.source, pub2.track.source].sort(), ['camera', 'microphone']);
    assert.deepEqual([unpub1.track.sid, unpub2.track.sid].sort(), [pub1.track.sid, pub2.track.sid].sort());
    // The page closes its connections as it sends `leave`: whichever the room sees first names the reason.
    assert.ok(['left', 'connection_lost'].includes(left.reason), left.reason);
    for (const e of receiver.events) assert.ok(Math.abs(e.createdAt - Date.now() / 1000) < 120, 'createdAt is now');

    const metrics = await scrapeMetrics(server.url);
    assert.equal(metrics.sum('ciphertalk_webhook_events_total', { result: 'delivered' }), 8);
    assert.equal(metrics.sum('ciphertalk_webhook_events_total', { result: 'failed' }), 0);
    assert.equal(metrics.sum('ciphertalk_webhook_delivery_seconds_count'), 8);
    assert.equal(metrics.sum('ciphertalk_webhook_queue_depth'), 0);
  } finally {
    await browser.close();
    await server.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a recording started over the API is announced, and again once its files are complete', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-webhooks-'));
  const port = portBlock();
  const receiver = await startReceiver(port);
  const server = await startServer(['--recordings-dir', path.join(dir, 'rec'), '--webhook-url', `http://127.0.0.1:${port}/`]);
  const token = (identity, grant) => execFileSync(binary,
    ['token', 'create', '--dev', '--room', 'rec', '--identity', identity, '--grant', grant], { encoding: 'utf8' }).trim();
  try {
    const alice = await connect(server);
    alice.send({ type: 'join', token: token('alice', 'join'), protocol: 1 });
    await alice.until((m) => m.type === 'joined', 'alice joins');
    const api = (method) => fetch(`${server.url}/api/rooms/rec/recording`,
      { method, headers: { authorization: `Bearer ${token('backend', 'record')}` } });
    const started = await api('POST');
    assert.equal(started.status, 201);
    const { id } = (await started.json()).recording;
    assert.equal((await api('DELETE')).status, 200);
    assert.ok(await waitFor(() => receiver.names('rec').includes('recording_finished'), { timeout: 10000 }),
      `recording_finished: ${receiver.names('rec')}`);
    assert.deepEqual(receiver.names('rec'), ['room_started', 'participant_joined', 'recording_started', 'recording_finished']);
    const [, , start, finish] = receiver.events;
    assert.deepEqual(start.recording, { id, startedBy: 'backend' });
    assert.equal(finish.recording.id, id);
    assert.equal(finish.recording.folder, path.join(dir, 'rec', 'rec', id));
    assert.ok(finish.recording.stoppedAt >= finish.recording.startedAt);
    assert.deepEqual(receiver.refused, []);
    alice.ws.close();
  } finally {
    await server.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a receiver that is down for a while gets every event, in order, when it is back', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-webhooks-'));
  const port = portBlock();  // nothing listens yet: connections are refused
  const server = await startServer(['-c', quickRoomsConfig(dir), '--webhook-url', `http://127.0.0.1:${port}/`]);
  let receiver;
  try {
    for (const room of ['down-a', 'down-b']) {
      const c = await connect(server);
      const r = await fetch(`${server.url}/api/dev/token?room=${room}&identity=carol`);
      c.send({ type: 'join', token: (await r.json()).token, protocol: 1 });
      await c.until((m) => m.type === 'joined', `carol joins ${room}`);
      c.send({ type: 'leave' });
      c.ws.close();
    }
    await new Promise((r) => setTimeout(r, 3000));  // retries meet a closed port
    const metrics = await scrapeMetrics(server.url);
    assert.equal(metrics.sum('ciphertalk_webhook_events_total', { result: 'delivered' }), 0);
    assert.ok(metrics.sum('ciphertalk_webhook_queue_depth') >= 6, 'the events wait');

    receiver = await startReceiver(port);
    const all = ['room_started', 'participant_joined', 'participant_left', 'room_finished'];
    assert.ok(await waitFor(() => receiver.names('down-a').length === 4 && receiver.names('down-b').length === 4,
      { timeout: 30000 }), `all events: ${JSON.stringify(receiver.events.map((e) => e.event))}`);
    assert.deepEqual(receiver.names('down-a'), all);
    assert.deepEqual(receiver.names('down-b'), all);
    assert.deepEqual(receiver.refused, []);
    assert.ok(server.log().includes('will retry'), 'the outage is logged');
  } finally {
    await server.stop();
    if (receiver) await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
