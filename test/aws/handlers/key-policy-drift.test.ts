import { createHash } from 'crypto';
import { DRIFT_HANDLER_SOURCE } from '../../../src/aws/private/drift-handler';
import { DEFAULT_DEPLOYMENT_ROLE_NAMES } from '../../../src/aws/private/drift-names';

// The handler runs as the exact source CloudFormation deploys inline (Code.ZipFile), loaded here as CommonJS.
const ACCOUNT = '111122223333';
const EXEC_ROLE = 'stacksets-exec-0123456789abcdef0123456789abcdef';
const CONFIG = {
  METRIC_NAMESPACE: 'CloudKmsConstructs/KeyPolicyDrift',
  DEPLOYMENT_ROLE_NAMES: JSON.stringify([EXEC_ROLE, ...DEFAULT_DEPLOYMENT_ROLE_NAMES]),
  POLICY_WRITER_ROLE_NAMES: JSON.stringify(['CloudKmsDualControlGateExecutor']),
};

interface Loaded {
  handler: (event: unknown) => Promise<{ verdict: string; reason: string }>;
  lines: () => Record<string, any>[];
}

function load(env: Record<string, string> = CONFIG): Loaded {
  const logged: string[] = [];
  const module = { exports: {} as any };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'module', 'exports', 'process', 'console', DRIFT_HANDLER_SOURCE)(
    require, module, module.exports, { env }, { log: (line: string) => logged.push(line) });
  return { handler: module.exports.handler, lines: () => logged.map((l) => JSON.parse(l)) };
}

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'KeyAdministration', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/KeyAdmin` }, Action: 'kms:PutKeyPolicy', Resource: '*' }],
}, null, 2);

/** An assumed-role session as CloudTrail records it (sessionContext.sessionIssuer names the role). */
function roleSession(role: string, options: { account?: string; path?: string; viaCloudFormation?: boolean } = {}) {
  const account = options.account ?? ACCOUNT;
  return {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLEID:session',
    arn: `arn:aws:sts::${account}:assumed-role/${role}/session`,
    accountId: account,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEID', arn: `arn:aws:iam::${account}:role/${options.path ?? ''}${role}`, accountId: account, userName: role },
      attributes: { creationDate: '2026-11-30T10:00:00Z', mfaAuthenticated: 'false' },
    },
    ...(options.viaCloudFormation ? { invokedBy: 'cloudformation.amazonaws.com' } : {}),
  };
}

/** The EventBridge envelope around the CloudTrail record of the KMS developer guide's PutKeyPolicy example. */
function putKeyPolicy(userIdentity: unknown, extra: Record<string, unknown> = {}) {
  const viaCfn = (userIdentity as any).invokedBy === 'cloudformation.amazonaws.com';
  return {
    'version': '0',
    'id': '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'AWS API Call via CloudTrail',
    'source': 'aws.kms',
    'account': ACCOUNT,
    'time': '2026-11-30T10:06:16Z',
    'region': 'us-west-2',
    'resources': [],
    'detail': {
      eventVersion: '1.08',
      userIdentity,
      eventTime: '2026-11-30T10:06:16Z',
      eventSource: 'kms.amazonaws.com',
      eventName: 'PutKeyPolicy',
      awsRegion: 'us-west-2',
      sourceIPAddress: viaCfn ? 'cloudformation.amazonaws.com' : '192.0.2.0',
      userAgent: viaCfn ? 'cloudformation.amazonaws.com' : 'aws-cli/2.15.0',
      requestParameters: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', policyName: 'default', policy: POLICY, bypassPolicyLockoutSafetyCheck: false },
      responseElements: null,
      requestID: '7bb906fa-dc21-4350-b65c-808ff0f72f55',
      eventID: 'c217db1f-903f-4a2f-8f88-9580182d6313',
      readOnly: false,
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
      ...extra,
    },
  };
}

const DRIFT = 'OutOfBandKeyPolicyChanges';
const REPLICA_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`;
const NEW_KEY_ARN = `arn:aws:kms:us-west-2:${ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;

/** The KMS developer guide's ReplicateKey record (primary in us-west-2, replica in us-east-1), with a Policy given. */
function replicateKey(userIdentity: unknown, extra: Record<string, unknown> = {}) {
  const base = putKeyPolicy(userIdentity);
  return {
    ...base,
    detail: {
      ...base.detail,
      eventName: 'ReplicateKey',
      requestParameters: { keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab', replicaRegion: 'us-east-1', bypassPolicyLockoutSafetyCheck: false, description: '', policy: POLICY },
      responseElements: {
        replicaKeyMetadata: {
          aWSAccountId: ACCOUNT,
          keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab',
          arn: REPLICA_ARN,
          enabled: false,
          keyState: 'Creating',
          origin: 'AWS_KMS',
          keyManager: 'CUSTOMER',
          keySpec: 'SYMMETRIC_DEFAULT',
          multiRegion: true,
          multiRegionConfiguration: { multiRegionKeyType: 'REPLICA', primaryKey: { arn: `arn:aws:kms:us-west-2:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`, region: 'us-west-2' } },
        },
        replicaPolicy: POLICY,
      },
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: `arn:aws:kms:us-west-2:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab` }],
      ...extra,
    },
  };
}

/** A CreateKey record with a Policy: the new key is named in responseElements.keyMetadata. */
function createKey(userIdentity: unknown, extra: Record<string, unknown> = {}) {
  const base = putKeyPolicy(userIdentity);
  return {
    ...base,
    detail: {
      ...base.detail,
      eventName: 'CreateKey',
      requestParameters: {
        keyUsage: 'ENCRYPT_DECRYPT',
        keySpec: 'SYMMETRIC_DEFAULT',
        description: '',
        origin: 'AWS_KMS',
        multiRegion: false,
        bypassPolicyLockoutSafetyCheck: false,
        policy: POLICY,
      },
      responseElements: { keyMetadata: { aWSAccountId: ACCOUNT, keyId: '0987dcba-09fe-87dc-65ba-ab0987654321', arn: NEW_KEY_ARN, keyState: 'Enabled', keyManager: 'CUSTOMER' } },
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: NEW_KEY_ARN }],
      ...extra,
    },
  };
}

describe('ReplicateKey and CreateKey set a key policy too: the same deployer and writer logic', () => {
  const admin = roleSession('AWSReservedSSO_AdministratorAccess_0123456789abcdef');
  test.each([['ReplicateKey', replicateKey, REPLICA_ARN], ['CreateKey', createKey, NEW_KEY_ARN]] as const)(
    '%s: an administrator is drift (naming the new key), the deployment role through CloudFormation and the named writer are not', async (call, event, key) => {
      const h = load();
      await expect(h.handler(event(admin))).resolves.toMatchObject({ verdict: 'drift', call, keyId: key });
      expect(h.lines()[0][DRIFT]).toBe(1);
      expect(h.lines()[0].policySha256).toBe(createHash('sha256').update(POLICY).digest('hex'));
      await expect(h.handler(event(roleSession(EXEC_ROLE, { viaCloudFormation: true })))).resolves.toMatchObject({ verdict: 'expected' });
      await expect(h.handler(event(roleSession(EXEC_ROLE)))).resolves.toMatchObject({ verdict: 'drift' });
      await expect(h.handler(event(roleSession('CloudKmsDualControlGateExecutor')))).resolves.toMatchObject({ verdict: 'expected' });
    });

  test('a ReplicateKey without a Policy is still classified (the replica gets the default policy), and a refused CreateKey changed nothing', async () => {
    const h = load();
    const replicate = replicateKey(admin);
    const withoutPolicy = { ...replicate, detail: { ...replicate.detail, requestParameters: { keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab', replicaRegion: 'us-east-1' } } };
    await expect(h.handler(withoutPolicy)).resolves.toMatchObject({ verdict: 'drift', keyId: REPLICA_ARN });
    const refused = createKey(admin, { errorCode: 'AccessDenied', responseElements: null, resources: [] });
    await expect(h.handler(refused)).resolves.toMatchObject({ verdict: 'refused' });
  });
});

describe('deployment path: not drift', () => {
  test.each([
    ['the StackSet execution role through CloudFormation', EXEC_ROLE],
    ['the CDK bootstrap execution role through CloudFormation', `cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-west-2`],
  ])('%s', async (_what, role) => {
    const h = load();
    await expect(h.handler(putKeyPolicy(roleSession(role, { viaCloudFormation: true })))).resolves.toMatchObject({ verdict: 'expected' });
    expect(h.lines()[0].DeployedKeyPolicyChanges).toBe(1);
    expect(h.lines()[0][DRIFT]).toBeUndefined();
  });

  test('a named direct writer (the dual-control executor)', async () => {
    const h = load();
    await expect(h.handler(putKeyPolicy(roleSession('CloudKmsDualControlGateExecutor')))).resolves.toMatchObject({ verdict: 'expected' });
  });

  test('a refused call changed nothing: counted apart, not drift', async () => {
    const h = load();
    const event = putKeyPolicy(roleSession('Admin'), { errorCode: 'AccessDenied', errorMessage: 'explicit deny in a service control policy' });
    await expect(h.handler(event)).resolves.toMatchObject({ verdict: 'refused' });
    expect(h.lines()[0].RefusedKeyPolicyChanges).toBe(1);
  });
});

describe('out-of-band writes: drift', () => {
  const admin = roleSession('AWSReservedSSO_AdministratorAccess_0123456789abcdef');
  test.each([
    ['an administrator role session', admin],
    ['an IAM user (the KMS guide\'s own example)', { type: 'IAMUser', principalId: 'EX', arn: `arn:aws:iam::${ACCOUNT}:user/Alice`, accountId: ACCOUNT, userName: 'Alice' }],
    ['the root user', { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT }],
    ['the StackSet execution role used directly, not through CloudFormation', roleSession(EXEC_ROLE)],
    ['a look-alike role under a path (outside the organisation policy\'s role/stacksets-exec-* resource)', roleSession(EXEC_ROLE, { path: 'evil/', viaCloudFormation: true })],
    ['a deployment-named role of another account', roleSession(EXEC_ROLE, { account: '444455556666', viaCloudFormation: true })],
    ['a role whose name only contains a deployment pattern', roleSession('x-cdk-a-cfn-exec-role-b', { viaCloudFormation: true })],
    ['a federated user', { type: 'FederatedUser', principalId: `${ACCOUNT}:bob`, arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob`, accountId: ACCOUNT }],
  ])('%s', async (_what, identity) => {
    const h = load();
    await expect(h.handler(putKeyPolicy(identity))).resolves.toMatchObject({ verdict: 'drift' });
    expect(h.lines()[0][DRIFT]).toBe(1);
    expect(h.lines()[0]._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: CONFIG.METRIC_NAMESPACE, Dimensions: [['Detector']], Metrics: [{ Name: DRIFT, Unit: 'Count' }],
    });
    expect(h.lines()[0].Detector).toBe('KeyPolicyDrift');
  });

  test('an administrator who writes back the identical deployed policy is still reported (an out-of-band write), and so is each write of a change-and-revert', async () => {
    const h = load();
    const deployed = putKeyPolicy(roleSession(EXEC_ROLE, { viaCloudFormation: true }));
    await expect(h.handler(deployed)).resolves.toMatchObject({ verdict: 'expected' });
    const changed = putKeyPolicy(admin, { requestParameters: { ...deployed.detail.requestParameters, policy: '{"Statement":[]}' } });
    const reverted = putKeyPolicy(admin);
    await expect(h.handler(changed)).resolves.toMatchObject({ verdict: 'drift' });
    await expect(h.handler(reverted)).resolves.toMatchObject({ verdict: 'drift' });
    expect(h.lines().map((l) => l[DRIFT] ?? 0)).toEqual([0, 1, 1]);
    // The identical policy has the deployed policy's digest: the log shows it was rewritten unchanged.
    expect(h.lines()[2].policySha256).toBe(h.lines()[0].policySha256);
  });

  test('the log line names the key, actor and event and a digest of the policy, never the policy itself', async () => {
    const h = load();
    await h.handler(putKeyPolicy(admin));
    const line = JSON.stringify(h.lines()[0]);
    expect(line).not.toContain('KeyAdministration');
    expect(line).not.toContain('kms:PutKeyPolicy');
    expect(h.lines()[0]).toMatchObject({
      keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      actor: admin.sessionContext.sessionIssuer.arn,
      eventID: 'c217db1f-903f-4a2f-8f88-9580182d6313',
      policySha256: createHash('sha256').update(POLICY).digest('hex'),
      policyBytes: Buffer.byteLength(POLICY),
    });
    expect(line.length).toBeLessThan(1024);
  });
});

describe('fails closed', () => {
  test.each([
    ['an event without detail', { 'source': 'aws.kms', 'detail-type': 'AWS API Call via CloudTrail' }, /not a call that sets a key policy/],
    ['another API call', { ...putKeyPolicy(roleSession('Admin')), detail: { ...putKeyPolicy(roleSession('Admin')).detail, eventName: 'CreateAlias' } }, /not a call that sets a key policy/],
    ['a PutKeyPolicy without a key id', { ...putKeyPolicy(roleSession('Admin')), detail: { ...putKeyPolicy(roleSession('Admin')).detail, requestParameters: {}, resources: [] } }, /no key id/],
    ['a PutKeyPolicy without the recipient account', { ...putKeyPolicy(roleSession('Admin')), detail: { ...putKeyPolicy(roleSession('Admin')).detail, recipientAccountId: undefined } }, /recipientAccountId/],
    ['no event at all', undefined, /not a CloudTrail KMS API call/],
  ])('%s: the invocation fails and the drift metric is raised', async (_what, event, error) => {
    const h = load();
    await expect(h.handler(event)).rejects.toThrow(error);
    expect(h.lines()).toHaveLength(1);
    expect(h.lines()[0][DRIFT]).toBe(1);
    expect(h.lines()[0].reason).toMatch(/^unclassifiable: /);
  });

  test.each([
    ['deployment roles that are not JSON', { ...CONFIG, DEPLOYMENT_ROLE_NAMES: 'stacksets-exec-*' }],
    ['a writer pattern that is not a role name', { ...CONFIG, POLICY_WRITER_ROLE_NAMES: JSON.stringify(['a/b']) }],
    ['no metric namespace', { ...CONFIG, METRIC_NAMESPACE: '' }],
  ])('a broken configuration (%s) classifies nothing as expected: drift, and the invocation fails', async (_what, env) => {
    const h = load(env);
    await expect(h.handler(putKeyPolicy(roleSession(EXEC_ROLE, { viaCloudFormation: true })))).rejects.toThrow();
    expect(h.lines()[0][DRIFT]).toBe(1);
    expect(h.lines()[0]._aws.CloudWatchMetrics[0].Namespace).toBe('CloudKmsConstructs/KeyPolicyDrift');
  });
});
