// WHIP ingest (RFC 9725, docs/api.md "WHIP"): a GStreamer webrtcbin client
// (tests/e2e/whip_client.py, Debian's plugins) publishes a moving test
// pattern and a tone into a room; a browser in the web app lists it as an
// ingress participant and renders its video; DELETE takes it out. Then the
// HTTP rules with fetch: each class of refusal with its status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { binary, startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinApp, tileVideoPlaying, waitForFramesFrom } from './lib/app.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';
import { connect } from './lib/signal.mjs';
import { startGstClient } from './lib/gst.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const token = (room, identity, ...more) => execFileSync(binary,
  ['token', 'create', '--dev', '--room', room, '--identity', identity, ...more], { encoding: 'utf8' }).trim();

// Starts the GStreamer client; it runs until its stdin closes, then DELETEs its session.
const startWhipClient = (url, bearer) => startGstClient('whip_client.py', [url, bearer]);

// The share of the tile's video pixels that are not near black, and a small
// fingerprint of the frame (to see it move).
function tilePixels(page, identity) {
  return page.evaluate((id) => {
    const v = document.querySelector(`[data-participant="${CSS.escape(id)}"] video`);
    if (!v || v.videoWidth === 0) return null;
    const c = document.createElement('canvas');
    c.width = 64;
    c.height = 48;
    const g = c.getContext('2d');
    g.drawImage(v, 0, 0, c.width, c.height);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) {
      const y = 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
      if (y > 40) ++lit;
      sum = (sum * 31 + px[i] + 7 * px[i + 1] + 13 * px[i + 2]) % 1000000007;
    }
    return { lit: lit / (px.length / 4), fingerprint: sum };
  }, identity);
}

test('a GStreamer WHIP client publishes into a room and a browser renders it', { timeout: 90000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  let whip;
  try {
    const viewer = await joinApp(browser, server.url, { room: 'stage', identity: 'viewer', name: 'Viewer' });
    whip = startWhipClient(`${server.url}/whip/stage`, token('stage', 'obs', '--name', 'Stage camera'));
    const created = await waitFor(() => whip.event('created') || whip.event('refused') || whip.event('error'), { timeout: 20000 });
    assert.equal(created?.event, 'created', `the WHIP POST: ${whip.log}\n--- server ---\n${server.log()}`);
    assert.match(created.location, /\/whip\/stage\/[A-Za-z0-9]{32}$/);
    assert.match(created.etag, /^"[A-Za-z0-9]+"$/);
    assert.ok(created.links >= 2, 'the embedded TURN server over UDP and TCP, in Link headers');

    // Listed like anyone, as an ingress participant, with its video playing.
    assert.ok(await waitFor(() => viewer.locator('[data-participant="obs"]').count(), { timeout: 20000 }),
      `the viewer lists the broadcaster\n${whip.log}`);
    assert.ok(await waitFor(async () => /\(broadcast\)/.test(await viewer.locator('[data-participant-item="obs"]').textContent().catch(() => '')), { timeout: 5000 }),
      'the people list marks it as a broadcast');
    // What the signaling protocol says of it.
    const listener = await connect(server);
    listener.send({ type: 'join', token: token('stage', 'listener', '--no-publish'), protocol: 1 });
    const joined = await listener.until((msg) => msg.type === 'joined', 'the listener joins');
    const obs = joined.participants.find((p) => p.identity === 'obs');
    assert.equal(obs?.kind, 'ingress', JSON.stringify(joined.participants));
    assert.equal(obs.name, 'Stage camera');
    assert.equal(joined.participants.find((p) => p.identity === 'viewer')?.kind, 'standard');
    listener.ws.close();
    assert.ok(await waitFor(() => tileVideoPlaying(viewer, 'obs'), { timeout: 20000 }),
      `the broadcaster's video plays\n${whip.log}\n--- server ---\n${server.log()}`);
    assert.ok(whip.event('connected'), 'the client saw ICE connect');
    assert.ok(whip.events.filter((e) => e.event === 'patched').every((e) => e.status === 204),
      `trickled candidates are taken: ${whip.log}`);

    const frames = await waitForFramesFrom(viewer, ['obs'], { minFrames: 15, timeout: 15000 });
    assert.ok(frames.ok, `decoded frames keep coming: ${JSON.stringify(frames.stats)}`);
    // Frames that are lit and moving.
    const first = await tilePixels(viewer, 'obs');
    assert.ok(first && first.lit > 0.5, `the frame is not black: ${JSON.stringify(first)}`);
    const moved = await waitFor(async () => {
      const now = await tilePixels(viewer, 'obs');
      return now && now.fingerprint !== first.fingerprint;
    }, { timeout: 5000 });
    assert.ok(moved, 'the pattern moves');

    let m = await scrapeMetrics(server.url);
    assert.equal(m.sum('ciphertalk_whip_sessions'), 1);
    assert.ok(m.sum('ciphertalk_whip_requests_total', { result: '201' }) >= 1);

    // PATCH with an entity tag that is not the session's.
    const stale = await fetch(created.location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/trickle-ice-sdpfrag', 'if-match': '"stale"' },
      body: 'a=end-of-candidates\r\n',
    });
    assert.deepEqual([stale.status, (await stale.json()).code], [412, 'etag_mismatch']);
    const current = await fetch(created.location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/trickle-ice-sdpfrag', 'if-match': created.etag },
      body: 'a=end-of-candidates\r\n',
    });
    assert.equal(current.status, 204);

    // DELETE (the client sends it when told to stop): the participant leaves.
    assert.equal(await whip.stop(), 0, whip.log);
    assert.equal(whip.event('deleted')?.status, 200, whip.log);
    assert.ok(await waitFor(async () => (await viewer.locator('[data-participant="obs"]').count()) === 0, { timeout: 10000 }),
      'the broadcaster leaves the page');
    m = await scrapeMetrics(server.url);
    assert.equal(m.sum('ciphertalk_whip_sessions'), 0);
    const gone = await fetch(created.location, { method: 'DELETE' });
    assert.equal(gone.status, 404, 'the session is gone');
  } finally {
    if (whip) await whip.stop();
    await browser.close();
    assert.equal(await server.stop(), 0);
  }
});

test('WHIP refusals have their status and a JSON code', { timeout: 60000 }, async () => {
  const server = await startServer();
  try {
    const post = (room, { bearer, type = 'application/sdp', body = 'v=0\r\n', accept } = {}) => {
      const headers = { 'content-type': type };
      if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
      if (accept) headers.accept = accept;
      return fetch(`${server.url}/whip/${encodeURIComponent(room)}`, { method: 'POST', headers, body });
    };
    const codeOf = async (r) => [r.status, (await r.json()).code];
    const good = token('refusals', 'obs');

    let r = await post('refusals', {});
    assert.deepEqual(await codeOf(r), [401, 'unauthorized']);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    assert.deepEqual(await codeOf(await post('refusals', { bearer: 'not.a.token' })), [401, 'token_malformed']);
    assert.deepEqual(await codeOf(await post('refusals', { bearer: token('elsewhere', 'obs') })), [403, 'permission_denied']);
    assert.deepEqual(await codeOf(await post('refusals', { bearer: token('refusals', 'obs', '--no-publish') })),
      [403, 'permission_denied']);
    assert.deepEqual(await codeOf(await post('refusals', { bearer: good, type: 'text/plain' })), [415, 'unsupported_media_type']);
    assert.deepEqual(await codeOf(await post('refusals', { bearer: good, accept: 'text/html' })), [406, 'not_acceptable']);
    r = await post('refusals', { bearer: good, body: 'this is not SDP' });
    const bad = await r.json();
    assert.deepEqual([r.status, bad.code], [400, 'bad_sdp']);
    assert.match(bad.message, /SDP/, 'the reason is given');
    r = await post('refusals', { bearer: good, body: 'x'.repeat(70 * 1024) });
    assert.equal(r.status, 413);

    // Sessions that do not exist, and methods a resource does not take.
    const unknown = `${server.url}/whip/refusals/${'a'.repeat(32)}`;
    assert.deepEqual(await codeOf(await fetch(unknown, { method: 'DELETE' })), [404, 'session_not_found']);
    assert.deepEqual(await codeOf(await fetch(unknown, {
      method: 'PATCH', headers: { 'content-type': 'application/trickle-ice-sdpfrag' }, body: 'a=end-of-candidates\r\n',
    })), [404, 'session_not_found']);
    r = await fetch(`${server.url}/whip/refusals`, { method: 'DELETE' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'POST');
    assert.equal((await fetch(unknown, { method: 'GET' })).status, 405);

    // CORS preflight for browser-based WHIP clients.
    r = await fetch(`${server.url}/whip/refusals`, {
      method: 'OPTIONS',
      headers: { origin: 'https://studio.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    assert.equal(r.status, 204);
    assert.match(r.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(r.headers.get('access-control-allow-methods') ?? '', /PATCH/);

    // Too many requests from one address.
    const statuses = [];
    for (let i = 0; i < 50; ++i) statuses.push((await fetch(unknown, { method: 'DELETE' })).status);
    assert.ok(statuses.includes(429), `rate limited: ${statuses}`);

    const m = await scrapeMetrics(server.url);
    assert.ok(m.sum('ciphertalk_whip_requests_total', { result: '401' }) >= 2);
    assert.ok(m.sum('ciphertalk_whip_requests_total', { result: '429' }) >= 1);
    assert.ok(m.sum('ciphertalk_whip_requests_total', { result: '415' }) >= 1);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('a WHIP session restarts ICE by PATCH, is replaced by a second POST, and ends when it never connects', { timeout: 80000 }, async () => {
  const server = await startServer();
  try {
    // A real Chromium offer with three simulcast layers: negotiated as a browser's would be.
    const offer = readFileSync(path.join(here, '../fixtures/sdp/chromium-offer-simulcast-datachannel.sdp'), 'utf8');
    const bearer = token('ingest', 'encoder');
    const post = () => fetch(`${server.url}/whip/ingest`, {
      method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/sdp' }, body: offer,
    });
    const first = await post();
    assert.equal(first.status, 201, await first.clone().text());
    assert.equal(first.headers.get('content-type'), 'application/sdp');
    assert.match(await first.text(), /a=simulcast:recv q;h;f/);
    // Our TURN server, with credentials for this identity (RFC 9725 §4.6).
    const links = first.headers.get('link') ?? '';
    assert.match(links, new RegExp(`<turn:127\\.0\\.0\\.1:${server.ports.turn}\\?transport=udp>; rel="ice-server"; username="\\d+:encoder"; credential="[^"]+"; credential-type="password"`), links);
    const location = new URL(first.headers.get('location'), server.url).href;
    const etag = first.headers.get('etag');

    // ICE restart (RFC 9725 §4.3.3): new credentials, If-Match "*"; our new ones come back with a new tag.
    const restart = await fetch(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/trickle-ice-sdpfrag', 'if-match': '*' },
      body: 'a=ice-ufrag:rst1\r\na=ice-pwd:restartedpassword012345\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n',
    });
    const fragment = await restart.text();
    assert.equal(restart.status, 200, fragment);
    assert.equal(restart.headers.get('content-type'), 'application/trickle-ice-sdpfrag');
    assert.notEqual(restart.headers.get('etag'), etag);
    assert.match(fragment, /^a=ice-lite\r\n/);
    assert.match(fragment, /a=ice-ufrag:[A-Za-z0-9+/]{4,}\r\n/);
    assert.match(fragment, /a=candidate:.* typ host/);
    const stale = await fetch(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/trickle-ice-sdpfrag', 'if-match': etag },
      body: 'a=end-of-candidates\r\n',
    });
    assert.equal(stale.status, 412, 'the tag from before the restart is stale');

    // The same identity again: the newer session wins, the first is gone.
    const second = await post();
    assert.equal(second.status, 201);
    assert.notEqual(second.headers.get('location'), first.headers.get('location'));
    assert.equal((await fetch(location, { method: 'DELETE' })).status, 404, 'the replaced session is gone');
    let m = await scrapeMetrics(server.url);
    assert.equal(m.sum('ciphertalk_whip_sessions'), 1);

    // Nobody ever connects to it: the session ends by itself (30 s connect timeout).
    const ended = await waitFor(async () => (await scrapeMetrics(server.url)).sum('ciphertalk_whip_sessions') === 0,
      { timeout: 45000, interval: 1000 });
    assert.ok(ended, 'the session that never connected is cleaned up');
    const late = new URL(second.headers.get('location'), server.url).href;
    assert.equal((await fetch(late, { method: 'DELETE' })).status, 404);
    m = await scrapeMetrics(server.url);
    assert.ok(m.sum('ciphertalk_whip_requests_total', { result: '200' }) >= 1);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
