// docs/grafana/ciphertalk.json: every PromQL expression of the dashboard
// names only metric families a running server exports (a renamed metric
// must not leave a panel empty without anyone noticing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, startServer } from './lib/server.mjs';

// PromQL words that are not metric names: functions, aggregations, keywords.
const PROMQL_WORDS = new Set(['sum', 'by', 'without', 'rate', 'irate', 'increase', 'histogram_quantile', 'avg',
  'max', 'min', 'count', 'le', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless']);

// The metric names in one expression: identifiers outside label matchers, grouping lists and range selectors.
export function metricNames(expr) {
  const stripped = expr.replace(/\{[^}]*\}/g, ' ').replace(/\[[^\]]*\]/g, ' ').replace(/\b(by|without)\s*\([^)]*\)/g, ' ')
    .replace(/"[^"]*"/g, ' ');
  return [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0])
    .filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w));
}

test('the Grafana dashboard queries only metrics the server exports', { timeout: 30000 }, async () => {
  const dashboard = JSON.parse(readFileSync(path.join(repoRoot, 'docs/grafana/ciphertalk.json'), 'utf8'));
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
  assert.ok(exprs.length >= 15, `the dashboard has its queries (${exprs.length})`);
  const server = await startServer();
  try {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const exported = new Set();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exported.add(name);
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(name + suffix);
    }
    assert.ok(exported.has('ciphertalk_forward_latency_seconds_bucket'), 'histograms are exported with their series');
    for (const { panel, expr } of exprs) {
      const names = metricNames(expr);
      assert.ok(names.length > 0, `${panel}: ${expr} names a metric`);
      for (const name of names) assert.ok(exported.has(name), `${panel}: ${name} (in ${expr}) is not exported`);
    }
  } finally {
    await server.stop();
  }
});

test('the metric name reader sees through PromQL', () => {
  assert.deepEqual(metricNames('histogram_quantile(0.99, sum by (le, type) (rate(a_bucket{x="y"}[5m])))'), ['a_bucket']);
  assert.deepEqual(metricNames('sum(b_sum) / sum(b_count) * 8'), ['b_sum', 'b_count']);
});
