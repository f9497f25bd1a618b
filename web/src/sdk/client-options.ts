// What a CipherTalkClient is constructed with (client.ts).
import type { E2eeClientOptions } from './e2ee-media';

export interface ClientOptions {
  url: string;
  token: string;
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** How long to keep trying to resume after the signaling connection drops. */
  reconnectWindowMs?: number;
  /** How long one resume attempt may take before it is abandoned. */
  attemptTimeoutMs?: number;
  /**
   * Take part in end-to-end encrypted rooms (true, or options). Without it,
   * or in a browser that cannot encrypt frames, joining one fails with
   * `e2ee_unsupported`.
   */
  e2ee?: boolean | E2eeClientOptions;
  /**
   * Publish camera video in three layers and screen shares in two where the
   * capture allows (default true); false sends one stream. publish() may
   * override it per call.
   */
  simulcast?: boolean;
  /**
   * Ask for the room to be created with direct connections (the `p2p` room
   * setting; honoured by `ciphertalk serve --dev` only, like e2ee.require).
   */
  p2p?: boolean;
}
