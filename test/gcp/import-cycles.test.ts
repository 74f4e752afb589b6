import * as path from 'path';
import { cycles, ImportGraph, importGraphs } from '../support/import-graph';

const ROOT = path.join(__dirname, '..', '..');

describe('import cycles', () => {
  test('the check finds a cycle and a self-import, and nothing in a chain', () => {
    const g = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));
    expect(cycles(g({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts'], 'd.ts': ['a.ts'] }))).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(cycles(g({ 'a.ts': ['a.ts'] }))).toEqual([['a.ts']]);
    expect(cycles(g({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': [] }))).toEqual([]);
  });

  // key-ring.ts and private/keys.ts imported each other at runtime (issue 17); type-only cycles are refused as well, so
  // a file's imports can be followed one way.
  test.each(['runtime', 'all'] as const)('src/gcp and src/terraform have no %s import cycle', (kind) => {
    const graph = importGraphs(ROOT, ['src/gcp', 'src/terraform'])[kind];
    expect(graph.size).toBeGreaterThan(20);
    expect(graph.get(path.join('src', 'gcp', 'key-ring.ts'))).toContain(path.join('src', 'gcp', 'private', 'custodian-checks.ts'));
    expect(cycles(graph)).toEqual([]);
  });

  test('the runtime graph leaves out imports used only as types', () => {
    const { runtime, all } = importGraphs(ROOT, ['src/gcp']);
    const location = path.join('src', 'gcp', 'private', 'key-location.ts');
    const options = path.join('src', 'gcp', 'key-options.ts');
    expect(all.get(location)).toContain(options);
    expect(runtime.get(location)).not.toContain(options);
  });
});
