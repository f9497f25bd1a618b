// End-to-end encryption in real Chromium, through the app (/?room=R&e2ee=1):
// three pages decode each other's encrypted audio and video, a page with
// wrong keys decodes nothing and says so, safety numbers match and change
// with the identity key, whoever leaves cannot decrypt what is sent after
// the rotation, and a browser that cannot encrypt is refused with a message.
// At most four pages at once (two cores); the fake camera is 320x240.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import {
  decryptDataOn, decryptFramesOn, decryptedFrom, encryptDataOn, joinApp, mediaStats, safetyNumberWith, sendKid, tileVideoPlaying, tileVideoWidth,
  waitForFramesFrom, workerStats,
} from './lib/app.mjs';
import { decodeIvf, dumpFile, frameKid, lumaPattern, readIvf, resemblance, sframeKidAt } from './lib/ivf.mjs';

const ROOM = 'secret-plans';
const NAMES = { alice: 'Alice', bob: 'Bob', carol: 'Carol', dave: 'Dave', eve: 'Eve' };
const EPOCH = (kid) => BigInt(kid) >> 16n;
const sframeKid = (base64) => sframeKidAt(Buffer.from(base64, 'base64'));
// Measured over six runs here: a plain page's pictures correlate 0.93 or more with another page's
// camera, FFmpeg's pictures of an encrypted room's dump 0.52 at most.
const RESEMBLES = 0.8;

let server;
let browser;
let dumpDir;
const pages = {};

function join(identity, query = {}, options = {}) {
  return joinApp(browser, server.url, { room: ROOM, identity, name: NAMES[identity], query, ...options });
}

const tile = (identity) => `[data-participant="${identity}"]`;
const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
const screenshot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`) });
const log = () => server.log().slice(-3000);

async function leave(identity) {
  const page = pages[identity];
  delete pages[identity];
  await page.getByTestId('leave').click();
  return page;
}

describe('end-to-end encryption in the browser', { timeout: 300000 }, () => {
  before(async () => {
    // The server writes every VP8 track it forwards, as it sees it, here (--dev only).
    mkdirSync(artifacts, { recursive: true });
    dumpDir = mkdtempSync(path.join(tmpdir(), 'ct-e2ee-dump-'));
    server = await startServer(['--debug-dump-payloads', dumpDir]);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (server) assert.equal(await server.stop(), 0);
    if (dumpDir) rmSync(dumpDir, { recursive: true, force: true });
  });

  test('three pages in an encrypted room decode each other\'s audio and video, show it encrypted and a lock on each tile', async () => {
    // The first joiner creates the room encrypted (--dev honours ?e2ee=1); the others join as they are.
    pages.alice = await join('alice', { e2ee: '1' });
    pages.bob = await join('bob');
    // Carol keeps her worker's keys after leaving, for the rotation test below.
    pages.carol = await join('carol', { e2eeTestKeepKeys: '1' });
    const everyone = ['alice', 'bob', 'carol'];
    for (const viewer of everyone) {
      const page = pages[viewer];
      const others = everyone.filter((o) => o !== viewer);
      const frames = await waitForFramesFrom(page, others, { minFrames: 30 });
      assert.ok(frames.ok, `${viewer} decodes video from ${others}: ${JSON.stringify(frames.stats)}\n${log()}`);
      for (const o of others) {
        assert.ok(await waitFor(() => tileVideoPlaying(page, o)), `${viewer} sees ${o}'s tile render frames`);
        assert.ok(await waitFor(() => page.locator(`${tile(o)} [data-testid="tile-lock"]`).isVisible()), `${viewer} shows a lock on ${o}'s tile`);
        assert.equal(await page.locator(`${tile(o)} [data-testid="tile-undecryptable"]`).isVisible(), false);
      }
      assert.ok(await waitFor(async () => (await page.getByTestId('e2ee-status').textContent()) === 'end-to-end encrypted'),
        `${viewer} reads "end-to-end encrypted", not "${await page.getByTestId('e2ee-status').textContent()}"`);
      // The worker decrypts every track it receives, audio included, and the count keeps rising.
      const w1 = await workerStats(page);
      await page.waitForTimeout(1000);
      const w2 = await workerStats(page);
      for (const o of others) {
        assert.ok(decryptedFrom(w2, o) > decryptedFrom(w1, o), `${viewer}'s worker keeps decrypting ${o}: ${JSON.stringify(w2)}`);
        const tracks = Object.values(w2).filter((t) => t.direction === 'decrypt' && t.participant === o);
        assert.equal(tracks.length, 2, `${viewer} decrypts ${o}'s audio and video`);
        for (const t of tracks) assert.ok(t.stats.decrypted > 20 && t.stats.authFailed === 0, `${viewer}: ${JSON.stringify(t)}`);
      }
      const sending = Object.values(w2).filter((t) => t.direction === 'encrypt');
      assert.equal(sending.length, 2, `${viewer} encrypts its audio and video`);
      for (const t of sending) assert.ok(t.stats.encrypted > 20, `${viewer} encrypts: ${JSON.stringify(t)}`);
      // Decoded audio has energy: the fake microphone's tone, not silence from dropped frames.
      const audio = await mediaStats(page);
      for (const o of others) assert.ok(audio[o].audioEnergy > 0, `${viewer} hears ${o}: ${JSON.stringify(audio[o])}`);
    }
    // Everyone sees the same group code, and the "encrypted with" list names the other two.
    const codes = [];
    for (const viewer of everyone) {
      const code = pages[viewer].getByTestId('group-code');
      assert.ok(await waitFor(() => code.isVisible()), `${viewer} shows the group code`);
      codes.push(await code.textContent());
    }
    assert.match(codes[0], /^code \d{4} \d{4} \d{4}$/);
    assert.deepEqual(new Set(codes).size, 1, `one group code on every screen: ${codes}`);
    await pages.alice.getByTestId('toggle-participants').click();
    assert.equal(await pages.alice.getByTestId('encrypted-with').textContent(), 'Encrypted with Bob, Carol.');
    await screenshot(pages.alice, 'e2ee-call-3-people-panel-1280x720');
    await pages.alice.getByTestId('toggle-participants').click();
    await screenshot(pages.alice, 'e2ee-call-3-1280x720');
  });

  test('chat in an encrypted room goes through the key exchange\'s keys and arrives readable', async () => {
    await pages.alice.getByTestId('toggle-chat').click();
    await pages.alice.getByTestId('chat-input').fill('meet at noon');
    await pages.alice.getByTestId('chat-send').click();
    for (const viewer of ['bob', 'carol']) {
      const page = pages[viewer];
      await page.getByTestId('toggle-chat').click();
      assert.ok(await waitFor(async () => (await page.getByTestId('chat-message').allTextContents()).some((t) => t.includes('meet at noon'))), `${viewer} reads the chat`);
      assert.equal(await page.evaluate(() => window.ct.malformedDataMessages), 0);
      await page.getByTestId('toggle-chat').click();
    }
    await pages.alice.getByTestId('toggle-chat').click();
  });

  test('a fourth page with a wrong key renders nothing from the others and says so, while they see it', async () => {
    pages.dave = await join('dave', { e2eeTestWrongKey: '1' });
    const dave = pages.dave;
    for (const o of ['alice', 'bob', 'carol']) {
      assert.ok(await waitFor(() => dave.locator(`${tile(o)} [data-testid="tile-undecryptable"]`).isVisible()), `Dave's page says it cannot decrypt ${o}\n${log()}`);
    }
    // Media arrives (the server forwards it) but nothing decrypts, so nothing is decoded or shown.
    await dave.waitForTimeout(2000);
    await screenshot(dave, 'e2ee-wrong-key-1280x720');
    const stats = await mediaStats(dave);
    const worker = await workerStats(dave);
    for (const o of ['alice', 'bob', 'carol']) {
      assert.ok(stats[o]?.audioPackets > 0, `media from ${o} reaches Dave: ${JSON.stringify(stats)}`);
      assert.equal(stats[o].framesDecoded, 0, `Dave decodes no frame of ${o}`);
      assert.equal(await tileVideoWidth(dave, o), 0, `Dave's tile of ${o} shows no picture`);
      assert.equal(await dave.locator(`${tile(o)} [data-testid="tile-lock"]`).isVisible(), false);
      assert.equal(decryptedFrom(worker, o), 0);
      assert.ok(decryptedFrom(worker, o, 'authFailed') > 0, `Dave's worker fails to authenticate ${o}'s frames: ${JSON.stringify(worker)}`);
    }
    // His own frames are encrypted right: the others decrypt and show them.
    assert.ok((await waitForFramesFrom(pages.alice, ['dave'], { minFrames: 10 })).ok, 'Alice decodes Dave');
    assert.ok(await waitFor(() => pages.alice.locator(`${tile('dave')} [data-testid="tile-lock"]`).isVisible()), 'with a lock');
    await leave('dave');
    await dave.close();
  });

  test('safety numbers match on both sides; a new identity key under the same name changes them and raises the warning', async () => {
    const ab = await safetyNumberWith(pages.alice, 'bob', path.join(artifacts, 'e2ee-safety-number-1280x720.png'));
    const ba = await safetyNumberWith(pages.bob, 'alice');
    assert.match(ab.text, /^(\d{5} ){11}\d{5}$/, `60 digits in groups of five: ${ab.text}`);
    assert.equal(ba.text, ab.text, 'Alice and Bob see the same safety number');
    assert.equal(ab.qr, 1, 'with a QR code');
    assert.notEqual((await safetyNumberWith(pages.alice, 'carol')).text, ab.text, 'another pair, another number');
    assert.equal(await pages.alice.getByTestId('identity-warning').isVisible(), false);

    // Bob comes back from a fresh browser profile: same name, new identity key.
    const oldBob = await leave('bob');
    await oldBob.close();
    pages.bob = await join('bob');
    const warning = pages.alice.getByTestId('identity-warning');
    assert.ok(await waitFor(() => warning.isVisible()), `Alice is warned\n${log()}`);
    assert.match(await warning.textContent(), /Security key changed: Bob/);
    await screenshot(pages.alice, 'e2ee-identity-warning-1280x720');
    const after = await safetyNumberWith(pages.alice, 'bob');
    assert.notEqual(after.text, ab.text, 'the safety number changed with the key');
    assert.equal((await safetyNumberWith(pages.bob, 'alice')).text, after.text, 'and both sides see the new one');
    // Carol met Bob's first key in this call too: she is warned as well.
    assert.ok(await waitFor(() => pages.carol.getByTestId('identity-warning').isVisible()), 'Carol is warned');
    // The new Bob decrypts and is decrypted.
    assert.ok((await waitForFramesFrom(pages.bob, ['alice', 'carol'])).ok, 'the new Bob decodes the others');
    assert.ok((await waitForFramesFrom(pages.alice, ['bob'])).ok, 'Alice decodes the new Bob');
  });

  test('after a participant leaves, what is sent after the rotation does not decrypt with the keys it held', async () => {
    const carol = pages.carol;
    const kidBefore = await sendKid(pages.alice);
    const bobKidBefore = await sendKid(pages.bob);
    // Carol holds the key Alice uses now: a message under it opens for her.
    const before = await encryptDataOn(pages.alice, 'before Carol left');
    assert.equal(sframeKid(before), BigInt(kidBefore));
    assert.deepEqual(await decryptDataOn(carol, 'alice', before), { ok: true, text: 'before Carol left' });
    const framesBefore = (await mediaStats(pages.bob)).alice.framesDecoded;
    await leave('carol');
    // Alice and Bob rotate to a new epoch (after the debounce and the switch delay).
    for (const [viewer, kid] of [['alice', kidBefore], ['bob', bobKidBefore]]) {
      assert.ok(await waitFor(async () => EPOCH(await sendKid(pages[viewer])) > EPOCH(kid), { timeout: 10000 }), `${viewer} rotated its key`);
    }
    // The worker installs a new key a moment after the page switched to it: take a message sealed under the new epoch.
    let afterRotation;
    assert.ok(await waitFor(async () => {
      afterRotation = await encryptDataOn(pages.alice, 'after Carol left');
      return EPOCH(sframeKid(afterRotation)) > EPOCH(kidBefore);
    }), 'Alice seals under the new epoch');
    assert.deepEqual(await decryptDataOn(pages.bob, 'alice', afterRotation), { ok: true, text: 'after Carol left' });
    // Carol's worker still holds every key she was given (test hook); none opens it.
    assert.deepEqual(await decryptDataOn(carol, 'alice', afterRotation), { ok: false, code: 'noKey' });
    let fromBob;
    assert.ok(await waitFor(async () => {
      fromBob = await encryptDataOn(pages.bob, 'bob after');
      return EPOCH(sframeKid(fromBob)) > EPOCH(bobKidBefore);
    }), 'Bob seals under his new epoch');
    assert.deepEqual(await decryptDataOn(carol, 'bob', fromBob), { ok: false, code: 'noKey' });
    // The frames went on through the switch.
    assert.ok((await waitForFramesFrom(pages.bob, ['alice'], { minFrames: 30 })).ok, 'Bob keeps decoding Alice after the rotation');
    assert.ok((await mediaStats(pages.bob)).alice.framesDecoded > framesBefore);

    // The video frames themselves, as the server forwarded them (its payload dump): Alice's frames under the
    // key Carol held decrypt with Carol's keys; those under the new epoch do not, while Bob's keys open them.
    const file = dumpFile(dumpDir, ROOM, 'alice');
    assert.ok(file, `the server dumped Alice's video in ${dumpDir}`);
    let held = [];
    let rotated = [];
    assert.ok(await waitFor(() => {
      const frames = readIvf(file);
      held = frames.filter((f) => frameKid(f) === BigInt(kidBefore)).slice(-30);
      rotated = frames.filter((f) => EPOCH(frameKid(f)) > EPOCH(kidBefore)).slice(0, 60);
      return held.length >= 10 && rotated.length >= 30;
    }), `frames under both keys in the dump: ${held.length} held, ${rotated.length} rotated`);
    const carolOld = await decryptFramesOn(carol, 'alice', held);
    assert.equal(carolOld.decrypted, held.length, `Carol's keys open Alice's frames from before: ${JSON.stringify(carolOld)}`);
    const carolNew = await decryptFramesOn(carol, 'alice', rotated);
    assert.equal(carolNew.decrypted, 0, `Carol's keys open none of Alice's frames after the rotation: ${JSON.stringify(carolNew)}`);
    assert.equal(carolNew.noKey, rotated.length);
    const bobNew = await decryptFramesOn(pages.bob, 'alice', rotated);
    assert.equal(bobNew.decrypted, rotated.length, `Bob's keys open them: ${JSON.stringify(bobNew)}`);
    await carol.close();
  });

  test('a browser that cannot encrypt frames is refused with a clear message', async () => {
    const page = await join('eve', {}, {
      waitReady: false,
      initScript: () => {
        delete window.RTCRtpScriptTransform;
        delete RTCRtpSender.prototype.createEncodedStreams;
      },
    });
    const error = page.getByTestId('join-error');
    assert.ok(await waitFor(async () => /end-to-end encrypted/.test((await error.textContent()) ?? '')), `the page explains: ${await error.textContent()}`);
    assert.match(await error.textContent(), /cannot encrypt/);
    await screenshot(page, 'e2ee-unsupported-1280x720');
    assert.notEqual(await page.evaluate(() => window.ctReady), true);
    assert.equal(await pages.alice.locator(tile('eve')).count(), 0, 'nobody sees Eve in the call');
    await page.close();
  });

  test('the server sees only ciphertext: its dump of an encrypted room decodes to nothing like the camera, a plain room\'s to the camera', async () => {
    // A plain room next door: its page says so, and shows no locks.
    const plain = await joinApp(browser, server.url, { room: 'open-plans', identity: 'pat', name: 'Pat' });
    const viewer = await joinApp(browser, server.url, { room: 'open-plans', identity: 'quinn', name: 'Quinn' });
    try {
      assert.ok(await waitFor(async () => (await viewer.getByTestId('e2ee-status').textContent()) === 'not end-to-end encrypted'), 'a plain room says so');
      assert.ok((await waitForFramesFrom(viewer, ['pat'], { minFrames: 60 })).ok, 'Quinn decodes Pat');
      assert.equal(await viewer.locator('[data-testid="tile-lock"]:visible').count(), 0, 'no lock in a plain room');
      assert.equal(await viewer.getByTestId('group-code').isVisible(), false);

      await screenshot(viewer, 'e2ee-plain-room-1280x720');

      // What the server forwarded, decoded by FFmpeg to 64x48 pictures. The plain room's dump decodes cleanly.
      const camera = decodeIvf(dumpFile(dumpDir, 'open-plans', 'pat'));
      assert.equal(camera.status, 0, camera.errors);
      assert.equal(camera.errors, '', 'no decode error in the plain room');
      assert.ok(camera.frames.length >= 60, `${camera.frames.length} frames`);
      const cameraPatterns = camera.frames.map(lumaPattern);
      // A picture "resembles the camera" when it correlates with one of Pat's camera pictures; the fake
      // cameras of all pages draw the same scene, so Quinn's pictures (another browser, plain) do.
      const quinn = decodeIvf(dumpFile(dumpDir, 'open-plans', 'quinn')).frames.map((f) => resemblance(f, cameraPatterns));
      // The encrypted room's dump (VP8 headers in clear, the rest ciphertext): FFmpeg complains or not (it decodes
      // some random VP8 without error, often to a flat green picture), so the pictures are compared, not the messages.
      const sealedFile = dumpFile(dumpDir, ROOM, 'alice');
      assert.ok(readIvf(sealedFile).length >= 300, 'the server forwarded Alice\'s video all along');
      const sealed = decodeIvf(sealedFile);
      const alice = sealed.frames.map((f) => resemblance(f, cameraPatterns));
      const errorLines = sealed.errors ? sealed.errors.split('\n').length : 0;
      console.log(`payload dump through FFmpeg: plain room ${camera.frames.length} + ${quinn.length} pictures, no decoder error, resemblance to the camera ${summary(quinn)}; ` +
        `encrypted room ${sealed.frames.length} pictures, ${errorLines} decoder error lines, resemblance ${summary(alice)}`);
      assert.ok(quinn.length >= 30 && quinn.every((r) => r > RESEMBLES), `Quinn's plain pictures resemble the camera: ${summary(quinn)}`);
      assert.ok(alice.every((r) => r < RESEMBLES), `no picture of the encrypted room resembles the camera: ${summary(alice)}`);
    } finally {
      await plain.close();
      await viewer.close();
    }
  });
});

function summary(values) {
  if (!values.length) return 'none';
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2);
  return `min ${at(0)} median ${at(0.5)} max ${sorted.at(-1).toFixed(2)}`;
}
