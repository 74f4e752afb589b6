import { App, Stack } from 'aws-cdk-lib';
import { ComplianceProfile, EvidenceLedger } from '../../src';
import * as aws from '../../src/aws';
import { buildReport, inDays, principalName, renderMarkdown, resolveIdentity, summaryLine } from '../../src/compliance/report';
import { ACCOUNT, cmkFor, REGION, sinkFor } from '../support/fixtures';

describe('one unit per quantity: every period in days', () => {
  test.each([
    ['RotationPeriodInDays', '365', '365 days'],
    ['rotation_policy.automatic.time_after_creation, expire_after', 'P365D, P395D', '365 days, 395 days'],
    ['rotation_period', '7776000s', '90 days'],
    ['destroy_scheduled_duration, prevent_destroy', '2592000s, true', '30 days, true'],
    ['PendingWindowInDays, DeletionPolicy', '30, Retain', '30 days, Retain'],
    ['retention_policy.retention_period', '31536000', '365 days'],
    ['immutability_period_in_days, locked', '913, true', '913 days, true'],
    ['HsmCount, BackupRetentionDays, DeletionPolicy', '2, 90, retain', '2, 90 days, retain'],
    // Not periods: left as they are.
    ['key_type', 'RSA-HSM', 'RSA-HSM'],
    ['HsmCount', '2', '2'],
  ])('%s = %s reads %s', (setting, value, expected) => {
    expect(inDays(setting, value)).toBe(expected);
  });
});

describe('principals by name, not by CloudFormation expression', () => {
  test('a key policy principal held as Fn::Sub resolves to its ARN, and an ARN reads as its role name', () => {
    const raw = '{"AWS":[{"Fn::Sub":"arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1"}]}';
    expect(resolveIdentity(raw)).toBe('arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1');
    expect(resolveIdentity('{"AWS":[{"Fn::GetAtt":["ProviderHandlerRole4120131C","Arn"]}]}')).toBe('the role ProviderHandlerRole4120131C');
    expect(principalName('arn:aws:iam::123456789012:role/service-role/PciKeyAdmins')).toBe('role/PciKeyAdmins');
    expect(principalName('arn:aws:iam::123456789012:root')).toBe('account 123456789012 (root)');
    expect(principalName('serviceAccount:orders@p.iam.gserviceaccount.com')).toBe('serviceAccount:orders@p.iam.gserviceaccount.com');
  });
});

describe('acknowledgements once per stack, evidence as sentences', () => {
  const app = new App();
  const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: REGION } });
  const profile = ComplianceProfile.PCI_DSS;
  const sink = sinkFor(stack, profile);
  cmkFor(stack, profile, 'CardKey', { auditSink: sink });
  cmkFor(stack, profile, 'TokenKey', { auditSink: sink });
  new aws.ManagedKey(stack, 'SessionKey', { profile: ComplianceProfile.COMMERCIAL, auditSink: sink });
  const ledger = EvidenceLedger.of(stack);
  // Two rule packs accept the same finding on a resource of the sink for the same reason; another finding has its own reason.
  const bucket = 'Payments/Audit/Archive';
  ledger.acknowledge({ subject: sink.node.path, resource: bucket, rule: 'AwsSolutions-S1', reason: 'object lock forbids access logs' });
  ledger.acknowledge({ subject: sink.node.path, resource: bucket, rule: 'PCI.DSS.321-S3BucketLoggingEnabled', reason: 'object lock forbids access logs' });
  ledger.acknowledge({ subject: sink.node.path, resource: bucket, rule: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: 'replication is the account\'s decision' });
  const report = buildReport(ledger);
  const md = renderMarkdown(report);

  test('the JSON lists each resource and reason once per stack, with every rule it covers, and nothing under the keys', () => {
    const s = report.stacks.find((x) => x.name === 'Payments')!;
    expect(s.keys.length).toBeGreaterThanOrEqual(3);
    const ours = s.acknowledgements.filter((a) => a.resource === bucket);
    expect(ours).toEqual([
      { resource: bucket, rules: ['AwsSolutions-S1', 'PCI.DSS.321-S3BucketLoggingEnabled'], reason: 'object lock forbids access logs' },
      { resource: bucket, rules: ['NIST.800.53.R5-S3BucketReplicationEnabled'], reason: 'replication is the account\'s decision' },
    ]);
    for (const k of s.keys) expect((k as any).acknowledgements).toBeUndefined();
  });

  test('the Markdown prints each acknowledgement reason once for the stack', () => {
    expect(md.split('object lock forbids access logs').length - 1).toBe(1);
    expect(md).toContain(`- ${bucket}: AwsSolutions-S1, PCI.DSS.321-S3BucketLoggingEnabled. Reason: object lock forbids access logs`);
  });

  test('controls cite numbered evidence, each given once per key as a sentence with where it is set', () => {
    const section = md.split('### Payments/CardKey')[1].split('\n### ')[0];
    expect(section).toMatch(/\| PCI DSS v4.0 3.7.4 Key changes at the end of the cryptoperiod \| satisfied \| E\d+ \|/);
    const rotationRef = /\| PCI DSS v4.0 3.7.4 [^|]*\| satisfied \| (E\d+) \|/.exec(section)![1];
    expect(section).toContain(`- ${rotationRef}: Automatic key rotation every 365 days (Resource: RotationPeriodInDays = 365 days).`);
    // No tuple of raw values: each evidence line is a sentence, and no line repeats.
    const lines = section.split('\n').filter((l) => /^- E\d+: /.test(l)).map((l) => l.replace(/^- E\d+: /, ''));
    expect(new Set(lines).size).toBe(lines.length);
  });

  test('evidence about the audit sink the keys share is printed once for the stack, and the keys cite it', () => {
    const lines = md.split('\n').filter((l) => l.includes('Records are write-once: nobody can delete or overwrite them before retention ends'));
    expect(lines.length).toBe(1);
    const ref = /^- (S\d+): /.exec(lines[0])![1];
    const section = md.split('### Payments/CardKey')[1].split('\n### ')[0];
    expect(section).toMatch(new RegExp(`\\| PCI DSS v4.0 10.3.2 [^|]*\\| satisfied \\| ${ref} \\|`));
  });

  test('the access matrices\' assumptions are printed once for the report, not per key', () => {
    const matrices = md.match(/#### Access matrix/g)!.length;
    const assumed = md.match(/Assumed: /g)!.length;
    // One set for the keys with a key policy of their own, one for the IAM-delegated ManagedKey.
    expect(assumed).toBe(2);
    expect(matrices).toBeGreaterThan(assumed);
    const referring = md.match(/^Evaluated as in A\d\.$/gm)!.length;
    const repeats = (md.match(/^The same as for /gm) ?? []).length;
    expect(referring + repeats).toBe(matrices);
  });
});

describe('diagrams and the summary say only what they mean', () => {
  test('a line break in a construct id cannot add Mermaid statements to a diagram', () => {
    const app = new App();
    const stack = new Stack(app, 'Orders', { env: { account: ACCOUNT, region: REGION } });
    cmkFor(stack, ComplianceProfile.COMMERCIAL, 'Evil\nclick n0 call alert(2)\nstyle n0 fill:#f00');
    const diagram = buildReport(EvidenceLedger.of(app)).stacks[0].diagram;
    const lines = diagram.split('\n').map((l) => l.trim());
    expect(lines.some((l) => /^(click|style) /.test(l))).toBe(false);
    expect(diagram).toContain('Evil click n0 call alert(2) style n0 fill:#35;f00');
  });

  test('the summary line adds up: the statuses sum to the required controls; acknowledged and unmet split the rest', () => {
    const line = summaryLine({
      keys: 38, requiredControls: 277, satisfied: 269, partiallySatisfied: 8, notApplicable: 0, acknowledged: 8, unmet: [],
    } as any);
    expect(line).toBe('38 keys; 277 required controls: 269 satisfied, 8 partially satisfied, 0 not satisfied, 0 not applicable. ' +
      'Of the 8 not fully satisfied, 8 acknowledged with a reason and 0 unmet.');
  });
});
