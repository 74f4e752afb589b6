import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { IConstruct } from 'constructs';
import { byokApp } from '../../examples/aws/byok';
import { customerManagedApp } from '../../examples/aws/customer-managed';
import { hyokApp } from '../../examples/aws/hyok';
import { providerManagedApp } from '../../examples/aws/provider-managed';
import { saasAwsApp } from '../../examples/saas/aws';
import { EvidenceLedger } from '../../src';
import { Access, AccessMatrix, MatrixRow } from '../../src/compliance/access-matrix';
import { buildReport } from '../../src/compliance/report';
import { scenarios } from '../support/scenarios';

/*
 * The separation-of-duties invariants, asserted with the evaluator the report uses, on every key of every AWS test
 * scenario and example: administrators and the deployer never reach cryptographic use, users never manage, auditors
 * only read, tenant A never decrypts under tenant B's context or with none, and nobody outside the policy gets anything.
 */

interface KeyUnderTest {
  readonly path: string;
  readonly construct: string;
  readonly matrix: AccessMatrix;
}

function keysOf(scope: IConstruct): KeyUnderTest[] {
  const report = buildReport(EvidenceLedger.of(scope));
  return report.stacks.filter((s) => s.cloud === 'aws').flatMap((s) => [
    ...s.keys.map((k) => ({ path: k.path, construct: k.construct, matrix: k.accessMatrix! })),
    ...s.supportingKeys.map((k) => ({ path: k.path, construct: 'supporting key', matrix: k.accessMatrix })),
  ]);
}

const MANAGING = ['manage', 'change policy', 'delete/disable', 'replicate', 'alias'];
const reaches = (row: MatrixRow, cls: string) => row.access[cls].access !== Access.DENIED;
const roles = (row: MatrixRow) => row.role.split(' and ');
const isDeployer = (row: MatrixRow) => roles(row).includes('deployment identity') || /cfn-exec-role/.test(row.principal);

function checkInvariants(k: KeyUnderTest): string[] {
  const m = k.matrix;
  const broken: string[] = [];
  if (!m.computed) return [`${k.path}: access matrix not computed (${m.reason})`];
  // Identical to an earlier key's matrix, which is checked there.
  if (m.sameAs) return [];
  for (const row of m.rows) {
    const who = `${k.path}: ${row.principal} (${row.role})`;
    if ((roles(row).includes('administrator') || isDeployer(row)) && reaches(row, 'use')) broken.push(`${who} reaches cryptographic use`);
    if (roles(row).includes('user')) {
      for (const cls of MANAGING) if (reaches(row, cls)) broken.push(`${who} can ${cls}`);
    }
    if (roles(row).includes('auditor')) {
      for (const cls of m.classes.filter((c) => c !== 'audit-read')) if (reaches(row, cls)) broken.push(`${who} can ${cls}`);
    }
    if (row.role === 'anyone in another account' || (row.role === 'anyone else in the account' && !m.delegatesToIam)) {
      for (const cls of m.classes) if (reaches(row, cls)) broken.push(`${who} can ${cls}`);
    }
    // Tenant isolation: every request that reaches a tenant key carries the right encryption context (the matrix asks
    // with tenant A's tag and tenant B's context, and with no context).
    if (k.construct === 'TenantKeyHierarchy' && reaches(row, 'use') && !(row.access.use.conditions ?? []).includes('the right encryption context')) {
      broken.push(`${who} uses a tenant key without the tenant's encryption context`);
    }
  }
  // Only a ManagedKey hands the key to IAM; there, with identity policies assumed maximal, IAM decides.
  if (m.delegatesToIam !== (k.construct === 'ManagedKey')) broken.push(`${k.path}: ${k.construct} delegatesToIam is ${m.delegatesToIam}`);
  return broken;
}

describe('every test scenario', () => {
  test.each(scenarios().map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const keys = keysOf(s.build());
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.flatMap(checkInvariants)).toEqual([]);
  });
});

describe('every AWS example', () => {
  const apps: Array<[string, (outdir: string) => IConstruct]> = [
    ['provider-managed', providerManagedApp], ['customer-managed', customerManagedApp], ['byok', byokApp], ['hyok', hyokApp], ['saas', saasAwsApp],
  ];
  test.each(apps)('%s', (_name, build) => {
    const keys = keysOf(build(mkdtempSync(join(tmpdir(), 'matrix-example-'))));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.flatMap(checkInvariants)).toEqual([]);
  });

  test('a ManagedKey says IAM decides: anyone in the account reaches it, nobody in another account does', () => {
    const keys = keysOf(providerManagedApp(mkdtempSync(join(tmpdir(), 'matrix-example-'))));
    const managed = keys.find((k) => k.construct === 'ManagedKey')!;
    expect(managed.matrix.assumptions.join(' ')).toMatch(/delegates to IAM/);
    const anyone = managed.matrix.rows.find((r) => r.role === 'anyone else in the account')!;
    expect(anyone.access.use.access).toBe(Access.ALLOWED);
    const outsider = managed.matrix.rows.find((r) => r.role === 'anyone in another account')!;
    expect(managed.matrix.classes.every((c) => outsider.access[c].access === Access.DENIED)).toBe(true);
  });
});
