import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HANDOVER_LIMIT_MS, MoveHandover } from '../src/sdk/move-handover';
import type { CipherTalkClient } from '../src/sdk/client';
import type { TrackInfo } from '../src/sdk/protocol';

const info = (publisher: string, kind: 'audio' | 'video', sid: string, source: TrackInfo['source'] = kind === 'audio' ? 'microphone' : 'camera'): TrackInfo =>
  ({ mid: sid, kind, publisher, sid, source, name: '', codec: '', muted: false });
const track = (id: string, kind: 'audio' | 'video') => ({ id, kind }) as MediaStreamTrack;

// The parts of a client a handover uses; the new subscriber's stats say what has decoded.
function fakeClient() {
  const decoded = new Set<string>();
  const events: string[] = [];
  const client = Object.assign(new EventTarget(), {
    participants: new Map<string, unknown>(),
    adaptiveStream: { unobserve: vi.fn() },
    subscriber: {
      getStats: async (t: MediaStreamTrack) => new Map(decoded.has(t.id)
        ? [['in', { type: 'inbound-rtp', framesDecoded: t.kind === 'video' ? 3 : undefined, packetsReceived: 5 }]] : []),
    },
  });
  for (const type of ['track', 'track_removed', 'participant_left']) {
    client.addEventListener(type, (e) => {
      const d = (e as CustomEvent).detail;
      events.push(`${type}:${d.identity ?? d.participant}:${d.info?.sid ?? ''}`);
    });
  }
  return { client, decoded, events, asClient: client as unknown as CipherTalkClient };
}

describe('move handover (make before break)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows the old video until the same person\'s new video decodes, then swaps', async () => {
    const { decoded, events, asClient, client } = fakeClient();
    const h = new MoveHandover(asClient, [{ info: info('bob', 'video', 'old-v'), track: track('t-old', 'video') }], ['bob']);
    client.participants.set('bob', {});
    h.joined(true);
    expect(h.takes(info('bob', 'video', 'new-v'), track('t-new', 'video'))).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(events).toEqual([]); // nothing decoded yet: the old one stays
    let settled = false;
    void h.settled.then(() => { settled = true; });
    decoded.add('t-new');
    await vi.advanceTimersByTimeAsync(150);
    expect(events).toEqual(['track_removed:bob:old-v', 'track:bob:new-v']);
    expect(client.adaptiveStream.unobserve).toHaveBeenCalledWith('old-v');
    expect(settled).toBe(true);
    h.finish();
    expect(events).toHaveLength(2); // bob is in the new room: he does not leave
  });

  it('does not hold a track no old one is shown for, nor a screen share in place of a camera', () => {
    const { asClient } = fakeClient();
    const h = new MoveHandover(asClient, [{ info: info('bob', 'video', 'old-v'), track: track('t-old', 'video') }], ['bob']);
    expect(h.takes(info('carol', 'video', 'c-v'), track('t-c', 'video'))).toBe(false);
    expect(h.takes(info('bob', 'video', 's-v', 'screen_share'), track('t-s', 'video'))).toBe(false);
    expect(h.takes(info('bob', 'audio', 'b-a'), track('t-a', 'audio'))).toBe(false);
    h.finish();
  });

  it('a move to another room drops at once the old room\'s people who are not in the new one', () => {
    const { events, asClient, client } = fakeClient();
    const h = new MoveHandover(asClient, [
      { info: info('bob', 'video', 'b-v'), track: track('t-b', 'video') },
      { info: info('carol', 'video', 'c-v'), track: track('t-c', 'video') },
    ], ['bob', 'carol']);
    client.participants.set('bob', {});
    h.joined(false);
    expect(events).toEqual(['track_removed:carol:c-v', 'participant_left:carol:']);
    expect(h.shows('bob')).toBe(true);
    expect(h.shows('carol')).toBe(false);
    h.finish();
  });

  it('at the limit: what waits is shown, what was not replaced goes, who did not come leaves', async () => {
    const { events, asClient, client } = fakeClient();
    const h = new MoveHandover(asClient, [
      { info: info('bob', 'video', 'b-v'), track: track('t-b', 'video') },
      { info: info('dave', 'video', 'd-v'), track: track('t-d', 'video') },
    ], ['bob', 'dave']);
    h.joined(true);
    client.participants.set('bob', {});
    expect(h.takes(info('bob', 'video', 'b-new'), track('t-b-new', 'video'))).toBe(true);
    let settled = false;
    void h.settled.then(() => { settled = true; });
    await vi.advanceTimersByTimeAsync(HANDOVER_LIMIT_MS - 100);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(settled).toBe(true);
    expect(events).toEqual([]);
    h.finish();
    expect(events).toEqual(['track_removed:bob:b-v', 'track:bob:b-new', 'track_removed:dave:d-v', 'participant_left:dave:']);
    expect(h.shows('bob')).toBe(false);
    expect(h.takes(info('bob', 'audio', 'x'), track('t-x', 'audio'))).toBe(false); // over: tracks go straight to the page
  });
});
