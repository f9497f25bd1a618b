// Several CipherTalk nodes on this machine sharing one real redis-server, for
// the scale-out and cascade tests: started in order, each with its node id and
// region; stopped together; their log tails for failure messages.
import { startRedis } from './redis.mjs';
import { startServer } from './server.mjs';

// specs: [[nodeId, region?], ...]. `args` go to every node, `argsFor(id)` to one
// (before the others, e.g. its own --config).
export async function startCluster(specs, { args = [], argsFor = () => [] } = {}) {
  const redis = await startRedis();
  const nodes = {};
  const cluster = {
    redis,
    nodes,
    logs: (chars = 2000) => Object.entries(nodes).map(([id, n]) => `--- ${id}\n${n.log().slice(-chars)}`).join('\n'),
    async stop() {
      for (const n of Object.values(nodes)) await n.stop();
      await redis.stop();
    },
  };
  try {
    for (const [id, region] of specs) {
      nodes[id] = await startServer([...argsFor(id), '--redis', redis.url, '--node-id', id,
        ...(region ? ['--region', region] : []), ...args]);
    }
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}
