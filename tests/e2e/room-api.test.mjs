// The room service API (docs/api.md) with real HTTP against the real server:
// every call, each class of error, and raw WebSocket participants that see
// what an administrator does to their room (updates, mute, removal, the
// room's deletion); then the CLI (`ciphertalk room`, `ciphertalk participant`)
// against a running server. The data a server sends is checked in a browser
// (room-api-web.test.mjs): a raw WebSocket has no data channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { binary, startServer } from './lib/server.mjs';
import { api, token } from './lib/roomapi.mjs';
import { waitFor } from './lib/browser.mjs';
import { connect } from './lib/signal.mjs';

// A token signed with the development secret that expired a minute ago (past the 10 s leeway).
function expiredToken() {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iss: 'devkey', sub: 'backend', exp: now - 60, grants: { roomList: true } })}`;
  return `${body}.${createHmac('sha256', 'devsecret').update(body).digest('base64url')}`;
}

async function participant(server, room, identity, extra = {}) {
  const c = await connect(server);
  c.send({ type: 'join', token: token({ room, identity, grant: 'join' }), protocol: 1, ...extra });
  return c;
}

const chromiumOffer = readFileSync(new URL('../fixtures/sdp/chromium-offer-av.sdp', import.meta.url), 'utf8');

test('the room service API: every call, its effects on participants, and each error class', { timeout: 60000 }, async () => {
  const server = await startServer();
  try {
    const admin = token({ grant: 'room-list,room-create,admin' });
    const url = '/api/rooms';

    // 401, 403 and the index that needs no token.
    let r = await api(server, 'GET', '/api');
    assert.equal(r.status, 200);
    assert.ok(r.body.routes.some((x) => x.method === 'POST' && x.path === '/api/rooms'));
    r = await api(server, 'GET', url);
    assert.deepEqual([r.status, r.body.code], [401, 'unauthorized']);
    r = await api(server, 'GET', url, { bearer: admin.slice(0, -4) + (admin.endsWith('AAAA') ? 'BBBB' : 'AAAA') });
    assert.deepEqual([r.status, r.body.code], [401, 'token_bad_signature']);
    r = await api(server, 'GET', url, { bearer: expiredToken() });
    assert.deepEqual([r.status, r.body.code], [401, 'token_expired']);
    r = await api(server, 'GET', url, { bearer: token({ room: 'x', identity: 'p', grant: 'join' }) });
    assert.deepEqual([r.status, r.body.code], [403, 'permission_denied']);
    r = await api(server, 'POST', url, { bearer: token({ grant: 'room-list' }), body: { name: 'team' } });
    assert.deepEqual([r.status, r.body.code], [403, 'permission_denied'], 'listing is not creating');

    // 400, 413 and 409 on create.
    r = await api(server, 'POST', url, { bearer: admin, raw: '{"name":' });
    assert.deepEqual([r.status, r.body.code], [400, 'bad_json']);
    assert.match(r.body.message, /parse error/);
    r = await api(server, 'POST', url, { bearer: admin, body: { name: 'team', max_participants: 'two' } });
    assert.deepEqual([r.status, r.body.code], [400, 'bad_request']);
    assert.match(r.body.message, /max_participants/);
    r = await api(server, 'POST', url, { bearer: admin, body: { name: 'team', metadata: 'x'.repeat(40 * 1024) } });
    assert.deepEqual([r.status, r.body.code], [413, 'body_too_large']);
    r = await api(server, 'POST', url, { bearer: admin, body: { name: 'team', max_participants: 2, metadata: 'weekly' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.name, 'team');
    assert.deepEqual(r.body.settings, { max_participants: 2, empty_timeout: 300, e2ee: false, recording: false, metadata: 'weekly', p2p: false, p2p_max: 2 });
    assert.equal(r.body.num_participants, 0);
    assert.ok(Math.abs(r.body.created_at - Date.now() / 1000) < 30);
    r = await api(server, 'POST', url, { bearer: admin, body: { name: 'team' } });
    assert.deepEqual([r.status, r.body.code], [409, 'room_exists']);

    // 404 and 405.
    r = await api(server, 'GET', `${url}/nowhere`, { bearer: admin });
    assert.deepEqual([r.status, r.body.code], [404, 'room_not_found']);
    r = await api(server, 'GET', `${url}/team/people`, { bearer: admin });
    assert.deepEqual([r.status, r.body.code], [404, 'not_found']);
    r = await api(server, 'PATCH', url, { bearer: admin, body: {} });
    assert.deepEqual([r.status, r.body.code], [405, 'method_not_allowed']);
    assert.equal(r.headers.get('allow'), 'GET, POST');

    // Participants join the room the API made; its limit holds.
    const alice = await participant(server, 'team', 'alice');
    await alice.until((m) => m.type === 'joined', 'alice joins');
    const bob = await participant(server, 'team', 'bob');
    await bob.until((m) => m.type === 'joined', 'bob joins');
    const carol = await participant(server, 'team', 'carol');
    await carol.until((m) => m.type === 'error' && m.code === 'room_full', 'carol is refused: the room holds 2');
    carol.ws.close();
    alice.send({ type: 'offer', sdp: chromiumOffer, tracks: [] });
    const answer = await alice.until((m) => m.type === 'answer', 'alice publishes');
    const video = answer.tracks.find((t) => t.kind === 'video');
    await bob.until((m) => m.type === 'track_published' && m.track.sid === video.sid, 'bob sees the video');

    r = await api(server, 'GET', url, { bearer: admin });
    assert.equal(r.status, 200);
    const listed = r.body.rooms.find((x) => x.name === 'team');
    assert.deepEqual([listed.num_participants, listed.num_publishers], [2, 1]);
    assert.deepEqual(listed.recording, { active: false, id: null });
    const teamAdmin = token({ room: 'team', grant: 'admin' });
    r = await api(server, 'GET', `${url}/team`, { bearer: teamAdmin });
    assert.deepEqual([r.status, r.body.name, r.body.settings.metadata], [200, 'team', 'weekly']);
    r = await api(server, 'GET', `${url}/team/participants`, { bearer: teamAdmin });
    assert.deepEqual(r.body.participants.map((p) => p.identity), ['alice', 'bob']);
    r = await api(server, 'GET', `${url}/team/participants/alice`, { bearer: teamAdmin });
    assert.equal(r.body.tracks.length, 2);
    assert.deepEqual(r.body.permissions, { canPublish: true, canSubscribe: true, canPublishData: true, canRecord: false });
    r = await api(server, 'GET', `${url}/team/participants/nobody`, { bearer: teamAdmin });
    assert.deepEqual([r.status, r.body.code], [404, 'participant_not_found']);
    r = await api(server, 'GET', `${url}/team/participants`, { bearer: token({ room: 'other', grant: 'admin' }) });
    assert.deepEqual([r.status, r.body.code], [403, 'permission_denied'], 'roomAdmin of another room');

    // Update: name and metadata; everyone, alice too, hears it.
    r = await api(server, 'PATCH', `${url}/team/participants/alice`, { bearer: teamAdmin, body: { name: 'Alice (host)', metadata: '{"role":"host"}' } });
    assert.deepEqual([r.status, r.body.name, r.body.metadata], [200, 'Alice (host)', '{"role":"host"}']);
    for (const who of [alice, bob]) {
      await who.until((m) => m.type === 'participant_updated' && m.participant.name === 'Alice (host)', 'the update is announced');
    }
    r = await api(server, 'PATCH', `${url}/team/participants/alice`, { bearer: teamAdmin, body: { permissions: { canPublish: 'no' } } });
    assert.deepEqual([r.status, r.body.code], [400, 'bad_request']);

    // Mute: bob sees it, and so does alice, whose track it is.
    r = await api(server, 'POST', `${url}/team/participants/alice/tracks/${video.sid}/mute`, { bearer: teamAdmin, body: { muted: true } });
    assert.deepEqual([r.status, r.body.track.sid, r.body.track.muted], [200, video.sid, true]);
    for (const who of [alice, bob]) {
      await who.until((m) => m.type === 'track_muted' && m.sid === video.sid && m.muted, 'the mute is announced');
    }
    r = await api(server, 'POST', `${url}/team/participants/alice/tracks/TR_nothing/mute`, { bearer: teamAdmin, body: { muted: true } });
    assert.deepEqual([r.status, r.body.code], [404, 'track_not_found']);

    // Revoked publishing: alice's tracks go, and her permissions say so.
    r = await api(server, 'PATCH', `${url}/team/participants/alice`, { bearer: teamAdmin, body: { permissions: { canPublish: false } } });
    assert.equal(r.body.permissions.canPublish, false);
    assert.equal(r.body.tracks.length, 0);
    await alice.until((m) => m.type === 'participant_updated' && m.participant.permissions.canPublish === false, 'alice is told');
    await bob.until((m) => m.type === 'track_unpublished' && m.sid === video.sid, 'bob loses the video');

    // Data: a JSON answer naming how many it went to; checks of its own.
    r = await api(server, 'POST', `${url}/team/data`, { bearer: teamAdmin, body: { data: 'hello from the server', topic: 'chat' } });
    assert.deepEqual([r.status, r.body.recipients, r.body.e2ee], [200, 2, false]);
    r = await api(server, 'POST', `${url}/team/data`, { bearer: teamAdmin, body: { data: 'aGk=', encoding: 'base64', destination_identities: ['bob', 'nobody'] } });
    assert.deepEqual([r.status, r.body.recipients], [200, 1]);
    r = await api(server, 'POST', `${url}/team/data`, { bearer: teamAdmin, body: { data: 'x'.repeat(16 * 1024) } });
    assert.deepEqual([r.status, r.body.code], [413, 'data_too_large']);

    // Removal: bob is told why and disconnected; alice sees him leave.
    r = await api(server, 'DELETE', `${url}/team/participants/bob`, { bearer: teamAdmin });
    assert.equal(r.status, 204);
    await bob.until((m) => m.type === 'removed' && m.reason === 'removed_by_admin', 'bob is told');
    assert.ok(await waitFor(() => bob.closeCode !== null, { timeout: 3000 }), 'and disconnected');
    await alice.until((m) => m.type === 'participant_left' && m.identity === 'bob' && m.reason === 'removed_by_admin', 'alice sees bob go');
    r = await api(server, 'DELETE', `${url}/team/participants/bob`, { bearer: teamAdmin });
    assert.deepEqual([r.status, r.body.code], [404, 'participant_not_found']);

    // Deleting the room needs roomCreate, removes everyone and closes it.
    r = await api(server, 'DELETE', `${url}/team`, { bearer: teamAdmin });
    assert.deepEqual([r.status, r.body.code], [403, 'permission_denied']);
    r = await api(server, 'DELETE', `${url}/team`, { bearer: admin });
    assert.equal(r.status, 204);
    await alice.until((m) => m.type === 'removed' && m.reason === 'room_deleted', 'alice is told the room is gone');
    r = await api(server, 'GET', `${url}/team`, { bearer: admin });
    assert.deepEqual([r.status, r.body.code], [404, 'room_not_found']);
    r = await api(server, 'DELETE', `${url}/team`, { bearer: admin });
    assert.deepEqual([r.status, r.body.code], [404, 'room_not_found']);
    alice.ws.close();
  } finally {
    await server.stop();
  }
});

test('room settings: an E2EE room refuses plain clients, recording starts with the first publication, an empty room expires', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-roomapi-'));
  const server = await startServer(['--recordings-dir', dir]);
  try {
    const admin = token({ grant: 'room-list,room-create,admin' });
    let r = await api(server, 'POST', '/api/rooms', { bearer: admin, body: { name: 'secret', e2ee: true, recording: true } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const plain = await participant(server, 'secret', 'plain');
    await plain.until((m) => m.type === 'error' && m.code === 'e2ee_unsupported', 'a client that cannot encrypt is refused');
    plain.ws.close();
    const dora = await participant(server, 'secret', 'dora', { e2ee: { supported: true } });
    const joined = await dora.until((m) => m.type === 'joined', 'an encrypting client joins');
    assert.equal(joined.e2ee, 'required');
    assert.equal(joined.recording, false, 'nothing is recorded before anyone publishes');
    dora.send({ type: 'offer', sdp: chromiumOffer, tracks: [] });
    await dora.until((m) => m.type === 'answer', 'dora publishes');
    const started = await dora.until((m) => m.type === 'recording' && m.active, 'recording starts by itself');
    r = await api(server, 'GET', '/api/rooms/secret', { bearer: admin });
    assert.deepEqual(r.body.recording, { active: true, id: started.id });
    assert.equal(r.body.settings.e2ee, true);
    r = await api(server, 'POST', '/api/rooms/secret/data', { bearer: admin, body: { data: 'plain text from the server' } });
    assert.deepEqual([r.status, r.body.e2ee], [200, true], 'the answer says the room is encrypted and this data is not');
    dora.ws.close();

    r = await api(server, 'POST', '/api/rooms', { bearer: admin, body: { name: 'brief', empty_timeout: 1 } });
    assert.equal(r.status, 201);
    const gone = await waitFor(async () => (await api(server, 'GET', '/api/rooms/brief', { bearer: admin })).status === 404,
      { timeout: 8000, interval: 250 });
    assert.ok(gone, 'a room nobody joins closes after its empty_timeout');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('requests over the per-address rate get 429 with Retry-After, recording calls and /admin included', { timeout: 30000 }, async () => {
  const server = await startServer(['--api-requests-per-second', '0.5', '--api-request-burst', '3']);
  try {
    const recorder = token({ grant: 'record' });
    let r = await api(server, 'POST', '/api/rooms/x/recording', { bearer: recorder, raw: 'x'.repeat(40 * 1024) });
    assert.deepEqual([r.status, r.body.code], [413, 'body_too_large'], 'the recording calls have the body limit too');
    r = await api(server, 'GET', '/api/rooms/x/recording', { bearer: recorder });
    assert.deepEqual([r.status, r.body.code], [404, 'room_not_found']);
    r = await api(server, 'GET', '/api');
    assert.equal(r.status, 200);
    r = await api(server, 'GET', '/api/rooms/x/recording', { bearer: recorder });
    assert.deepEqual([r.status, r.body.code], [429, 'rate_limited']);
    const wait = Number(r.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 2, `Retry-After ${wait}`);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 100));
    r = await api(server, 'GET', '/api');
    assert.equal(r.status, 200, 'served again after Retry-After');

    // The node's own administration has a limit of its own: 5 a second, bursts of 40.
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push(await api(server, 'GET', '/admin/node'));
    const statuses = answers.map((a) => a.status);
    assert.deepEqual(statuses.slice(0, 40), Array(40).fill(401), 'no token: refused, within the rate');
    const limited = answers.find((a) => a.status === 429);
    assert.equal(limited?.body.code, 'rate_limited', statuses.join(' '));
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  } finally {
    await server.stop();
  }
});

test('the CLI: room create, room list shows it, participant list, mute, remove, room delete', { timeout: 60000 }, async () => {
  const server = await startServer();
  const cli = (...args) => execFileSync(binary, [...args, '--url', server.url], {
    encoding: 'utf8', env: { ...process.env, CIPHERTALK_API_KEY: 'devkey', CIPHERTALK_API_SECRET: 'devsecret' },
  });
  try {
    let out = cli('room', 'create', '--max-participants', '5', '--metadata', 'from the shell', 'shell-room');
    assert.match(out, /^NAME\s+PARTICIPANTS/m);
    assert.match(out, /^shell-room\s+0\s+0\s+5\s+no\s+no$/m);
    const listed = JSON.parse(cli('room', 'list', '--json'));
    assert.deepEqual(listed.rooms.map((r) => [r.name, r.settings.metadata]), [['shell-room', 'from the shell']]);
    assert.match(cli('room', 'list'), /^shell-room\s/m);

    const alice = await participant(server, 'shell-room', 'alice');
    await alice.until((m) => m.type === 'joined', 'alice joins');
    out = cli('participant', 'list', 'shell-room');
    assert.match(out, /^alice\s+-\s+yes\s+yes$/m, out);
    alice.send({ type: 'offer', sdp: chromiumOffer, tracks: [] });
    const video = (await alice.until((m) => m.type === 'answer', 'alice publishes')).tracks.find((t) => t.kind === 'video');
    out = cli('participant', 'mute', 'shell-room', 'alice', video.sid);
    assert.equal(out.trim(), `muted ${video.sid}`);
    await alice.until((m) => m.type === 'track_muted' && m.sid === video.sid && m.muted, 'alice hears her track was muted');
    assert.match(cli('participant', 'get', 'shell-room', 'alice'), /video\(muted\)/);
    out = cli('participant', 'remove', 'shell-room', 'alice');
    assert.match(out, /removed alice from shell-room/);
    await alice.until((m) => m.type === 'removed' && m.reason === 'removed_by_admin', 'alice is removed');

    // A refusal: exit code 1 with the API's code on stderr.
    assert.throws(() => execFileSync(binary, ['room', 'create', '--url', server.url, '--dev', 'shell-room'], { stdio: 'pipe' }),
      (e) => e.status === 1 && /409 room_exists/.test(e.stderr.toString()));
    assert.throws(() => execFileSync(binary, ['room', 'list', '--url', server.url, '--api-key', 'devkey', '--api-secret', 'wrong'], { stdio: 'pipe' }),
      (e) => e.status === 1 && /401 token_bad_signature/.test(e.stderr.toString()));
    out = cli('room', 'delete', 'shell-room');
    assert.match(out, /deleted shell-room/);
    assert.deepEqual(JSON.parse(cli('room', 'list', '--json')).rooms, []);
    alice.ws.close();
  } finally {
    await server.stop();
  }
});
