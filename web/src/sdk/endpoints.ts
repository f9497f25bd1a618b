// Where a page finds its server: the signaling URL and, in development, a token.

/** Fetches a development token (`ciphertalk serve --dev` only). */
export async function fetchDevToken(room: string, identity: string, name?: string): Promise<string> {
  const q = new URLSearchParams({ room, identity, ...(name ? { name } : {}) });
  const r = await fetch(`/api/dev/token?${q}`);
  if (!r.ok) throw new Error(`dev token: ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

/** The /rtc URL of the server that served this page. */
export function signalingUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/rtc`;
}
