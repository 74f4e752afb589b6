/*
 * Issue 16: bad props get our own clear, early ValidationError naming the outer prop the user wrote and the value
 * (tokens shown as tokens), never a TypeError, a constructs id collision, an aws-cdk-lib message or a broken template.
 * One test per reproducer, named after it.
 */
import { CfnParameter, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ComplianceProfile, FipsLevel, TenantIsolation } from '../../src';
import * as aws from '../../src/aws';
import { ACCEPTED_WARNINGS, cfnLint } from '../support/cfn-lint';
import { arn, byokFor, cmkFor, hsmVpc, newStack, people, secret, templateOf, xksStoreFor } from '../support/fixtures';
import { decide } from '../support/key-policy-eval';

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
    ['ByokImport', (s: Stack, d: Duration) => byokFor(s, ComplianceProfile.COMMERCIAL, 'K', { deletionWindow: d })],
  ])('Duration.hours(token) deletion window (%s)', (_name, make) => {
    const stack = newStack();
    expectOurs(() => make(stack, Duration.hours(numberParam(stack))), 'deletionWindow', /token/);
  });

  test.each([
    ['ManagedKey', (s: Stack, d: Duration) => new aws.ManagedKey(s, 'Key', { rotation: d })],
    ['CustomerManagedKey', (s: Stack, d: Duration) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'Key', { rotation: d })],
    ['TenantKeyHierarchy', (s: Stack, d: Duration) => new aws.TenantKeyHierarchy(s, 'Tenants', {
      custodians: { administrators: [people().admin] }, rotation: d, tenants: [{ tenantId: 'acme' }],
    })],
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

describe('every required prop is checked up front (plain JavaScript and jsii callers omit props)', () => {
  const p = () => people();
  test.each<[string, (s: Stack) => unknown, string | RegExp]>([
    ['CustomerManagedKey without props', (s) => new (aws.CustomerManagedKey as any)(s, 'K'), 'props is required'],
    ['CustomerManagedKey without custodians', (s) => new aws.CustomerManagedKey(s, 'K', {} as any), 'custodians is required'],
    ['CustomerManagedKey without custodians.administrators', (s) => new aws.CustomerManagedKey(s, 'K', { custodians: {} } as any),
      'custodians.administrators is required'],
    ['CustomerManagedKey with an undefined user', (s) => new aws.CustomerManagedKey(s, 'K', { custodians: { administrators: [p().admin], users: [undefined] } } as any),
      'custodians.users entries must be IAM principals'],
    ['CustomerManagedKey with a string administrator', (s) => new aws.CustomerManagedKey(s, 'K', { custodians: { administrators: [arn('KeyAdmin')] } } as any),
      /custodians.administrators entries must be IAM principals .*got arn:aws:iam::111111111111:role\/KeyAdmin/],
    ['ByokImport without custodians', (s) => new aws.ByokImport(s, 'K', { keyMaterialExpiry: aws.KeyMaterialExpiry.doesNotExpire() } as any),
      'custodians is required'],
    ['ByokImport without keyMaterialExpiry', (s) => new aws.ByokImport(s, 'K', { custodians: { administrators: [p().admin], importers: [p().importer] } } as any),
      'keyMaterialExpiry must be'],
    ['TenantKeyHierarchy without custodians', (s) => new aws.TenantKeyHierarchy(s, 'T', {} as any), 'custodians is required'],
    ['TenantKeyHierarchy with a tenant without tenantId', (s) => new aws.TenantKeyHierarchy(s, 'T', { custodians: { administrators: [p().admin] }, tenants: [{}] } as any),
      'tenants[0].tenantId is required'],
    ['HyokExternalStore without custodians', (s) => new aws.HyokExternalStore(s, 'S', { backend: xksBackend(s) } as any), 'custodians is required'],
    ['KeyAuditSink without custodians.administrators', (s) => new aws.KeyAuditSink(s, 'A', { custodians: { auditors: [p().auditor] } } as any),
      'custodians.administrators is required'],
    ['EnvelopeEncryptionFunction without props', (s) => new (aws.EnvelopeEncryptionFunction as any)(s, 'E'), 'props is required'],
    ['CloudHsmCluster without props', (s) => new (aws.CloudHsmCluster as any)(s, 'H'), 'props is required'],
    ['KeyStoreBackend.xksPublicEndpoint without credential', () => aws.KeyStoreBackend.xksPublicEndpoint({
      uriEndpoint: 'https://xks.example.com', uriPath: '/kms/xks/v1', externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
    } as any), 'credential is required'],
    ['KeyStoreBackend.xksVpcEndpointService without vpcEndpointServiceName', (s) => aws.KeyStoreBackend.xksVpcEndpointService({
      uriEndpoint: 'https://xks.example.com', uriPath: '/kms/xks/v1', credential: secret(s, 'C'), externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
    } as any), 'vpcEndpointServiceName is required'],
    ['KeyStoreBackend.xksPublicEndpoint without externalKeyManagerFipsLevel', (s) => aws.KeyStoreBackend.xksPublicEndpoint({
      uriEndpoint: 'https://xks.example.com', uriPath: '/kms/xks/v1', credential: secret(s, 'C'),
    } as any), 'externalKeyManagerFipsLevel is required'],
    ['KeyStoreBackend.cloudHsm without cluster', (s) => aws.KeyStoreBackend.cloudHsm({ trustAnchorCertificate: 'x', kmsUserPassword: secret(s, 'P') } as any),
      'cluster is required'],
  ])('%s', (_name, make, message) => {
    expectOurs(() => make(newStack()), message);
  });
});

describe('numbers: finite whole numbers within documented bounds, tokens bounded or refused', () => {
  const envelope = (s: Stack, extra: Partial<aws.EnvelopeEncryptionFunctionProps>) => new aws.EnvelopeEncryptionFunction(s, 'E', {
    key: new aws.ManagedKey(s, 'Key'), requiredContextKeys: ['tenant'], ...extra,
  });
  test.each<[string, (s: Stack) => unknown, string | RegExp]>([
    ['memorySize: 1.5', (s) => envelope(s, { memorySize: 1.5 }), /memorySize must be between 128 and 10240 MB, got 1.5/],
    ['memorySize: 127', (s) => envelope(s, { memorySize: 127 }), 'memorySize must be between 128 and 10240 MB, got 127'],
    ['memorySize: 10241', (s) => envelope(s, { memorySize: 10241 }), 'got 10241'],
    ['memorySize: 1000.5', (s) => envelope(s, { memorySize: 1000.5 }), 'memorySize must be a whole number of MB, got 1000.5'],
    ['memorySize: Infinity', (s) => envelope(s, { memorySize: Infinity }), 'got Infinity'],
    ['cacheMaxMessages: 2.5', (s) => envelope(s, { cacheMaxMessages: 2.5 }), 'cacheMaxMessages must be a whole number of messages, got 2.5'],
    ['maxRecordBytes: NaN', (s) => envelope(s, { maxRecordBytes: NaN }), 'maxRecordBytes must be between 1 and 4613734 bytes, got NaN'],
    ['reservedConcurrentExecutions: 1.5', (s) => envelope(s, { reservedConcurrentExecutions: 1.5 }), 'reservedConcurrentExecutions must be a whole number'],
    ['reservedConcurrentExecutions: a token', (s) => envelope(s, { reservedConcurrentExecutions: numberParam(s) }), /reservedConcurrentExecutions .*unresolved token/],
    ['timeout: 901 seconds', (s) => envelope(s, { timeout: Duration.seconds(901) }), 'timeout must be a whole number of seconds from 1 to 900, got 15 minutes 1 second'],
    ['timeout: 1.5 seconds', (s) => envelope(s, { timeout: Duration.millis(1500) }), 'timeout must be a whole number of seconds'],
    ['cacheMaxAge: 2 days', (s) => envelope(s, { cacheMaxAge: Duration.days(2) }), 'cacheMaxAge must be a whole number of milliseconds from 0 to 1 day, got 2 days'],
    ['cacheMaxAge: a token', (s) => envelope(s, { cacheMaxAge: Duration.minutes(numberParam(s)) }), /cacheMaxAge must be a literal Duration/],
    ['grantRevocationBurstThreshold: NaN', (s) => new aws.KeyAuditSink(s, 'A', { custodians: { administrators: [people().admin] }, grantRevocationBurstThreshold: NaN }),
      'grantRevocationBurstThreshold must be between 1 and 10000 calls, got NaN'],
    ['grantRevocationBurstThreshold: a token', (s) => new aws.KeyAuditSink(s, 'A', { custodians: { administrators: [people().admin] }, grantRevocationBurstThreshold: numberParam(s) }),
      /grantRevocationBurstThreshold .*unresolved token/],
    ['KeyAuditSink retention: a token', (s) => new aws.KeyAuditSink(s, 'A', { custodians: { administrators: [people().admin] }, retention: Duration.days(numberParam(s)) }),
      /retention must be a literal Duration/],
    ['CloudHsmCluster hsmCount: NaN', (s) => new aws.CloudHsmCluster(s, 'H', { vpc: hsmVpc(s), acknowledgeHourlyCost: true, hsmCount: NaN }), 'hsmCount must be between 2 and 28 HSMs, got NaN'],
    ['CloudHsmCluster backupRetention: a token', (s) => new aws.CloudHsmCluster(s, 'H', { vpc: hsmVpc(s), acknowledgeHourlyCost: true, backupRetention: Duration.days(numberParam(s)) }),
      /backupRetention must be a literal Duration/],
    ['TenantKeyHierarchy keyQuota: a token', (s) => new aws.TenantKeyHierarchy(s, 'T', { custodians: { administrators: [people().admin] }, keyQuota: numberParam(s) }),
      /keyQuota .*unresolved token/],
    ['TenantKeyHierarchy tenantsPerShard: a token', (s) => new aws.TenantKeyHierarchy(s, 'T', { custodians: { administrators: [people().admin] }, tenantsPerShard: numberParam(s) }),
      /tenantsPerShard .*unresolved token/],
    ['ExternalStoreKey rotationReminder: a token', (s) => xksStoreFor(s, ComplianceProfile.COMMERCIAL).addKey('K', { xksKeyId: 'k1', rotationReminder: Duration.days(numberParam(s)) }),
      /rotationReminder must be a literal Duration/],
    ['ExternalStoreKey deletionWindow: 7.5 days', (s) => xksStoreFor(s, ComplianceProfile.COMMERCIAL).addKey('K', { xksKeyId: 'k1', deletionWindow: Duration.hours(180) }),
      'deletionWindow must be a whole number of days, got 7 days 12 hours'],
    ['DualControlGate approvalWindow: a token', (s) => new aws.DualControlGate(s, 'G', { approvalWindow: Duration.hours(numberParam(s)) }),
      /approvalWindow must be a literal Duration/],
  ])('%s', (_name, make, message) => {
    expectOurs(() => make(newStack()), message);
  });

  // Review of issue 16: both were accepted before the number checks, and Lambda refuses an out-of-range value at deployment
  // (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-MemorySize).
  test('memorySize and a timeout in seconds from Number parameters pass to the function', () => {
    const stack = newStack();
    new aws.EnvelopeEncryptionFunction(stack, 'E', {
      key: new aws.ManagedKey(stack, 'Key'),
      requiredContextKeys: ['tenant'],
      memorySize: numberParam(stack, 'Memory'),
      timeout: Duration.seconds(numberParam(stack, 'Timeout')),
    });
    const fn = Object.values(templateOf(stack).findResources('AWS::Lambda::Function'))
      .find((r: any) => r.Properties.Environment?.Variables && JSON.stringify(r.Properties.MemorySize) === '{"Ref":"Memory"}') as any;
    expect(fn?.Properties.Timeout).toEqual({ Ref: 'Timeout' });
  });

  test('a timeout token in another unit than seconds is refused (aws-cdk-lib cannot convert it)', () => {
    const stack = newStack();
    expectOurs(() => new aws.EnvelopeEncryptionFunction(stack, 'E', {
      key: new aws.ManagedKey(stack, 'Key'), requiredContextKeys: ['tenant'], timeout: Duration.minutes(numberParam(stack)),
    }), /^timeout must be a literal Duration/);
  });

  test('the bounds themselves synthesize a valid template (memorySize 128 and 10240, timeout 900 s)', () => {
    const stack = newStack();
    const key = new aws.ManagedKey(stack, 'Key');
    new aws.EnvelopeEncryptionFunction(stack, 'Small', { key, requiredContextKeys: ['tenant'], memorySize: 128, timeout: Duration.seconds(1) });
    new aws.EnvelopeEncryptionFunction(stack, 'Large', { key, requiredContextKeys: ['tenant'], memorySize: 10240, timeout: Duration.seconds(900) });
    const fns = Object.values(templateOf(stack).findResources('AWS::Lambda::Function')).map((f: any) => [f.Properties.MemorySize, f.Properties.Timeout]);
    expect(fns).toEqual(expect.arrayContaining([[128, 1], [10240, 900]]));
    expect(lintErrors(stack)).toEqual([]);
  });
});

describe('strings, lists and principals', () => {
  test.each<[string, (s: Stack) => unknown, string | RegExp]>([
    ["notificationEmails: ['not-an-email']", (s) => new aws.KeyAuditSink(s, 'A', { custodians: { administrators: [people().admin] }, notificationEmails: ['not-an-email'] }),
      'notificationEmails must be email addresses (name@example.com), got not-an-email'],
    ['notificationEmails with one address twice', (s) => new aws.KeyAuditSink(s, 'A', { custodians: { administrators: [people().admin] }, notificationEmails: ['a@example.com', 'a@example.com'] }),
      'notificationEmails lists a@example.com twice'],
    ['notificationEmails differing only in case', (s) => new aws.KeyAuditSink(s, 'A', { custodians: { administrators: [people().admin] }, notificationEmails: ['a@example.com', 'A@Example.com'] }),
      'notificationEmails lists a@example.com and A@Example.com, which are the same address'],
    ["aliases: [' ']", (s) => new aws.ManagedKey(s, 'K', { aliases: [' '] }), /aliases must be at most 256 characters .*got " "/],
    ["aliases: ['a', 'a']", (s) => new aws.ManagedKey(s, 'K', { aliases: ['a', 'a'] }), 'aliases lists a twice'],
    ['aliases not a list', (s) => new aws.ManagedKey(s, 'K', { aliases: 'orders' as any }), 'aliases must be a list, got orders'],
    ['ExternalStoreKey aliases twice', (s) => xksStoreFor(s, ComplianceProfile.COMMERCIAL).addKey('K', { xksKeyId: 'k1', aliases: ['x', 'alias/x'] }),
      'aliases lists x and alias/x, which are the same alias alias/x'],
    ['a blank description', (s) => new aws.ManagedKey(s, 'K', { description: ' ' }), 'description must not be empty, got " "'],
    ['a keySpec that is no KeySpec', (s) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'K', { keySpec: 'AES_512' as any }), 'keySpec must be a kms.KeySpec value, got AES_512'],
    ['multiRegion as a string', (s) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'K', { multiRegion: 'yes' as any }), 'multiRegion must be true or false, got yes'],
    ['the same replica region twice', (s) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'K', { multiRegion: true, replicaRegions: ['eu-west-1', 'eu-west-1'] }),
      'replicaRegions lists eu-west-1 twice'],
    ['a service principal that is no service', (s) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'K', {
      custodians: { administrators: [people().admin], users: [new iam.ServicePrincipal('not a service')] },
    }), 'custodians.users must name AWS service principals such as lambda.amazonaws.com, got not a service'],
    ['a federated principal as a user', (s) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'K', {
      custodians: { administrators: [people().admin], users: [new iam.FederatedPrincipal('cognito-identity.amazonaws.com', {})] },
    }), 'custodians.users must name IAM roles or users or AWS services, got Federated principal'],
    ['an approver listed twice (KeyAuditSink)', (s) => new aws.KeyAuditSink(s, 'A', {
      profile: ComplianceProfile.PCI_DSS,
      custodians: {
        administrators: [people().admin], approvers: [people().approverA, new iam.ArnPrincipal(arn('approvera'))],
      },
    }), /custodians.approvers lists arn:aws:iam::111111111111:role\/ApproverA and arn:aws:iam::111111111111:role\/approvera, which name the same principal/],
    ['HyokExternalStore with an auditor that is not an ARN', (s) => xksStoreFor(s, ComplianceProfile.COMMERCIAL, 'S', {
      custodians: { administrators: [people().admin], auditors: [new iam.ArnPrincipal('auditor')] },
    }), 'custodians.auditors must be IAM role or user ARNs'],
    ['a tenant user listed twice', (s) => new aws.TenantKeyHierarchy(s, 'T', {
      custodians: { administrators: [people().admin] }, tenants: [{ tenantId: 'acme', users: [people().user, people().user] }],
    }), /tenants\[acme\].users lists .*OrdersService twice/],
    ['a tenant flag as a string', (s) => new aws.TenantKeyHierarchy(s, 'T', {
      custodians: { administrators: [people().admin] }, tenants: [{ tenantId: 'acme', offboarded: 'no' as any }],
    }), 'tenants[acme].offboarded must be true or false, got no'],
    ['a blank requiredContextKeys entry', (s) => new aws.EnvelopeEncryptionFunction(s, 'E', { key: new aws.ManagedKey(s, 'Key'), requiredContextKeys: [' '] }),
      'requiredContextKeys must be non-empty, without commas and not start with aws-crypto-, got " "'],
    // fuzz seed 35488223: a CommaDelimitedList parameter reached aws-cdk-lib's "encoded list token" resolution error
    ['requiredContextKeys from a CommaDelimitedList parameter', (s) => new aws.EnvelopeEncryptionFunction(s, 'E', {
      key: new aws.ManagedKey(s, 'Key'), requiredContextKeys: new CfnParameter(s, 'Keys', { type: 'CommaDelimitedList' }).valueAsList,
    }), /^requiredContextKeys must be literal keys .*, got a token \(#\{Token\[/],
    ['vpcSubnets without vpc', (s) => new aws.EnvelopeEncryptionFunction(s, 'E', {
      key: new aws.ManagedKey(s, 'Key'), requiredContextKeys: ['t'], vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    }), 'vpcSubnets applies only with vpc, got { subnetType Isolated } and no vpc'],
    ['a backend that is no KeyStoreBackend', (s) => new aws.HyokExternalStore(s, 'S', { backend: {} as any, custodians: { administrators: [people().admin] } }),
      'backend must be KeyStoreBackend'],
    ['a profile given by name', (s) => new aws.ManagedKey(s, 'K', { profile: 'PCI_DSS' as any }),
      'profile must be a ComplianceProfile (e.g. ComplianceProfile.PCI_DSS), got PCI_DSS'],
    ['a profile given by name (KeyAuditSink)', (s) => new aws.KeyAuditSink(s, 'A', { custodians: { administrators: [people().admin] }, profile: 'SOC2' as any }),
      'profile must be a ComplianceProfile'],
    ['an audit sink that is no sink', (s) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'K', { auditSink: {} as any }), 'auditSink must be a KeyAuditSink'],
    ['an audit sink that is no sink (HyokExternalStore)', (s) => xksStoreFor(s, ComplianceProfile.COMMERCIAL, 'S', { auditSink: 'audit' as any }),
      'auditSink must be a KeyAuditSink (IKeyAuditSink), got audit'],
    ['a dual-control gate that is no gate', (s) => cmkFor(s, ComplianceProfile.PCI_DSS, 'K', { dualControlGate: {} as any }), 'dualControlGate must be a DualControlGate'],
    ['a removal policy that is no RemovalPolicy', (s) => new aws.CloudHsmCluster(s, 'H', { vpc: hsmVpc(s), acknowledgeHourlyCost: true, removalPolicy: 'keep' as any }),
      'removalPolicy must be a RemovalPolicy value, got keep'],
    ['an envelope key that is no key', (s) => new aws.EnvelopeEncryptionFunction(s, 'E', { key: 'alias/orders' as any, requiredContextKeys: ['t'] }),
      'key must be a KMS key (kms.IKey), got alias/orders'],
    ['connect as a string', (s) => xksStoreFor(s, ComplianceProfile.COMMERCIAL, 'S', { connect: 'false' as any }), 'connect must be true or false, got false'],
    ['a token in a conditional grant\'s requiredContextKeys', (s) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'K')
      .grantEncryptDecryptWhen(new iam.ArnPrincipal(arn('Reader')), { requiredContextKeys: [new CfnParameter(s, 'P').valueAsString] }),
    /requiredContextKeys must be literal keys .*got a token/],
  ])('%s', (_name, make, message) => {
    expectOurs(() => make(newStack()), message);
  });

  test('principal ARNs KMS accepts still pass: role and user with paths, assumed-role sessions, other partitions, tokens', () => {
    const stack = newStack();
    const key = cmkFor(stack, ComplianceProfile.COMMERCIAL, 'K', {
      custodians: {
        administrators: [new iam.ArnPrincipal('arn:aws:iam::111111111111:role/service-role/Key.Admin@ops')],
        users: [
          new iam.ArnPrincipal('arn:aws-us-gov:iam::222222222222:user/team/app_user+1'),
          new iam.ArnPrincipal('arn:aws:sts::111111111111:assumed-role/Ops/session-1'),
          new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
          new iam.ServicePrincipal('logs.us-east-1.amazonaws.com'),
        ],
      },
      deploymentPrincipal: new iam.ArnPrincipal(`arn:aws:iam::111111111111:role/${Token.asString('Deployer')}`),
    });
    expect(key.keyArn).toBeDefined();
    expect(lintErrors(stack)).toEqual([]);
  });

  // Review of issue 16: a Duration or ComplianceProfile from a second copy of aws-cdk-lib or of this library (a monorepo
  // with two versions) is not `instanceof` ours, yet worked before the up-front checks. A Proxy whose prototype is
  // another object stands in for such a copy.
  test('a Duration and a profile from another copy of their library are accepted', () => {
    const foreign = <T extends object>(v: T): T => new Proxy(v, { getPrototypeOf: () => Object.prototype });
    const stack = newStack();
    const rotation = foreign(Duration.days(90));
    const profile = foreign(ComplianceProfile.COMMERCIAL);
    expect(rotation instanceof Duration).toBe(false);
    expect(profile instanceof ComplianceProfile).toBe(false);
    cmkFor(stack, ComplianceProfile.COMMERCIAL, 'K', { rotation, deletionWindow: foreign(Duration.days(30)), profile });
    expect(templateOf(stack).findResources('AWS::KMS::Key')).not.toEqual({});
  });

  // Review of issue 16: a federated-user session (GetFederationToken) is a principal resource policies may name
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#sts-session-principals)
  // and was accepted before the ARN check. cfn-lint's schema (E3512) knows only assumed-role sessions, so no lint here.
  test('a federated-user session ARN is accepted as a custodian', () => {
    const stack = newStack();
    const federated = 'arn:aws:sts::111111111111:federated-user/bob@ops';
    cmkFor(stack, ComplianceProfile.COMMERCIAL, 'K', {
      custodians: { administrators: [people().admin], users: [new iam.ArnPrincipal(federated)] },
    });
    expect(JSON.stringify(templateOf(stack).toJSON())).toContain(federated);
  });
});

describe('fuzz round 2: every refused value is shown as given', () => {
  const envelope = (s: Stack, extra: Partial<aws.EnvelopeEncryptionFunctionProps>) => new aws.EnvelopeEncryptionFunction(s, 'E', {
    key: new aws.ManagedKey(s, 'Key'), requiredContextKeys: ['t'], ...extra,
  });
  const hsmBackend = (s: Stack, trustAnchorCertificate: unknown) => aws.KeyStoreBackend.cloudHsm({
    cluster: new aws.CloudHsmCluster(s, 'H', { vpc: hsmVpc(s), acknowledgeHourlyCost: true }),
    trustAnchorCertificate: trustAnchorCertificate as string,
    kmsUserPassword: secret(s, 'P'),
  });
  const xksKey = (s: Stack, xksKeyId: unknown) => xksStoreFor(s, ComplianceProfile.COMMERCIAL).addKey('K', { xksKeyId: xksKeyId as string });

  test.each<[string, (s: Stack) => unknown, string | RegExp]>([
    ['EnvelopeEncryptionFunction vpcSubnets: {} without vpc', (s) => envelope(s, { vpcSubnets: {} }), 'vpcSubnets applies only with vpc, got {} and no vpc'],
    ["EnvelopeEncryptionFunction vpcSubnets: 'x' without vpc", (s) => envelope(s, { vpcSubnets: 'x' as any }), 'vpcSubnets applies only with vpc, got x and no vpc'],
    ['EnvelopeEncryptionFunction securityGroups without vpc', (s) => envelope(s, {
      securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(s, 'Sg', 'sg-0123456789abcdef0')],
    }), 'securityGroups applies only with vpc, got [sg-0123456789abcdef0] and no vpc'],
    ["HyokExternalStore.addKey xksKeyId: ''", (s) => xksKey(s, ''), 'xksKeyId must be 1 to 128 letters, digits, \'-\', \'_\' or \'.\', got ""'],
    ["HyokExternalStore.addKey xksKeyId: ' '", (s) => xksKey(s, ' '), 'xksKeyId must be 1 to 128 letters, digits, \'-\', \'_\' or \'.\', got " "'],
    ['HyokExternalStore.addKey xksKeyId: {}', (s) => xksKey(s, {}), "xksKeyId must be 1 to 128 letters, digits, '-', '_' or '.', got {}"],
    ['HyokExternalStore.addKey xksKeyId: 42', (s) => xksKey(s, 42), "xksKeyId must be 1 to 128 letters, digits, '-', '_' or '.', got 42"],
    ['HyokExternalStore.addKey xksKeyId of 300 characters', (s) => xksKey(s, 'a'.repeat(300)),
      `xksKeyId must be 1 to 128 letters, digits, '-', '_' or '.', got ${'a'.repeat(40)}... (300 characters)`],
    ['HyokExternalStore.addKey xksKeyId omitted', (s) => xksKey(s, undefined), 'xksKeyId is required for keys in external key store Test/Store, got nothing'],
    ["KeyStoreBackend.cloudHsm trustAnchorCertificate: 'key-🔑'", (s) => hsmBackend(s, 'key-🔑'),
      'trustAnchorCertificate must be a PEM certificate (-----BEGIN CERTIFICATE-----), got key-🔑'],
    ['KeyStoreBackend.cloudHsm trustAnchorCertificate of 300 characters', (s) => hsmBackend(s, 'a'.repeat(300)),
      `trustAnchorCertificate must be a PEM certificate (-----BEGIN CERTIFICATE-----), got ${'a'.repeat(40)}... (300 characters)`],
    ["KeyStoreBackend.xksPublicEndpoint uriEndpoint: ' x '", (s) => aws.KeyStoreBackend.xksPublicEndpoint({
      uriEndpoint: ' x ', uriPath: '/kms/xks/v1', credential: secret(s, 'C'), externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
    }), 'uriEndpoint must be https://<host>[:port] with no path, got " x "'],
    ["KeyStoreBackend.xksPublicEndpoint uriPath: '/kms/xks/v1 '", (s) => aws.KeyStoreBackend.xksPublicEndpoint({
      uriEndpoint: 'https://xks.example.com', uriPath: '/kms/xks/v1 ', credential: secret(s, 'C'), externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
    }), 'uriPath must be an optional prefix followed by /kms/xks/v1, got "/kms/xks/v1 "'],
  ])('%s', (_name, make, message) => {
    expectOurs(() => make(newStack()), message);
  });

  const tenantHierarchy = (s: Stack, extra: Partial<aws.TenantKeyHierarchyProps>) => new aws.TenantKeyHierarchy(s, 'T', {
    custodians: { administrators: [people().admin] },
    isolation: TenantIsolation.TIERED,
    tenants: [{ tenantId: 'initech', pool: 'standard' }],
    pools: ['standard'],
    ...extra,
  });
  test.each<[string, (s: Stack) => unknown, string | RegExp]>([
    ["CloudHsmCluster acknowledgeHourlyCost: ' '", (s) => new aws.CloudHsmCluster(s, 'H', { vpc: hsmVpc(s), acknowledgeHourlyCost: ' ' as any }),
      /^acknowledgeHourlyCost must be true: .*, got " "$/],
    ['CloudHsmCluster acknowledgeHourlyCost: {}', (s) => new aws.CloudHsmCluster(s, 'H', { vpc: hsmVpc(s), acknowledgeHourlyCost: {} as any }),
      /^acknowledgeHourlyCost must be true: .*, got \{\}$/],
    ['CustomerManagedKey replicaRegions from a parameter without multiRegion', (s) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'K', {
      replicaRegions: new CfnParameter(s, 'Regions', { type: 'CommaDelimitedList' }).valueAsList,
    }), /^replicaRegions applies only to multi-Region keys \(multiRegion: true\), got (an unresolved token|a token)/],
    // fuzz seed 922535471: a string was read character by character ("got v")
    ["CustomerManagedKey replicaRegions: 'eu-west-1' (not a list)", (s) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'K', { multiRegion: true, replicaRegions: 'eu-west-1' as any }),
      'replicaRegions must be a list, got eu-west-1'],
    ["CustomerManagedKey replicaRegions: [' ']", (s) => cmkFor(s, ComplianceProfile.COMMERCIAL, 'K', { multiRegion: true, replicaRegions: [' '] }),
      'replicaRegions must name AWS regions such as eu-west-1, got " "'],
    ['TenantKeyHierarchy pools: [undefined]', (s) => tenantHierarchy(s, { pools: [undefined as any] }), /^pools\[0\] must be a literal pool name .*, got nothing$/],
    ['TenantKeyHierarchy pools: [token]', (s) => tenantHierarchy(s, { pools: [new CfnParameter(s, 'P').valueAsString] }),
      /^pools\[0\] must be a literal pool name .*, got a token \(\$\{Token\[/],
    ['TenantKeyHierarchy a tenant pool that is an object', (s) => tenantHierarchy(s, { tenants: [{ tenantId: 'initech', pool: {} as any }] }),
      'tenants[initech].pool must be the literal name of one of pools, got {}'],
    ['TenantKeyHierarchy a tenantId that is an object', (s) => tenantHierarchy(s, { tenants: [{ tenantId: {} as any }] }),
      /^tenants\[0\]\.tenantId must be a literal string of 1 to 64 letters.*, got \{\}$/],
  ])('%s', (_name, make, message) => {
    expectOurs(() => make(newStack()), message);
  });

  test('CustomerManagedKey replicaRegions from a CommaDelimitedList parameter: the list goes into kms:ReplicaRegion', () => {
    const stack = newStack();
    const regions = new CfnParameter(stack, 'Regions', { type: 'CommaDelimitedList' }).valueAsList;
    const key = cmkFor(stack, ComplianceProfile.COMMERCIAL, 'K', { multiRegion: true, replicaRegions: regions });
    const policy = templateOf(stack).toJSON().Resources[stack.getLogicalId(key.node.defaultChild as any)].Properties.KeyPolicy;
    const conditions = policy.Statement.filter((st: any) => st.Condition?.StringNotEquals?.['kms:ReplicaRegion'] !== undefined)
      .map((st: any) => st.Condition.StringNotEquals['kms:ReplicaRegion']);
    expect(conditions).toEqual([{ Ref: 'Regions' }]);
    expect(lintErrors(stack)).toEqual([]);
  });

  const jwt = { issuer: 'https://issuer.example.com', audience: ['api'], jwksUri: 'https://issuer.example.com/jwks.json' };
  test.each<[string, () => unknown, string | RegExp]>([
    ['TenantResolution.claim with a claim name that is an object', () => aws.TenantResolution.claim({} as any, jwt),
      'claim must be 1 to 128 letters, digits and _:./-, got {}'],
    ['TenantResolution.claim with an issuer that is a number', () => aws.TenantResolution.claim('tenant', { ...jwt, issuer: 42 as any }),
      'token.issuer must be an https URL, got 42'],
    ['TenantResolution.claim with an audience entry that is an object', () => aws.TenantResolution.claim('tenant', { ...jwt, audience: [{} as any] }),
      'token.audience must be non-empty values without spaces or commas, got {}'],
    ['AwsManagedKeyService.of(42)', () => aws.AwsManagedKeyService.of(42 as any), 'service must be a lower-case AWS service name such as s3 or ebs, got 42'],
  ])('%s', (_name, make, message) => {
    expectOurs(make, message);
  });

  test.each<[string, unknown, string]>([
    ['an object', {}, 'got {}'],
    ['a number', 42, 'got 42'],
  ])('EnvelopeEncryptionFunction callerProofServerId that is %s is refused', (_what, value, shownAs) => {
    const s = newStack();
    const tenants = new aws.TenantKeyHierarchy(s, 'Tenants', { custodians: { administrators: [people().admin] } });
    expectOurs(() => new aws.EnvelopeEncryptionFunction(s, 'E', { tenants, callerProofServerId: value as any }),
      `callerProofServerId must be 1 to 256 printable characters without spaces, ${shownAs}`);
  });

  test('TenantKeyHierarchy.poolKey({}) shows the object', () => {
    const s = newStack();
    const h = tenantHierarchy(s, {});
    expectOurs(() => h.poolKey({} as any), 'pool must be one of standard, got {}');
  });

  // The fuzz class "HyokExternalStore.addKey custodians.users ... custodians.administrators is required": a key's own
  // custodians without administrators now take the store's (as on Azure and Google Cloud), so the bad user is named.
  test('HyokExternalStore.addKey custodians with a user that is not an ARN names custodians.users and the value', () => {
    const s = newStack();
    const store = xksStoreFor(s, ComplianceProfile.COMMERCIAL);
    expectOurs(() => store.addKey('K', { xksKeyId: 'k1', custodians: { administrators: [people().admin], users: [new iam.ArnPrincipal('not-an-arn')] } }),
      /^custodians\.users must be IAM role or user ARNs .*, got not-an-arn$/);
    expectOurs(() => store.addKey('K2', { xksKeyId: 'k2', custodians: { users: [new iam.ArnPrincipal('not-an-arn')] } as any }),
      /^custodians\.users must be IAM role or user ARNs .*, got not-an-arn$/);
  });

  test("HyokExternalStore.addKey custodians without administrators: the store's administrators administer the key", () => {
    const s = newStack();
    const store = xksStoreFor(s, ComplianceProfile.COMMERCIAL);
    store.addKey('K', { xksKeyId: 'k1', custodians: { users: [people().user] } as any });
    const policy = s.resolve((Object.values(templateOf(s).findResources('Custom::CloudKmsStoreKey'))[0] as any).Properties.KeyPolicy);
    expect(decide(policy, arn('KeyAdmin'), 'kms:DisableKey')).toBe('ALLOW');
    expect(decide(policy, arn('KeyAdmin'), 'kms:Decrypt')).not.toBe('ALLOW');
  });

  test("an xksKeyId: '' on a CloudHSM store is refused as given", () => {
    const s = newStack();
    const store = new aws.HyokExternalStore(s, 'S', { custodians: { administrators: [people().admin] }, backend: hsmBackend(s, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----') });
    expectOurs(() => store.addKey('K', { xksKeyId: '' }), 'xksKeyId applies only to external key stores; Test/S is a CloudHSM key store, got ""');
  });
});
