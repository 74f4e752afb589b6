/*
 * The organisation example (examples/organization/gcp.ts) synthesizes, passes the Google Terraform checks of the example
 * job, and records its guardrails for the report.
 */
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { checkGcpTerraform } from '../../examples/gcp/check';
import { organizationGcpApp } from '../../examples/organization/gcp';
import { EvidenceLedger } from '../../src';

const outdir = mkdtempSync(join(tmpdir(), 'gcp-organization-'));
const app = organizationGcpApp(outdir);
app.synth();
const stackJson = (name: string): any => JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
const STACKS = ['gcp-organization', 'gcp-organization-sandbox'];

test.each(STACKS)('%s passes the Terraform checks of the example job', (name) => {
  expect(checkGcpTerraform(name, stackJson(name), '6.50.0').findings).toEqual([]);
});

test('the payments folder carries the PCI DSS guardrails (custom constraints defined at the organisation), the sandbox folder beside it Autokey without the rotation constraint', () => {
  const org = stackJson('gcp-organization').resource;
  expect(Object.keys(org.google_org_policy_custom_constraint)).toHaveLength(2);
  expect(Object.values<any>(org.google_org_policy_policy).map((p) => p.name))
    .toContain('folders/234567890123/policies/gcp.restrictNonCmekServices');
  expect(Object.values<any>(org.google_org_policy_custom_constraint).map((c) => c.parent)).toEqual(['organizations/123456789012', 'organizations/123456789012']);
  // Nothing of the PCI DSS guardrails is set where it would reach the sandbox folder.
  expect(Object.values<any>(org.google_org_policy_policy).map((p) => p.parent)).toEqual(Object.values<any>(org.google_org_policy_policy).map(() => 'folders/234567890123'));
  expect(Object.values<any>(org.google_iam_deny_policy).map((p) => p.parent)).toEqual(['cloudresourcemanager.googleapis.com%2Ffolders%2F234567890123']);
  const sandbox = stackJson('gcp-organization-sandbox').resource;
  expect(sandbox.google_org_policy_custom_constraint).toBeUndefined();
  expect(Object.values<any>(sandbox.google_kms_autokey_config)).toEqual([{ '//': expect.anything(), 'folder': 'folders/345678901234', 'key_project': 'projects/acme-sandbox-keys' }]);
});

test('every guardrail is in the ledger under its stack', () => {
  const records = EvidenceLedger.of(app).guardrails;
  expect(new Set(records.map((r) => r.stack))).toEqual(new Set(STACKS));
  expect(records.filter((r) => r.stack === 'gcp-organization')).toHaveLength(9);
});
