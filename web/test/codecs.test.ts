import { describe, expect, it } from 'vitest';
import { videoCodecPreferences } from '../src/sdk/codecs';

// What Chromium 120+ lists in RTCRtpSender.getCapabilities('video').
const chromium = [
  { mimeType: 'video/VP8' },
  { mimeType: 'video/rtx' },
  { mimeType: 'video/H264', sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f' },
  { mimeType: 'video/H264', sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f' },
  { mimeType: 'video/H264', sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' },
  { mimeType: 'video/AV1', sdpFmtpLine: 'level-idx=5;profile=0;tier=0' },
  { mimeType: 'video/VP9', sdpFmtpLine: 'profile-id=0' },
  { mimeType: 'video/red' },
  { mimeType: 'video/ulpfec' },
];

describe('video codec preferences', () => {
  it('offers only H.264, constrained baseline with packetization-mode=1 first, then RTX', () => {
    const list = videoCodecPreferences(chromium, 'h264')!;
    expect(list.map((c) => c.mimeType)).toEqual(['video/H264', 'video/H264', 'video/H264', 'video/rtx']);
    expect(list[0]?.sdpFmtpLine).toContain('profile-level-id=42e01f');
    expect(list[1]?.sdpFmtpLine).toContain('profile-level-id=4d001f');
    expect(list[2]?.sdpFmtpLine).toContain('packetization-mode=0');
  });

  it('offers only VP8 and RTX for vp8, matching names without regard to case', () => {
    const list = videoCodecPreferences([{ mimeType: 'video/vp8' }, ...chromium.slice(1)], 'vp8')!;
    expect(list.map((c) => c.mimeType)).toEqual(['video/vp8', 'video/rtx']);
  });

  it('gives up (browser default) when the browser cannot send the codec', () => {
    expect(videoCodecPreferences([{ mimeType: 'video/VP8' }, { mimeType: 'video/rtx' }], 'h264')).toBeNull();
    expect(videoCodecPreferences([], 'vp8')).toBeNull();
  });
});
