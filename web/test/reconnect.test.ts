import { describe, expect, it } from 'vitest';
import { ReconnectMachine, defaultRetryDelay } from '../src/sdk/reconnect';

function connected(windowMs = 20000): ReconnectMachine {
  const m = new ReconnectMachine({ windowMs });
  m.handle({ type: 'connect' });
  m.handle({ type: 'joined' });
  return m;
}

describe('reconnect state machine', () => {
  it('connects: idle → connecting → connected, without effects', () => {
    const m = new ReconnectMachine({ windowMs: 20000 });
    expect(m.state).toBe('idle');
    expect(m.handle({ type: 'connect' })).toEqual([]);
    expect(m.state).toBe('connecting');
    expect(m.handle({ type: 'joined' })).toEqual([]);
    expect(m.state).toBe('connected');
  });

  it('a socket lost before joining is a refusal, not a reconnect', () => {
    const m = new ReconnectMachine({ windowMs: 20000 });
    m.handle({ type: 'connect' });
    expect(m.handle({ type: 'socket_closed', now: 0 })).toEqual([{ kind: 'disconnected', reason: 'refused' }]);
    expect(m.state).toBe('disconnected');
  });

  it('a dropped socket starts reconnecting and schedules the first resume', () => {
    const m = connected();
    expect(m.handle({ type: 'socket_closed', now: 1000 })).toEqual([
      { kind: 'reconnecting' }, { kind: 'retry', delayMs: defaultRetryDelay(0), attempt: 0 },
    ]);
    expect(m.state).toBe('reconnecting');
    expect(m.lostAt).toBe(1000);
  });

  it('failed attempts back off, and a joined resumes the call', () => {
    const m = connected();
    m.handle({ type: 'socket_closed', now: 0 });
    const delays = [1, 2, 3, 4, 5].map((i) => m.handle({ type: 'socket_closed', now: i * 1000 })[0]);
    expect(delays).toEqual([500, 1000, 2000, 2000, 2000].map((d, i) => ({ kind: 'retry', delayMs: d, attempt: i + 1 })));
    expect(m.handle({ type: 'joined' })).toEqual([{ kind: 'reconnected' }]);
    expect(m.state).toBe('connected');
    expect(m.attempts).toBe(0);
    // The next loss starts a fresh window and backoff.
    expect(m.handle({ type: 'socket_closed', now: 60000 })[1]).toEqual({ kind: 'retry', delayMs: 250, attempt: 0 });
  });

  it('gives up when the next attempt would fall outside the window', () => {
    const m = connected(3000);
    m.handle({ type: 'socket_closed', now: 0 });
    expect(m.handle({ type: 'socket_closed', now: 1000 })).toEqual([{ kind: 'retry', delayMs: 500, attempt: 1 }]);
    expect(m.handle({ type: 'socket_closed', now: 2500 })).toEqual([{ kind: 'disconnected', reason: 'reconnect_failed' }]);
    expect(m.state).toBe('disconnected');
    expect(m.handle({ type: 'socket_closed', now: 2600 })).toEqual([]);
  });

  it('a policy close (refused token) ends at once', () => {
    const m = connected();
    m.handle({ type: 'socket_closed', now: 0 });
    expect(m.handle({ type: 'socket_closed', now: 100, fatal: true })).toEqual([{ kind: 'disconnected', reason: 'refused' }]);
  });

  it('leaving stops everything, once; the socket closing afterwards is quiet', () => {
    const m = connected();
    expect(m.handle({ type: 'leave' })).toEqual([{ kind: 'disconnected', reason: 'left' }]);
    expect(m.handle({ type: 'socket_closed', now: 0 })).toEqual([]);
    expect(m.handle({ type: 'leave' })).toEqual([]);
  });

  it('leaving while reconnecting cancels the reconnect', () => {
    const m = connected();
    m.handle({ type: 'socket_closed', now: 0 });
    expect(m.handle({ type: 'leave' })).toEqual([{ kind: 'disconnected', reason: 'left' }]);
    expect(m.handle({ type: 'joined' })).toEqual([]);
    expect(m.state).toBe('disconnected');
  });

  it('removal by a newer connection is final', () => {
    const m = connected();
    expect(m.handle({ type: 'removed' })).toEqual([{ kind: 'disconnected', reason: 'removed' }]);
    expect(m.handle({ type: 'socket_closed', now: 0 })).toEqual([]);
  });

  it('says when the room was deleted or an administrator removed you', () => {
    for (const reason of ['room_deleted', 'removed_by_admin'] as const) {
      const m = connected();
      expect(m.handle({ type: 'removed', reason })).toEqual([{ kind: 'disconnected', reason }]);
    }
    expect(connected().handle({ type: 'removed', reason: 'duplicate_identity' })).toEqual([{ kind: 'disconnected', reason: 'removed' }]);
  });

  it('can connect again after a disconnect', () => {
    const m = connected();
    m.handle({ type: 'leave' });
    m.handle({ type: 'connect' });
    expect(m.state).toBe('connecting');
  });

  it('a move joins the next room afresh: connecting, then connected without a reconnect', () => {
    const m = connected();
    expect(m.handle({ type: 'move' })).toEqual([]);
    expect(m.state).toBe('connecting');
    expect(m.handle({ type: 'joined' })).toEqual([]);
    expect(m.state).toBe('connected');
    // A move the next room refuses ends the call as any refused join does.
    m.handle({ type: 'move' });
    expect(m.handle({ type: 'socket_closed', now: 0 })).toEqual([{ kind: 'disconnected', reason: 'refused' }]);
    // Nothing to move once the call is over.
    expect(m.handle({ type: 'move' })).toEqual([]);
    expect(m.state).toBe('disconnected');
  });

  it('a relocation resumes at once, resume_only, without saying the connection was lost', () => {
    const m = connected();
    expect(m.handle({ type: 'relocate' })).toEqual([]);
    expect(m.relocating).toBe(true);
    expect(m.handle({ type: 'socket_closed', now: 1000 })).toEqual([{ kind: 'retry', delayMs: 0, attempt: 0 }]);
    expect(m.state).toBe('reconnecting');
    expect(m.relocating).toBe(true);
    // An attempt that fails backs off as any resume does, still resume_only.
    expect(m.handle({ type: 'socket_closed', now: 1100 })).toEqual([{ kind: 'retry', delayMs: defaultRetryDelay(1), attempt: 1 }]);
    expect(m.relocating).toBe(true);
    expect(m.handle({ type: 'joined' })).toEqual([{ kind: 'reconnected' }]);
    expect(m.state).toBe('connected');
    expect(m.relocating).toBe(false);
  });

  it('a relocation refused there becomes a fresh join (move); none while joining or after leaving', () => {
    const m = connected();
    m.handle({ type: 'relocate' });
    m.handle({ type: 'socket_closed', now: 0 });
    expect(m.handle({ type: 'move' })).toEqual([]);
    expect(m.state).toBe('connecting');
    expect(m.relocating).toBe(false);
    m.handle({ type: 'relocate' });
    expect(m.relocating).toBe(false); // not in a call yet: nothing to relocate
    const left = connected();
    left.handle({ type: 'leave' });
    left.handle({ type: 'relocate' });
    expect(left.relocating).toBe(false);
  });

  it('a relocation during a resume makes the next attempts resume_only', () => {
    const m = connected();
    m.handle({ type: 'socket_closed', now: 0 });
    m.handle({ type: 'relocate' });
    expect(m.relocating).toBe(true);
    expect(m.handle({ type: 'socket_closed', now: 500 })).toEqual([{ kind: 'retry', delayMs: defaultRetryDelay(1), attempt: 1 }]);
  });
});
