// Direct (P2P) calls between two browsers behind the NAT lab's NATs
// (lib/nat.mjs), through the app in a room with direct connections
// (/?room=R&p2p=1 under --dev): cone <-> cone connects directly with
// server-reflexive candidates; symmetric <-> symmetric only through TURN
// (with STUN but without TURN it finds no direct path, and the room falls
// back to the SFU); UDP-blocked <-> cone connects through TURN over TCP or
// TLS. Prints the matrix with the selected candidate pairs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from './lib/browser.mjs';
import { joinApp, tileVideoPlaying } from './lib/app.mjs';
import { binary } from './lib/server.mjs';
import { createNatLab, describePair, selectedPair, PUBLIC_NET } from './lib/nat.mjs';

const STUN_IP = `${PUBLIC_NET}.2`;

let lab;
let server;
const matrix = [];

const pathOf = (page) => page.getByTestId('connection-path').getAttribute('data-path');
const directPc = (peer) => `window.ct.p2p.links.get(${JSON.stringify(peer)})?.pc`;

async function waitForPaths(pages, want, timeout) {
  const ok = await waitFor(async () => (await Promise.all(pages.map(pathOf))).every((p) => p === want), { timeout, interval: 500 });
  const states = () => Promise.all(pages.map((p) => p.evaluate(() => ({ mode: window.ct.p2p.mode,
    ice: [...window.ct.p2p.links.values()].map((l) => `${l.peer}: ${l.pc.iceConnectionState}/${l.pc.connectionState}`) }))));
  assert.ok(ok, `every page shows "${want}": ${await Promise.all(pages.map(pathOf))} ${JSON.stringify(await states())}`);
}

async function waitForVideoBothWays([a, b], [idA, idB], what) {
  for (const [page, other] of [[a, idB], [b, idA]]) {
    assert.ok(await waitFor(() => tileVideoPlaying(page, other), { timeout: 20000 }), `${what}: the tile of ${other} renders`);
  }
}

// Two browsers, behind NATs of typeA and typeB, join one direct-connection
// room; returns their pages (closed by the caller through closeBrowsers).
async function call(typeA, typeB, room) {
  const [a, b] = [await lab.addClient(`${room}a`, typeA), await lab.addClient(`${room}b`, typeB)];
  const origin = lab.origin();
  const pages = [];
  for (const [client, identity] of [[a, `${room}-a`], [b, `${room}-b`]]) {
    pages.push(await joinApp(await client.launchBrowser(origin), origin, { room, identity, name: identity, query: { p2p: '1' } }));
  }
  return { clients: [a, b], pages, ids: [`${room}-a`, `${room}-b`] };
}

async function close({ clients }) {
  await Promise.all(clients.map((c) => c.closeBrowsers()));
}

describe('direct calls through NATs', { timeout: 300000 }, () => {
  before(async () => {
    lab = await createNatLab();
    server = await lab.startServer();
  });
  after(async () => {
    console.log(lab?.describe());
    console.log('P2P matrix (A\'s direct connection to B: A\'s candidate <-> B\'s):');
    for (const row of matrix) console.log(`  ${row.pair.padEnd(34)} ${row.path.padEnd(8)} ${row.detail}`);
    await lab?.destroy();
  });

  test('cone <-> cone connects directly with server-reflexive candidates', async () => {
    const c = await call('cone', 'cone', 'cc');
    try {
      await waitForPaths(c.pages, 'direct', 30000);
      await waitForVideoBothWays(c.pages, c.ids, 'cone <-> cone');
      const pair = await waitFor(() => selectedPair(c.pages[0], directPc(c.ids[1])));
      matrix.push({ pair: 'cone <-> cone', path: 'direct', detail: describePair(pair) });
      assert.ok(pair.local.type !== 'relay' && pair.remote.type !== 'relay', describePair(pair));
      // B is reached at its NAT's public address: a server-reflexive (or, learnt in the checks, peer-reflexive) candidate.
      assert.ok(['srflx', 'prflx'].includes(pair.remote.type), describePair(pair));
      assert.equal(pair.remote.address, c.clients[1].publicIp);
    } finally {
      await close(c);
    }
  });

  test('symmetric <-> symmetric connects only through TURN', async () => {
    const c = await call('symmetric', 'symmetric', 'ss');
    try {
      await waitForPaths(c.pages, 'relayed', 40000);
      await waitForVideoBothWays(c.pages, c.ids, 'symmetric <-> symmetric');
      const pair = await waitFor(() => selectedPair(c.pages[0], directPc(c.ids[1])));
      matrix.push({ pair: 'symmetric <-> symmetric', path: 'relayed', detail: describePair(pair) });
      assert.ok(pair.local.type === 'relay' || pair.remote.type === 'relay', describePair(pair));
    } finally {
      await close(c);
    }
  });

  test('UDP-blocked <-> cone connects through TURN over TCP or TLS', async () => {
    const c = await call('udp-blocked', 'cone', 'uc');
    try {
      await waitForPaths(c.pages, 'relayed', 60000);
      await waitForVideoBothWays(c.pages, c.ids, 'UDP-blocked <-> cone');
      const pair = await waitFor(() => selectedPair(c.pages[0], directPc(c.ids[1])));
      matrix.push({ pair: 'udp-blocked <-> cone', path: 'relayed', detail: describePair(pair) });
      assert.equal(pair.local.type, 'relay', describePair(pair));
      assert.ok(['tcp', 'tls'].includes(pair.local.relayProtocol), describePair(pair));
    } finally {
      await close(c);
    }
  });

  test('symmetric <-> symmetric without TURN finds no direct path and falls back to the SFU', async () => {
    // STUN only: `ciphertalk turn` on a second address answers Binding
    // requests; the server hands out nothing else.
    await lab.addAddress(STUN_IP);
    const stun = lab.spawnPublic(binary, ['turn', '--listen', STUN_IP, '--port', '3478', '--tls-port', '0', '--dev', '--secret', 'unused']);
    let stunLog = '';
    stun.stdout.on('data', (d) => { stunLog += d; });
    stun.stderr.on('data', (d) => { stunLog += d; });
    assert.ok(await waitFor(() => stunLog.includes('turn: listening'), { timeout: 10000, interval: 100 }), stunLog);
    assert.equal(await server.stop(), 0);
    server = await lab.startServer(['--no-turn', '--ice-server', `stun:${STUN_IP}:3478`]);
    const c = await call('symmetric', 'symmetric', 'sn');
    const joined = Date.now();
    try {
      // Each NAT gives every destination its own port, so neither peer's
      // server-reflexive address reaches the other. Chromium does not say
      // `failed` here (it stays in `checking`); the SDK gives ICE 10 s, restarts
      // it once, gives it 10 s more, then reports `p2p_failed` and the server
      // moves the room to the SFU. Until then no page may show a direct or
      // relayed path.
      const seen = new Set();
      const iceStates = new Set();
      let srflx = 0;
      const sample = async () => {
        for (const p of await Promise.all(c.pages.map(pathOf))) seen.add(p);
        const s = await c.pages[0].evaluate(async (expr) => {
          const pc = new Function(`return ${expr}`)();
          if (!pc) return null;
          let n = 0;
          (await pc.getStats()).forEach((r) => { if (r.type === 'local-candidate' && r.candidateType === 'srflx') n++; });
          return { ice: pc.iceConnectionState, srflx: n };
        }, directPc(c.ids[1]));
        if (s) {
          iceStates.add(s.ice);
          srflx = Math.max(srflx, s.srflx);
        }
        return (await Promise.all(c.pages.map((p) => p.evaluate(() => window.ct.p2p.mode)))).every((m) => m === 'sfu');
      };
      const onSfu = await waitFor(sample, { timeout: 60000, interval: 1000 });
      const fellBackAfter = ((Date.now() - joined) / 1000).toFixed(1);
      assert.ok(onSfu, `the room moved to the SFU: modes ${await Promise.all(c.pages.map((p) => p.evaluate(() => window.ct.p2p.mode)))}, ICE ${[...iceStates]}`);
      assert.deepEqual([...seen], ['server'], `paths seen before the fallback: ${[...seen]}`);
      assert.ok(srflx > 0, 'the peers had server-reflexive candidates (STUN worked), and still no path');
      assert.ok(!iceStates.has('connected') && !iceStates.has('completed'), `ICE never connected: ${[...iceStates]}`);
      // On the SFU: the path says so on both pages, video decodes both ways,
      // and the direct connections are closed.
      await waitForPaths(c.pages, 'server', 10000);
      await waitForVideoBothWays(c.pages, c.ids, 'symmetric <-> symmetric, no TURN, through the SFU');
      for (const page of c.pages) {
        assert.ok(await waitFor(() => page.evaluate(() => window.ct.p2p.links.size === 0), { timeout: 10000 }), 'the direct connection is closed');
      }
      matrix.push({ pair: 'symmetric <-> symmetric, no TURN', path: 'server',
        detail: `no direct pair (ICE ${[...iceStates].join('/')}); p2p_failed, room on the SFU ${fellBackAfter} s after joining, video both ways` });
    } finally {
      await close(c);
    }
  });
});
