// WHEP playback (draft-ietf-wish-whep, docs/api.md "WHEP"): a browser in the
// web app publishes its fake camera and microphone; a GStreamer webrtcbin
// player (tests/e2e/whep_client.py, Debian's plugins) plays that participant
// and decodes its frames; the player is a hidden participant of kind "whep"
// that the room service API lists and the call does not show; DELETE ends
// it. Then the HTTP rules with fetch: each class of refusal with its status,
// and an ICE restart by PATCH.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { binary, startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinApp } from './lib/app.mjs';
import { api, token as apiToken } from './lib/roomapi.mjs';
import { connect } from './lib/signal.mjs';
import { startGstClient } from './lib/gst.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const token = (room, identity, ...more) => execFileSync(binary,
  ['token', 'create', '--dev', '--room', room, '--identity', identity, ...more], { encoding: 'utf8' }).trim();
const fixture = (name) => readFileSync(path.join(here, '../fixtures/sdp', name), 'utf8');

// Runs the GStreamer player for `seconds`; it DELETEs its session at the end.
function startWhepClient(url, bearer, seconds) {
  const client = startGstClient('whep_client.py', [url, bearer, seconds], { unlogged: ['offer', 'created'] });
  client.frames = () => client.events.filter((e) => e.event === 'frames').at(-1) ?? { video: 0, audio: 0 };
  return client;
}

const admin = () => apiToken({ grant: 'room-list,room-create,admin' });
const participantsOf = async (server, room) =>
  (await api(server, 'GET', `/api/rooms/${room}/participants`, { bearer: admin() })).body.participants ?? [];

test('a GStreamer WHEP player plays a browser participant\'s camera, hidden from the call', { timeout: 90000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  let whep;
  try {
    const alice = await joinApp(browser, server.url, { room: 'show', identity: 'alice', name: 'Alice' });
    assert.ok(await waitFor(async () => (await participantsOf(server, 'show')).find((p) => p.identity === 'alice')?.tracks.length === 2,
      { timeout: 20000 }), 'alice publishes camera and microphone');

    whep = startWhepClient(`${server.url}/whep/show/alice`, token('show', 'player', '--no-publish'), 12);
    const created = await waitFor(() => whep.event('created') || whep.event('refused') || whep.event('error'), { timeout: 20000 });
    assert.equal(created?.event, 'created', `the WHEP POST: ${whep.log}\n--- server ---\n${server.log()}`);
    assert.match(created.location, /\/whep\/show\/alice\/[A-Za-z0-9]{32}$/);
    assert.match(created.etag, /^"[A-Za-z0-9]+"$/);
    assert.ok(created.links >= 2, 'the embedded TURN server over UDP and TCP, in Link headers');
    // Both offered sections carry one of alice's tracks, sent only, with the player's payload types.
    assert.match(created.answer, /m=video \d+ UDP\/TLS\/RTP\/SAVPF 96\r\n/);
    assert.equal((created.answer.match(/a=sendonly/g) ?? []).length, 2, created.answer);
    assert.match(created.answer, /a=msid:alice TR_/);

    // Listed by the room service API as a hidden "whep" participant; the call does not show it.
    const viewers = (await participantsOf(server, 'show')).filter((p) => p.kind === 'whep');
    assert.equal(viewers.length, 1, JSON.stringify(await participantsOf(server, 'show')));
    assert.match(viewers[0].identity, /^player-whep-[A-Za-z0-9]{8}$/);
    assert.equal(viewers[0].hidden, true);
    assert.equal(await alice.locator('[data-participant*="-whep-"]').count(), 0, 'no tile for the player');

    // The player decodes a steady stream of frames (the fake camera sends 20 a second).
    assert.ok(await waitFor(() => whep.frames().video >= 60, { timeout: 20000 }),
      `decoded video frames: ${JSON.stringify(whep.frames())}\n${whep.log}\n--- server ---\n${server.log()}`);
    assert.ok(whep.event('connected'), 'the player saw ICE connect');
    assert.ok(whep.frames().audio > 0, `audio is decoded too: ${JSON.stringify(whep.frames())}`);
    assert.ok(whep.events.filter((e) => e.event === 'patched').every((e) => e.status === 204),
      `trickled candidates are taken: ${whep.log}`);

    // The player DELETEs its session when it stops: the viewer leaves the room.
    await whep.done;
    assert.equal(whep.event('deleted')?.status, 200, whep.log);
    assert.ok(await waitFor(async () => !(await participantsOf(server, 'show')).some((p) => p.kind === 'whep'), { timeout: 10000 }),
      'the player is gone from the participant list');
    assert.equal((await fetch(created.location, { method: 'DELETE' })).status, 404, 'the session is gone');
  } finally {
    if (whep) await whep.kill();
    await browser.close();
    assert.equal(await server.stop(), 0);
  }
});

test('WHEP refusals have their status and a JSON code; PATCH restarts ICE', { timeout: 60000 }, async () => {
  const server = await startServer();
  let listener;
  try {
    const recvonly = fixture('chromium-offer-recvonly.sdp');
    const post = (room, participant, { bearer, type = 'application/sdp', body = recvonly, accept } = {}) => {
      const headers = { 'content-type': type };
      if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
      if (accept) headers.accept = accept;
      return fetch(`${server.url}/whep/${encodeURIComponent(room)}/${encodeURIComponent(participant)}`,
        { method: 'POST', headers, body });
    };
    const codeOf = async (r) => [r.status, (await r.json()).code];
    const good = token('play', 'viewer', '--no-publish');

    // Nobody to play yet.
    assert.deepEqual(await codeOf(await post('play', 'encoder', { bearer: good })), [404, 'room_not_found']);
    // A publisher (a WHIP offer that never connects still publishes its tracks) and a listener that publishes nothing.
    const whip = await fetch(`${server.url}/whip/play`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('play', 'encoder')}`, 'content-type': 'application/sdp' },
      body: fixture('chromium-offer-simulcast-datachannel.sdp'),
    });
    assert.equal(whip.status, 201, await whip.clone().text());
    listener = await connect(server);
    listener.send({ type: 'join', token: token('play', 'listener', '--no-publish'), protocol: 1 });
    await listener.until((msg) => msg.type === 'joined', 'the listener joins');

    let r = await post('play', 'encoder', {});
    assert.deepEqual(await codeOf(r), [401, 'unauthorized']);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    assert.deepEqual(await codeOf(await post('play', 'encoder', { bearer: 'not.a.token' })), [401, 'token_malformed']);
    assert.deepEqual(await codeOf(await post('play', 'encoder', { bearer: token('elsewhere', 'viewer') })), [403, 'permission_denied']);
    assert.deepEqual(await codeOf(await post('play', 'encoder', { bearer: token('play', 'viewer', '--no-subscribe') })),
      [403, 'permission_denied']);
    assert.deepEqual(await codeOf(await post('play', 'nobody', { bearer: good })), [404, 'participant_not_found']);
    assert.deepEqual(await codeOf(await post('play', 'listener', { bearer: good })), [404, 'track_not_found']);
    assert.deepEqual(await codeOf(await post('play', 'encoder', { bearer: good, type: 'text/plain' })), [415, 'unsupported_media_type']);
    assert.deepEqual(await codeOf(await post('play', 'encoder', { bearer: good, accept: 'text/html' })), [406, 'not_acceptable']);
    r = await post('play', 'encoder', { bearer: good, body: 'this is not SDP' });
    const bad = await r.json();
    assert.deepEqual([r.status, bad.code], [400, 'bad_sdp']);
    assert.match(bad.message, /SDP/, 'the reason is given');
    // An offer whose codecs the server forwards, but none of them the publisher's (VP9 video, no Opus).
    const noMatch = fixture('gstreamer-whep-offer-recvonly.sdp').replace('VP8/90000', 'VP9/90000').replace('OPUS/48000', 'PCMU/8000');
    assert.deepEqual(await codeOf(await post('play', 'encoder', { bearer: good, body: noMatch })), [422, 'no_matching_tracks']);
    r = await post('play', 'encoder', { bearer: good, body: 'x'.repeat(70 * 1024) });
    assert.deepEqual(await codeOf(r), [413, 'body_too_large']);

    // A real Chromium receive-only offer is answered; the session restarts ICE by PATCH and ends by DELETE.
    r = await post('play', 'encoder', { bearer: good });
    const answer = await r.text();
    assert.equal(r.status, 201, answer);
    assert.equal(r.headers.get('content-type'), 'application/sdp');
    assert.equal((answer.match(/a=sendonly/g) ?? []).length, 2, answer);
    const location = new URL(r.headers.get('location'), server.url).href;
    const etag = r.headers.get('etag');
    const restart = await fetch(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/trickle-ice-sdpfrag', 'if-match': etag },
      body: 'a=ice-ufrag:rst1\r\na=ice-pwd:restartedpassword012345\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n',
    });
    const fragment = await restart.text();
    assert.equal(restart.status, 200, fragment);
    assert.equal(restart.headers.get('content-type'), 'application/trickle-ice-sdpfrag');
    assert.notEqual(restart.headers.get('etag'), etag);
    assert.match(fragment, /a=ice-ufrag:[A-Za-z0-9+/]{4,}\r\n/);
    assert.deepEqual(await codeOf(await fetch(location, {
      method: 'PATCH', headers: { 'content-type': 'application/trickle-ice-sdpfrag', 'if-match': etag }, body: 'a=end-of-candidates\r\n',
    })), [412, 'etag_mismatch']);
    assert.equal((await participantsOf(server, 'play')).filter((p) => p.kind === 'whep').length, 1);
    let m = await scrapeMetrics(server.url);
    assert.equal(m.sum('ciphertalk_whep_sessions'), 1);
    assert.equal(m.sum('ciphertalk_whep_requests_total', { result: '201' }), 1);
    assert.ok(m.sum('ciphertalk_whep_requests_total', { result: '404' }) >= 3);
    assert.equal(m.sum('ciphertalk_whep_requests_total', { result: '415' }), 1);
    assert.equal((await fetch(location, { method: 'DELETE' })).status, 200);
    assert.equal((await participantsOf(server, 'play')).filter((p) => p.kind === 'whep').length, 0);
    assert.deepEqual(await codeOf(await fetch(location, { method: 'DELETE' })), [404, 'session_not_found']);

    // Methods a resource does not take, and paths that are none.
    r = await fetch(`${server.url}/whep/play/encoder`, { method: 'DELETE' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'POST');
    assert.deepEqual(await codeOf(await fetch(`${server.url}/whep/play`, { method: 'POST' })), [404, 'not_found']);

    // Too many requests from one address.
    const statuses = [];
    for (let i = 0; i < 50; ++i) statuses.push((await fetch(location, { method: 'DELETE' })).status);
    assert.ok(statuses.includes(429), `rate limited: ${statuses}`);
    m = await scrapeMetrics(server.url);
    assert.equal(m.sum('ciphertalk_whep_sessions'), 0);
    assert.ok(m.sum('ciphertalk_whep_requests_total', { result: '429' }) >= 1);
  } finally {
    listener?.ws.close();
    assert.equal(await server.stop(), 0);
  }
});
