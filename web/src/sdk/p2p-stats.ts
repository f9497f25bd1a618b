// What the direct connections (p2p.ts) read from getStats(): whether media
// arrives on a receiver, and which kind of path ICE selected.

/** "direct": host or server-reflexive candidates on both ends; "relayed": TURN on either; "server": through the SFU. */
export type ConnectionPath = 'direct' | 'relayed' | 'server';

/** Video frames decoded, or audio packets received, on `receiver` so far. */
async function received(receiver: RTCRtpReceiver, kind: string): Promise<number> {
  const report = await receiver.getStats();
  let n = 0;
  report.forEach((s: { type: string; framesDecoded?: number; packetsReceived?: number }) => {
    if (s.type === 'inbound-rtp') n += kind === 'video' ? (s.framesDecoded ?? 0) : (s.packetsReceived ?? 0);
  });
  return n;
}

/** Resolves true once `receiver` gets new media (frames decode), false after `timeoutMs` without. */
export async function mediaFlowing(receiver: RTCRtpReceiver, kind: string, timeoutMs: number): Promise<boolean> {
  const start = await received(receiver, kind).catch(() => 0);
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await received(receiver, kind).catch(() => start);
    if (now > start) return true;
  }
  return false;
}

/** The path ICE selected on `pc`; null while none is selected. */
export async function selectedPath(pc: RTCPeerConnection): Promise<'direct' | 'relayed' | null> {
  if (pc.connectionState === 'closed') return null;
  const report = await pc.getStats();
  let pairId: string | undefined;
  report.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
  });
  const pair = pairId ? report.get(pairId) as { localCandidateId: string; remoteCandidateId: string; state?: string } | undefined : undefined;
  if (!pair) return null;
  const types = [pair.localCandidateId, pair.remoteCandidateId].map((id) => (report.get(id) as { candidateType?: string } | undefined)?.candidateType);
  return types.includes('relay') ? 'relayed' : 'direct';
}
