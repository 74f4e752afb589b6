import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { byokApp } from '../../examples/aws/byok';
import { customerManagedApp } from '../../examples/aws/customer-managed';
import { hyokApp } from '../../examples/aws/hyok';
import { providerManagedApp } from '../../examples/aws/provider-managed';
import { saasAwsApp } from '../../examples/saas/aws';
import { ComplianceProfile, EvidenceLedger } from '../../src';
import { CFN_GUARD_NAMESPACE, CONTROL_TOWER_RULES, controlTower, controlTowerAcknowledgements, ControlTowerFailure } from '../support/control-tower';
import { byokFor, newStack, templatesOf } from '../support/fixtures';
import { scenarios } from '../support/scenarios';

/**
 * What may be acknowledged, and on what: each is a Control Tower control a resource cannot meet by design, with the
 * reason on the resource (and in the evidence ledger). Anything else must be fixed, not acknowledged.
 */
const ACKNOWLEDGEABLE: Record<string, (resource: any, reason: string) => boolean> = {
  // CT.LAMBDA.PR.3: handlers call AWS APIs only; the envelope function takes a VPC as an option.
  lambda_inside_vpc_check: (r) => r.Type === 'AWS::Lambda::Function',
  // CT.KMS.PR.1: imported key material cannot rotate automatically (on-demand rotation after re-import instead).
  kms_key_rotation_enabled_check: (r) => r.Type === 'AWS::KMS::Key' && r.Properties?.Origin === 'EXTERNAL',
  // CT.S3.PR.2: no server access logs where CloudTrail data events record object access (the trail bucket cannot take
  // them at all: Object Lock).
  s3_bucket_logging_enabled_check: (r, reason) => r.Type === 'AWS::S3::Bucket' && /data events/.test(reason),
  // CT.CLOUDWATCH.PR.1: key-store alarms without an audit sink (the profile requires none) have nowhere to go.
  cloudwatch_alarm_action_check: (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties?.AlarmActions === undefined,
  // CT.S3.PR.9: only where the data must stay deletable (the example's cardholder data); audit buckets are locked.
  s3_bucket_object_lock_enabled_check: (r, reason) => r.Type === 'AWS::S3::Bucket' && /deletable/.test(reason),
  // CT.KMS.PR.3: ManagedKey keeps the KMS default key policy (provider-managed model: IAM decides).
  kms_create_grant_aws_service_check: (r) => r.Type === 'AWS::KMS::Key' && (r.Properties?.KeyPolicy?.Statement ?? [])
    .some((st: any) => st.Effect === 'Allow' && st.Action === 'kms:*' && JSON.stringify(st.Principal).includes(':root')),
};

interface Checked {
  failures: Array<ControlTowerFailure & { reason?: string; definition: any }>;
  ledgerRules: Set<string>;
}

/** Runs Control Tower's rules over every template of `stacks` (nested shards included) in one cfn-guard run. */
function check(stacks: Array<[string, Stack]>, ledgers: EvidenceLedger[]): Checked {
  const templates: Record<string, any> = {};
  const acks = new Map<string, string>();
  for (const [name, stack] of stacks) {
    for (const [path, template] of Object.entries(templatesOf(stack))) templates[`${name}/${path}`] = template;
    for (const [key, reason] of controlTowerAcknowledgements(stack)) acks.set(`${name}/${key}`, reason);
  }
  const failures = controlTower(templates).map((f) => ({
    ...f,
    reason: acks.get(`${f.template}|${f.resource}|${f.rule}`),
    definition: templates[f.template]?.Resources?.[f.resource],
  }));
  const ledgerRules = new Set(ledgers.flatMap((l) => l.acknowledgements().map((a) => a.rule)));
  return { failures, ledgerRules };
}

function assertClean({ failures, ledgerRules }: Checked): void {
  const open = failures.filter((f) => f.reason === undefined).map((f) => `${f.control} ${f.template} ${f.resource}`);
  expect(open).toEqual([]);
  const misplaced = failures.filter((f) => !(ACKNOWLEDGEABLE[f.rule]?.(f.definition, f.reason!) ?? false))
    .map((f) => `${f.control} acknowledged on ${f.template} ${f.resource}: fix it instead`);
  expect(misplaced).toEqual([]);
  for (const f of failures) {
    expect(f.reason!.length).toBeGreaterThan(40);
    // The acknowledgement is in the evidence ledger, so the compliance report lists it.
    expect(ledgerRules.has(`${CFN_GUARD_NAMESPACE}::${f.rule}`)).toBe(true);
  }
}

test('the harness detects a failing control (a log group without a KMS key, a key policy without the grant deny)', () => {
  const failures = controlTower({
    bad: {
      Resources: {
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 365 } },
        Key: {
          Type: 'AWS::KMS::Key',
          Properties: {
            EnableKeyRotation: true,
            KeyPolicy: { Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:CreateGrant', Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'false' } } }] },
          },
        },
      },
    },
  });
  expect(failures.map((f) => `${f.control} ${f.resource}`).sort()).toEqual(['CT.CLOUDWATCH.PR.3 Logs', 'CT.KMS.PR.3 Key']);
});

describe('test scenarios', () => {
  // Built once and checked in one cfn-guard run; the focused tests below read the same findings.
  let checked: Checked;
  let built: Array<[string, Stack]>;
  beforeAll(() => {
    built = scenarios().map((s) => [s.name, s.build()] as [string, Stack]);
    checked = check(built, built.map(([, stack]) => EvidenceLedger.of(stack)));
  });
  const named = (rule: string, scenario: RegExp) => checked.failures.filter((f) => f.rule === rule && scenario.test(f.template))
    .map((f) => `${f.template} ${f.resource}`);

  test('every test scenario passes the Control Tower controls for KMS, CloudTrail, S3, CloudWatch, Lambda and IAM', () => {
    expect(checked.failures.length).toBeGreaterThan(0); // acknowledged ones (e.g. CT.LAMBDA.PR.3): the run saw resources
    assertClean(checked);
  });

  test('CT.KMS.PR.3: custodian key policies deny grants neither for an AWS resource nor made by an AWS service', () => {
    expect(named('kms_create_grant_aws_service_check', /^(CustomerManagedKey|ByokImport|KeyAuditSink|HyokExternalStore|TenantKeyHierarchy|Envelope)/)).toEqual([]);
  });

  test('CT.CLOUDWATCH.PR.3: custom-resource, health-check and dual-control gate log groups are encrypted with a KMS key', () => {
    expect(named('cloudwatch_log_group_encrypted_check', /./)).toEqual([]);
  });

  test('the dual-control gate: its logs share the providers\' log key, its genesis policies carry the grant deny', () => {
    // The stack the run above checked (synthesized once; its templates are read again here).
    const stack = built.find(([name]) => name === `HyokExternalStore/${ComplianceProfile.PCI_DSS.name}`)![1];
    const resources: Record<string, any> = templatesOf(stack)[stack.node.path].Resources;
    const of = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
    // One operational log key per stack, for the gate's log group as for the providers'.
    const logKeys = of('AWS::KMS::Key').filter(([id]) => id.startsWith('CloudKmsConstructsLogKey')).map(([id]) => id);
    expect(logKeys).toHaveLength(1);
    const logGroups = of('AWS::Logs::LogGroup').filter(([id]) => /^CloudKms(DualControlGate|Constructs\w+Provider)/.test(id));
    expect(logGroups.map(([id]) => id)).toEqual(expect.arrayContaining([expect.stringMatching(/^CloudKmsDualControlGateLogs/)]));
    expect(logGroups.length).toBeGreaterThan(1);
    for (const [, group] of logGroups) expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logKeys[0], 'Arn'] });
    // Every key CloudFormation creates with the genesis policy denies grants not for AWS resources.
    const genesis = of('AWS::KMS::Key').filter(([, r]) => r.Properties.KeyPolicy.Statement.some((st: any) => st.Sid === 'CloudKmsDualControlGenesis'));
    expect(genesis.length).toBeGreaterThan(0);
    for (const [, key] of genesis) {
      expect(key.Properties.KeyPolicy.Statement).toContainEqual({
        Sid: 'DenyGrantsNotForAwsResources',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      });
    }
  });

  test('CT.S3.PR.10: no audit sink bucket is left with SSE-S3 encryption', () => {
    expect(named('s3_bucket_default_encryption_kms_check', /./)).toEqual([]);
  });

  test('CT.KMS.PR.1: only imported key material is excepted from automatic rotation, and the exception is recorded', () => {
    const rotation = checked.failures.filter((f) => f.rule === 'kms_key_rotation_enabled_check');
    expect(rotation.length).toBeGreaterThan(0);
    for (const f of rotation) {
      expect(f.definition.Properties.Origin).toBe('EXTERNAL');
      expect(f.reason).toMatch(/RotateKeyOnDemand/);
    }
    expect(checked.ledgerRules.has('cdk-validator-cfnguard::kms_key_rotation_enabled_check')).toBe(true);
  });
});

test('every example app passes the Control Tower controls, acknowledgements listed in its evidence ledger', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'ct-examples-'));
  try {
    const apps: Array<[string, App]> = [
      ['provider-managed', providerManagedApp(join(outdir, 'pm'))],
      ['customer-managed', customerManagedApp(join(outdir, 'cm'))],
      ['byok', byokApp(join(outdir, 'byok'))],
      ['hyok', hyokApp(join(outdir, 'hyok'))],
      ['saas', saasAwsApp(join(outdir, 'saas'))],
    ];
    const stacks = apps.flatMap(([name, app]) => app.node.findAll()
      .filter((c): c is Stack => Stack.isStack(c) && !c.nestedStackParent)
      .map((stack) => [`${name}-${stack.stackName}`, stack] as [string, Stack]));
    assertClean(check(stacks, apps.map(([, app]) => EvidenceLedger.of(app))));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

test('an app that adds the CfnGuardValidator plugin sees the same acknowledgement, with its reason', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'ct-plugin-'));
  try {
    const app = new App({ outdir });
    byokFor(newStack('Byok', app), ComplianceProfile.PCI_DSS, 'ImportedKey', {});
    Validations.of(app).addPlugins(new CfnGuardValidator({
      controlTowerRulesEnabled: false,
      rules: [join(CONTROL_TOWER_RULES, 'keymanagementservice')],
    }));
    app.synth(); // throws on an unsuppressed violation
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    const guard = report.pluginReports.find((r: any) => r.pluginName === 'cdk-validator-cfnguard');
    expect(guard.violations).toEqual([]);
    expect(guard.suppressedViolations).toEqual([expect.objectContaining({
      ruleName: 'kms_key_rotation_enabled_check',
      acknowledgedId: `${CFN_GUARD_NAMESPACE}::kms_key_rotation_enabled_check`,
      reason: expect.stringMatching(/RotateKeyOnDemand/),
    })]);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
