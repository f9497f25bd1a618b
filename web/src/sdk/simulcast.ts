// Simulcast publishing (RFC 8853 through RTCRtpTransceiverInit.sendEncodings)
// and dynacast (the server's `layers_wanted`, docs/protocol.md).
//
// The server takes the layers in the order of the offer's rids, lowest
// first, as LiveKit and mediasoup clients send them: `q` (1/4 of the capture
// on each side), `h` (1/2) and `f` (full). Chromium sends at most two layers
// below 960x540 and one below 480x270, so smaller captures get fewer.
import type { TrackSource } from './protocol';

export interface SimulcastLayer { rid: string; scaleResolutionDownBy: number; maxBitrate: number }

const CAMERA: SimulcastLayer[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_700_000 },
];
const SCREEN: SimulcastLayer[] = [
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 2_500_000 },
];

/**
 * The encodings to publish a video track with, lowest first, or undefined
 * for a single stream: audio, simulcast turned off, or a capture too small
 * to split. `height` is the capture's (track.getSettings().height).
 */
export function simulcastLayers(kind: string, source: TrackSource, height: number | undefined, enabled: boolean): SimulcastLayer[] | undefined {
  if (!enabled || kind !== 'video' || !height) return undefined;
  if (source === 'screen_share') return height >= 720 ? SCREEN : undefined;
  if (height >= 540) return CAMERA;
  if (height >= 360) return CAMERA.slice(1);
  return undefined;
}

/** addTransceiver's init for `track`: sendEncodings when it is published in layers. */
export function transceiverInit(track: MediaStreamTrack, stream: MediaStream, source: TrackSource, simulcast: boolean): RTCRtpTransceiverInit {
  const layers = simulcastLayers(track.kind, source, track.getSettings?.().height, simulcast);
  const init: RTCRtpTransceiverInit = { direction: 'sendonly', streams: [stream] };
  if (layers) init.sendEncodings = layers.map((l) => ({ ...l, active: true }));
  return init;
}

/** What the server said it wants of one track: each layer by rid. */
export interface LayerWanted { rid: string; active: boolean }

/**
 * Dynacast: turns the encodings nobody receives off and the wanted ones on,
 * through RTCRtpSender.setParameters (no renegotiation). Returns whether
 * anything changed.
 */
export async function applyLayersWanted(sender: RTCRtpSender | undefined, layers: LayerWanted[]): Promise<boolean> {
  if (!sender) return false;
  const params = sender.getParameters();
  let changed = false;
  for (const encoding of params.encodings ?? []) {
    const wanted = layers.find((l) => l.rid === encoding.rid);
    if (!wanted || (encoding.active ?? true) === wanted.active) continue;
    encoding.active = wanted.active;
    changed = true;
  }
  if (changed) await sender.setParameters(params);
  return changed;
}
