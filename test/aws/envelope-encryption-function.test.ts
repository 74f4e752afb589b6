import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ComplianceProfile, Control, EvidenceLedger, TenantIsolation } from '../../src';
import * as aws from '../../src/aws';
import { cmkFor, DEPLOYER, keyPolicyOf, newStack, people, sinkFor, templateOf, xksStoreFor } from '../support/fixtures';
import { decide } from '../support/key-policy-eval';
import { nagFindings } from '../support/nag';

const NULL_CONDITION = { Null: { 'kms:EncryptionContext:tenant': 'false', 'kms:EncryptionContext:purpose': 'false' } };

function withCmk(profile = ComplianceProfile.PCI_DSS, extra: Partial<aws.EnvelopeEncryptionFunctionProps> = {}) {
  const stack = newStack();
  const key = cmkFor(stack, profile);
  const fn = new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: ['tenant', 'purpose'], profile, ...extra });
  return { stack, key, fn, template: templateOf(stack) };
}

describe('with a CustomerManagedKey (key policy is the only authority)', () => {
  const { stack, key, fn, template } = withCmk();

  test('the key policy lets the function GenerateDataKey and Decrypt only, and only with the required context keys', () => {
    const grant = keyPolicyOf(stack, key).Statement.find((s: any) => JSON.stringify(s.Principal ?? {}).includes('EnvelopeRole'));
    expect(grant).toMatchObject({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Condition: NULL_CONDITION });
  });

  test('the role has no inline policy and no KMS right of its own on the data key', () => {
    // The dual-control gate's Provider framework roles carry the only inline policies (CDK's own).
    expect(Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => !id.startsWith('CloudKmsDualControlGate'))).toEqual([]);
    const managed = template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('EnvelopeRole') }] } });
    const statements = Object.values(managed).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((s: any) => s.Action)).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      'sqs:SendMessage',
      ['kms:GenerateDataKey', 'kms:Decrypt'],
    ]);
    // The only KMS statement is for the log key, and only through SQS.
    expect(statements[2].Condition).toEqual({ StringEquals: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } });
    expect(fn.role).toBeDefined();
  });

  test('the function: reserved concurrency, DLQ, JSON logs in its own group, configuration in the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      MemorySize: 1024,
      Timeout: 30,
      ReservedConcurrentExecutions: 10,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('EnvelopeDeadLetterQueue'), 'Arn'] } },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('EnvelopeLogs') } },
      Environment: {
        Variables: {
          // A dual-control key's ARN comes from its gate policy resource, so the function waits for the custodian policy.
          ENVELOPE_KEY_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('OrdersKeyGatedPolicy'), 'KeyArn'] },
          ENVELOPE_REQUIRED_CONTEXT_KEYS: 'tenant,purpose',
          ENVELOPE_SUITE: String(0x0478),
          ENVELOPE_CACHE_MAX_AGE_MS: '300000',
          ENVELOPE_CACHE_MAX_MESSAGES: '1000',
          ENVELOPE_MAX_RECORD_BYTES: String(4 * 1024 * 1024),
        },
      },
    });
  });

  test('logs encrypted with a rotating key and kept as the profile requires; the DLQ encrypted and TLS-only', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('EnvelopeLogKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('envelope function'), EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('EnvelopeLogKey'), 'Arn'] }, MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the log key: CloudFormation manages it but cannot delete or disable it; only Logs and the function (through SQS) use it', () => {
    const policy = keyPolicyOf(stack, fn.node.findChild('LogKey'));
    const role = stack.resolve(fn.role.roleArn);
    expect(JSON.stringify(policy)).not.toContain(':root');
    expect(decide(policy, DEPLOYER, 'kms:PutKeyPolicy')).toBe('ALLOW');
    for (const action of ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:Decrypt']) expect(decide(policy, DEPLOYER, action)).toBe('IMPLICIT_DENY');
    expect(decide(policy, role, 'kms:GenerateDataKey', { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' })).toBe('ALLOW');
    expect(decide(policy, role, 'kms:Decrypt')).toBe('IMPLICIT_DENY');
    expect(decide(policy, role, 'kms:PutKeyPolicy', { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' })).toBe('IMPLICIT_DENY');
  });

  test('cdk-nag: no unacknowledged finding in the four packs', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('evidence: least privilege on the key, the message format, structured logs', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.evidenceFor(Control.NIST_AC_6, 'Test/Envelope')[0].value).toMatch(/^kms:GenerateDataKey, kms:Decrypt on Test\/OrdersKey; context keys tenant, purpose required$/);
    expect(ledger.evidenceFor(Control.NIST_SC_13, 'Test/Envelope')[0].value).toBe('AWS Encryption SDK v2, suite 0x0478');
  });
});

test('with a ManagedKey (IAM-delegated): the grant is an IAM statement with the same conditions', () => {
  const stack = newStack();
  const key = new aws.ManagedKey(stack, 'Key', { profile: ComplianceProfile.COMMERCIAL });
  new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: ['tenant', 'purpose'] });
  const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
  expect(statements).toContainEqual({
    Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] }, Condition: NULL_CONDITION,
  });
});

test('with a key in an external key store: the grant goes into that key\'s policy', () => {
  const stack = newStack();
  const store = xksStoreFor(stack, ComplianceProfile.SOVEREIGN);
  const key = store.addKey('TenantKey', { xksKeyId: 'external-1' });
  new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: ['tenant'] });
  expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain('"kms:EncryptionContext:tenant":"false"');
});

test('in a VPC: subnets and security group, ENI rights, and no LambdaInsideVPC acknowledgement', () => {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const key = cmkFor(stack, ComplianceProfile.HIPAA, 'Key', { auditSink: sinkFor(stack, ComplianceProfile.HIPAA) });
  new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: ['tenant'], vpc, profile: ComplianceProfile.HIPAA, suite: aws.EnvelopeSuite.COMMITTING_SIGNED });
  const t = Template.fromStack(stack);
  t.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }), Environment: { Variables: Match.objectLike({ ENVELOPE_SUITE: String(0x0578) }) } });
  t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 2192 });
  expect(EvidenceLedger.of(stack).acknowledgements('Test/Envelope').map((a) => a.rule)).not.toContain('HIPAA.Security-LambdaInsideVPC');
});

describe('bad input', () => {
  test.each<[string, Partial<aws.EnvelopeEncryptionFunctionProps>, string | RegExp]>([
    ['no required context keys', { requiredContextKeys: [] }, 'requiredContextKeys must name at least one encryption-context key for Test/Envelope, got none'],
    ['a reserved context key', { requiredContextKeys: ['aws-crypto-public-key'] }, /got aws-crypto-public-key$/],
    ['a cache beyond the NIST bound', { cacheMaxMessages: 2 ** 32 + 1 }, 'cacheMaxMessages must be between 1 and 4294967296 messages, got 4294967297'],
    ['records too large for a Lambda response', { maxRecordBytes: 6 * 1024 * 1024 }, /maxRecordBytes must be between 1 and/],
    ['no reserved concurrency', { reservedConcurrentExecutions: 0 }, /reservedConcurrentExecutions must be between 1 and 1000/],
  ])('%s', (_what, extra, message) => {
    const stack: Stack = newStack();
    const key = new aws.ManagedKey(stack, 'Key', { profile: ComplianceProfile.COMMERCIAL });
    expect(() => new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: ['tenant'], ...extra })).toThrow(message);
  });

  test('a cache age of zero turns the cache off', () => {
    const { template } = withCmk(ComplianceProfile.SOC2, { cacheMaxAge: Duration.seconds(0) });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ENVELOPE_CACHE_MAX_AGE_MS: '0' }) } });
  });
});

describe('tenant-aware (a TenantKeyHierarchy)', () => {
  function withTenants(extra: Partial<aws.EnvelopeEncryptionFunctionProps> = {}) {
    const stack = newStack();
    const tenants = new aws.TenantKeyHierarchy(stack, 'Tenants', {
      custodians: { administrators: [people().admin] },
      isolation: TenantIsolation.TIERED,
      tenants: [{ tenantId: 'acme', dedicated: true }, { tenantId: 'initech' }],
    });
    const fn = new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { tenants, requiredContextKeys: ['purpose'], ...extra });
    return {
      stack,
      tenants,
      fn,
      get template() {
        return templateOf(stack);
      },
    };
  }

  test('each tenant key lets the session role work only for the tenant in its session tag and context', () => {
    const { stack, tenants, fn } = withTenants();
    const session = stack.resolve(fn.tenantSessionRole!.roleArn);
    const acmeKey = tenants.keyFor('acme') as kms.Key;
    // The key lives in a nested stack: the role's ARN arrives there as a parameter.
    const shard = Stack.of(acmeKey);
    const acme = Template.fromStack(shard).toJSON().Resources[shard.getLogicalId(acmeKey.node.defaultChild as kms.CfnKey)].Properties.KeyPolicy;
    const sessionInShard = acme.Statement.find((s: any) => s.Condition?.StringEquals?.['aws:PrincipalTag/tenantId'] === 'acme' && s.Action !== 'kms:DescribeKey').Principal.AWS;
    expect(sessionInShard).toEqual({ Ref: expect.stringMatching(/TenantSessionRole/) });
    expect(decide(acme, sessionInShard, 'kms:GenerateDataKey', { 'aws:PrincipalTag/tenantId': 'acme', 'kms:EncryptionContext:tenantId': 'acme' })).toBe('ALLOW');
    expect(decide(acme, sessionInShard, 'kms:GenerateDataKey', { 'aws:PrincipalTag/tenantId': 'initech', 'kms:EncryptionContext:tenantId': 'initech' })).toBe('IMPLICIT_DENY');
    const pool = stack.resolve(((tenants.poolKey('default') as kms.Key).node.defaultChild as kms.CfnKey).keyPolicy);
    expect(decide(pool, session, 'kms:Decrypt', { 'aws:PrincipalTag/tenantId': 'initech', 'kms:EncryptionContext:tenantId': 'initech' })).toBe('ALLOW');
    expect(decide(pool, session, 'kms:Decrypt', { 'aws:PrincipalTag/tenantId': 'initech', 'kms:EncryptionContext:tenantId': 'acme' })).toBe('IMPLICIT_DENY');
  });

  test('only the function may assume the session role, and only with the tenant tag as its one session tag', () => {
    const { template, stack, fn } = withTenants();
    const trust = stack.resolve((fn.tenantSessionRole!.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument);
    expect(trust.Statement).toEqual([{
      Effect: 'Allow',
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Principal: { AWS: stack.resolve(fn.role.roleArn) },
      Condition: { 'StringLike': { 'aws:RequestTag/tenantId': '?*' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenantId'] } },
    }]);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: stack.resolve(fn.tenantSessionRole!.roleArn) },
          { Effect: 'Allow', Action: ['iam:ListRoleTags', 'iam:ListUserTags'], Resource: [Match.anyValue(), Match.anyValue()] },
        ]),
      },
    });
  });

  test('principal-tag resolution: an IAM-authorized function URL, the server id callers sign, the pinned key ids', () => {
    const { template, stack, fn, tenants } = withTenants();
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    expect(fn.callerProofServerId).toBe('cloud-kms:Test/Envelope');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ENVELOPE_TENANT_ALIAS_PREFIX: 'alias/tenant/',
          ENVELOPE_TENANT_TAG_KEY: 'tenantId',
          ENVELOPE_TENANT_CONTEXT_KEY: 'tenantId',
          ENVELOPE_TENANT_SOURCE: 'principalTag',
          ENVELOPE_CALLER_PROOF_SERVER_ID: 'cloud-kms:Test/Envelope',
          ENVELOPE_REQUIRED_CONTEXT_KEYS: 'purpose,tenantId',
        }),
      },
    });
    // Every key of the hierarchy, by id (acme's from its shard, the pool key from this stack): the function refuses
    // a tenant whose alias names any other key.
    const vars = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('tenants of') } }))[0] as any;
    const pinned = JSON.stringify(vars.Properties.Environment.Variables.ENVELOPE_TENANT_KEY_IDS);
    expect(pinned).toContain(JSON.stringify(stack.resolve(tenants.poolKey('default').keyId)));
    expect(pinned).toMatch(/Shard0000.*Outputs/);
    expect(JSON.stringify(vars)).not.toContain('ENVELOPE_JWT_');
  });

  test('grantInvoke opens the function URL only: no direct invoke (finding 1)', async () => {
    const { stack, fn } = withTenants();
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    fn.grantInvoke(caller);
    const template = Template.fromStack(stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles).includes('Caller'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const functionArn = stack.resolve(fn.function.functionArn);
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunctionUrl', Resource: functionArn, Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } },
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: functionArn, Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': true } } },
    ]);
    // A real policy evaluator: invoking through the URL is allowed, a direct invoke is not.
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:envelope';
    const policy = JSON.parse(JSON.stringify({ Version: '2012-10-17', Statement: statements }).split(JSON.stringify(functionArn)).join(JSON.stringify(arn)));
    const simulate = async (action: string, contextVariables: Record<string, string>) => {
      const res: any = await runSimulation({
        request: { principal: 'arn:aws:iam::123456789012:role/Caller', action, resource: { resource: arn, accountId: '123456789012' }, contextVariables },
        identityPolicies: [{ name: 'grant', policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      }, {});
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.overallResult;
    };
    expect(await simulate('lambda:InvokeFunction', { 'lambda:InvokedViaFunctionUrl': 'true' })).toBe('Allowed');
    expect(await simulate('lambda:InvokeFunction', {})).toBe('ImplicitlyDenied');
    expect(await simulate('lambda:InvokeFunction', { 'lambda:InvokedViaFunctionUrl': 'false' })).toBe('ImplicitlyDenied');
    expect(await simulate('lambda:InvokeFunctionUrl', { 'lambda:FunctionUrlAuthType': 'AWS_IAM' })).toBe('Allowed');
  });

  test('claim resolution: the token\'s issuer, audience and JWKS in the environment; a URL; no IAM tag reads', () => {
    const { template } = withTenants({
      tenantResolution: aws.TenantResolution.claim('custom:tenant', {
        issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc',
        audience: ['client-1', 'client-2'],
        jwksUri: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc/.well-known/jwks.json',
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    expect(JSON.stringify(template.toJSON())).not.toContain('iam:ListRoleTags');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ENVELOPE_TENANT_SOURCE: 'claim',
          ENVELOPE_TENANT_CLAIM: 'custom:tenant',
          ENVELOPE_JWT_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc',
          ENVELOPE_JWT_AUDIENCE: 'client-1,client-2',
          ENVELOPE_JWT_JWKS_URI: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc/.well-known/jwks.json',
        }),
      },
    });
  });

  test('evidence: identity proven, keys pinned, and who can still read every tenant (a trusted party on every tenant key)', () => {
    const { stack, tenants } = withTenants();
    const ledger = EvidenceLedger.of(stack);
    const isolation = ledger.evidenceFor(Control.NIST_AC_6, 'Test/Envelope').find((e) => e.setting === 'tenant isolation')!;
    expect(isolation.value).toMatch(/signed GetCallerIdentity request \(server id cloud-kms:Test\/Envelope\).*key ids pinned/);
    expect(isolation.description).toMatch(/requestContext is never trusted/);
    expect(isolation.description).toMatch(/Trusted: whoever can change the function's code or configuration, its execution role, or the tenant session role's trust policy/);
    const ack = ledger.acknowledgements(tenants.node.path).find((a) => a.rule === 'cloud-kms:TenantFunctionTrustedParties')!;
    expect(ack.resource).toBe('Test/Envelope/Function');
    expect(ack.reason).toMatch(/^partial control: .*lambda:UpdateFunctionCode.*iam:UpdateAssumeRolePolicy.*every tenant's data/);
  });

  test('cdk-nag packs are clean', () => {
    expect(nagFindings(withTenants().stack)).toEqual([]);
  });

  test('exactly one of key and tenants; tenantResolution only with tenants; claims are names', () => {
    const stack = newStack();
    const key = cmkFor(stack, ComplianceProfile.COMMERCIAL);
    expect(() => new aws.EnvelopeEncryptionFunction(stack, 'Neither', { requiredContextKeys: ['a'] })).toThrow(/give exactly one of key and tenants.*got neither/);
    const tenants = new aws.TenantKeyHierarchy(stack, 'Tenants', { custodians: { administrators: [people().admin] } });
    expect(() => new aws.EnvelopeEncryptionFunction(stack, 'Both', { key, tenants })).toThrow(/got both/);
    expect(() => new aws.EnvelopeEncryptionFunction(stack, 'Res', { key, requiredContextKeys: ['a'], tenantResolution: aws.TenantResolution.principalTag() }))
      .toThrow(/tenantResolution applies only with tenants/);
    const token = { issuer: 'https://issuer.example.com', audience: ['api'], jwksUri: 'https://issuer.example.com/jwks.json' };
    expect(() => aws.TenantResolution.claim('bad claim', token)).toThrow(/claim must be .* got 'bad claim'/);
    expect(() => new aws.EnvelopeEncryptionFunction(stack, 'Sid', { key, requiredContextKeys: ['a'], callerProofServerId: 'x' }))
      .toThrow(/callerProofServerId applies only with tenants and principal-tag resolution/);
    expect(() => new aws.EnvelopeEncryptionFunction(stack, 'Spaces', { tenants, callerProofServerId: 'my service' }))
      .toThrow("callerProofServerId must be 1 to 256 printable characters without spaces, got 'my service'");
  });

  test.each<[string, Partial<aws.TokenVerification>, string]>([
    ['an http issuer', { issuer: 'http://issuer.example.com' }, "token.issuer must be an https URL, got 'http://issuer.example.com'"],
    ['an empty issuer', { issuer: '' }, "token.issuer must be an https URL, got ''"],
    ['a JWKS URI that is not https', { jwksUri: 'file:///etc/jwks.json' }, "token.jwksUri must be an https URL, got 'file:///etc/jwks.json'"],
    ['no audience', { audience: [] }, 'token.audience must name at least one audience, got []'],
    ['an empty audience', { audience: [''] }, "token.audience must be non-empty values without spaces or commas, got ''"],
  ])('claim resolution refuses %s', (_what, bad, message) => {
    const token = { issuer: 'https://issuer.example.com', audience: ['api'], jwksUri: 'https://issuer.example.com/jwks.json', ...bad };
    expect(() => aws.TenantResolution.claim('custom:tenant', token)).toThrow(message);
  });

  test('tenants added after the function are pinned too; a hierarchy without keys pins none', () => {
    const { stack, tenants } = withTenants();
    tenants.addTenant({ tenantId: 'hooli', dedicated: true });
    const fnResource = Object.values(templateOf(stack).findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('tenants of') } }))[0] as any;
    const ids = fnResource.Properties.Environment.Variables.ENVELOPE_TENANT_KEY_IDS['Fn::Join'];
    // acme's and hooli's (through their shard's outputs) and the pool key's.
    expect(ids[0]).toBe(',');
    expect(ids[1]).toHaveLength(3);
    expect(JSON.stringify(ids[1])).toMatch(/Shard0000.*Outputs.*Shard0000.*Outputs/);
    const empty = newStack();
    const none = new aws.TenantKeyHierarchy(empty, 'Tenants', { custodians: { administrators: [people().admin] } });
    new aws.EnvelopeEncryptionFunction(empty, 'Envelope', { tenants: none });
    templateOf(empty).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ENVELOPE_TENANT_KEY_IDS: '' }) } });
  });

  test('a hierarchy with more keys than the environment can pin is refused at synthesis', () => {
    const stack = newStack();
    const tenants = new aws.TenantKeyHierarchy(stack, 'Tenants', {
      custodians: { administrators: [people().admin] },
      tenants: Array.from({ length: 90 }, (_, i) => ({ tenantId: `t${i}` })),
    });
    new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { tenants, requiredContextKeys: ['purpose'] });
    expect(() => templateOf(stack)).toThrow(/tenants has 90 keys, but Test\/Envelope pins at most 78 key ids in Lambda's 4096-byte environment/);
  });
});
