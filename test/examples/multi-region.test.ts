import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { multiRegionApp } from '../../examples/aws/multi-region';
import { Control, EvidenceLedger, EvidenceStatus } from '../../src';
import { controlTowerAcknowledgements } from '../support/control-tower';
import { keyPolicyOf } from '../support/fixtures';

describe('examples/aws/multi-region', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'multi-region-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const app = multiRegionApp(outdir);
  const assembly = app.synth();
  const primary = app.node.findChild('KeysEuWest') as Stack;
  const replica = app.node.findChild('KeysEuCentral') as Stack;

  test('synthesizes both stacks: the PCI multi-Region primary in eu-west-1, its gated replica in eu-central-1', () => {
    expect(assembly.getStackByName('KeysEuWest').environment.region).toBe('eu-west-1');
    expect(assembly.getStackByName('KeysEuCentral').environment.region).toBe('eu-central-1');
    Template.fromStack(primary).hasResourceProperties('AWS::KMS::Key', { MultiRegion: true });
    // Dual control: the gate creates the replica; this stack only checks it, and names it.
    Template.fromStack(replica).resourceCountIs('AWS::KMS::ReplicaKey', 0);
    Template.fromStack(replica).resourceCountIs('Custom::CloudKmsReplicaCheck', 1);
    Template.fromStack(replica).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/pci/cardholder-data' });
    const record = EvidenceLedger.of(app).keys.find((k) => k.constructName === 'ReplicaKey')!;
    expect(record.regions).toEqual(['eu-central-1']);
    expect(record.parent).toBe('KeysEuWest/CardholderDataKey');
    expect(record.profile.allowedRegions).toEqual(['eu-west-1', 'eu-central-1']);
    expect(record.profile.dualControlRequired).toBe(true);
    const replication = EvidenceLedger.of(app).evidenceFor(Control.PCI_3_7_6, record.path).find((e) => e.setting === 'replication (ReplicateKey)')!;
    expect(replication.status).toBe(EvidenceStatus.SATISFIED);
  });

  test('the primary lets only the gate\'s executor replicate, into eu-central-1 only; its stack outputs the replica\'s policy', () => {
    const policy = keyPolicyOf(primary, primary.node.findChild('CardholderDataKey') as any);
    expect(policy.Statement.some((s) => String(s.Sid).startsWith('AllowReplicaCreation'))).toBe(false);
    expect(policy.Statement.find((s) => s.Sid === 'DenyReplicationOutsideAllowedRegions').Condition)
      .toEqual({ StringNotEquals: { 'kms:ReplicaRegion': ['eu-central-1'] } });
    const outputs = Object.values(Template.fromStack(primary).toJSON().Outputs) as any[];
    expect(outputs.filter((o) => /^Expected key policy of the replica of KeysEuWest\/CardholderDataKey in eu-central-1/.test(o.Description))).toHaveLength(1);
  });

  test('CDK\'s cross-region reference handlers are acknowledged for AWS Control Tower CT.LAMBDA.PR.3, with the reason', () => {
    const writer = controlTowerAcknowledgements(primary);
    const reader = controlTowerAcknowledgements(replica);
    const key = (m: Map<string, string>, what: string) => [...m.keys()].find((k) => k.includes(what) && k.endsWith('|lambda_inside_vpc_check'));
    expect(writer.get(key(writer, 'CrossRegionExportWriter')!)).toMatch(/calls the SSM API only/);
    expect(reader.get(key(reader, 'CrossRegionExportReader')!)).toMatch(/calls the SSM API only/);
  });
});
