/*
 * Issue 17: no import cycle anywhere in src/. Both graphs are checked: the runtime one (what the compiled JavaScript
 * requires) and the full one (type-only imports included), so a file's imports can always be followed one way. A new
 * cycle fails the build, and the message names its files.
 */
import * as path from 'path';
import { cycles, ImportGraph, importGraphs } from '../support/import-graph';

const ROOT = path.join(__dirname, '..', '..');
const src = (...parts: string[]) => path.join('src', ...parts);

test('the check finds a cycle and a self-import, and nothing in a chain', () => {
  const g = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));
  expect(cycles(g({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts'], 'd.ts': ['a.ts'] }))).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  expect(cycles(g({ 'a.ts': ['a.ts'] }))).toEqual([['a.ts']]);
  expect(cycles(g({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': [] }))).toEqual([]);
});

// The cycles issue 17 named (AWS customer-managed-key → … → key-audit-sink → customer-managed-key; Google key-ring.ts
// ↔ private/keys.ts) and the type-only ones found beside them are gone; type-only cycles are refused as well.
let graphs: ReturnType<typeof importGraphs> | undefined;
test.each(['runtime', 'all'] as const)('src/ has no %s import cycle', (kind) => {
  graphs ??= importGraphs(ROOT, ['src']);
  const graph = graphs[kind];
  expect(graph.size).toBeGreaterThan(150);
  expect(graph.get(src('aws', 'customer-managed-key.ts'))).toContain(src('aws', 'private', 'custodian-key.ts'));
  expect(cycles(graph)).toEqual([]);
});

test('the runtime graph leaves out imports used only as types', () => {
  const { runtime, all } = importGraphs(ROOT, ['src/gcp']);
  const location = src('gcp', 'private', 'key-location.ts');
  const options = src('gcp', 'key-options.ts');
  expect(all.get(location)).toContain(options);
  expect(runtime.get(location)).not.toContain(options);
});
