// CipherTalk data messages: the binary layout carried on the `_reliable` and
// `_lossy` data channels (big-endian):
//   u8 version (1) | u8 kind (0 = user data, 1 = from the server itself: no sender, never end-to-end encrypted)
//   u8 S, S bytes sender identity (client→server: 0, the server fills it in)
//   u16 T (≤ 256), T bytes topic
//   u8 D, D × (u8 length, identity bytes) destinations (server→client: 0)
//   payload: the rest

export const DATA_PACKET_VERSION = 1;
export const DATA_KIND_USER = 0;
export const DATA_KIND_SERVER = 1;
export const MAX_TOPIC_BYTES = 256;
/** Largest message the server relays, on either channel. */
export const MAX_DATA_MESSAGE_BYTES = 15360;

export interface DataPacket {
  sender: string;
  topic: string;
  destinations: string[];
  payload: Uint8Array;
  /** Sent by the server (the room service API), not by a participant; never end-to-end encrypted. */
  fromServer: boolean;
}

export class DataPacketError extends Error {}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export function encodeDataPacket(packet: Partial<Omit<DataPacket, 'fromServer'>> & { payload: Uint8Array }): Uint8Array<ArrayBuffer> {
  const sender = encoder.encode(packet.sender ?? '');
  const topic = encoder.encode(packet.topic ?? '');
  const destinations = (packet.destinations ?? []).map((d) => encoder.encode(d));
  if (sender.length > 255) throw new DataPacketError('sender identity longer than 255 bytes');
  if (topic.length > MAX_TOPIC_BYTES) throw new DataPacketError(`topic longer than ${MAX_TOPIC_BYTES} bytes`);
  if (destinations.length > 255) throw new DataPacketError('more than 255 destinations');
  for (const d of destinations) {
    if (d.length === 0 || d.length > 255) throw new DataPacketError('destination identity must be 1 to 255 bytes');
  }
  const size = 2 + 1 + sender.length + 2 + topic.length + 1 +
    destinations.reduce((n, d) => n + 1 + d.length, 0) + packet.payload.length;
  if (size > MAX_DATA_MESSAGE_BYTES) throw new DataPacketError(`message of ${size} bytes exceeds ${MAX_DATA_MESSAGE_BYTES}`);
  const out = new Uint8Array(size);
  let at = 0;
  out[at++] = DATA_PACKET_VERSION;
  out[at++] = DATA_KIND_USER;
  out[at++] = sender.length;
  out.set(sender, at); at += sender.length;
  out[at++] = topic.length >> 8;
  out[at++] = topic.length & 0xff;
  out.set(topic, at); at += topic.length;
  out[at++] = destinations.length;
  for (const d of destinations) {
    out[at++] = d.length;
    out.set(d, at); at += d.length;
  }
  out.set(packet.payload, at);
  return out;
}

/** Decodes one message; throws DataPacketError on anything malformed. */
export function decodeDataPacket(input: ArrayBuffer | Uint8Array): DataPacket {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  let at = 0;
  const need = (n: number, what: string): void => {
    if (at + n > bytes.length) throw new DataPacketError(`truncated: ${what}`);
  };
  const text = (n: number, what: string): string => {
    need(n, what);
    try {
      return strictDecoder.decode(bytes.subarray(at, (at += n)));
    } catch {
      throw new DataPacketError(`${what} is not UTF-8`);
    }
  };
  need(2, 'header');
  const version = bytes[at++];
  const kind = bytes[at++];
  if (version !== DATA_PACKET_VERSION) throw new DataPacketError(`unknown version ${version}`);
  if (kind !== DATA_KIND_USER && kind !== DATA_KIND_SERVER) throw new DataPacketError(`unknown kind ${kind}`);
  need(1, 'sender length');
  const sender = text(bytes[at++]!, 'sender');
  need(2, 'topic length');
  const topicLength = (bytes[at]! << 8) | bytes[at + 1]!;
  at += 2;
  if (topicLength > MAX_TOPIC_BYTES) throw new DataPacketError(`topic length ${topicLength} exceeds ${MAX_TOPIC_BYTES}`);
  const topic = text(topicLength, 'topic');
  need(1, 'destination count');
  const count = bytes[at++]!;
  const destinations: string[] = [];
  for (let i = 0; i < count; i++) {
    need(1, 'destination length');
    destinations.push(text(bytes[at++]!, 'destination'));
  }
  return { sender, topic, destinations, payload: bytes.slice(at), fromServer: kind === DATA_KIND_SERVER };
}

/** A chat message: the payload of topic `chat`. */
export interface ChatMessage {
  id: string;
  text: string;
  timestamp: number;
}

export const CHAT_TOPIC = 'chat';

export function encodeChat(message: ChatMessage): Uint8Array<ArrayBuffer> {
  return encoder.encode(JSON.stringify(message));
}

/** Null when the payload is not a chat message. */
export function decodeChat(payload: Uint8Array): ChatMessage | null {
  try {
    const v = JSON.parse(strictDecoder.decode(payload)) as Partial<ChatMessage>;
    if (typeof v !== 'object' || v === null) return null;
    if (typeof v.text !== 'string') return null;
    return {
      id: typeof v.id === 'string' ? v.id : '',
      text: v.text,
      timestamp: typeof v.timestamp === 'number' && Number.isFinite(v.timestamp) ? v.timestamp : Date.now(),
    };
  } catch {
    return null;
  }
}
