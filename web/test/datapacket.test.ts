import { describe, expect, it } from 'vitest';
import {
  DataPacketError, MAX_DATA_MESSAGE_BYTES, decodeChat, decodeDataPacket, encodeChat, encodeDataPacket,
} from '../src/sdk/datapacket';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('data packet', () => {
  it('lays out a client message as the wire format says', () => {
    const out = encodeDataPacket({ topic: 'chat', destinations: ['bo'], payload: bytes(0xaa, 0xbb) });
    expect([...out]).toEqual([1, 0, 0, 0, 4, ...utf8('chat'), 1, 2, ...utf8('bo'), 0xaa, 0xbb]);
  });

  it('round-trips sender, topic, destinations and payload', () => {
    const packet = { sender: 'ünïcode-ø', topic: 'chat', destinations: ['alice', 'bob'], payload: utf8('{"text":"hi"}') };
    const decoded = decodeDataPacket(encodeDataPacket(packet));
    expect(decoded).toEqual({ ...packet, fromServer: false });
  });

  it('round-trips the empty message', () => {
    const decoded = decodeDataPacket(encodeDataPacket({ payload: new Uint8Array() }));
    expect(decoded).toEqual({ sender: '', topic: '', destinations: [], payload: new Uint8Array(), fromServer: false });
  });

  it("knows the server's own messages by their kind", () => {
    // What the room service API sends (kind 1, no sender, no destinations), byte for byte as the server writes it.
    const decoded = decodeDataPacket(bytes(1, 1, 0, 0, 1, ...utf8('t'), 0, ...utf8('xy')));
    expect(decoded).toEqual({ sender: '', topic: 't', destinations: [], payload: utf8('xy'), fromServer: true });
  });

  it('decodes from an ArrayBuffer as a data channel delivers it', () => {
    const wire = encodeDataPacket({ sender: 'srv', topic: 't', payload: bytes(1, 2, 3) });
    const decoded = decodeDataPacket(wire.buffer.slice(0));
    expect(decoded.sender).toBe('srv');
    expect([...decoded.payload]).toEqual([1, 2, 3]);
  });

  it('keeps a topic of exactly 256 bytes and refuses 257', () => {
    const topic = 'x'.repeat(256);
    expect(decodeDataPacket(encodeDataPacket({ topic, payload: bytes() })).topic).toBe(topic);
    expect(() => encodeDataPacket({ topic: topic + 'x', payload: bytes() })).toThrow(DataPacketError);
  });

  it('refuses messages larger than 15 KiB', () => {
    const overhead = encodeDataPacket({ topic: 'chat', payload: bytes() }).length;
    expect(encodeDataPacket({ topic: 'chat', payload: new Uint8Array(MAX_DATA_MESSAGE_BYTES - overhead) }).length).toBe(MAX_DATA_MESSAGE_BYTES);
    expect(() => encodeDataPacket({ topic: 'chat', payload: new Uint8Array(MAX_DATA_MESSAGE_BYTES - overhead + 1) })).toThrow(/exceeds/);
  });

  it('refuses empty or over-long destination identities', () => {
    expect(() => encodeDataPacket({ destinations: [''], payload: bytes() })).toThrow(DataPacketError);
    expect(() => encodeDataPacket({ destinations: ['x'.repeat(256)], payload: bytes() })).toThrow(DataPacketError);
  });

  it('throws DataPacketError on every truncation of a valid message', () => {
    const wire = encodeDataPacket({ sender: 'alice', topic: 'chat', destinations: ['bob', 'carol'], payload: bytes() });
    // With an empty payload every proper prefix cuts a length-prefixed field.
    for (let n = 0; n < wire.length; n++) {
      expect(() => decodeDataPacket(wire.subarray(0, n)), `prefix of ${n} bytes`).toThrow(DataPacketError);
    }
    expect(() => decodeDataPacket(wire)).not.toThrow();
  });

  it('rejects unknown versions and kinds, over-long topics and invalid UTF-8', () => {
    expect(() => decodeDataPacket(bytes(2, 0, 0, 0, 0, 0))).toThrow(/version/);
    expect(() => decodeDataPacket(bytes(1, 7, 0, 0, 0, 0))).toThrow(/kind/);
    expect(() => decodeDataPacket(bytes(1, 0, 0, 0x01, 0x01, 0))).toThrow(/topic length/);
    expect(() => decodeDataPacket(bytes(1, 0, 2, 0xc3, 0x28, 0, 0, 0))).toThrow(/UTF-8/);
  });

  it('never throws anything but DataPacketError on random input', () => {
    let seed = 12345;
    const rand = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 16; };
    for (let i = 0; i < 5000; i++) {
      const len = rand() % 40;
      const input = new Uint8Array(len).map(() => rand() & 0xff);
      if (len > 0 && rand() % 2) input[0] = 1;
      if (len > 1 && rand() % 2) input[1] = 0;
      try {
        const p = decodeDataPacket(input);
        expect(typeof p.topic).toBe('string');
      } catch (e) {
        expect(e).toBeInstanceOf(DataPacketError);
      }
    }
  });
});

describe('chat payload', () => {
  it('round-trips', () => {
    const msg = { id: 'abc', text: 'hello 👋', timestamp: 1760000000000 };
    expect(decodeChat(encodeChat(msg))).toEqual(msg);
  });

  it('ignores payloads that are not chat messages', () => {
    expect(decodeChat(utf8('not json'))).toBeNull();
    expect(decodeChat(utf8('{"id":"x"}'))).toBeNull();
    expect(decodeChat(utf8('null'))).toBeNull();
    expect(decodeChat(bytes(0xff, 0xfe))).toBeNull();
  });

  it('fills a missing id and timestamp', () => {
    const m = decodeChat(utf8('{"text":"hi"}'));
    expect(m?.text).toBe('hi');
    expect(m?.id).toBe('');
    expect(typeof m?.timestamp).toBe('number');
  });
});
