// Trickle ICE towards the SFU: each local candidate of a connection goes to
// the server as `trickle` (docs/protocol.md). The server is ICE-lite and needs
// none to connect; it keeps them to name the path it selected (host, srflx,
// relay, or prflx for an address no candidate stood for), as the browser's
// own getStats does.
import type { ClientMessage } from './protocol';

export type TrickleTarget = 'publisher' | 'subscriber';

/** The `trickle` message for one candidate; null for the end of candidates (nothing to tell an ICE-lite server). */
export function trickleMessage(target: TrickleTarget, candidate: RTCIceCandidate | null): ClientMessage | null {
  if (!candidate || !candidate.candidate) return null;
  return {
    type: 'trickle',
    target,
    candidate: {
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid,
      sdpMLineIndex: candidate.sdpMLineIndex,
      usernameFragment: candidate.usernameFragment,
    },
  };
}

/** Sends `pc`'s local candidates with `send` as they are gathered; returns `pc`. */
export function trickleCandidates(pc: RTCPeerConnection, target: TrickleTarget, send: (m: ClientMessage) => void): RTCPeerConnection {
  pc.addEventListener('icecandidate', ({ candidate }) => {
    const message = trickleMessage(target, candidate);
    if (message) send(message);
  });
  return pc;
}
