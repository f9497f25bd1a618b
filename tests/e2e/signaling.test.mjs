// Signaling edge cases a flaky network produces, with raw WebSocket clients
// against the real server: a participant taken over by a newer connection,
// the old connection dropping late, and a join refused because the room is full.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { connect, devToken } from './lib/signal.mjs';
import { waitFor } from './lib/browser.mjs';

async function join(server, room, identity, { resume = false } = {}) {
  const c = await connect(server);
  c.send({ type: 'join', token: await devToken(server, room, identity), protocol: 1, resume });
  await c.until((m) => m.type === 'joined', `${identity} joins`);
  return c;
}

test('a newer connection takes the participant over; the old one cannot act, and its late drop removes no one', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-signal-'));
  const config = path.join(dir, 'ciphertalk.yaml');
  writeFileSync(config, 'signal:\n  reconnect_window: 2s\nroom:\n  max_participants: 2\n');
  const server = await startServer(['--config', config]);
  try {
    const bob = await join(server, 'flaky', 'bob');
    const alice1 = await join(server, 'flaky', 'alice');
    await bob.until((m) => m.type === 'participant_joined' && m.participant.identity === 'alice', 'bob sees alice');

    // Alice's phone moves networks: a new connection resumes while the old one lingers.
    const alice2 = await join(server, 'flaky', 'alice', { resume: true });
    await alice1.until((m) => m.type === 'removed' && m.reason === 'resumed_elsewhere', 'the old connection is told');
    assert.ok(await waitFor(() => alice1.closeCode !== null, { timeout: 3000 }), 'and closed');
    assert.equal(alice1.closeCode, 1008);

    // A second resume races the first connection's drop: the drop is noticed
    // after the takeover, and after the reconnect window alice must still be there.
    const alice3Promise = join(server, 'flaky', 'alice', { resume: true });
    alice2.ws.terminate();
    const alice3 = await alice3Promise;
    await new Promise((r) => setTimeout(r, 3500));
    assert.ok(!bob.has((m) => m.type === 'participant_left'), `nobody left: ${JSON.stringify(bob.got.filter((m) => m.type === 'participant_left'))}`);
    alice3.send({ type: 'update', name: 'Alice on 5G' });
    await bob.until((m) => m.type === 'participant_updated' && m.participant.name === 'Alice on 5G', 'the newest connection acts for alice');

    // The room is full (2): carol is refused, stays connected and not joined,
    // and gets in on the same connection once there is room.
    const carol = await connect(server);
    const carolToken = await devToken(server, 'flaky', 'carol');
    carol.send({ type: 'join', token: carolToken, protocol: 1 });
    await carol.until((m) => m.type === 'error' && m.code === 'room_full', 'carol is refused');
    carol.send({ type: 'ping', timestamp: 5 });
    await carol.until((m) => m.type === 'pong', 'the refused connection stays open');
    bob.send({ type: 'leave' });
    await alice3.until((m) => m.type === 'participant_left' && m.identity === 'bob', 'bob is gone');
    carol.send({ type: 'join', token: carolToken, protocol: 1 });
    await carol.until((m) => m.type === 'joined', 'carol joins on the same connection');
    assert.ok(!carol.has((m) => m.code === 'already_joined'));
    await alice3.until((m) => m.type === 'participant_joined' && m.participant.identity === 'carol', 'alice sees carol');
    for (const c of [alice3, carol]) c.ws.close();
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
