import { describe, expect, it, vi } from 'vitest';
import { followReconnect, joinAfresh } from '../src/sdk/move';
import { ReconnectMachine } from '../src/sdk/reconnect';
import type { CipherTalkClient } from '../src/sdk/client';

// The parts of a client that following `reconnect` uses.
function fakeClient(state: 'connected' | 'connecting') {
  const connection = new ReconnectMachine({ windowMs: 20000 });
  connection.handle({ type: 'connect' });
  if (state === 'connected') connection.handle({ type: 'joined' });
  const ws = { close: vi.fn() };
  const client = { connection, ws, url: 'ws://node-b/rtc', token: 't.o.k', room: 'standup' };
  return client as unknown as CipherTalkClient & { ws: typeof ws };
}

describe('reconnect (the relaying node drains)', () => {
  it('takes the signaling to the room\'s node: the socket closes on purpose, resumes there resume_only', () => {
    const client = fakeClient('connected');
    followReconnect(client, { type: 'reconnect', url: 'ws://node-a/rtc', reason: 'drain' });
    expect(client.url).toBe('ws://node-a/rtc');
    expect(client.ws.close).toHaveBeenCalledWith(1000, 'reconnect');
    expect(client.connection.relocating).toBe(true);
    // The close that follows resumes at once, with no 'reconnecting'.
    expect(client.connection.handle({ type: 'socket_closed', now: 0 })).toEqual([{ kind: 'retry', delayMs: 0, attempt: 0 }]);
  });

  it('is ignored while still joining, and without a URL', () => {
    const joining = fakeClient('connecting');
    followReconnect(joining, { type: 'reconnect', url: 'ws://node-a/rtc', reason: 'drain' });
    expect(joining.url).toBe('ws://node-b/rtc');
    expect(joining.ws.close).not.toHaveBeenCalled();
    const noUrl = fakeClient('connected');
    followReconnect(noUrl, { type: 'reconnect', url: '', reason: 'drain' });
    expect(noUrl.url).toBe('ws://node-b/rtc');
    expect(noUrl.ws.close).not.toHaveBeenCalled();
    expect(noUrl.connection.relocating).toBe(false);
  });

  it('a resume refused there (resume_failed) becomes a fresh join of the same room on that node', () => {
    const client = fakeClient('connected');
    followReconnect(client, { type: 'reconnect', url: 'ws://node-a/rtc', reason: 'drain' });
    expect(joinAfresh(client)).toEqual({ type: 'move', room: 'standup', token: 't.o.k', url: 'ws://node-a/rtc', reason: 'drain' });
  });
});
