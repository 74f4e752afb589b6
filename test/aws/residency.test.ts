/*
 * Issue 19: the profile's allowedRegions, enforced at synthesis on every AWS construct that holds key material or
 * audit records, and recorded as SA-9(5) evidence.
 */
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../../src';
import * as aws from '../../src/aws';
import { ACCEPTED_WARNINGS, cfnLint } from '../support/cfn-lint';
import { ACCOUNT, byokFor, CA_PEM, cmkFor, hsmVpc, people, secret, sinkFor, xksStoreFor } from '../support/fixtures';

const EU = ComplianceProfile.custom({ name: 'EU', basedOn: ComplianceProfile.COMMERCIAL, allowedRegions: ['eu-west-1', 'eu-central-1'] });
const EU_PCI = ComplianceProfile.custom({ name: 'EU_PCI', basedOn: ComplianceProfile.PCI_DSS, allowedRegions: ['eu-west-1'] });
const EU_PCI_CENTRAL = ComplianceProfile.custom({ name: 'EU_PCI_CENTRAL', basedOn: ComplianceProfile.PCI_DSS, allowedRegions: ['eu-central-1'] });
const stackIn = (region: string | undefined, id = 'Test', app = new App()) =>
  new Stack(app, id, region ? { env: { account: ACCOUNT, region } } : undefined);

const tenants = (stack: Stack, profile: ComplianceProfile) => new aws.TenantKeyHierarchy(stack, 'Tenants', {
  profile, custodians: { administrators: [people().admin] }, tenants: [{ tenantId: 'acme' }],
});
const hsmStore = (stack: Stack, profile: ComplianceProfile, clusterStack = stack) => {
  const cluster = new aws.CloudHsmCluster(clusterStack, 'Hsm', { vpc: hsmVpc(clusterStack), acknowledgeHourlyCost: true });
  return new aws.HyokExternalStore(stack, 'HsmStore', {
    profile,
    backend: aws.KeyStoreBackend.cloudHsm({ cluster, trustAnchorCertificate: CA_PEM, kmsUserPassword: secret(stack, 'KmsUser') }),
    custodians: { administrators: [people().admin], users: [people().user] },
  });
};

// Every construct that holds key material or audit records, with the path its error names.
const MAKERS: Array<[string, (s: Stack, p: ComplianceProfile) => unknown, string]> = [
  ['ManagedKey', (s, p) => new aws.ManagedKey(s, 'Key', { profile: p }), 'key Test/Key'],
  ['CustomerManagedKey', (s, p) => cmkFor(s, p, 'Key'), 'key Test/Key'],
  ['ByokImport', (s, p) => byokFor(s, p, 'Key'), 'key Test/Key'],
  ['TenantKeyHierarchy', tenants, 'key Test/Tenants'],
  ['HyokExternalStore (XKS)', (s, p) => xksStoreFor(s, p), 'custom key store Test/Store'],
  ['HyokExternalStore (CloudHSM)', hsmStore, 'custom key store Test/HsmStore'],
  ['KeyAuditSink', (s, p) => sinkFor(s, p), 'audit sink Test/Audit'],
];

describe('a region outside the profile is refused at synthesis', () => {
  test.each(MAKERS)('%s in us-east-1 under a profile allowing eu-west-1 and eu-central-1', (_name, make, what) => {
    expect(() => make(stackIn('us-east-1'), EU)).toThrow(
      `env.region of stack Test (where ${what} is) must be one of profile EU's allowedRegions [eu-west-1, eu-central-1], got 'us-east-1'`);
  });

  test.each(MAKERS)('%s in an environment-agnostic stack under a restricting profile: set env.region', (_name, make, what) => {
    expect(() => make(stackIn(undefined), EU)).toThrow(
      `env.region of stack Test (where ${what} is) is only known at deployment, and profile EU allows only [eu-west-1, eu-central-1]: ` +
      'give stack Test an explicit env: { region } (an environment-agnostic stack deploys to any region)');
  });

  test.each(MAKERS)('%s in an allowed region synthesizes; the same in any region under a profile without allowedRegions', (_name, make) => {
    expect(() => make(stackIn('eu-central-1'), EU)).not.toThrow();
    expect(() => make(stackIn('us-east-1'), ComplianceProfile.COMMERCIAL)).not.toThrow();
    expect(() => make(stackIn(undefined), ComplianceProfile.COMMERCIAL)).not.toThrow();
  });

  test('a key in a stack of another region than its XKS store is refused under the store\'s profile', () => {
    const app = new App();
    const store = xksStoreFor(stackIn('eu-west-1', 'Eu', app), EU);
    expect(() => new aws.ExternalStoreKey(stackIn('us-west-2', 'Us', app), 'Key', { store, xksKeyId: 'k1' }))
      .toThrow("env.region of stack Us (where key Us/Key is) must be one of profile EU's allowedRegions [eu-west-1, eu-central-1], got 'us-west-2'");
  });

  test('a CloudHSM cluster in a region outside the key store\'s profile is refused', () => {
    const app = new App();
    expect(() => hsmStore(stackIn('eu-west-1', 'Eu', app), EU, stackIn('us-east-1', 'Hsm', app)))
      .toThrow("env.region of stack Hsm (where CloudHSM cluster Hsm/Hsm is) must be one of profile EU's allowedRegions [eu-west-1, eu-central-1], got 'us-east-1'");
  });
});

describe('replicaRegions of a multi-Region primary', () => {
  const primary = (replicaRegions: string[] | ((s: Stack) => string[]), profile = EU) => {
    const stack = stackIn('eu-west-1');
    return cmkFor(stack, profile, 'Key', { multiRegion: true, replicaRegions: Array.isArray(replicaRegions) ? replicaRegions : replicaRegions(stack) });
  };

  test('a replica region outside the profile is refused, naming it', () => {
    expect(() => primary(['eu-central-1', 'us-east-1']))
      .toThrow("replicaRegions must be one of profile EU's allowedRegions [eu-west-1, eu-central-1], got 'us-east-1'");
  });

  test('replica regions from a deploy-time parameter are refused under a restricting profile, accepted otherwise', () => {
    const param = (s: Stack) => new CfnParameter(s, 'Regions', { type: 'CommaDelimitedList' }).valueAsList;
    expect(() => primary(param)).toThrow(/^replicaRegions is only known at deployment, and profile EU allows only \[eu-west-1, eu-central-1\]: name the replica regions literally$/);
    expect(() => primary(param, ComplianceProfile.COMMERCIAL)).not.toThrow();
  });

  test('replica regions inside the profile are accepted', () => {
    expect(() => primary(['eu-central-1'])).not.toThrow();
  });
});

describe('residency evidence', () => {
  const sa95 = (ledger: EvidenceLedger, subject: string) => ledger.evidenceFor(Control.NIST_SA_9_5, subject);

  test('a key, its audit sink and the sink\'s key record their region, SATISFIED against SA-9(5) with the allowed list', () => {
    const stack = stackIn('eu-west-1');
    const key = cmkFor(stack, EU_PCI, 'Key');
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindKey(key.node.path)?.regions).toEqual(['eu-west-1']);
    expect(ledger.tryFindAuditSink('Test/Audit')?.regions).toEqual(['eu-west-1']);
    expect(sa95(ledger, key.node.path)).toEqual([expect.objectContaining({
      status: EvidenceStatus.SATISFIED,
      resource: 'Test/Key/Resource',
      setting: 'env.region',
      value: 'eu-west-1',
      description: 'key material in eu-west-1; profile EU_PCI allows only eu-west-1',
    })]);
    expect(sa95(ledger, 'Test/Audit')).toEqual([expect.objectContaining({
      status: EvidenceStatus.SATISFIED,
      resource: 'Test/Audit/Bucket/Resource',
      description: 'audit records (the trail bucket, the log group and their key) in eu-west-1; profile EU_PCI allows only eu-west-1',
    })]);
    expect(sa95(ledger, 'Test/Audit/Key')[0].status).toBe(EvidenceStatus.SATISFIED);
  });

  test('an XKS store and its key are only PARTIALLY_SATISFIED: the external key manager\'s location is not shown', () => {
    const stack = stackIn('eu-west-1');
    const store = xksStoreFor(stack, EU);
    const key = store.addKey('K', { xksKeyId: 'k1' });
    const ledger = EvidenceLedger.of(stack);
    for (const subject of [store.node.path, key.node.path]) {
      expect(sa95(ledger, subject)).toEqual([expect.objectContaining({
        status: EvidenceStatus.PARTIALLY_SATISFIED, value: 'eu-west-1', description: expect.stringMatching(/external key manager, whose location no configuration shows$/),
      })]);
    }
    expect(ledger.containers.find((c) => c.path === store.node.path)?.regions).toEqual(['eu-west-1']);
  });

  test('a CloudHSM store is SATISFIED (the cluster is in the stack\'s region), and the cluster records its region', () => {
    const stack = stackIn('eu-central-1');
    const store = hsmStore(stack, EU);
    store.addKey('K');
    const ledger = EvidenceLedger.of(stack);
    expect(sa95(ledger, store.node.path)[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, value: 'eu-central-1' });
    expect(ledger.containers.find((c) => c.kind === 'CloudHSM cluster')?.regions).toEqual(['eu-central-1']);
    expect(sa95(ledger, 'Test/HsmStore/K')[0].status).toBe(EvidenceStatus.SATISFIED);
  });

  test('every tenant key records its region and residency', () => {
    const stack = stackIn('eu-west-1');
    tenants(stack, EU);
    const ledger = EvidenceLedger.of(stack);
    const keys = ledger.keys.filter((k) => k.path.startsWith('Test/Tenants/'));
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(k.regions).toEqual(['eu-west-1']);
      expect(sa95(ledger, k.path)[0].status).toBe(EvidenceStatus.SATISFIED);
    }
  });

  test('under a profile without allowedRegions the region is recorded and no SA-9(5) entry is made', () => {
    const stack = stackIn('us-east-1');
    const key = cmkFor(stack, ComplianceProfile.PCI_DSS, 'Key');
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindKey(key.node.path)?.regions).toEqual(['us-east-1']);
    expect(ledger.evidenceFor(Control.NIST_SA_9_5)).toEqual([]);
  });
});

describe('a stack with a fixed env.region', () => {
  // `aws cloudformation deploy --region us-east-1` takes the template synthesized for eu-west-1 as it is.
  test.each(MAKERS)('%s: the template refuses to deploy in any region but the one checked', (_name, make) => {
    const stack = stackIn('eu-west-1');
    make(stack, EU);
    expect(Template.fromStack(stack).toJSON().Rules?.AllowedRegions).toEqual({
      Assertions: [{
        Assert: { 'Fn::Contains': [['eu-west-1'], { Ref: 'AWS::Region' }] },
        AssertDescription: 'stack Test was checked for residency in eu-west-1 only',
      }],
    });
  });

  test('one rule however many constructs; none under a profile without allowedRegions; cfn-lint accepts it', () => {
    const stack = stackIn('eu-central-1');
    cmkFor(stack, EU, 'A');
    cmkFor(stack, EU_PCI_CENTRAL, 'B');
    const template = Template.fromStack(stack).toJSON();
    expect(Object.keys(template.Rules).filter((r) => r.startsWith('AllowedRegions'))).toEqual(['AllowedRegions']);
    const matches = cfnLint({ fixed: template });
    expect(matches.filter((m) => !ACCEPTED_WARNINGS.includes(m.Rule.Id)).map((m) => `${m.Level} ${m.Rule.Id} ${m.Message}`)).toEqual([]);
    const open = stackIn('us-east-1');
    cmkFor(open, ComplianceProfile.COMMERCIAL, 'Key');
    expect(Template.fromStack(open).toJSON().Rules?.AllowedRegions).toBeUndefined();
  });
});

describe('a StackSet baseline, environment-agnostic by design', () => {
  const baseline = (profile: ComplianceProfile) => ({ profile, executionRoleName: 'AWSCloudFormationStackSetExecutionRole', administratorRoleNames: ['KeyAdmin'] });

  test('under a restricting profile its template carries a rule that refuses other regions, and its sink records that', () => {
    const stack = new aws.KeyBaselineStack(new App(), 'Baseline', baseline(EU));
    const rules = Template.fromStack(stack).toJSON().Rules;
    expect(rules.AllowedRegions).toEqual({
      Assertions: [{
        Assert: { 'Fn::Contains': [['eu-west-1', 'eu-central-1'], { Ref: 'AWS::Region' }] },
        AssertDescription: 'profile EU allows this stack only in eu-west-1, eu-central-1',
      }],
    });
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindAuditSink('Baseline/AuditSink')?.regions).toEqual(['eu-west-1', 'eu-central-1']);
    expect(ledger.evidenceFor(Control.NIST_SA_9_5, 'Baseline/AuditSink')[0]).toMatchObject({
      status: EvidenceStatus.SATISFIED, setting: 'AWS::Region (template rule AllowedRegions)', value: 'eu-west-1, eu-central-1',
    });
  });

  test('under a profile without allowedRegions there is no rule', () => {
    const stack = new aws.KeyBaselineStack(new App(), 'Baseline', baseline(ComplianceProfile.COMMERCIAL));
    expect(Template.fromStack(stack).toJSON().Rules?.AllowedRegions).toBeUndefined();
  });

  test('a BaselineStackSet targeting a region outside the profile is refused', () => {
    const stack = stackIn('eu-west-1');
    expect(() => new aws.BaselineStackSet(stack, 'Set', { baseline: baseline(EU), organizationalUnitIds: ['ou-abcd-12345678'], regions: ['eu-west-1', 'us-east-1'] }))
      .toThrow("regions must be one of profile EU's allowedRegions [eu-west-1, eu-central-1], got 'us-east-1'");
    expect(() => new aws.BaselineStackSet(stackIn('eu-west-1'), 'Set', { baseline: baseline(EU), organizationalUnitIds: ['ou-abcd-12345678'], regions: ['eu-west-1'] }))
      .not.toThrow();
  });
});
