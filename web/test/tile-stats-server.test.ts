import { describe, expect, it } from 'vitest';
import { layerLabel, serverTileRows } from '../src/app/tile-stats-server';
import type { ServerPublishedTrackStats, ServerSubscribedTrackStats, StatsMessage } from '../src/sdk/server-stats-types';

const subscribed = (over: Partial<ServerSubscribedTrackStats>): ServerSubscribedTrackStats => ({
  sid: 'TR_v', publisher: 'bob', kind: 'video', codec: 'VP8', bitrate_bps: 612_000, packets: 900, retransmitted: 3,
  loss: 0.02, packets_lost: 4, jitter_ms: 3, nacks: 5, plis: 1, firs: 0, layer: 1, target_layer: 1, paused: false, ...over,
});
const published = (layers: [number, number][]): ServerPublishedTrackStats => ({
  sid: 'TR_v', kind: 'video', codec: 'VP8', muted: false, bitrate_bps: 900_000, packets: 2000, packets_lost: 0, loss: 0.01,
  jitter_ms: 2, nacks_received: 5, plis_received: 1, firs_received: 0, nacks_sent: 0, keyframe_requests_sent: 1,
  layers: layers.map(([width, height], i) => ({ rid: 'qhf'[i]!, bitrate_bps: 100_000, packets: 10, width, height, active: true })),
});
const reply = (over: Partial<StatsMessage> = {}): StatsMessage => ({
  type: 'stats', request_id: 's1', participant: 'bob', connection_quality: 'excellent', rtt_ms: 12.4,
  bandwidth_estimate_bps: 2_000_000,
  publisher_connection: { connected: true, candidate_type: 'host' },
  subscriber_connection: { connected: true, candidate_type: 'relay' },
  subscribed: [subscribed({}), subscribed({ sid: 'TR_a', kind: 'audio', bitrate_bps: 32_000, loss: null, nacks: 0, plis: 0, layer: 0 })],
  publisher: { identity: 'bob', connection_quality: 'good', published: [published([[320, 180], [640, 360], [1280, 720]])] },
  ...over,
});
const row = (r: StatsMessage, key: string) => serverTileRows(r).find((x) => x.key === key)?.value;

describe('serverTileRows', () => {
  it('shows what the server sends me of the tile’s participant, its uplink and my path', () => {
    const r = reply();
    expect(row(r, 'server-layer')).toBe('640×360 (2 of 3)');
    expect(row(r, 'server-video-bitrate')).toBe('612 kbit/s');
    expect(row(r, 'server-audio-bitrate')).toBe('32 kbit/s');
    expect(row(r, 'server-loss')).toBe('2.0 %');
    expect(row(r, 'server-feedback')).toBe('5 / 1');
    expect(row(r, 'server-publisher-quality')).toBe('good, 1.0 % loss');
    expect(row(r, 'server-rtt')).toBe('12 ms');
    expect(row(r, 'server-quality')).toBe('excellent');
    // The subscriber connection carries the tile's media: its candidate type.
    expect(row(r, 'server-candidate')).toBe('relay');
  });

  it('shows dashes before the first reports, and no video rows without video', () => {
    const r = reply({ rtt_ms: null, subscribed: [subscribed({ kind: 'audio', loss: null })],
      subscriber_connection: { connected: false, candidate_type: null } });
    expect(row(r, 'server-layer')).toBeUndefined();
    expect(row(r, 'server-loss')).toBe('–');
    expect(row(r, 'server-rtt')).toBe('–');
    expect(row(r, 'server-candidate')).toBe('host');
  });
});

describe('layerLabel', () => {
  const three = published([[320, 180], [640, 360], [1280, 720]]);
  it('names the layer, the count and a switch in progress', () => {
    expect(layerLabel(0, 2, false, three)).toBe('320×180 (1 of 3) → 3');
    expect(layerLabel(2, 2, false, three)).toBe('1280×720 (3 of 3)');
  });
  it('says paused, none, or a single stream', () => {
    expect(layerLabel(1, 1, true, three)).toBe('paused (bandwidth)');
    expect(layerLabel(null, null, false, three)).toBe('–');
    expect(layerLabel(0, 0, false, published([[640, 480]]))).toBe('640×480');
    expect(layerLabel(0, 0, false, published([[0, 0]]))).toBe('single stream');
    expect(layerLabel(0, 0, false, undefined)).toBe('single stream');
  });
});
