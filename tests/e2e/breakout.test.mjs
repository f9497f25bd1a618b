// Breakout rooms and the `move` message (docs/protocol.md) in real Chromium:
// an administrator opens two breakout rooms and moves two participants into
// one; those two see only each other and the administrator no longer sees
// them; closing the breakout rooms brings everyone back. The pages never
// reload (a marker set on `window` survives) and the moved see a banner; the
// call is end-to-end encrypted, and so are the breakout rooms.
// A second test moves a client to a room on a second server process (`url`);
// a third checks the refusals over raw signaling (no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinApp, tileVideoPlaying } from './lib/app.mjs';
import { api, token } from './lib/roomapi.mjs';
import { connect } from './lib/signal.mjs';

// Whether `page` shows exactly `identities` as remote tiles, each playing video.
async function seesOnly(page, identities) {
  const remote = await page.evaluate(() => [...document.querySelectorAll('.tile:not(.self)[data-participant]')].map((t) => t.dataset.participant).sort());
  if (JSON.stringify(remote) !== JSON.stringify([...identities].sort())) return false;
  for (const id of identities) if (!(await tileVideoPlaying(page, id))) return false;
  return true;
}

// What a page shows and holds, for a failure's message.
const describe = (page) => page.evaluate(() => JSON.stringify({
  room: window.ct.room, participants: [...window.ct.participants.keys()], e2ee: window.ct.e2ee?.state,
  tiles: [...document.querySelectorAll('.tile[data-participant]')].map((t) => `${t.dataset.participant}:${t.querySelector('video')?.videoWidth}`),
  remote: window.ct.remoteTrackList().map((t) => `${t.participant}:${t.kind}`), subscriber: window.ct.subscriber?.connectionState,
}));

const bannerText = (page) => page.getByTestId('moved-banner').textContent();
// The banner comes with `moved`, once the old room's video has handed over (5 s at most).
async function bannerSays(page, text) {
  await waitFor(async () => (await bannerText(page)) === text, { timeout: 8000 });
  assert.equal(await bannerText(page), text);
}
const marker = (page) => page.evaluate(() => window.breakoutMarker);

test('an administrator opens breakout rooms, moves two people into one and calls them back', { timeout: 120000 }, async () => {
  const server = await startServer();
  let browser;
  try {
    browser = await launchBrowser();
    // An end-to-end encrypted call: the breakout rooms are encrypted too, and keys are exchanged afresh in each.
    const join = (identity, name) => joinApp(browser, server.url, { room: 'standup', identity, name, query: { e2ee: '1' } });
    const admin = await join('admin', 'Admin');
    const ada = await join('ada', 'Ada');
    const bob = await join('bob', 'Bob');
    const pages = { admin, ada, bob };
    for (const [id, page] of Object.entries(pages)) {
      const others = Object.keys(pages).filter((o) => o !== id);
      assert.ok(await waitFor(() => seesOnly(page, others), { timeout: 20000 }), `${id} sees ${others} in the main room: ${await describe(page)}`);
      await page.evaluate(() => { window.breakoutMarker = 'still here'; });
    }

    // Development tokens carry roomAdmin: the page shows the controls.
    assert.equal(await admin.getByTestId('breakout-panel').isVisible(), true);
    const names = admin.getByTestId('breakout-room-name');
    await names.nth(0).fill('red');
    await names.nth(1).fill('blue');
    await admin.getByTestId('breakout-open').click();
    const moveAda = admin.getByTestId('breakout-move-ada');
    assert.ok(await waitFor(async () => (await moveAda.locator('option').allTextContents()).includes('red')), 'the rooms are open');
    await moveAda.selectOption('red');
    await admin.getByTestId('breakout-move-bob').selectOption('red');

    for (const [id, other] of [['ada', 'bob'], ['bob', 'ada']]) {
      const page = pages[id];
      assert.ok(await waitFor(() => page.evaluate(() => window.ct.room === 'standup~red'), { timeout: 15000 }), `${id} is in standup~red`);
      assert.ok(await waitFor(() => seesOnly(page, [other]), { timeout: 20000 }), `${id} sees only ${other}: ${await describe(page)}`);
      await bannerSays(page, 'You are in breakout room red');
      const status = page.getByTestId('e2ee-status');
      assert.ok(await waitFor(async () => (await status.textContent()) === 'end-to-end encrypted', { timeout: 10000 }),
        `${id}'s breakout call is encrypted: ${await status.textContent()}`);
      assert.equal(await marker(page), 'still here', `${id}'s page did not reload`);
      assert.equal(await page.evaluate(() => new URLSearchParams(location.search).get('room')), 'standup~red', 'a reload lands in the breakout room');
    }
    assert.ok(await waitFor(() => seesOnly(admin, []), { timeout: 15000 }), `the administrator no longer sees them: ${await describe(admin)}`);
    // The server's breakout_state reached the administrator: both are listed in red.
    assert.ok(await waitFor(async () => (await moveAda.inputValue()) === 'red' && (await admin.getByTestId('breakout-move-bob').inputValue()) === 'red'));

    await admin.getByTestId('breakout-close').click();
    for (const [id, page] of Object.entries(pages)) {
      const others = Object.keys(pages).filter((o) => o !== id);
      assert.ok(await waitFor(() => seesOnly(page, others), { timeout: 25000 }), `${id} sees ${others} again: ${await describe(page)}`);
      assert.equal(await marker(page), 'still here', `${id}'s page did not reload`);
    }
    for (const page of [ada, bob]) {
      assert.equal(await page.evaluate(() => window.ct.room), 'standup');
      await bannerSays(page, 'You are back in the main room');
    }
    // Nobody is left behind in the breakout room.
    const list = await api(server, 'GET', '/api/rooms/standup~red/participants', { bearer: token({ grant: 'room-list' }) });
    assert.ok(list.status === 404 || list.body.participants.length === 0, JSON.stringify(list.body));
  } finally {
    await browser?.close();
    await server.stop();
  }
});

test('a move with a url takes the client to a room on another server', { timeout: 60000 }, async () => {
  const first = await startServer();
  const second = await startServer();
  let browser;
  try {
    browser = await launchBrowser();
    // A token from an application backend, without roomAdmin: no breakout controls, before or after the move.
    const own = token({ room: 'lobby', identity: 'ada', grant: 'join' });
    const page = await joinApp(browser, first.url, { room: 'lobby', identity: 'ada', name: 'Ada', query: { token: own } });
    assert.equal(await page.getByTestId('breakout-panel').isVisible(), false);
    await page.evaluate(() => { window.breakoutMarker = 'still here'; });
    const url = `ws://127.0.0.1:${second.ports.http}/rtc`;
    const admin = token({ grant: 'admin' });  // every room: the target is another call
    const r = await api(first, 'POST', '/api/rooms/lobby/participants/ada/move', { bearer: admin, body: { room: 'hall', url } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.reason, 'redirect');

    const there = await waitFor(async () => {
      const list = await api(second, 'GET', '/api/rooms/hall/participants', { bearer: admin });
      return list.status === 200 && list.body.participants.some((p) => p.identity === 'ada' && p.tracks.length >= 2);
    }, { timeout: 15000 });
    assert.ok(there, 'ada joined hall on the second server and publishes there');
    assert.equal(await page.evaluate(() => window.ct.url), url);
    assert.equal(await page.evaluate(() => window.ct.room), 'hall');
    assert.equal(await marker(page), 'still here');
    await bannerSays(page, 'You were moved to room hall');
    assert.equal(await page.getByTestId('breakout-panel').isVisible(), false);
    const gone = await waitFor(async () => {
      const list = await api(first, 'GET', '/api/rooms/lobby/participants', { bearer: admin });
      return list.status === 404 || list.body.participants.length === 0;
    }, { timeout: 10000 });
    assert.ok(gone, 'ada left the room on the first server');
  } finally {
    await browser?.close();
    await first.stop();
    await second.stop();
  }
});

test('breakout requests are refused without roomAdmin, with bad names, unknown people or no rooms open', { timeout: 30000 }, async () => {
  const server = await startServer();
  const clients = [];
  try {
    const join = async (identity, grant) => {
      const c = await connect(server);
      clients.push(c);
      c.send({ type: 'join', token: token({ room: 'standup', identity, grant }), protocol: 1 });
      const joined = await c.until((m) => m.type === 'joined', `${identity} joins`);
      return { c, joined };
    };
    const { c: admin, joined } = await join('admin', 'join,admin');
    assert.equal(joined.participant.permissions.canAdmin, true);
    const { c: guest, joined: guestJoined } = await join('guest', 'join');
    assert.equal(guestJoined.participant.permissions.canAdmin, false);
    const refusal = async (c, request, code) => {
      const before = c.of('error').length;
      c.send(request);
      await c.until(() => c.of('error').length > before, `${request.type} is refused`);
      const e = c.of('error').at(-1);
      assert.deepEqual([e.code, e.request], [code, request.type], JSON.stringify(e));
    };
    await refusal(guest, { type: 'breakout_open', rooms: ['red'] }, 'permission_denied');
    await refusal(guest, { type: 'breakout_close' }, 'permission_denied');
    await refusal(admin, { type: 'breakout_move', identity: 'guest', room: 'red' }, 'breakouts_not_open');
    await refusal(admin, { type: 'breakout_close' }, 'breakouts_not_open');
    await refusal(admin, { type: 'breakout_open', rooms: ['no spaces'] }, 'bad_breakout_name');
    await refusal(admin, { type: 'breakout_open', rooms: [] }, 'bad_breakout_name');
    admin.send({ type: 'breakout_open', rooms: ['red'] });
    const state = await guest.until((m) => m.type === 'breakout_state', 'everyone hears the rooms opened');
    assert.deepEqual(state.rooms, [{ name: 'red', room: 'standup~red', participants: [] }]);
    await refusal(admin, { type: 'breakout_move', identity: 'nobody', room: 'red' }, 'participant_not_found');
    await refusal(admin, { type: 'breakout_move', identity: 'guest', room: 'blue' }, 'breakout_not_found');
    await refusal(admin, { type: 'breakout_move', identity: 'guest', room: '' }, 'already_in_room');
    // The room exists (the API lists it) before anyone is in it.
    const r = await api(server, 'GET', '/api/rooms/standup~red', { bearer: token({ grant: 'room-list' }) });
    assert.equal(r.status, 200);
    admin.send({ type: 'breakout_move', identity: 'guest', room: 'red' });
    const move = await guest.until((m) => m.type === 'move', 'the guest is told to move');
    assert.equal(move.room, 'standup~red');
    assert.equal(move.reason, 'breakout');
    assert.equal(move.url, undefined);
  } finally {
    for (const c of clients) c.ws.close();
    await server.stop();
  }
});
