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

test('the organisation stack carries the PCI DSS guardrails, the sandbox folder Autokey without the rotation constraint', () => {
  const org = stackJson('gcp-organization').resource;
  expect(Object.keys(org.google_org_policy_custom_constraint)).toHaveLength(2);
  expect(Object.values<any>(org.google_org_policy_policy).map((p) => p.name))
    .toContain('organizations/123456789012/policies/gcp.restrictNonCmekServices');
  const sandbox = stackJson('gcp-organization-sandbox').resource;
  expect(sandbox.google_org_policy_custom_constraint).toBeUndefined();
  expect(Object.values<any>(sandbox.google_kms_autokey_config)).toEqual([{ '//': expect.anything(), 'folder': 'folders/345678901234', 'key_project': 'projects/acme-sandbox-keys' }]);
});

test('every guardrail is in the ledger under its stack', () => {
  const records = EvidenceLedger.of(app).guardrails;
  expect(new Set(records.map((r) => r.stack))).toEqual(new Set(STACKS));
  expect(records.filter((r) => r.stack === 'gcp-organization')).toHaveLength(9);
});
