// Starting and stopping a room's recording over the room service API
// (docs/api.md) with real HTTP: a backend's token with roomRecord starts it
// without being in the room, everyone in the room hears of it, and each
// class of refusal gets its status and a JSON code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { binary, startServer } from './lib/server.mjs';
import { waitFor } from './lib/browser.mjs';
import { connect, devToken } from './lib/signal.mjs';

const token = (room, identity, grant) => execFileSync(binary,
  ['token', 'create', '--dev', '--room', room, '--identity', identity, '--grant', grant], { encoding: 'utf8' }).trim();

async function call(server, method, room, bearer) {
  const headers = bearer === undefined ? {} : { authorization: `Bearer ${bearer}` };
  const r = await fetch(`${server.url}/api/rooms/${encodeURIComponent(room)}/recording`, { method, headers });
  assert.match(r.headers.get('content-type') ?? '', /application\/json/, `${method} ${room}: JSON`);
  return { status: r.status, body: await r.json() };
}

test('POST and DELETE /api/rooms/{room}/recording start and stop a recording', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-recordings-'));
  const server = await startServer(['--recordings-dir', dir]);
  try {
    // A participant without roomRecord keeps the room open and listens.
    const alice = await connect(server);
    alice.send({ type: 'join', token: token('api', 'alice', 'join'), protocol: 1 });
    await alice.until((m) => m.type === 'joined', 'alice joins');

    const backend = token('api', 'backend', 'record');
    let r = await call(server, 'GET', 'api', backend);
    assert.deepEqual([r.status, r.body], [200, { room: 'api', recording: { active: false, id: null } }]);

    // Refusals, each with its class.
    r = await call(server, 'POST', 'api', undefined);
    assert.deepEqual([r.status, r.body.code], [401, 'unauthorized']);
    const i = backend.length - 10;  // inside the signature, away from its padding bits
    r = await call(server, 'POST', 'api', backend.slice(0, i) + (backend[i] === 'A' ? 'B' : 'A') + backend.slice(i + 1));
    assert.deepEqual([r.status, r.body.code], [401, 'token_bad_signature']);
    r = await call(server, 'POST', 'api', token('api', 'mallory', 'join'));
    assert.deepEqual([r.status, r.body.code], [403, 'recording_not_allowed']);
    r = await call(server, 'POST', 'api', token('elsewhere', 'backend', 'record'));
    assert.deepEqual([r.status, r.body.code], [403, 'recording_not_allowed'], 'a token for another room');
    r = await call(server, 'POST', 'nobody-here', token('nobody-here', 'backend', 'record'));
    assert.deepEqual([r.status, r.body.code], [404, 'room_not_found']);
    for (const m of [r.body.message]) assert.ok(m.length > 0, 'errors carry a message');
    assert.equal(alice.of('recording').length, 0, 'nothing started yet');

    r = await call(server, 'POST', 'api', backend);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.recording.active, true);
    const { id } = r.body.recording;
    assert.match(id, /^\d{8}T\d{6}Z-[A-Za-z0-9]{6}$/);
    const event = await alice.until((m) => m.type === 'recording' && m.active, 'the room hears it started');
    assert.equal(event.id, id);
    r = await call(server, 'POST', 'api', backend);
    assert.deepEqual([r.status, r.body.code], [409, 'recording_active']);
    r = await call(server, 'GET', 'api', backend);
    assert.deepEqual(r.body.recording, { active: true, id });

    // A participant in the room with roomRecord sees the same recording.
    const bob = await connect(server);
    bob.send({ type: 'join', token: await devToken(server, 'api', 'bob'), protocol: 1 });
    const joined = await bob.until((m) => m.type === 'joined', 'bob joins');
    assert.equal(joined.recording_id, id);

    r = await call(server, 'DELETE', 'api', backend);
    assert.deepEqual([r.status, r.body], [200, { room: 'api', recording: { active: false, id } }]);
    await alice.until((m) => m.type === 'recording' && !m.active && m.id === id, 'the room hears it stopped');
    r = await call(server, 'DELETE', 'api', backend);
    assert.deepEqual([r.status, r.body.code], [409, 'recording_not_active']);

    const manifestPath = path.join(dir, 'api', id, 'manifest.json');
    assert.ok(await waitFor(() => existsSync(manifestPath), { timeout: 5000 }), 'manifest.json is written');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    assert.equal(manifest.started_by, 'backend', 'the manifest names who started it');
    assert.equal(manifest.stopped_by, 'backend', 'and who stopped it');
    alice.ws.close();
    bob.ws.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
