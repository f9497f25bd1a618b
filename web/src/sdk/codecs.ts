// Video codec choice for a published track. The server answers with the
// first codec it supports in its own order (VP8, then H.264), so asking for a
// codec means offering only that one, with its retransmission format (RTX).
export type VideoCodec = 'vp8' | 'h264';

interface CodecCapability { mimeType: string; sdpFmtpLine?: string }

/**
 * The codec list to hand to RTCRtpTransceiver.setCodecPreferences for
 * `codec`: every variant of it the browser can send (H.264 profiles and
 * packetization modes, constrained baseline packetization-mode=1 first, which
 * is what the server takes), then RTX. Null when the browser cannot send it,
 * so the caller keeps the browser's default.
 */
export function videoCodecPreferences<T extends CodecCapability>(available: readonly T[], codec: VideoCodec): T[] | null {
  const mime = `video/${codec}`;
  const wanted = available.filter((c) => c.mimeType.toLowerCase() === mime);
  if (wanted.length === 0) return null;
  const rank = (c: T) => {
    if (codec !== 'h264') return 0;
    const fmtp = (c.sdpFmtpLine ?? '').toLowerCase();
    return (fmtp.includes('packetization-mode=1') ? 0 : 2) + (/profile-level-id=42(e0|00)1f/.test(fmtp) ? 0 : 1);
  };
  const ordered = wanted.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map((x) => x.c);
  const rtx = available.filter((c) => c.mimeType.toLowerCase() === 'video/rtx');
  return [...ordered, ...rtx];
}

/** Sends `transceiver`'s video in `codec` when the browser can; otherwise leaves the browser's default. */
export function preferVideoCodec(transceiver: RTCRtpTransceiver, codec: VideoCodec): void {
  const available = RTCRtpSender.getCapabilities?.('video')?.codecs;
  const list = available && videoCodecPreferences(available, codec);
  if (list && transceiver.setCodecPreferences) transceiver.setCodecPreferences(list);
}
