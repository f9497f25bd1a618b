// Recordings go to object storage: two real S3-compatible servers (npm
// s3rver) as the two targets, a real browser publishing into a recorded
// room. A finished recording lands in both buckets under
// <prefix><room>/<id>/<file>, the large files as multipart uploads, with
// the sizes of the files and a WebM that still decodes; only then does the
// local copy go. With the second store down the first still gets
// everything, but the recording is not stored: the local files stay,
// /metrics counts the retries and failures, and once the store is back the
// objects arrive and the local copy goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { portBlock, startServer } from './lib/server.mjs';
import { launchBrowser, waitFor } from './lib/browser.mjs';
import { joinApp } from './lib/app.mjs';
import { scrapeMetrics } from './lib/metrics.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const s3rverBin = path.join(here, 'node_modules/s3rver/bin/s3rver.js');
// s3rver knows one account; it checks the key id, not SigV4 signatures (the
// unit tests prove those against botocore).
const KEYS = { CT_S3_ACCESS_KEY_ID: 'S3RVER', CT_S3_SECRET_ACCESS_KEY: 'S3RVER' };

async function startS3(dir, port, bucket) {
  // Not --silent: its request log shows which requests made each object.
  const child = spawn(process.execPath, [s3rverBin, '-d', dir, '-a', '127.0.0.1', '-p', String(port),
    '--configure-bucket', bucket], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  const up = await waitFor(async () => {
    if (child.exitCode !== null) return true;
    try { return (await fetch(`${url}/${bucket}?list-type=2`)).ok; } catch { return false; }
  }, { timeout: 15000, interval: 100 });
  if (!up || child.exitCode !== null) throw new Error(`s3rver did not start:\n${log}`);
  return {
    url,
    log: () => log.replace(/\x1b\[[0-9;]*m/g, ''),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// key -> {size, etag} of every object in the bucket.
async function listBucket(s3, bucket) {
  const response = await fetch(`${s3.url}/${bucket}?list-type=2`);
  assert.ok(response.ok, `listing ${bucket}: ${response.status}`);
  const xml = await response.text();
  const objects = {};
  for (const [, body] of xml.matchAll(/<Contents>(.*?)<\/Contents>/gs)) {
    const key = body.match(/<Key>(.*?)<\/Key>/)[1];
    objects[key] = { size: Number(body.match(/<Size>(\d+)<\/Size>/)[1]), etag: body.match(/<ETag>(.*?)<\/ETag>/)[1] };
  }
  return objects;
}

async function getObject(s3, bucket, key) {
  const response = await fetch(`${s3.url}/${bucket}/${key}`);
  assert.ok(response.ok, `GET ${key}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

// Records the room for `seconds` with the web client's button; returns the recording's id.
async function recordFor(page, dir, room, seconds) {
  const before = existsSync(path.join(dir, room)) ? readdirSync(path.join(dir, room)) : [];
  const button = page.locator('[data-testid=toggle-recording]');
  await button.click();
  assert.ok(await waitFor(() => page.locator('[data-testid=recording-indicator]').isVisible(), { timeout: 5000 }));
  // Read while it runs: once stopped, an upload may take the folder away at once.
  const fresh = () => (existsSync(path.join(dir, room)) ? readdirSync(path.join(dir, room)) : []).filter((f) => !before.includes(f));
  assert.ok(await waitFor(() => fresh().length > 0, { timeout: 5000 }), 'the recording has its folder');
  const [id] = fresh();
  assert.match(id ?? '', /^\d{8}T\d{6}Z-[A-Za-z0-9]{6}$/);
  await page.waitForTimeout(seconds * 1000);
  await button.click();
  assert.ok(await waitFor(async () => !(await page.locator('[data-testid=recording-indicator]').isVisible()), { timeout: 5000 }));
  return id;
}

test('finished recordings are stored on both targets, multipart for large files, and kept locally until both confirm', { timeout: 150000 }, async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'ct-s3-'));
  const dir = path.join(work, 'recordings');
  const base = portBlock();
  const ports = { http: base, rtc: base + 2, turn: base + 4, turnTls: base + 5 };
  const [portA, portB] = [base + 10, base + 11];
  let storeA = await startS3(path.join(work, 's3a'), portA, 'rec-a');
  let storeB = await startS3(path.join(work, 's3b'), portB, 'rec-b');
  const server = await startServer(['--recordings-dir', dir,
    '--s3-endpoint', storeA.url, '--s3-bucket', 'rec-a', '--s3-prefix', 'ct/', '--s3-sse', 'AES256',
    '--s3-secondary-endpoint', storeB.url, '--s3-secondary-bucket', 'rec-b',
    // Low, so that a few seconds of video go up in parts (one part: S3's 5 MiB minimum is per part).
    '--s3-multipart-threshold', '32K', '--s3-retry-max-delay', '2s'], { ports, env: KEYS });
  const browser = await launchBrowser();
  try {
    const alice = await joinApp(browser, server.url, { room: 'cloud', identity: 'alice', name: 'Alice' });
    await alice.waitForTimeout(1500);  // media reaches the server before the recording starts

    // 1. Both stores up: stored on both, then the local copy goes.
    const first = await recordFor(alice, dir, 'cloud', 5);
    const folder = path.join(dir, 'cloud', first);
    assert.ok(await waitFor(() => !existsSync(folder), { timeout: 30000 }),
      `the local copy goes once both targets confirmed it\n${server.log().slice(-3000)}`);
    const inA = await listBucket(storeA, 'rec-a');
    const inB = await listBucket(storeB, 'rec-b');
    const prefix = `ct/cloud/${first}/`;
    const manifest = JSON.parse((await getObject(storeA, 'rec-a', `${prefix}manifest.json`)).toString());
    assert.equal(manifest.id, first);
    assert.equal(manifest.started_by, 'alice');
    assert.equal(manifest.stopped_by, 'alice');
    assert.ok(manifest.stopped_at, 'the uploaded manifest is the final one');
    const expected = ['manifest.json', ...manifest.tracks.flatMap((t) => [t.file, t.rtpdump])].sort();
    assert.deepEqual(Object.keys(inA).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort(), expected);
    assert.deepEqual(Object.keys(inB).filter((k) => k.startsWith(`cloud/${first}/`)).map((k) => k.slice(`cloud/${first}/`.length)).sort(), expected,
      'the second target has the same objects (no prefix)');
    const video = manifest.tracks.find((t) => t.kind === 'video');
    const webm = await getObject(storeA, 'rec-a', prefix + video.file);
    assert.equal(webm.length, inA[prefix + video.file].size);
    assert.equal(inB[`cloud/${first}/${video.file}`].size, webm.length, 'the same size on both targets');
    assert.ok(webm.length > 32 * 1024, `the video (${webm.length} bytes) is above the multipart threshold`);
    const videoPath = `${prefix}${video.file}`;
    assert.ok(storeA.log().includes(`${videoPath}?uploads`) && storeA.log().includes(`${videoPath}?partNumber=1&uploadId=`),
      `the video went up as a multipart upload:\n${storeA.log().slice(-3000)}`);
    const local = path.join(work, 'video.webm');
    writeFileSync(local, webm);
    const probe = JSON.parse(spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'json', local],
      { encoding: 'utf8' }).stdout);
    assert.deepEqual(probe.streams.map((st) => st.codec_name), ['vp8'], 'the stored WebM is the VP8 track');
    for (const t of manifest.tracks) {
      // The raw dump holds every packet the manifest counts, whole: the object is the file, not a part of it.
      const dump = await getObject(storeB, 'rec-b', `cloud/${first}/${t.rtpdump}`);
      assert.equal(dump.subarray(0, 8).toString(), 'CTRTPDMP');
      let offset = dump.readUInt16LE(10);
      let records = 0;
      while (offset + 12 <= dump.length) {
        // RTP records count; the publisher's sender reports (RTCP 200-204) ride along (docs/recording.md).
        const type = dump[offset + 12 + 1];
        if (!(type >= 200 && type <= 204)) records += 1;
        offset += 12 + dump.readUInt32LE(offset);
      }
      assert.equal(offset, dump.length, `${t.rtpdump} ends with a whole record`);
      assert.equal(records, t.packets, `${t.rtpdump} holds the ${t.packets} packets of the manifest`);
      assert.equal(inA[prefix + t.rtpdump].etag, inB[`cloud/${first}/${t.rtpdump}`].etag, 'the same bytes on both targets');
    }
    let m = await scrapeMetrics(server.url);
    assert.equal(m.sum('ciphertalk_recordings_stored_total'), 1);
    assert.equal(m.sum('ciphertalk_recordings_pending_upload'), 0);
    assert.equal(m.sum('ciphertalk_recording_uploads_total', { result: 'ok' }), 2 * expected.length);
    assert.ok(m.sum('ciphertalk_recording_upload_bytes_total') >= 2 * webm.length);

    // 2. The second store is down: the first gets everything, the local files stay, retries are counted.
    await storeB.stop();
    const second = await recordFor(alice, dir, 'cloud', 3);
    const kept = path.join(dir, 'cloud', second);
    assert.ok(await waitFor(async () => {
      const now = await scrapeMetrics(server.url);
      return now.sum('ciphertalk_recording_uploads_total', { result: 'failed' }) >= 2 &&
        now.sum('ciphertalk_recording_upload_retries_total') >= 2;
    }, { timeout: 30000 }), `failures and retries are counted\n${server.log().slice(-3000)}`);
    m = await scrapeMetrics(server.url);
    assert.equal(m.sum('ciphertalk_recordings_pending_upload'), 1);
    assert.equal(m.sum('ciphertalk_recordings_stored_total'), 1);
    assert.ok(existsSync(path.join(kept, 'manifest.json')), 'the local copy stays');
    assert.ok(readdirSync(kept).some((f) => f.endsWith('.webm')), 'with its media');
    assert.ok(await waitFor(async () => `ct/cloud/${second}/manifest.json` in await listBucket(storeA, 'rec-a'), { timeout: 15000 }),
      'the first target has it all');

    // 3. The second store is back: the objects arrive and the local copy goes.
    storeB = await startS3(path.join(work, 's3b'), portB, 'rec-b');
    assert.ok(await waitFor(() => !existsSync(kept), { timeout: 30000 }),
      `stored once the second target is back\n${server.log().slice(-3000)}`);
    const back = await listBucket(storeB, 'rec-b');
    assert.ok(`cloud/${second}/manifest.json` in back);
    m = await scrapeMetrics(server.url);
    assert.equal(m.sum('ciphertalk_recordings_stored_total'), 2);
    assert.equal(m.sum('ciphertalk_recordings_pending_upload'), 0);
  } finally {
    await browser.close();
    await server.stop();
    await storeA.stop();
    await storeB.stop();
    rmSync(work, { recursive: true, force: true });
  }
});

// Retention: a stored recording (kept locally too) is deleted, locally and in
// the bucket, once it is older than the period; the deletions are counted.
test('the retention period deletes local and stored recordings', { timeout: 90000 }, async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'ct-s3-'));
  const dir = path.join(work, 'recordings');
  const base = portBlock();
  const ports = { http: base, rtc: base + 2, turn: base + 4, turnTls: base + 5 };
  const store = await startS3(path.join(work, 's3'), base + 10, 'keep');
  const server = await startServer(['--recordings-dir', dir, '--s3-endpoint', store.url, '--s3-bucket', 'keep',
    '--s3-keep-local', '--recording-retention', '6s'], { ports, env: KEYS });
  const browser = await launchBrowser();
  try {
    const alice = await joinApp(browser, server.url, { room: 'brief', identity: 'alice', name: 'Alice' });
    await alice.waitForTimeout(1000);
    const id = await recordFor(alice, dir, 'brief', 2);
    const folder = path.join(dir, 'brief', id);
    const stored = () => {
      try { return JSON.parse(readFileSync(path.join(folder, 'upload.json'), 'utf8')).stored === true; } catch { return false; }
    };
    assert.ok(await waitFor(stored, { timeout: 5000 }), `stored well within the period\n${server.log().slice(-3000)}`);
    assert.ok(existsSync(path.join(folder, 'manifest.json')), '--s3-keep-local keeps the local copy');
    const uploaded = Object.keys(await listBucket(store, 'keep')).filter((k) => k.startsWith(`brief/${id}/`));
    assert.ok(uploaded.length >= 3, `objects in the bucket: ${uploaded}`);

    assert.ok(await waitFor(async () => !existsSync(folder) && Object.keys(await listBucket(store, 'keep')).length === 0,
      { timeout: 20000 }), `deleted locally and in the bucket after the period\n${server.log().slice(-3000)}`);
    const m = await scrapeMetrics(server.url);
    assert.equal(m.sum('ciphertalk_recording_retention_deleted_total', { where: 'local' }), 1);
    assert.equal(m.sum('ciphertalk_recording_retention_deleted_total', { where: 'object_storage' }), uploaded.length);
    assert.equal(m.sum('ciphertalk_recording_retention_failures_total'), 0);
  } finally {
    await browser.close();
    await server.stop();
    await store.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
