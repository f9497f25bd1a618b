// The server side of end-to-end encryption, with raw WebSocket clients
// against the real binary: a room is encrypted from its creation, a client
// that cannot encrypt is refused, announcements and wrapped keys are relayed
// to whom they are for — and nothing of them shows up in the server's log
// (at trace level) or in /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { binary, startServer } from './lib/server.mjs';
import { waitFor } from './lib/browser.mjs';

async function devToken(server, room, identity) {
  const r = await fetch(`${server.url}/api/dev/token?room=${room}&identity=${identity}`);
  return (await r.json()).token;
}

function connect(server) {
  const ws = new WebSocket(server.url.replace('http', 'ws') + '/rtc');
  const client = {
    ws, got: [], closeCode: null,
    send: (m) => ws.send(JSON.stringify(m)),
    of: (type) => client.got.filter((m) => m.type === type),
    async until(pred, what, timeout = 5000) {
      const ok = await waitFor(() => client.got.some(pred), { timeout, interval: 50 });
      assert.ok(ok, `${what}: got ${JSON.stringify(client.got.map((m) => m.type + (m.code ? `:${m.code}` : '')))}`);
      return client.got.find(pred);
    },
  };
  ws.on('message', (d) => client.got.push(JSON.parse(d.toString())));
  ws.on('close', (code) => { client.closeCode = code; });
  ws.on('error', () => {});
  return new Promise((resolve) => ws.on('open', () => resolve(client)));
}

async function join(server, room, identity, e2ee) {
  const c = await connect(server);
  c.send({ type: 'join', token: await devToken(server, room, identity), protocol: 1, e2ee });
  await c.until((m) => m.type === 'joined' || m.type === 'error', `${identity} joins`);
  return c;
}

test('an encrypted room: refusal of clients that cannot encrypt, and a blind relay of announcements and keys', { timeout: 60000 }, async () => {
  const server = await startServer(['--log-level', 'trace']);
  // Strings a key relay must pass on and never write anywhere.
  const secretAnnouncement = 'ANNOUNCEMENT-6f1d2c9a-never-logged';
  const secretBlob = 'WRAPPED-KEY-b7e04f31-never-logged';
  try {
    const alice = await join(server, 'vault', 'alice', { supported: true, require: true });
    assert.equal(alice.of('joined')[0].e2ee, 'required', 'the first joiner created the room encrypted');

    // A client without frame encryption is refused, stays connected and may try again.
    const mallory = await join(server, 'vault', 'mallory');
    const refusal = mallory.of('error')[0];
    assert.equal(refusal?.code, 'e2ee_unsupported');
    assert.equal(mallory.closeCode, null, 'the connection stays open');
    // Asking for a plain room later does not make the room plain.
    const bob = await join(server, 'vault', 'bob', { supported: true, require: false });
    assert.equal(bob.of('joined')[0].e2ee, 'required');

    alice.send({ type: 'e2ee_announce', announcement: secretAnnouncement });
    const seen = await bob.until((m) => m.type === 'e2ee_announce', 'bob gets alice\'s announcement');
    assert.deepEqual(seen, { type: 'e2ee_announce', from: 'alice', announcement: secretAnnouncement });

    // A newcomer finds the announcement in its joined message.
    const carol = await join(server, 'vault', 'carol', { supported: true });
    const aliceInJoined = carol.of('joined')[0].participants.find((p) => p.identity === 'alice');
    assert.equal(aliceInJoined.e2ee_announcement, secretAnnouncement);

    alice.send({ type: 'e2ee_keys', keys: [{ to: 'carol', blob: secretBlob }, { to: 'nobody', blob: 'x' }] });
    const key = await carol.until((m) => m.type === 'e2ee_key', 'carol gets her key');
    assert.deepEqual(key, { type: 'e2ee_key', from: 'alice', blob: secretBlob });
    await alice.until((m) => m.type === 'error' && m.code === 'recipient_not_found', 'alice hears of the missing recipient');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(bob.of('e2ee_key').length, 0, 'a key reaches only its recipient');

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    for (const secret of [secretAnnouncement, secretBlob]) {
      assert.ok(!server.log().includes(secret), `the server log holds ${secret}`);
      assert.ok(!metrics.includes(secret), `/metrics holds ${secret}`);
    }
    assert.ok(server.log().includes("room 'vault' created on worker 0 (end-to-end encrypted)"), server.log());
    for (const c of [alice, bob, carol, mallory]) c.ws.close();
  } finally {
    await server.stop();
  }
});

test('a plain room relays no keys; room.e2ee: required makes every room encrypted', { timeout: 60000 }, async () => {
  const plain = await startServer();
  try {
    const alice = await join(plain, 'open', 'alice', { supported: true });
    assert.equal(alice.of('joined')[0].e2ee, 'off');
    alice.send({ type: 'e2ee_announce', announcement: 'a' });
    await alice.until((m) => m.type === 'error' && m.code === 'e2ee_not_enabled', 'announce in a plain room');
    alice.ws.close();
  } finally {
    await plain.stop();
  }
  const strict = await startServer(['--room-e2ee', 'required']);
  try {
    const old = await join(strict, 'any', 'old-client');
    assert.equal(old.of('error')[0]?.code, 'e2ee_unsupported');
    const modern = await join(strict, 'any', 'new-client', { supported: true });
    assert.equal(modern.of('joined')[0].e2ee, 'required');
    old.ws.close();
    modern.ws.close();
  } finally {
    await strict.stop();
  }
});

test('the payload dump is refused outside --dev', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-dump-'));
  const config = path.join(dir, 'ciphertalk.yaml');
  writeFileSync(config, 'keys:\n  prodkey: a-long-production-secret-of-32-bytes!\n');
  const r = spawnSync(binary, ['serve', '--config', config, '--rtc-bind', '127.0.0.1', '--http-bind', '127.0.0.1',
    '--debug-dump-payloads', dir], { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /refused without --dev/);
});
