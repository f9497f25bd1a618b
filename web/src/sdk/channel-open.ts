// Waiting for a data channel to open (client.ts publishData).

/** Resolves when `channel` opens or closes, or after `timeoutMs`. */
export function waitForOpen(channel: RTCDataChannel, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(timer); channel.removeEventListener('open', done); channel.removeEventListener('close', done); resolve(); };
    const timer = setTimeout(done, timeoutMs);
    channel.addEventListener('open', done);
    channel.addEventListener('close', done);
  });
}
