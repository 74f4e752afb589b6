import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ComplianceProfile, Control, CustodianRole, DeploymentModel, EvidenceLedger, EvidenceStatus, FipsLevel } from '../../src';
import * as aws from '../../src/aws';
import { ACCOUNT, arn, CA_PEM, hsmVpc, newStack, people, secret, sinkFor, statement, templateOf, xksStoreFor } from '../support/fixtures';
import { decide } from '../support/key-policy-eval';
import { nagFindings } from '../support/nag';

const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:XksCredential-AbCdEf`;

describe('an XKS store under SOVEREIGN with one key', () => {
  const stack = newStack();
  const store = xksStoreFor(stack, ComplianceProfile.SOVEREIGN);
  const key = store.addKey('TenantKey', { xksKeyId: 'external-key-1', aliases: ['sovereign/tenant'] });
  const t = templateOf(stack);
  const storeId = Object.keys(t.findResources('Custom::CloudKmsKeyStore'))[0];
  const keyRes = Object.values(t.findResources('Custom::CloudKmsStoreKey'))[0] as any;
  const policy = stack.resolve(keyRes.Properties.KeyPolicy);

  test('the store is a retained custom resource with the proxy settings and only the ARN of the credential secret', () => {
    t.hasResource('Custom::CloudKmsKeyStore', {
      Properties: Match.objectLike({
        CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
        XksProxyUriEndpoint: 'https://xks.example.com',
        XksProxyUriPath: '/example/kms/xks/v1',
        XksProxyConnectivity: 'PUBLIC_ENDPOINT',
        XksProxyCredentialSecretArn: SECRET_ARN,
        Connect: 'true',
        XksProxyVpcEndpointServiceName: Match.absent(),
      }),
      DeletionPolicy: 'Retain',
    });
  });

  test('the key is a retained custom resource in the store, with its XKS key id and a 30-day window', () => {
    expect(keyRes).toMatchObject({
      Type: 'Custom::CloudKmsStoreKey',
      DeletionPolicy: 'Retain',
      Properties: {
        CustomKeyStoreId: { 'Fn::GetAtt': [storeId, 'CustomKeyStoreId'] },
        Origin: 'EXTERNAL_KEY_STORE',
        XksKeyId: 'external-key-1',
        PendingWindowInDays: '30',
      },
    });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/sovereign/tenant', TargetKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StoreTenantKey'), 'Arn'] } });
    expect(key.model).toBe(DeploymentModel.HYOK);
  });

  test('its key policy is the separation-of-duties policy with dual control; the handler role stands in for CloudFormation', () => {
    const handlerRole = { 'Fn::GetAtt': [Object.keys(t.findResources('AWS::IAM::Role')).find((k) => k.startsWith('CloudKmsConstructsStoreKeyProviderHandlerRole')), 'Arn'] };
    expect(statement(policy, 'AllowCloudFormationDeployment').Principal).toEqual({ AWS: handlerRole });
    // Under dual control the handler (like CloudFormation) holds no PutKeyPolicy: only the gate's executor does, and the
    // handler creates the key skipping the lockout check (issue 13, finding 2).
    expect(statement(policy, 'AllowCloudFormationDeployment').Action).not.toContain('kms:PutKeyPolicy');
    expect(decide(policy, handlerRole, 'kms:PutKeyPolicy', { 'aws:PrincipalArn': handlerRole as any })).toBe('EXPLICIT_DENY');
    expect(JSON.stringify(t.findResources('Custom::CloudKmsStoreKey'))).toContain('"BypassPolicyLockoutSafetyCheck":"true"');
    expect(decide(policy, arn('KeyAdmin'), 'kms:Decrypt')).toBe('EXPLICIT_DENY');
    expect(decide(policy, arn('OrdersService'), 'kms:Decrypt')).toBe('ALLOW');
    expect(decide(policy, arn('OrdersService'), 'kms:ScheduleKeyDeletion', { 'aws:PrincipalArn': arn('OrdersService') })).toBe('EXPLICIT_DENY');
    expect(decide(policy, arn('ApproverA'), 'kms:ScheduleKeyDeletion', { 'aws:MultiFactorAuthPresent': 'true', 'aws:PrincipalArn': arn('ApproverA') })).toBe('EXPLICIT_DENY');
    expect(decide(policy, handlerRole, 'kms:Decrypt')).toBe('EXPLICIT_DENY');
  });

  test('grants land in the key policy and are checked against separation of duties', () => {
    const s = newStack();
    const st = xksStoreFor(s, ComplianceProfile.COMMERCIAL);
    const k = st.addKey('K', { xksKeyId: 'x1' });
    k.grantEncryptDecryptWhen(new iam.ArnPrincipal(arn('Tenant')), { encryptionContext: { tenantId: 'acme' } });
    const p = s.resolve((Object.values(templateOf(s).findResources('Custom::CloudKmsStoreKey'))[0] as any).Properties.KeyPolicy);
    expect(decide(p, arn('Tenant'), 'kms:Decrypt', { 'kms:EncryptionContext:tenantId': 'acme' })).toBe('ALLOW');
    expect(decide(p, arn('Tenant'), 'kms:Decrypt', { 'kms:EncryptionContext:tenantId': 'other' })).toBe('IMPLICIT_DENY');
    expect(() => k.grantDecrypt(new iam.ArnPrincipal(arn('KeyAdmin')))).toThrow(/cannot be both an administrator and a user/);
    expect(() => k.grantSign(new iam.ArnPrincipal(arn('Tenant')))).toThrow('keys in custom key stores are symmetric encryption keys; Test/Store/K cannot sign');
  });

  test('it works as an IKey for other constructs, e.g. an S3 bucket', () => {
    const s = newStack();
    const k = xksStoreFor(s, ComplianceProfile.COMMERCIAL).addKey('K', { xksKeyId: 'x1' });
    const bucket = new s3.Bucket(s, 'Data', { encryption: s3.BucketEncryption.KMS, encryptionKey: k });
    bucket.grantRead(new iam.ArnPrincipal(arn('Reader')));
    templateOf(s).hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StoreK'), 'Arn'] } } }],
      },
    });
    const p = s.resolve((Object.values(templateOf(s).findResources('Custom::CloudKmsStoreKey'))[0] as any).Properties.KeyPolicy);
    expect(decide(p, arn('Reader'), 'kms:Decrypt')).toBe('ALLOW');
  });

  test('the key-store handler can read exactly the credential secret; the key handler can only create keys in custom stores', () => {
    const managed = Object.values(t.findResources('AWS::IAM::ManagedPolicy')).map((p: any) => JSON.stringify(p.Properties));
    expect(managed.find((p) => p.includes('kms:CreateKey') && !p.includes('CloudKmsDualControlGate'))).toContain('"kms:KeyOrigin":["EXTERNAL_KEY_STORE","AWS_CLOUDHSM"]');
    const inline = Object.values(t.findResources('AWS::IAM::Policy')).map((p: any) => p.Properties);
    const secretRead = inline.find((p) => JSON.stringify(p.PolicyDocument).includes('secretsmanager:GetSecretValue'))!;
    expect(secretRead.Roles).toHaveLength(1);
    expect(secretRead.Roles[0].Ref).toMatch(/^CloudKmsConstructsKeyStoreProviderHandlerRole/);
    expect(JSON.stringify(secretRead.PolicyDocument)).toContain(SECRET_ARN);
  });

  test('monitoring: a health check every 5 minutes, a connection alarm that treats silence as failure, XKS error and credential-age alarms', () => {
    const topic = { Ref: Object.keys(t.findResources('AWS::SNS::Topic'))[0] };
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({ CUSTOM_KEY_STORE_ID: { 'Fn::GetAtt': [storeId, 'CustomKeyStoreId'] } }) },
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CloudKmsConstructs',
      MetricName: 'KeyStoreConnected',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [topic],
    });
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a: any) => JSON.stringify(a.Properties));
    expect(alarms.some((a) => a.includes('SELECT SUM(XksProxyErrors) FROM \\"AWS/KMS\\" WHERE CustomKeyStoreId'))).toBe(true);
    expect(alarms.some((a) => a.includes('SELECT MAX(XksProxyCredentialAge)'))).toBe(true);
    expect(store.alarms.map((a) => a.node.id)).toEqual(['ConnectionAlarm', 'XksProxyErrorsAlarm', 'XksCredentialAgeAlarm']);
    for (const a of Object.values(t.findResources('AWS::CloudWatch::Alarm')) as any[]) {
      if (JSON.stringify(a).includes('Store')) expect(a.Properties.AlarmActions).toEqual([topic]);
    }
  });

  test('evidence: HYOK key under the store, store container, rotation by reminder', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindKey('Test/Store/TenantKey')).toMatchObject({
      model: DeploymentModel.HYOK,
      parent: 'Test/Store',
      profile: ComplianceProfile.SOVEREIGN,
      fipsLevel: FipsLevel.LEVEL_3,
    });
    expect(ledger.containers).toEqual([expect.objectContaining({ path: 'Test/Store', kind: 'external key store (XKS, PUBLIC_ENDPOINT)' })]);
    expect(ledger.evidenceFor(Control.NIST_SC_12, 'Test/Store/TenantKey')[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, setting: 'rotation reminder', value: '365 days' });
    // Evaluated at synthesis: the store key's policy leaves the dual-control operations to the gate's executor alone.
    expect(ledger.evidenceFor(Control.PCI_3_7_6, 'Test/Store/TenantKey')[0]).toMatchObject({
      status: EvidenceStatus.SATISFIED, description: expect.stringMatching(/only the dual-control gate executor can change the policy/),
    });
    expect(ledger.custodiansOf('Test/Store/TenantKey').map((c) => c.role)).toEqual(expect.arrayContaining([CustodianRole.DEPLOYER, CustodianRole.APPROVER]));
  });

  test('evidence goes through the AWS key recorder: deletion as for every KMS key, the XKS FIPS level as a declaration', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.evidenceFor(Control.PCI_3_7_5, 'Test/Store/TenantKey')[0]).toMatchObject({
      status: EvidenceStatus.SATISFIED,
      setting: 'PendingWindowInDays, DeletionPolicy',
      value: '30, Retain',
      description: 'deletion waits 30 days and can be cancelled; the key is retained when its stack is deleted',
    });
    // No setting shows an external key manager's validation: the evidence says it is declared, for the assessor to check.
    expect(ledger.evidenceFor(Control.NIST_SC_13, 'Test/Store/TenantKey')[0]).toMatchObject({
      status: EvidenceStatus.SATISFIED,
      setting: 'Origin',
      value: 'EXTERNAL_KEY_STORE',
      description: expect.stringMatching(/^the customer declares the external key manager the setting names validated at FIPS 140 Level 3 \(a declaration/),
    });
    expect(ledger.evidenceFor(Control.PCI_3_6_1_2, 'Test/Store/TenantKey')[0].description)
      .toBe('key material held outside AWS KMS, in your external key manager (declared FIPS 140 Level 3)');
  });

  test('cdk-nag: no unacknowledged findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

test('a CloudHSM store: cluster id, trust anchor and the kmsuser password secret ARN; HSM health alarm', () => {
  const stack = newStack();
  const cluster = new aws.CloudHsmCluster(stack, 'Hsm', { vpc: hsmVpc(stack), acknowledgeHourlyCost: true });
  const store = new aws.HyokExternalStore(stack, 'HsmStore', {
    profile: ComplianceProfile.FEDRAMP_HIGH,
    auditSink: sinkFor(stack, ComplianceProfile.FEDRAMP_HIGH),
    backend: aws.KeyStoreBackend.cloudHsm({ cluster, trustAnchorCertificate: CA_PEM, kmsUserPassword: secret(stack, 'KmsUser') }),
    custodians: { administrators: [people().admin], users: [people().user] },
  });
  store.addKey('Key');
  const t = templateOf(stack);
  const clusterId = Object.keys(t.findResources('Custom::CloudKmsHsmCluster'))[0];
  t.hasResourceProperties('Custom::CloudKmsKeyStore', {
    CustomKeyStoreType: 'AWS_CLOUDHSM',
    CloudHsmClusterId: { 'Fn::GetAtt': [clusterId, 'ClusterId'] },
    TrustAnchorCertificate: CA_PEM,
    KeyStorePasswordSecretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:KmsUser-AbCdEf`,
  });
  t.hasResourceProperties('Custom::CloudKmsStoreKey', { Origin: 'AWS_CLOUDHSM', XksKeyId: Match.absent() });
  const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a: any) => JSON.stringify(a.Properties));
  expect(alarms.some((a) => a.includes('SELECT MAX(HsmUnhealthy) FROM \\"AWS/CloudHSM\\" WHERE ClusterId'))).toBe(true);
  expect(EvidenceLedger.of(stack).containers.map((c) => [c.path, c.parent])).toEqual([['Test/Hsm', undefined], ['Test/HsmStore', 'Test/Hsm']]);
  // Review of issue 17: a CloudHSM cluster's level is AWS's validation, not a declaration, in every custody sentence.
  const ledger = EvidenceLedger.of(stack);
  const keyPath = ledger.keys.find((k) => k.path.endsWith('HsmStore/Key'))!.path;
  expect(ledger.evidenceFor(Control.PCI_3_6_1_2, keyPath)[0].description).toBe('key material held outside AWS KMS, in your CloudHSM cluster (validated at FIPS 140 Level 3)');
  expect(ledger.evidenceFor(Control.NIST_SC_13, keyPath)[0].description).toMatch(/^the module the setting names is validated at FIPS 140 Level 3/);
  expect(ledger.evidenceFor(Control.PCI_3_7_1, keyPath)[0].description).toMatch(/^generated inside the customer-controlled HSM the setting names/);
  expect(nagFindings(stack)).toEqual([]);
});

test('a key\'s store (typed IHyokExternalStore, so the key\'s file does not import the store\'s) makes sibling keys', () => {
  const s = newStack();
  const store = xksStoreFor(s, ComplianceProfile.COMMERCIAL);
  const first = store.addKey('K1', { xksKeyId: 'k1' });
  const second = first.store.addKey('K2', { xksKeyId: 'k2' });
  expect(second.store).toBe(store);
  expect(second.node.scope).toBe(store);
  expect(Object.keys(templateOf(s).findResources('Custom::CloudKmsStoreKey'))).toHaveLength(2);
});

test('VPC endpoint service connectivity names the service', () => {
  const stack = newStack();
  new aws.HyokExternalStore(stack, 'Store', {
    backend: aws.KeyStoreBackend.xksVpcEndpointService({
      uriEndpoint: 'https://xks.internal.example.com',
      uriPath: '/kms/xks/v1',
      credential: secret(stack, 'Cred'),
      externalKeyManagerFipsLevel: FipsLevel.LEVEL_2,
      vpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
    }),
    custodians: { administrators: [people().admin] },
  });
  templateOf(stack).hasResourceProperties('Custom::CloudKmsKeyStore', { XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE', XksProxyVpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0' });
});

test('without an audit sink the alarms exist, the finding is acknowledged, and the ledger says nobody is told', () => {
  const stack = newStack();
  const store = xksStoreFor(stack, ComplianceProfile.COMMERCIAL);
  expect(nagFindings(stack)).toEqual([]);
  expect(EvidenceLedger.of(stack).evidenceFor(Control.NIST_AU_6, store.node.path)[0].status).toBe(EvidenceStatus.NOT_SATISFIED);
});

test('the providers are one per stack and kind', () => {
  const stack = newStack();
  const a = xksStoreFor(stack, ComplianceProfile.COMMERCIAL, 'A');
  const b = xksStoreFor(stack, ComplianceProfile.COMMERCIAL, 'B');
  a.addKey('K1', { xksKeyId: 'k1' });
  b.addKey('K2', { xksKeyId: 'k2', removalPolicy: RemovalPolicy.DESTROY, deletionWindow: Duration.days(7) });
  const t = templateOf(stack);
  expect(Object.keys(t.findResources('AWS::StepFunctions::StateMachine'))).toHaveLength(1);
  expect(Object.keys(t.findResources('AWS::Lambda::Function')).filter((k) => k.includes('StoreKeyProviderOnEvent'))).toHaveLength(1);
  t.hasResource('Custom::CloudKmsStoreKey', { Properties: Match.objectLike({ XksKeyId: 'k2', PendingWindowInDays: '7' }), DeletionPolicy: 'Delete' });
});

describe('bad input', () => {
  const p = people();
  const stackAnd = () => newStack();
  test.each<[string, () => unknown, string | RegExp]>([
    ['a profile that forbids HYOK', () => xksStoreFor(stackAnd(), ComplianceProfile.custom({ name: 'NO_HYOK', allowedModels: [DeploymentModel.CUSTOMER_MANAGED] })),
      'profile NO_HYOK does not allow the HYOK model (HyokExternalStore) for Test/Store; allowed: CUSTOMER_MANAGED'],
    ['an external key manager below the profile level', () => {
      const s = stackAnd();
      return new aws.HyokExternalStore(s, 'S', {
        profile: ComplianceProfile.SOVEREIGN,
        auditSink: sinkFor(s, ComplianceProfile.SOVEREIGN),
        custodians: { administrators: [p.admin] },
        backend: aws.KeyStoreBackend.xksPublicEndpoint({
          uriEndpoint: 'https://x.example.com',
          uriPath: '/kms/xks/v1',
          credential: secret(s, 'C'),
          externalKeyManagerFipsLevel: FipsLevel.LEVEL_2,
        }),
      });
    }, 'profile SOVEREIGN requires FIPS 140 Level 3 or higher, got FIPS 140 Level 2 for the key manager of Test/S'],
    ['a missing audit sink', () => xksStoreFor(stackAnd(), ComplianceProfile.SOVEREIGN, 'Store', { auditSink: undefined }),
      'auditSink is required under profile SOVEREIGN for Test/Store, got undefined'],
    ['an endpoint with a path', () => aws.KeyStoreBackend.xksPublicEndpoint({
      uriEndpoint: 'https://x.example.com/kms',
      uriPath: '/kms/xks/v1',
      credential: secret(stackAnd(), 'C'),
      externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
    }),
    'uriEndpoint must be https://<host>[:port] with no path, got https://x.example.com/kms'],
    ['plain http', () => aws.KeyStoreBackend.xksPublicEndpoint({
      uriEndpoint: 'http://x.example.com',
      uriPath: '/kms/xks/v1',
      credential: secret(stackAnd(), 'C'),
      externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
    }), /uriEndpoint must be https/],
    ['a wrong path', () => aws.KeyStoreBackend.xksPublicEndpoint({
      uriEndpoint: 'https://x.example.com',
      uriPath: '/xks',
      credential: secret(stackAnd(), 'C'),
      externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
    }),
    'uriPath must be an optional prefix followed by /kms/xks/v1, got /xks'],
    ['a malformed endpoint service', () => aws.KeyStoreBackend.xksVpcEndpointService({
      uriEndpoint: 'https://x.example.com',
      uriPath: '/kms/xks/v1',
      credential: secret(stackAnd(), 'C'),
      externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
      vpcEndpointServiceName: 'vpce-svc-123',
    }),
    'vpcEndpointServiceName must look like com.amazonaws.vpce.<region>.vpce-svc-<id>, got vpce-svc-123'],
    ['a trust anchor that is not PEM', () => {
      const s = stackAnd();
      return aws.KeyStoreBackend.cloudHsm({
        cluster: new aws.CloudHsmCluster(s, 'H', { vpc: hsmVpc(s), acknowledgeHourlyCost: true }),
        trustAnchorCertificate: 'MIIB...',
        kmsUserPassword: secret(s, 'P'),
      });
    }, 'trustAnchorCertificate must be a PEM certificate (-----BEGIN CERTIFICATE-----), got MIIB...'],
    ['an XKS key without its external id', () => xksStoreFor(stackAnd(), ComplianceProfile.COMMERCIAL).addKey('K'),
      'xksKeyId is required for keys in external key store Test/Store, got nothing'],
    ['a bad external key id', () => xksStoreFor(stackAnd(), ComplianceProfile.COMMERCIAL).addKey('K', { xksKeyId: 'has spaces' }),
      "xksKeyId must be 1 to 128 letters, digits, '-', '_' or '.', got has spaces"],
    ['a key window below the profile minimum', () => {
      const s = stackAnd();
      return xksStoreFor(s, ComplianceProfile.SOVEREIGN).addKey('K', { xksKeyId: 'k', deletionWindow: Duration.days(7) });
    }, 'deletionWindow must be at least 30 days under profile SOVEREIGN, got 7 days'],
    ['a key that is not retained under dual control', () => {
      const s = stackAnd();
      return xksStoreFor(s, ComplianceProfile.SOVEREIGN).addKey('K', { xksKeyId: 'k', removalPolicy: RemovalPolicy.DESTROY });
    }, /removalPolicy must be RETAIN under dual control for Test\/Store\/K/],
  ])('%s', (_what, build, message) => {
    expect(build).toThrow(message);
  });

  test('an xksKeyId on a CloudHSM store is refused', () => {
    const s = newStack();
    const cluster = new aws.CloudHsmCluster(s, 'H', { vpc: hsmVpc(s), acknowledgeHourlyCost: true });
    const store = new aws.HyokExternalStore(s, 'S', {
      custodians: { administrators: [p.admin] },
      backend: aws.KeyStoreBackend.cloudHsm({ cluster, trustAnchorCertificate: CA_PEM, kmsUserPassword: secret(s, 'P') }),
    });
    expect(() => store.addKey('K', { xksKeyId: 'x' })).toThrow('xksKeyId applies only to external key stores; Test/S is a CloudHSM key store, got x');
  });

  test('FEDRAMP_HIGH accepts HYOK; SOVEREIGN allows nothing else', () => {
    expect(ComplianceProfile.FEDRAMP_HIGH.allows(DeploymentModel.HYOK)).toBe(true);
    expect(ComplianceProfile.SOVEREIGN.allowedModels).toEqual([DeploymentModel.HYOK]);
    expect(new App()).toBeDefined();
  });
});
