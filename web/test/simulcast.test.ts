import { describe, expect, it } from 'vitest';
import { applyLayersWanted, simulcastLayers } from '../src/sdk/simulcast';

describe('simulcast layers', () => {
  it('publishes a 720p camera in three layers, lowest first', () => {
    const layers = simulcastLayers('video', 'camera', 720, true)!;
    expect(layers.map((l) => l.rid)).toEqual(['q', 'h', 'f']);
    expect(layers.map((l) => l.scaleResolutionDownBy)).toEqual([4, 2, 1]);
    expect(layers[0]!.maxBitrate).toBeLessThan(layers[1]!.maxBitrate);
    expect(layers[1]!.maxBitrate).toBeLessThan(layers[2]!.maxBitrate);
  });

  it('sends fewer layers where the capture is too small to split', () => {
    expect(simulcastLayers('video', 'camera', 480, true)!.map((l) => l.rid)).toEqual(['h', 'f']);
    expect(simulcastLayers('video', 'camera', 240, true)).toBeUndefined();
    expect(simulcastLayers('video', 'camera', undefined, true)).toBeUndefined();
  });

  it('publishes a screen share in two layers, audio and a disabled option in one stream', () => {
    expect(simulcastLayers('video', 'screen_share', 720, true)!.map((l) => l.rid)).toEqual(['h', 'f']);
    expect(simulcastLayers('video', 'screen_share', 600, true)).toBeUndefined();
    expect(simulcastLayers('audio', 'microphone', 720, true)).toBeUndefined();
    expect(simulcastLayers('video', 'camera', 720, false)).toBeUndefined();
  });
});

// A sender with the encodings setParameters would hold.
function fakeSender(rids: string[]) {
  const calls: RTCRtpSendParameters[] = [];
  let encodings: RTCRtpEncodingParameters[] = rids.map((rid) => ({ rid, active: true }));
  const sender = {
    getParameters: () => ({ encodings: encodings.map((e) => ({ ...e })) }) as unknown as RTCRtpSendParameters,
    setParameters: async (p: RTCRtpSendParameters) => { calls.push(p); encodings = p.encodings; },
  } as unknown as RTCRtpSender;
  return { sender, calls, active: () => encodings.map((e) => e.active) };
}

describe('dynacast', () => {
  it('turns off the encodings nobody receives and back on', async () => {
    const s = fakeSender(['q', 'h', 'f']);
    expect(await applyLayersWanted(s.sender, [{ rid: 'q', active: true }, { rid: 'h', active: false }, { rid: 'f', active: false }])).toBe(true);
    expect(s.active()).toEqual([true, false, false]);
    expect(await applyLayersWanted(s.sender, [{ rid: 'f', active: true }])).toBe(true);
    expect(s.active()).toEqual([true, false, true]);
    expect(s.calls).toHaveLength(2);
  });

  it('changes nothing when nothing differs, for unknown rids, or without a sender', async () => {
    const s = fakeSender(['q', 'h', 'f']);
    expect(await applyLayersWanted(s.sender, [{ rid: 'q', active: true }, { rid: 'x', active: false }])).toBe(false);
    expect(s.calls).toHaveLength(0);
    expect(await applyLayersWanted(undefined, [{ rid: 'q', active: false }])).toBe(false);
  });
});
