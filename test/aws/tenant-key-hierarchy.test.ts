import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { App, Duration, NestedStack, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { ComplianceProfile, EvidenceLedger, TenantIsolation } from '../../src';
import * as aws from '../../src/aws';
import { arn, DEPLOYER, newStack, people, sinkFor } from '../support/fixtures';
import { decide } from '../support/key-policy-eval';

const SERVICE = arn('TenantService');

function hierarchy(stack: Stack, extra: Partial<aws.TenantKeyHierarchyProps> = {}): aws.TenantKeyHierarchy {
  const p = people();
  return new aws.TenantKeyHierarchy(stack, 'Tenants', {
    custodians: { administrators: [p.admin], users: [new iam.ArnPrincipal(SERVICE)], auditors: [p.auditor] },
    ...extra,
  });
}

/** The key policy and properties of a tenant's key, from its shard's template. */
function keyOf(h: aws.TenantKeyHierarchy, tenantId: string): { policy: { Statement: any[] }; props: any; stack: Stack } {
  const key = h.keyFor(tenantId) as kms.Key;
  const stack = Stack.of(key);
  const template = Template.fromStack(stack).toJSON();
  const id = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
  // Under dual control the key's policy is the one the dual-control gate installs (issue 13, finding 2).
  const gated = Object.values(template.Resources).find((r: any) => r.Type === 'Custom::CloudKmsGatedKeyPolicy' && r.Properties.KeyId?.Ref === id) as any;
  return { policy: gated ? gated.Properties.Policy : template.Resources[id].Properties.KeyPolicy, props: template.Resources[id].Properties, stack };
}

function shardTemplate(h: aws.TenantKeyHierarchy, tenantId: string): any {
  const shard = h.shards.find((s) => s.node.path === h.shardMap[tenantId])!;
  return Template.fromStack(shard).toJSON();
}

/** Annotations on one construct (nested stacks are not assembly artifacts, so Annotations.fromStack cannot see them). */
const messages = (c: IConstruct, type: string) => c.node.metadata.filter((m) => m.type === type).map((m) => String(m.data));

const USE = ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'];

describe('DEDICATED', () => {
  test('a tenant-serving principal may use a tenant key only with its own tenant tag and context', () => {
    const h = hierarchy(newStack(), { tenants: [{ tenantId: 'acme' }, { tenantId: 'globex' }] });
    const { policy, stack } = keyOf(h, 'acme');
    const service = stack.resolve(SERVICE);
    for (const action of USE) {
      expect(decide(policy, service, action, { 'aws:PrincipalTag/tenantId': 'acme', 'kms:EncryptionContext:tenantId': 'acme' })).toBe('ALLOW');
      expect(decide(policy, service, action, { 'aws:PrincipalTag/tenantId': 'globex', 'kms:EncryptionContext:tenantId': 'acme' })).toBe('IMPLICIT_DENY');
      expect(decide(policy, service, action, { 'aws:PrincipalTag/tenantId': 'acme', 'kms:EncryptionContext:tenantId': 'globex' })).toBe('IMPLICIT_DENY');
      expect(decide(policy, service, action, { 'kms:EncryptionContext:tenantId': 'acme' })).toBe('IMPLICIT_DENY');
    }
    expect(decide(policy, service, 'kms:ScheduleKeyDeletion', { 'aws:PrincipalTag/tenantId': 'acme' })).toBe('EXPLICIT_DENY');
    // Separation of duties holds on every tenant key: administrators and the deployer cannot use it.
    expect(decide(policy, people().admin.arn, 'kms:Decrypt', { 'kms:EncryptionContext:tenantId': 'acme' })).toBe('EXPLICIT_DENY');
    expect(decide(policy, DEPLOYER, 'kms:Decrypt', { 'kms:EncryptionContext:tenantId': 'acme' })).toBe('EXPLICIT_DENY');
    expect(decide(policy, people().admin.arn, 'kms:DisableKey')).toBe('ALLOW');
    expect(decide(policy, people().auditor.arn, 'kms:GetKeyPolicy')).toBe('ALLOW');
  });

  test('each key carries the tenant tag, the profile\'s rotation and deletion window, and an alias alias/<prefix>/<tenantId>', () => {
    const stack = newStack();
    const h = hierarchy(stack, { tenants: [{ tenantId: 'acme' }], aliasPrefix: 'saas/tenants', profile: ComplianceProfile.HIPAA, auditSink: sinkFor(stack, ComplianceProfile.HIPAA) });
    const { props } = keyOf(h, 'acme');
    expect(props.Tags).toEqual([{ Key: 'tenantId', Value: 'acme' }]);
    expect(props.EnableKeyRotation).toBe(true);
    expect(props.RotationPeriodInDays).toBe(ComplianceProfile.HIPAA.maxRotationDays);
    expect(props.PendingWindowInDays).toBe(30);
    const aliases = Object.values(shardTemplate(h, 'acme').Resources).filter((r: any) => r.Type === 'AWS::KMS::Alias') as any[];
    expect(aliases.map((a) => a.Properties.AliasName)).toEqual(['alias/saas/tenants/acme']);
    expect(h.aliasFor('acme')).toBe('alias/saas/tenants/acme');
  });

  test('the tag key and the context key are configurable', () => {
    const h = hierarchy(newStack(), { tenants: [{ tenantId: 'acme' }], tenantTagKey: 'customer', contextKey: 'customer-id' });
    const { policy, props, stack } = keyOf(h, 'acme');
    expect(props.Tags).toEqual([{ Key: 'customer', Value: 'acme' }]);
    expect(decide(policy, stack.resolve(SERVICE), 'kms:Decrypt', { 'aws:PrincipalTag/customer': 'acme', 'kms:EncryptionContext:customer-id': 'acme' })).toBe('ALLOW');
    expect(decide(policy, stack.resolve(SERVICE), 'kms:Decrypt', { 'aws:PrincipalTag/tenantId': 'acme', 'kms:EncryptionContext:tenantId': 'acme' })).toBe('IMPLICIT_DENY');
  });

  test('a tenant\'s own users may use its key with its context only', () => {
    const acmeApp = new iam.ArnPrincipal(arn('AcmeApp'));
    const h = hierarchy(newStack(), { tenants: [{ tenantId: 'acme', users: [acmeApp] }, { tenantId: 'globex' }] });
    expect(decide(keyOf(h, 'acme').policy, acmeApp.arn, 'kms:Decrypt', { 'kms:EncryptionContext:tenantId': 'acme' })).toBe('ALLOW');
    expect(decide(keyOf(h, 'acme').policy, acmeApp.arn, 'kms:Decrypt', { 'kms:EncryptionContext:tenantId': 'globex' })).toBe('IMPLICIT_DENY');
    expect(decide(keyOf(h, 'globex').policy, acmeApp.arn, 'kms:Decrypt', { 'kms:EncryptionContext:tenantId': 'acme' })).toBe('IMPLICIT_DENY');
  });

  test('separation of duties covers tenant-specific principals', () => {
    const p = people();
    expect(() => hierarchy(newStack(), { tenants: [{ tenantId: 'acme', users: [p.admin] }] })).toThrow(/separation of duties|both/i);
    expect(() => hierarchy(newStack(), { custodians: { administrators: [p.admin], users: [p.admin] } })).toThrow(/separation of duties|both/i);
  });
});

describe('POOLED and TIERED', () => {
  test('pooled use requires the context tenant to equal the caller\'s tenant tag, enforced by the key policy', () => {
    const stack = newStack();
    const h = hierarchy(stack, { isolation: TenantIsolation.POOLED, tenants: [{ tenantId: 'acme' }, { tenantId: 'globex' }] });
    const pool = h.poolKey('default') as kms.Key;
    expect(h.keyFor('acme')).toBe(pool);
    const policy = stack.resolve((pool.node.defaultChild as kms.CfnKey).keyPolicy);
    const service = stack.resolve(SERVICE);
    expect(decide(policy, service, 'kms:Decrypt', { 'aws:PrincipalTag/tenantId': 'acme', 'kms:EncryptionContext:tenantId': 'acme' })).toBe('ALLOW');
    expect(decide(policy, service, 'kms:Decrypt', { 'aws:PrincipalTag/tenantId': 'acme', 'kms:EncryptionContext:tenantId': 'globex' })).toBe('IMPLICIT_DENY');
    expect(decide(policy, service, 'kms:GenerateDataKey', { 'kms:EncryptionContext:tenantId': 'acme' })).toBe('IMPLICIT_DENY');
    // The statement as written: a policy variable and a presence check on the tag.
    const abac = policy.Statement.find((s: any) => s.Condition?.StringEquals?.['kms:EncryptionContext:tenantId']);
    expect(abac.Condition).toEqual({
      StringEquals: { 'kms:EncryptionContext:tenantId': '${aws:PrincipalTag/tenantId}' },
      Null: { 'aws:PrincipalTag/tenantId': 'false' },
    });
    // Pooled tenants' aliases name the pool key; the pool has its own alias.
    const aliases = Object.values(shardTemplate(h, 'acme').Resources).filter((r: any) => r.Type === 'AWS::KMS::Alias') as any[];
    expect(aliases.map((a) => a.Properties.AliasName).sort()).toEqual(['alias/tenant/acme', 'alias/tenant/globex']);
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/tenant/pool/default' });
  });

  test('TIERED: named tenants get their own key, the rest share their pool\'s', () => {
    const h = hierarchy(newStack(), {
      isolation: TenantIsolation.TIERED,
      pools: ['standard', 'premium'],
      tenants: [{ tenantId: 'acme', dedicated: true }, { tenantId: 'initech' }, { tenantId: 'hooli', pool: 'premium' }],
    });
    expect(h.isDedicated('acme')).toBe(true);
    expect(h.keyFor('initech')).toBe(h.poolKey('standard'));
    expect(h.keyFor('hooli')).toBe(h.poolKey('premium'));
    expect(h.keyFor('acme')).not.toBe(h.poolKey('standard'));
    expect(() => h.poolKey('gold')).toThrow(/pool must be one of standard, premium, got 'gold'/);
  });

  test('strategies refuse the wrong kind of tenant, and unknown pools', () => {
    expect(() => hierarchy(newStack(), { isolation: TenantIsolation.POOLED, tenants: [{ tenantId: 'acme', dedicated: true }] }))
      .toThrow(/tenant 'acme' cannot be dedicated under isolation POOLED; use TIERED/);
    expect(() => hierarchy(newStack(), { tenants: [{ tenantId: 'acme', pool: 'default' }] }))
      .toThrow(/tenant 'acme' cannot be pooled under isolation DEDICATED/);
    expect(() => hierarchy(newStack(), { isolation: TenantIsolation.POOLED, tenants: [{ tenantId: 'acme', pool: 'gold' }] }))
      .toThrow(/pool must be one of pools \(default\) for tenant acme, got gold/);
  });
});

describe('tenant ids', () => {
  test.each([
    ['has a space', 'acme corp'],
    ['has a slash', 'acme/eu'],
    ['is empty', ''],
    ['is too long', 'a'.repeat(65)],
  ])('an id that %s is refused, naming the value', (_why, tenantId) => {
    expect(() => hierarchy(newStack(), { tenants: [{ tenantId }] })).toThrow(new RegExp(`tenantId must be 1 to 64 letters.*got ${tenantId === '' ? '""' : tenantId}$`));
  });

  test('duplicates are refused, also when they differ only in case', () => {
    expect(() => hierarchy(newStack(), { tenants: [{ tenantId: 'acme' }, { tenantId: 'acme' }] })).toThrow(/got 'acme' twice/);
    const h = hierarchy(newStack(), { tenants: [{ tenantId: 'acme' }] });
    expect(() => h.addTenant({ tenantId: 'ACME' })).toThrow(/unique ignoring case.*'ACME' and 'acme'/);
  });

  test('prefix, tag key, shard size and quota are checked', () => {
    expect(() => hierarchy(newStack(), { aliasPrefix: 'aws/tenants' })).toThrow(/aliasPrefix must be/);
    expect(() => hierarchy(newStack(), { tenantTagKey: 'aws:tenant' })).toThrow(/tenantTagKey must be/);
    expect(() => hierarchy(newStack(), { tenantsPerShard: 200 })).toThrow(/tenantsPerShard must be at most 160.*got 200/);
    expect(() => hierarchy(newStack(), { tenantsPerShard: 0 })).toThrow(/tenantsPerShard must be a whole number of at least 1, got 0/);
  });

  test('the profile\'s rules apply to the hierarchy as to any key', () => {
    expect(() => hierarchy(newStack(), { profile: ComplianceProfile.PCI_DSS })).toThrow(/audit sink|auditSink/);
    const stack = newStack();
    expect(() => hierarchy(stack, { profile: ComplianceProfile.PCI_DSS, auditSink: sinkFor(stack, ComplianceProfile.PCI_DSS) }))
      .toThrow(/approvers/);
  });
});

describe('offboarding', () => {
  test('a dedicated tenant\'s key is denied to everyone, disabled and scheduled for deletion; other tenants are untouched', () => {
    const before = hierarchy(newStack('Saas', new App()), { tenants: [{ tenantId: 'acme' }, { tenantId: 'globex' }] });
    const after = hierarchy(newStack('Saas', new App()), { tenants: [{ tenantId: 'acme' }, { tenantId: 'globex', offboarded: true }] });
    expect(keyOf(after, 'acme').props).toEqual(keyOf(before, 'acme').props);

    const { policy, stack } = keyOf(after, 'globex');
    const deny = policy.Statement.find((s: any) => s.Sid === 'DenyOffboardedTenant');
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' } });
    expect(decide(policy, stack.resolve(SERVICE), 'kms:Decrypt', { 'aws:PrincipalTag/tenantId': 'globex', 'kms:EncryptionContext:tenantId': 'globex' }))
      .toBe('EXPLICIT_DENY');
    const shard = Template.fromStack(stack);
    const key = after.keyFor('globex') as kms.Key;
    shard.hasResourceProperties('Custom::CloudKmsKeyDeletion', {
      KeyId: stack.resolve(key.keyId), PendingWindowInDays: 30,
    });
    // Its alias is gone, so nothing resolves the tenant to the key any more.
    expect(Object.values(shard.toJSON().Resources).filter((r: any) => r.Type === 'AWS::KMS::Alias').map((r: any) => r.Properties.AliasName))
      .toEqual(['alias/tenant/acme']);
    // The deletion handler may disable and schedule, and nothing else.
    const handlerStatement = policy.Statement.find((s: any) => (Array.isArray(s.Action) ? s.Action : [s.Action]).includes('kms:ScheduleKeyDeletion') && s.Effect === 'Allow'
      && JSON.stringify(s.Principal).includes('KeyDeletionProvider'));
    // Never CancelKeyDeletion: removing the resource or a hand-made event sent to the handler cannot undo the offboarding.
    expect(handlerStatement.Action).toEqual(['kms:DisableKey', 'kms:ScheduleKeyDeletion']);
    expect(policy.Statement.some((s: any) => s.Effect === 'Allow' && JSON.stringify(s.Action).includes('kms:CancelKeyDeletion')
      && JSON.stringify(s.Principal).includes('KeyDeletionProvider'))).toBe(false);
    shard.hasResourceProperties('Custom::CloudKmsKeyDeletion', { Action: 'Offboard' });
  });

  test('an offboarded key\'s properties are frozen: custodian, rotation, window, profile and tag changes do not touch it', () => {
    const p = people();
    const build = (variant: boolean) => {
      const stack = newStack('Saas', new App());
      if (variant) Tags.of(stack).add('cost-center', 'saas-7');
      return hierarchy(stack, {
        profile: variant ? ComplianceProfile.SOC2 : ComplianceProfile.COMMERCIAL,
        auditSink: variant ? sinkFor(stack, ComplianceProfile.SOC2) : undefined,
        rotation: Duration.days(variant ? 180 : 365),
        deletionWindow: Duration.days(variant ? 30 : 7),
        custodians: { administrators: variant ? [p.admin, new iam.ArnPrincipal(arn('SecondAdmin'))] : [p.admin], users: [new iam.ArnPrincipal(SERVICE)] },
        tenants: [{ tenantId: 'acme' }, { tenantId: 'globex', offboarded: true }],
      });
    };
    const [before, after] = [build(false), build(true)];
    const { KeyPolicy: policyBefore, ...frozenBefore } = keyOf(before, 'globex').props;
    const { KeyPolicy: policyAfter, ...frozenAfter } = keyOf(after, 'globex').props;
    expect(frozenAfter).toEqual(frozenBefore);
    expect(frozenAfter).toEqual({
      Description: 'Tenant globex key of Saas/Tenants (offboarded: settings frozen)',
      EnableKeyRotation: true,
      RotationPeriodInDays: 90,
      PendingWindowInDays: 30,
      Tags: [{ Key: 'tenantId', Value: 'globex' }],
    });
    // Only the key policy follows the custodians: KMS accepts PutKeyPolicy on a key pending deletion.
    expect(policyAfter).not.toEqual(policyBefore);
    // The active tenant's key does follow the settings.
    expect(keyOf(after, 'acme').props.RotationPeriodInDays).toBe(180);
    expect(keyOf(before, 'acme').props.RotationPeriodInDays).toBe(365);
  });

  test('re-onboarding is an explicit prop: a custom resource cancels the deletion and enables the key, recorded in evidence', () => {
    const off = hierarchy(newStack('Saas', new App()), { tenants: [{ tenantId: 'globex', offboarded: true }] });
    const stack = newStack('Saas', new App());
    const back = hierarchy(stack, { tenants: [{ tenantId: 'globex', reonboard: true }] });
    const { policy, props, stack: shardStack } = keyOf(back, 'globex');
    // In the deploy that cancels, the key keeps the frozen properties (KMS refuses to change it while pending deletion).
    const { KeyPolicy: _a, ...frozenOff } = keyOf(off, 'globex').props;
    const { KeyPolicy: _b, ...frozenBack } = props;
    expect(frozenBack).toEqual(frozenOff);
    const shard = Template.fromStack(shardStack).toJSON();
    const resources = Object.entries(shard.Resources) as Array<[string, any]>;
    const [reonboardId, reonboarding] = resources.find(([, r]) => r.Type === 'Custom::CloudKmsKeyDeletion')!;
    expect(reonboarding.Properties).toMatchObject({ Action: 'Reonboard' });
    expect(resources.filter(([, r]) => r.Type === 'Custom::CloudKmsKeyDeletion')).toHaveLength(1);
    const [, alias] = resources.find(([, r]) => r.Type === 'AWS::KMS::Alias')!;
    expect(alias.DependsOn).toContain(reonboardId);
    const handler = policy.Statement.find((s: any) => s.Effect === 'Allow' && JSON.stringify(s.Principal).includes('KeyDeletionProvider'));
    expect(handler.Action).toEqual(['kms:CancelKeyDeletion', 'kms:EnableKey']);
    expect(decide(policy, shardStack.resolve(SERVICE), 'kms:Decrypt', { 'aws:PrincipalTag/tenantId': 'globex', 'kms:EncryptionContext:tenantId': 'globex' }))
      .toBe('ALLOW');
    const evidence = EvidenceLedger.of(stack).evidence(back.keyFor('globex').node.path).find((e) => e.setting === 'reonboard');
    expect(evidence?.description).toMatch(/tenant globex re-onboarded by the explicit reonboard prop/);
    // Without the prop, an active tenant's key grants the deletion handler nothing.
    const plain = hierarchy(newStack('Saas', new App()), { tenants: [{ tenantId: 'globex' }] });
    expect(JSON.stringify(keyOf(plain, 'globex').policy)).not.toContain('KeyDeletionProvider');
  });

  test.each<[string, Partial<aws.Tenant>, aws.TenantKeyHierarchyProps['isolation'], RegExp]>([
    ['together with offboarded', { offboarded: true }, undefined, /tenants\[globex\]\.reonboard brings an offboarded tenant back: clear offboarded with it, got offboarded true/],
    ['for a pooled tenant', {}, TenantIsolation.POOLED, /tenants\[globex\]\.reonboard applies to tenants with their own key/],
  ])('reonboard %s is refused', (_what, extra, isolation, message) => {
    expect(() => hierarchy(newStack(), { isolation, tenants: [{ tenantId: 'globex', reonboard: true, ...extra }] })).toThrow(message);
  });

  test('reonboard under dual control is refused: cancelling goes through the dual-control gate', () => {
    const stack = newStack();
    const profile = ComplianceProfile.PCI_DSS;
    const p = people();
    expect(() => new aws.TenantKeyHierarchy(stack, 'Tenants', {
      profile,
      auditSink: sinkFor(stack, profile),
      custodians: { administrators: [p.admin], users: [new iam.ArnPrincipal(SERVICE)], approvers: [p.approverA, p.approverB] },
      tenants: [{ tenantId: 'globex', reonboard: true }],
    })).toThrow(/tenants\[globex\]\.reonboard is not available under dual control: a custodian proposes CancelKeyDeletion to the dual-control gate/);
  });

  test('a leaving tenant\'s principals get no grant on its key, and its alias goes', () => {
    const globexApp = new iam.ArnPrincipal(arn('GlobexApp'));
    const h = hierarchy(newStack(), { tenants: [{ tenantId: 'globex', offboarded: true, users: [globexApp] }] });
    const { policy } = keyOf(h, 'globex');
    const allows = policy.Statement.filter((st: any) => st.Effect === 'Allow').map((st: any) => JSON.stringify(st.Principal));
    expect(allows.some((p: string) => p.includes('GlobexApp') || p.includes('TenantService'))).toBe(false);
    expect(decide(policy, globexApp.arn, 'kms:Decrypt', { 'kms:EncryptionContext:tenantId': 'globex' })).toBe('EXPLICIT_DENY');
  });

  test('under dual control the key is denied to everyone (a policy change through the gate) and deletion goes through the gate', () => {
    const stack = newStack();
    const profile = ComplianceProfile.PCI_DSS;
    const p = people();
    const h = new aws.TenantKeyHierarchy(stack, 'Tenants', {
      profile,
      auditSink: sinkFor(stack, profile),
      custodians: { administrators: [p.admin], users: [new iam.ArnPrincipal(SERVICE)], approvers: [p.approverA, p.approverB] },
      tenants: [{ tenantId: 'acme' }, { tenantId: 'globex', offboarded: true }],
    });
    const { policy, stack: shard } = keyOf(h, 'globex');
    expect(policy.Statement.some((s: any) => s.Sid === 'DenyOffboardedTenant')).toBe(true);
    expect(Template.fromStack(shard).findResources('Custom::CloudKmsKeyDeletion')).toEqual({});
    // Only the gate may delete an alias under dual control, so CloudFormation keeps the offboarded tenant's alias.
    Template.fromStack(shard).hasResourceProperties('AWS::KMS::Alias', { AliasName: Match.stringLikeRegexp('globex$') });
    const info = messages(h.keyFor('globex') as kms.Key, 'aws:cdk:info');
    expect(info).toEqual([expect.stringMatching(/offboarded: its key denies all use; under dual control its deletion goes through the dual-control gate/)]);
    expect(EvidenceLedger.of(stack).acknowledgements().map((a) => a.rule)).toContain('cloud-kms:OffboardedKeyDeletion');
  });

  test('a pooled tenant\'s context is denied on the pool key; the others keep theirs', () => {
    const stack = newStack();
    const h = hierarchy(stack, { isolation: TenantIsolation.POOLED, tenants: [{ tenantId: 'acme' }, { tenantId: 'globex', offboarded: true }, { tenantId: 'hooli', offboarded: true }] });
    const policy = stack.resolve(((h.poolKey('default') as kms.Key).node.defaultChild as kms.CfnKey).keyPolicy);
    const service = stack.resolve(SERVICE);
    expect(decide(policy, service, 'kms:Decrypt', { 'aws:PrincipalTag/tenantId': 'globex', 'kms:EncryptionContext:tenantId': 'globex' })).toBe('EXPLICIT_DENY');
    expect(decide(policy, service, 'kms:Decrypt', { 'aws:PrincipalTag/tenantId': 'hooli', 'kms:EncryptionContext:tenantId': 'hooli' })).toBe('EXPLICIT_DENY');
    expect(decide(policy, service, 'kms:Decrypt', { 'aws:PrincipalTag/tenantId': 'acme', 'kms:EncryptionContext:tenantId': 'acme' })).toBe('ALLOW');
  });
});

describe('sharding', () => {
  /** A PCI DSS hierarchy (dual control: each key also carries the gate's policy resource) of `count` dedicated tenants. */
  const pciHierarchy = (count: number, tenantsPerShard?: number) => {
    const app = new App();
    const stack = newStack('Saas', app);
    const p = people();
    const h = new aws.TenantKeyHierarchy(stack, 'Tenants', {
      profile: ComplianceProfile.PCI_DSS,
      auditSink: sinkFor(stack, ComplianceProfile.PCI_DSS),
      custodians: { administrators: [p.admin], users: [new iam.ArnPrincipal(SERVICE)], auditors: [p.auditor], approvers: [p.approverA, p.approverB] },
      tenants: Array.from({ length: count }, (_, i) => ({ tenantId: `t${i}` })),
      tenantsPerShard,
    });
    return { app, h };
  };

  test('under dual control a shard holds 50 tenants by default, and a full shard stays under 1 MB as written', () => {
    const { app, h } = pciHierarchy(50);
    expect(h.tenantsPerShard).toBe(50);
    const assembly = app.synth();
    const shard = readdirSync(assembly.directory).find((f) => f.startsWith('SaasTenantsShard0000') && f.endsWith('.nested.template.json'))!;
    expect(statSync(join(assembly.directory, shard)).size).toBeLessThan(900_000);
  });

  test('a shard whose template would pass 1 MB is refused at synthesis, counting the gate\'s policy resources and the written layout', () => {
    // 160 tenants a shard wrote a 2 MB template (undeployable) before the estimate counted the gate's policy resources.
    const { app } = pciHierarchy(160, 160);
    expect(() => app.synth()).toThrow(/shard Saas\/Tenants\/Shard0000 would be about \d+ bytes, near CloudFormation's 1000000-byte template limit: lower tenantsPerShard \(now 160\)/);
  });

  test('tenants fill nested stacks in order; adding a tenant changes no earlier shard and no logical id', () => {
    const ids = ['a1', 'b2', 'c3', 'd4', 'e5'];
    const build = (tenantIds: string[]) => {
      const app = new App();
      const h = hierarchy(newStack('Saas', app), { tenants: tenantIds.map((tenantId) => ({ tenantId })), tenantsPerShard: 2 });
      return { h, templates: h.shards.map((s) => Template.fromStack(s).toJSON()) };
    };
    const five = build(ids);
    const six = build([...ids, 'f6']);
    expect(five.h.shards.map((s) => s.node.id)).toEqual(['Shard0000', 'Shard0001', 'Shard0002']);
    expect(five.h.shardMap).toEqual({
      a1: 'Saas/Tenants/Shard0000',
      b2: 'Saas/Tenants/Shard0000',
      c3: 'Saas/Tenants/Shard0001',
      d4: 'Saas/Tenants/Shard0001',
      e5: 'Saas/Tenants/Shard0002',
    });
    expect(six.templates[0]).toEqual(five.templates[0]);
    expect(six.templates[1]).toEqual(five.templates[1]);
    const third = (t: any) => Object.keys(t.Resources);
    expect(third(six.templates[2])).toEqual(expect.arrayContaining(third(five.templates[2])));
    expect(third(six.templates[2]).length).toBe(third(five.templates[2]).length + 2);
    // The nested stacks themselves keep their logical ids in the parent.
    const parentIds = (h: aws.TenantKeyHierarchy) => h.shards.map((s) => Stack.of(h).getLogicalId(s.nestedStackResource!));
    expect(parentIds(six.h).slice(0, 3)).toEqual(parentIds(five.h));
  });

  test('10,000 tenants: every synthesized template within 500 resources and 1 MB', () => {
    const app = new App({ context: { 'aws:cdk:disable-stack-trace': true, 'aws:cdk:disable-creation-stack-traces': true } });
    const stack = newStack('Scale', app);
    const h = hierarchy(stack, { tenants: Array.from({ length: 10_000 }, (_, i) => ({ tenantId: `t${i}` })) });
    expect(h.shards).toHaveLength(100);
    const assembly = app.synth();
    const files = readdirSync(assembly.directory).filter((f) => f.endsWith('.template.json')).map((f) => join(assembly.directory, f));
    expect(files).toHaveLength(101);
    let keys = 0;
    for (const file of files) {
      const resources = Object.values(JSON.parse(readFileSync(file, 'utf8')).Resources) as any[];
      expect(resources.length).toBeLessThanOrEqual(500);
      expect(statSync(file).size).toBeLessThanOrEqual(1_000_000);
      keys += resources.filter((r) => r.Type === 'AWS::KMS::Key').length;
    }
    expect(keys).toBe(10_000);
  }, 300_000);

  test('warns when the tenant keys near the KMS key quota', () => {
    const near = hierarchy(newStack('Near'), { keyQuota: 10, tenants: Array.from({ length: 8 }, (_, i) => ({ tenantId: `t${i}` })) });
    expect(messages(near, 'aws:cdk:warning')).toEqual([expect.stringMatching(/8 tenant keys is 80% of the 10 KMS keys-per-region quota.*pooled/)]);
    const far = hierarchy(newStack('Far'), { keyQuota: 10, tenants: Array.from({ length: 7 }, (_, i) => ({ tenantId: `t${i}` })) });
    expect(messages(far, 'aws:cdk:warning')).toEqual([]);
  });

  test('each shard is a nested stack of the hierarchy\'s stack', () => {
    const h = hierarchy(newStack(), { tenants: [{ tenantId: 'acme' }] });
    expect(h.shards[0]).toBeInstanceOf(NestedStack);
    expect(Template.fromStack(Stack.of(h)).resourceCountIs('AWS::CloudFormation::Stack', 1));
  });
});

test('every tenant key is in the evidence ledger under the hierarchy', () => {
  const stack = newStack();
  const h = hierarchy(stack, { isolation: TenantIsolation.TIERED, tenants: [{ tenantId: 'acme', dedicated: true }, { tenantId: 'initech' }] });
  const keys = EvidenceLedger.of(stack).keys.filter((k) => k.parent === h.node.path);
  expect(keys.map((k) => k.path).sort()).toEqual([(h.keyFor('acme') as kms.Key).node.path, (h.poolKey('default') as kms.Key).node.path].sort());
  expect(keys.every((k) => k.constructName === 'TenantKeyHierarchy')).toBe(true);
});
