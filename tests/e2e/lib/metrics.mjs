// Scrapes GET /metrics and parses it with the Prometheus Python client's own
// parser (Debian python3-prometheus-client), so what we serve is checked by
// an independent reader of the text format, not by our own.
import { execFileSync } from 'node:child_process';

const PARSER = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.setdefault(s.name, []).append({"labels": s.labels, "value": s.value})
json.dump(out, sys.stdout)
`;

export async function scrapeMetrics(baseUrl) {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics: ${response.status}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/plain; version=0.0.4')) throw new Error(`GET /metrics content-type ${contentType}`);
  // For Prometheus, not for scripts on other origins' pages.
  if (response.headers.get('access-control-allow-origin') !== null) throw new Error('GET /metrics carries CORS headers');
  const text = await response.text();
  const parsed = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PARSER], { input: text }).toString());
  return {
    text,
    // Sum of the samples of `name` whose labels include every pair in `labels`.
    sum(name, labels = {}) {
      const samples = parsed[name];
      if (!samples) throw new Error(`no metric ${name} in:\n${text}`);
      return samples
        .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((total, s) => total + s.value, 0);
    },
  };
}
