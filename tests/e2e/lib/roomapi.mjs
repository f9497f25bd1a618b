// The room service API (docs/api.md) from a test: tokens as an application
// backend mints them, and calls that check every answer is JSON.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { binary } from './server.mjs';

// Tokens as an application backend mints them; none names a room unless given.
export function token({ room, identity = 'backend', grant, ttl = '10m' }) {
  const args = ['token', 'create', '--dev', '--identity', identity, '--grant', grant, '--ttl', ttl];
  if (room) args.push('--room', room);
  return execFileSync(binary, args, { encoding: 'utf8' }).trim();
}

export async function api(server, method, route, { bearer, body, raw } = {}) {
  const headers = {};
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(server.url + route, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await r.text();
  if (r.status !== 204) assert.match(r.headers.get('content-type') ?? '', /application\/json/, `${method} ${route}: JSON (${r.status} ${text})`);
  return { status: r.status, body: text ? JSON.parse(text) : null, headers: r.headers };
}

