/*
 * Issue 16: bad props get our own clear, early ValidationError naming the outer prop the user wrote and the value
 * (tokens shown as tokens), never a TypeError, a constructs id collision, an aws-cdk-lib message or a broken template.
 * One test per reproducer, named after it.
 */
import { CfnParameter, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ComplianceProfile, FipsLevel } from '../../src';
import * as aws from '../../src/aws';
import { ACCEPTED_WARNINGS, cfnLint } from '../support/cfn-lint';
import { arn, cmkFor, hsmVpc, newStack, people, secret, templateOf, xksStoreFor } from '../support/fixtures';

/** Runs `fn` and returns the error it throws, failing the test when it throws none. */
function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, got none');
}

/** Our own error: a ValidationError, lower-case, with the prop and the value in its message. */
function expectOurs(fn: () => unknown, ...parts: Array<string | RegExp>): void {
  const e = errorOf(fn);
  expect(e.name).toBe('ValidationError');
  expect(e.message[0]).toBe(e.message[0].toLowerCase());
  for (const p of parts) expect(e.message).toMatch(p);
}

const numberParam = (stack: Stack, id = 'Days') => new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber;

function lintErrors(stack: Stack) {
  return cfnLint({ Test: templateOf(stack).toJSON() }).filter((m) => !ACCEPTED_WARNINGS.includes(m.Rule.Id));
}

const xksBackend = (stack: Stack) => aws.KeyStoreBackend.xksPublicEndpoint({
  uriEndpoint: 'https://xks.example.com',
  uriPath: '/example/kms/xks/v1',
  credential: secret(stack, 'XksCredential'),
  externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
});

describe('crashes become our errors', () => {
  test('HyokExternalStore without backend', () => {
    const stack = newStack();
    const p = people();
    expectOurs(() => new aws.HyokExternalStore(stack, 'Store', { custodians: { administrators: [p.admin] } } as any),
      'backend is required', 'got nothing');
  });

  test('KeyAuditSink without custodians', () => {
    expectOurs(() => new aws.KeyAuditSink(newStack(), 'Audit', {} as any), 'custodians is required');
  });

  test('CloudHsmCluster without vpc', () => {
    expectOurs(() => new aws.CloudHsmCluster(newStack(), 'Hsm', { acknowledgeHourlyCost: true } as any), 'vpc is required');
  });
});

describe('aws-cdk-lib messages become ours', () => {
  test.each([
    ['ManagedKey', (s: Stack, d: Duration) => new aws.ManagedKey(s, 'Key', { deletionWindow: d })],
    ['CustomerManagedKey', (s: Stack, d: Duration) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'Key', { deletionWindow: d })],
    ['TenantKeyHierarchy', (s: Stack, d: Duration) => new aws.TenantKeyHierarchy(s, 'Tenants', {
      custodians: { administrators: [people().admin] }, deletionWindow: d, tenants: [{ tenantId: 'acme' }],
    })],
    ['ExternalStoreKey', (s: Stack, d: Duration) => xksStoreFor(s, ComplianceProfile.COMMERCIAL).addKey('K', { xksKeyId: 'k1', deletionWindow: d })],
  ])('Duration.hours(token) deletion window (%s)', (_name, make) => {
    const stack = newStack();
    expectOurs(() => make(stack, Duration.hours(numberParam(stack))), 'deletionWindow', /token/);
  });

  test.each([
    ['ManagedKey', (s: Stack, d: Duration) => new aws.ManagedKey(s, 'Key', { rotation: d })],
    ['CustomerManagedKey', (s: Stack, d: Duration) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'Key', { rotation: d })],
  ])('Duration.hours(token) rotation period (%s)', (_name, make) => {
    const stack = newStack();
    expectOurs(() => make(stack, Duration.hours(numberParam(stack))), 'rotation', /token/);
  });

  test('Duration.millis(token) on the envelope function timeout', () => {
    const stack = newStack();
    expectOurs(() => new aws.EnvelopeEncryptionFunction(stack, 'Envelope', {
      key: new aws.ManagedKey(stack, 'Key'), requiredContextKeys: ['tenant'], timeout: Duration.millis(numberParam(stack)),
    }), 'timeout', /token/);
  });

  test('a subnet selection the VPC lacks (CloudHsmCluster)', () => {
    const stack = newStack();
    expectOurs(() => new aws.CloudHsmCluster(stack, 'Hsm', {
      vpc: hsmVpc(stack), acknowledgeHourlyCost: true, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    }), 'vpcSubnets');
  });

  test('a subnet selection the VPC lacks (EnvelopeEncryptionFunction)', () => {
    const stack = newStack();
    expectOurs(() => new aws.EnvelopeEncryptionFunction(stack, 'Envelope', {
      key: new aws.ManagedKey(stack, 'Key'),
      requiredContextKeys: ['tenant'],
      vpc: hsmVpc(stack),
      vpcSubnets: { subnetGroupName: 'nosuchgroup' },
    }), 'vpcSubnets');
  });

  test('notificationEmails: [\'\']', () => {
    const stack = newStack();
    const p = people();
    expectOurs(() => new aws.KeyAuditSink(stack, 'Audit', { custodians: { administrators: [p.admin] }, notificationEmails: [''] }),
      'notificationEmails', '""');
  });

  test('a token in requiredContextKeys', () => {
    const stack = newStack();
    const param = new CfnParameter(stack, 'Ctx', { type: 'String' }).valueAsString;
    expectOurs(() => new aws.EnvelopeEncryptionFunction(stack, 'Envelope', {
      key: new aws.ManagedKey(stack, 'Key'), requiredContextKeys: [param],
    }), 'requiredContextKeys', /token/);
  });
});

describe('errors name the prop the user wrote', () => {
  test('an auditor that is the account root (KeyAuditSink)', () => {
    const stack = newStack();
    const p = people();
    expectOurs(() => new aws.KeyAuditSink(stack, 'Audit', {
      custodians: { administrators: [p.admin], auditors: [new iam.AccountRootPrincipal()] },
    }), 'custodians.auditors');
  });
});

describe('no broken output', () => {
  test('memorySize: NaN', () => {
    const stack = newStack();
    expectOurs(() => new aws.EnvelopeEncryptionFunction(stack, 'Envelope', {
      key: new aws.ManagedKey(stack, 'Key'), requiredContextKeys: ['tenant'], memorySize: NaN,
    }), 'memorySize', 'NaN');
  });

  test("aliases: ['dup', 'alias/dup']", () => {
    expectOurs(() => new aws.ManagedKey(newStack(), 'Key', { aliases: ['dup', 'alias/dup'] }), 'aliases', 'alias/dup');
  });

  test.each([[''], ['not-an-arn']])('ArnPrincipal(%j) as a custodian', (value) => {
    expectOurs(() => cmkFor(newStack(), ComplianceProfile.COMMERCIAL, 'Key', {
      custodians: { administrators: [people().admin], users: [new iam.ArnPrincipal(value)] },
    }), 'custodians.users', value === '' ? '""' : value);
  });

  test.each([[''], ['not-an-arn']])('ArnPrincipal(%j) as the deployment principal', (value) => {
    expectOurs(() => cmkFor(newStack(), ComplianceProfile.COMMERCIAL, 'Key', { deploymentPrincipal: new iam.ArnPrincipal(value) }),
      'deploymentPrincipal', value === '' ? '""' : value);
  });
});

describe('no construct-id collisions', () => {
  test('the same user twice in TenantKeyHierarchy', () => {
    const p = people();
    expectOurs(() => new aws.TenantKeyHierarchy(newStack(), 'Tenants', {
      custodians: { administrators: [p.admin], users: [p.user, p.user] }, tenants: [{ tenantId: 'acme' }],
    }), 'custodians.users', 'twice');
  });

  test('users differing only in case in TenantKeyHierarchy', () => {
    const p = people();
    expectOurs(() => new aws.TenantKeyHierarchy(newStack(), 'Tenants', {
      custodians: { administrators: [p.admin], users: [new iam.ArnPrincipal(arn('Orders')), new iam.ArnPrincipal(arn('ORDERS'))] },
      tenants: [{ tenantId: 'acme' }],
    }), 'custodians.users', 'same principal');
  });

  test('the same auditor twice in CustomerManagedKey', () => {
    const p = people();
    expectOurs(() => cmkFor(newStack(), ComplianceProfile.COMMERCIAL, 'Key', {
      custodians: { administrators: [p.admin], auditors: [p.auditor, p.auditor] },
    }), 'custodians.auditors', 'twice');
  });
});
