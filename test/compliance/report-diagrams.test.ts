import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { IConstruct } from 'constructs';
import { byokApp } from '../../examples/aws/byok';
import { customerManagedApp } from '../../examples/aws/customer-managed';
import { hyokApp } from '../../examples/aws/hyok';
import { providerManagedApp } from '../../examples/aws/provider-managed';
import { azureApp } from '../../examples/azure/main';
import { gcpApp } from '../../examples/gcp/main';
import { saasAwsApp } from '../../examples/saas/aws';
import { EvidenceLedger } from '../../src';
import { _setEvaluatorForTesting } from '../../src/compliance/access-matrix';
import { buildReport } from '../../src/compliance/report';
import { azureScenarios } from '../support/azure-scenarios';
import { gcpScenarios } from '../support/gcp-scenarios';
import { scenarios } from '../support/scenarios';

interface Diagram {
  readonly name: string;
  readonly text: string;
}

interface ParseResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * Parses diagrams with mermaid's own parser, in a child process (mermaid is ESM and needs a DOM: see mermaid-parse.mjs).
 * Node 20 has iterator helpers (which jsdom 31 uses) only behind a V8 flag.
 */
export function parseWithMermaid(diagrams: Diagram[]): ParseResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'mermaid-'));
  const input = join(dir, 'diagrams.json');
  const output = join(dir, 'results.json');
  writeFileSync(input, JSON.stringify(diagrams));
  const flags = typeof (globalThis as { Iterator?: unknown }).Iterator === 'undefined' ? ['--harmony-iterator-helpers'] : [];
  const run = spawnSync(process.execPath, [...flags, join(__dirname, '..', 'support', 'mermaid-parse.mjs'), input, output],
    { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`mermaid-parse.mjs exited with ${run.status}: ${run.stderr}`);
  return JSON.parse(readFileSync(output, 'utf8'));
}

function diagramsOf(name: string, scope: IConstruct): Diagram[] {
  return buildReport(EvidenceLedger.of(scope)).stacks.map((s) => ({ name: `${name}: ${s.name}`, text: s.diagram }));
}

const outdir = () => mkdtempSync(join(tmpdir(), 'diagrams-'));

describe('every generated diagram parses with mermaid\'s own parser', () => {
  // The diagrams do not depend on the access matrices: skipping the IAM evaluation keeps ~60 stacks fast.
  beforeAll(() => _setEvaluatorForTesting(null));
  afterAll(() => _setEvaluatorForTesting(undefined));

  test('the parser itself rejects a subgraph without its end (so a pass means something)', () => {
    const results = parseWithMermaid([
      { name: 'closed', text: 'flowchart LR\n  subgraph a["a"]\n  n0["x"]\n  end\n  subgraph b["b"]\n  n1["y"]\n  end\n  n0 --> n1' },
      { name: 'unclosed', text: 'flowchart LR\n  subgraph a["a"]\n  n0["x"]\n  end\n  subgraph b["b"]\n  n1["y"]\n  n0 --> n1' },
    ]);
    expect(results.map((r) => [r.name, r.ok])).toEqual([['closed', true], ['unclosed', false]]);
  });

  test('the example apps\' and every scenario\'s report', () => {
    const diagrams: Diagram[] = [];
    for (const [name, app] of [['aws provider-managed', providerManagedApp], ['aws customer-managed', customerManagedApp],
      ['aws byok', byokApp], ['aws hyok', hyokApp], ['aws saas', saasAwsApp]] as const) {
      diagrams.push(...diagramsOf(name, app(outdir())));
    }
    diagrams.push(...diagramsOf('azure examples', azureApp(outdir())));
    diagrams.push(...diagramsOf('gcp examples', gcpApp(outdir())));
    for (const s of [...scenarios(), ...azureScenarios(), ...gcpScenarios()]) diagrams.push(...diagramsOf(s.name, s.build()));
    // Stacks with keys in both custody boundaries (HYOK or BYOK keys beside their audit sink's key) have two subgraphs:
    // the case de-duplicating lines broke.
    expect(diagrams.filter((d) => d.text.includes('subgraph provider') && d.text.includes('subgraph customer')).length).toBeGreaterThan(0);
    const results = parseWithMermaid(diagrams);
    expect(results.length).toBe(diagrams.length);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });
});
