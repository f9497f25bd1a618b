import { describe, expect, it } from 'vitest';
import { trickleCandidates, trickleMessage } from '../src/sdk/trickle';
import type { ClientMessage } from '../src/sdk/protocol';

const host = {
  candidate: 'candidate:1 1 udp 2122260223 192.168.1.20 53512 typ host generation 0',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'abcd',
} as RTCIceCandidate;

describe('trickle', () => {
  it('sends each gathered candidate as the RTCIceCandidateInit fields, for its connection', () => {
    expect(trickleMessage('subscriber', host)).toEqual({
      type: 'trickle',
      target: 'subscriber',
      candidate: { candidate: host.candidate, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' },
    });
  });

  it('sends nothing for the end of candidates', () => {
    expect(trickleMessage('publisher', null)).toBeNull();
    expect(trickleMessage('publisher', { ...host, candidate: '' } as RTCIceCandidate)).toBeNull();
  });

  it('forwards the connection\'s icecandidate events as they come', () => {
    const pc = new EventTarget() as unknown as RTCPeerConnection;
    const sent: ClientMessage[] = [];
    expect(trickleCandidates(pc, 'publisher', (m) => sent.push(m))).toBe(pc);
    const fire = (candidate: RTCIceCandidate | null) => {
      const ev = new Event('icecandidate') as Event & { candidate: RTCIceCandidate | null };
      ev.candidate = candidate;
      pc.dispatchEvent(ev);
    };
    fire(host);
    fire(null);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'trickle', target: 'publisher', candidate: { candidate: host.candidate } });
  });
});
