// What the web client shows of the room service API (docs/api.md), in real
// Chromium: a chat message the server sends into an end-to-end encrypted
// room is shown as the server's and marked not end-to-end encrypted, an
// administrator's mute turns the page's own microphone button off, and a
// deleted room ends the call with its own message. One page, to stay light.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinApp } from './lib/app.mjs';
import { api, token } from './lib/roomapi.mjs';

test('the web client shows the server\'s data as unencrypted, follows an admin mute, and says the room was closed', { timeout: 90000 }, async () => {
  const server = await startServer();
  let browser;
  try {
    const admin = token({ grant: 'room-create,admin' });
    let r = await api(server, 'POST', '/api/rooms', { bearer: admin, body: { name: 'announce', e2ee: true } });
    assert.equal(r.status, 201);
    browser = await launchBrowser();
    const page = await joinApp(browser, server.url, { room: 'announce', identity: 'alice', name: 'Alice', query: { e2ee: '1' } });
    assert.ok(await waitFor(async () => (await page.getByTestId('e2ee-status').textContent()) === 'end-to-end encrypted'), 'an encrypted call');

    // Data from the server: shown in the chat, as the server's, marked not encrypted.
    const text = 'This room closes in 5 minutes';
    const chat = JSON.stringify({ id: 'srv1', text, timestamp: Date.now() });
    const shown = await waitFor(async () => {
      r = await api(server, 'POST', '/api/rooms/announce/data', { bearer: admin, body: { data: chat, topic: 'chat' } });
      assert.equal(r.status, 200);
      return (await page.getByTestId('chat-message').allTextContents()).some((t) => t.includes(text));
    }, { timeout: 15000, interval: 1000 });
    assert.ok(shown, 'the chat shows the server\'s message (the data channel may open a moment after joining)');
    const message = page.getByTestId('chat-message').filter({ hasText: text }).first();
    assert.match(await message.textContent(), /Server/);
    assert.equal(await message.getByTestId('chat-not-encrypted').textContent(), 'not end-to-end encrypted');

    // An administrator mutes the page's microphone: its own button follows.
    const mic = page.getByTestId('toggle-mic');
    assert.equal(await mic.getAttribute('aria-pressed'), 'true');
    const audio = await page.evaluate(() => [...window.ct.localTracks.values()].find((t) => t.info.source === 'microphone')?.info.sid);
    assert.ok(audio, 'the page publishes a microphone');
    r = await api(server, 'POST', `/api/rooms/announce/participants/alice/tracks/${audio}/mute`, { bearer: admin, body: { muted: true } });
    assert.equal(r.status, 200);
    assert.ok(await waitFor(async () => (await mic.getAttribute('aria-pressed')) === 'false', { timeout: 5000 }), 'the microphone button shows muted');

    // The room is deleted: the call ends and says why.
    r = await api(server, 'DELETE', '/api/rooms/announce', { bearer: token({ grant: 'room-create' }) });
    assert.equal(r.status, 204);
    assert.ok(await waitFor(async () => (await page.locator('main.ended h1').textContent().catch(() => '')) === 'The room was closed',
      { timeout: 5000 }), 'the page says the room was closed');
  } finally {
    await browser?.close();
    await server.stop();
  }
});
