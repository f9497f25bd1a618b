// The room's data channels as the client uses them (client.ts): waiting for
// one to open, and decoding (in an encrypted room, decrypting) what arrives.
import type { DataEvent } from './client';
import { decodeDataPacket } from './datapacket';
import type { E2eeSession } from './e2ee-session';
import { DataDecryptError } from './e2ee-worker-client';

/** Waits until a data channel opens or closes, at most `timeoutMs`. */
export function waitForOpen(channel: RTCDataChannel, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(timer); channel.removeEventListener('open', done); channel.removeEventListener('close', done); resolve(); };
    const timer = setTimeout(done, timeoutMs);
    channel.addEventListener('open', done);
    channel.addEventListener('close', done);
  });
}

/** Hands each message of `channel` to `emit`, in order; counts what cannot be decoded. */
export function receiveData(channel: RTCDataChannel, reliable: boolean, e2ee: () => E2eeSession | null,
  emit: (event: DataEvent) => void, malformed: () => void): void {
  channel.binaryType = 'arraybuffer';
  let order = Promise.resolve();
  channel.onmessage = (ev: MessageEvent) => {
    if (!(ev.data instanceof ArrayBuffer)) { malformed(); return; }
    const data = ev.data;
    // Decryption is asynchronous: the chain keeps messages in the order they came.
    order = order.then(async () => {
      const p = decodeDataPacket(data);
      const session = e2ee();
      const payload = session && !p.fromServer ? await session.decryptData(p.sender, p.payload) : p.payload;
      emit({ from: p.sender, topic: p.topic, payload, reliable, fromServer: p.fromServer });
    }).catch((e: unknown) => {
      if (e instanceof DataDecryptError && e.code === 'closed') return;
      malformed();
    });
  };
}
