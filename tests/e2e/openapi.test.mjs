// docs/openapi.yaml against the running server: every path and method the
// file lists is served, every route the server serves under /api/ is in the
// file, and the answers of a walk through every call validate against the
// file's schemas (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import YAML from 'yaml';
import { repoRoot, startServer } from './lib/server.mjs';
import { connect } from './lib/signal.mjs';
import { api, token } from './lib/roomapi.mjs';

const spec = YAML.parse(readFileSync(path.join(repoRoot, 'docs/openapi.yaml'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(spec, 'openapi');

const deref = (node) => {
  while (node?.$ref) node = node.$ref.split('/').slice(1).reduce((o, k) => o[k], spec);
  return node;
};
const operations = Object.entries(spec.paths).flatMap(([p, item]) =>
  Object.keys(item).filter((m) => ['get', 'post', 'patch', 'delete', 'put'].includes(m)).map((m) => `${m.toUpperCase()} ${p}`));

// The schema of the JSON the file promises for `method path` answering `status`.
function responseSchema(method, template, status) {
  const responses = spec.paths[template]?.[method.toLowerCase()]?.responses;
  assert.ok(responses, `${method} ${template} is in the file`);
  const response = deref(responses[String(status)]);
  assert.ok(response, `${method} ${template} documents status ${status}`);
  return response.content?.['application/json']?.schema;
}

function validate(method, template, r) {
  const schema = responseSchema(method, template, r.status);
  if (r.status === 204) return assert.equal(r.body, null);
  assert.ok(schema, `${method} ${template} ${r.status} has a JSON schema`);
  const check = ajv.compile({ $ref: `openapi#${schemaPointer(schema)}` });
  assert.ok(check(r.body), `${method} ${template} ${r.status}: ${ajv.errorsText(check.errors)}\n${JSON.stringify(r.body)}`);
}

// Inline schemas are validated through their place in the file.
function schemaPointer(schema) {
  if (schema.$ref) return schema.$ref.slice(1);
  const find = (node, at) => {
    if (node === schema) return at;
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        const hit = find(v, `${at}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`);
        if (hit) return hit;
      }
    }
    return null;
  };
  return find(spec, '');
}

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(values[k] ?? 'x'));

test('docs/openapi.yaml lists exactly the routes the server serves', { timeout: 30000 }, async () => {
  const server = await startServer();
  try {
    const index = await api(server, 'GET', '/api');
    validate('GET', '/api', index);
    const served = new Set([...index.body.routes.map((r) => `${r.method} ${r.path}`), 'GET /api/dev/token']);
    assert.deepEqual([...served].sort(), [...operations].sort());
    // Each one answers on its path (a missing route is a 404 `not_found` or a 405).
    const admin = token({ grant: 'room-list,room-create,admin,record' });
    for (const op of operations) {
      const [method, template] = op.split(' ');
      const r = await fetch(server.url + fill(template, { room: 'probe', identity: 'p', sid: 's' }), {
        method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: ['POST', 'PATCH'].includes(method) ? '{}' : undefined,
      });
      const text = await r.text();
      assert.notEqual(r.status, 405, `${op}: ${text}`);
      if (r.status === 404) assert.notEqual(JSON.parse(text).code, 'not_found', `${op} is routed`);
    }
    // Methods the file does not list are not served there.
    for (const template of Object.keys(spec.paths)) {
      for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
        if (operations.includes(`${method} ${template}`) || template === '/api/dev/token') continue;
        const r = await fetch(server.url + fill(template, {}), { method, headers: { authorization: `Bearer ${admin}` } });
        assert.equal(r.status, 405, `${method} ${template} is not in the file, so must not be served`);
      }
    }
  } finally {
    await server.stop();
  }
});

test('answers of every call validate against the schemas in docs/openapi.yaml', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-openapi-'));
  const server = await startServer(['--recordings-dir', dir]);
  try {
    const admin = token({ grant: 'room-list,room-create,admin,record' });
    const call = async (method, template, values, body) => {
      const r = await api(server, method, fill(template, values), { bearer: admin, body });
      validate(method, template, r);
      return r;
    };
    const dev = await fetch(`${server.url}/api/dev/token?room=spec&identity=dev`);
    validate('GET', '/api/dev/token', { status: dev.status, body: await dev.json() });

    const room = { room: 'spec' };
    assert.equal((await call('POST', '/api/rooms', {}, { name: 'spec', metadata: 'm' })).status, 201);
    assert.equal((await call('POST', '/api/rooms', {}, { name: 'spec' })).status, 409);
    assert.equal((await call('POST', '/api/rooms', {}, { name: 7 })).status, 400);
    const alice = await connect(server);
    alice.send({ type: 'join', token: token({ room: 'spec', identity: 'alice', grant: 'join' }), protocol: 1 });
    await alice.until((m) => m.type === 'joined', 'alice joins');
    alice.send({ type: 'offer', sdp: readFileSync(new URL('../fixtures/sdp/chromium-offer-av.sdp', import.meta.url), 'utf8'), tracks: [] });
    const answer = await alice.until((m) => m.type === 'answer', 'alice publishes');
    const who = { ...room, identity: 'alice', sid: answer.tracks[0].sid };

    assert.equal((await call('GET', '/api/rooms', {})).status, 200);
    assert.equal((await call('GET', '/api/rooms/{room}', room)).status, 200);
    assert.equal((await call('GET', '/api/rooms/{room}', { room: 'none' })).status, 404);
    assert.equal((await call('GET', '/api/rooms/{room}/participants', room)).status, 200);
    assert.equal((await call('GET', '/api/rooms/{room}/participants/{identity}', who)).status, 200);
    assert.equal((await call('GET', '/api/rooms/{room}/participants/{identity}/stats', who)).status, 200);
    assert.equal((await call('GET', '/api/rooms/{room}/participants/{identity}/stats', { ...room, identity: 'nobody' })).status, 404);
    assert.equal((await call('PATCH', '/api/rooms/{room}/participants/{identity}', who, { metadata: 'x' })).status, 200);
    assert.equal((await call('POST', '/api/rooms/{room}/participants/{identity}/tracks/{sid}/mute', who, { muted: true })).status, 200);
    assert.equal((await call('POST', '/api/rooms/{room}/data', room, { data: 'hi' })).status, 200);
    const move = '/api/rooms/{room}/participants/{identity}/move';
    assert.equal((await call('POST', move, who, { room: 'spec~a' })).status, 202);
    assert.equal((await alice.until((m) => m.type === 'move', 'alice is told to move')).room, 'spec~a');
    assert.equal((await call('POST', move, who, { room: 'spec' })).status, 409);
    assert.equal((await call('POST', move, { ...room, identity: 'nobody' }, { room: 'x' })).status, 404);
    assert.equal((await call('POST', move, who, { room: 'a/b' })).status, 400);
    assert.equal((await call('GET', '/api/rooms/{room}/recording', room)).status, 200);
    assert.equal((await call('POST', '/api/rooms/{room}/recording', room)).status, 201);
    assert.equal((await call('DELETE', '/api/rooms/{room}/recording', room)).status, 200);
    assert.equal((await call('DELETE', '/api/rooms/{room}/recording', room)).status, 409);
    // Room settings change with PATCH: the next join sees the new limit; e2ee only while the room is empty.
    const patched = await call('PATCH', '/api/rooms/{room}', room, { max_participants: 1, metadata: 'retro' });
    assert.equal(patched.status, 200);
    assert.deepEqual([patched.body.settings.max_participants, patched.body.settings.metadata], [1, 'retro']);
    const bob = await connect(server);
    bob.send({ type: 'join', token: token({ room: 'spec', identity: 'bob', grant: 'join' }), protocol: 1 });
    assert.equal((await bob.until((m) => m.type === 'error', 'bob is refused')).code, 'room_full');
    bob.ws.close();
    const busy = await call('PATCH', '/api/rooms/{room}', room, { e2ee: true });
    assert.deepEqual([busy.status, busy.body.code], [409, 'room_not_empty']);
    const nothing = await call('PATCH', '/api/rooms/{room}', room, {});
    assert.deepEqual([nothing.status, nothing.body.code], [400, 'bad_request']);
    const renamed = await call('PATCH', '/api/rooms/{room}', room, { name: 'other' });
    assert.deepEqual([renamed.status, renamed.body.code], [400, 'bad_request']);
    const range = await call('PATCH', '/api/rooms/{room}', room, { empty_timeout: -5 });
    assert.match(range.body.message, /empty_timeout/, 'the reason names the setting');
    assert.equal((await call('PATCH', '/api/rooms/{room}', { room: 'none' }, { recording: true })).status, 404);
    assert.equal((await call('DELETE', '/api/rooms/{room}/participants/{identity}', who)).status, 204);
    const encrypted = await call('PATCH', '/api/rooms/{room}', room, { e2ee: true, max_participants: 0 });
    assert.equal(encrypted.status, 200);
    assert.equal(encrypted.body.settings.e2ee, true, 'e2ee changes once the room is empty');
    assert.equal((await call('DELETE', '/api/rooms/{room}', room)).status, 204);
    const unauthorized = await api(server, 'GET', '/api/rooms');
    validate('GET', '/api/rooms', unauthorized);
    alice.ws.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
