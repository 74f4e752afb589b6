/*
 * Issue 13, finding 2: dual control on AWS is two people. The whole flow against moto (DynamoDB, KMS, IAM): the gate's
 * executor handler is called directly, as Lambda would, and the custodians' writes to the gate's table are first
 * authorized by a real IAM evaluator (@cloud-copilot/iam-simulate) against the synthesized table resource policy, as
 * DynamoDB would authorize them (moto does not evaluate resource policies or condition keys).
 */
import {
  AttributeValue, CreateTableCommand, DynamoDBClient, PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { CfnElement, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ComplianceProfile } from '../../src';
import * as aws from '../../src/aws';
import {
  approvalItem, execute, GateConfig, GateError, GateOperation, isComplete, onEvent, proposalItem, proposalRef, requestHash,
  resetGate,
} from '../../src/aws/handlers/dual-control-gate';
import { ACCOUNT, cmkFor, genesisPolicyOf, keyPolicyOf, newStack } from '../support/fixtures';
import { CREDENTIALS, Moto, REGION, startMoto } from '../support/moto';

jest.setTimeout(120_000);

const TABLE = 'GateTable';
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`;
const EXECUTOR_ARN = `arn:aws:iam::${ACCOUNT}:role/GateExecutor`;
const DEPLOYER_ARN = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;

/** The synthesized policies, with the executor role's and deployer's ARNs as they would be deployed. */
function synthesized() {
  const stack = newStack();
  const key = cmkFor(stack, ComplianceProfile.PCI_DSS);
  const gate = aws.DualControlGate.of(stack);
  const execLogical = stack.getLogicalId(gate.executorRole.node.defaultChild as CfnElement);
  const concrete = (o: unknown) => JSON.parse(JSON.stringify(o)
    .split(JSON.stringify({ 'Fn::GetAtt': [execLogical, 'Arn'] })).join(JSON.stringify(EXECUTOR_ARN))
    .split(JSON.stringify({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}` })).join(JSON.stringify(DEPLOYER_ARN)));
  const tables = Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable');
  const table = Object.values(tables)[0] as any;
  const policies = {
    stack,
    key,
    custodian: concrete(keyPolicyOf(stack, key)),
    genesis: concrete(genesisPolicyOf(stack, key)),
    table: concrete(table.Properties.Replicas[0].ResourcePolicy.PolicyDocument),
  };
  for (const [name, p] of Object.entries({ custodian: policies.custodian, genesis: policies.genesis, table: policies.table })) {
    if (/Fn::|"Ref"/.test(JSON.stringify(p))) throw new Error(`unresolved token left in the ${name} policy: ${JSON.stringify(p)}`);
  }
  return policies;
}

describe('the gate table\'s own policy and settings: only the deployment role may change them', () => {
  // Before this deny, any administrator with dynamodb:* could delete the table's resource policy and then write an
  // approval under an approver's aws:userid (issue 13, finding 2, attacker review).
  const policies = synthesized();
  const decide = async (principalArn: string, action: string) => {
    const res: any = await runSimulation({
      request: {
        principal: principalArn,
        action,
        resource: { resource: TABLE_ARN, accountId: ACCOUNT },
        // A real request carries aws:PrincipalArn; the evaluator's entry point does not add it from the principal.
        contextVariables: { 'aws:MultiFactorAuthPresent': 'true', 'aws:PrincipalArn': principalArn },
      },
      identityPolicies: [{ name: 'everything', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policies.table,
    }, {});
    if (res.resultType !== 'single') throw new Error(`simulation failed: ${JSON.stringify(res.errors ?? res)}`);
    return res.overallResult;
  };
  const actions = ['dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy', 'dynamodb:UpdateTable', 'dynamodb:DeleteTable'];

  test.each(actions)('%s: denied to an administrator and an approver with dynamodb:*, allowed to the deployment role', async (action) => {
    expect(await decide(`arn:aws:iam::${ACCOUNT}:role/KeyAdmin`, action)).toBe('ExplicitlyDenied');
    expect(await decide(`arn:aws:iam::${ACCOUNT}:role/ApproverA`, action)).toBe('ExplicitlyDenied');
    expect(await decide(EXECUTOR_ARN, action)).toBe('ExplicitlyDenied');
    expect(await decide(DEPLOYER_ARN, action)).toBe('Allowed');
  });
});

test('every function that runs as the gate\'s executor serves the gate only (GATE_ONLY), and no other function runs as it', () => {
  // The handlers refuse other resource types only when GATE_ONLY is set (test/aws/handlers/entry-points.test.ts): a
  // function with the executor's role and without it would act on any dual-control key for a hand-made event.
  const stack = newStack();
  cmkFor(stack, ComplianceProfile.PCI_DSS);
  const gate = aws.DualControlGate.of(stack);
  const executorRole = stack.getLogicalId(gate.executorRole.node.defaultChild as CfnElement);
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as any[];
  const asExecutor = functions.filter((f) => JSON.stringify(f.Properties.Role) === JSON.stringify({ 'Fn::GetAtt': [executorRole, 'Arn'] }));
  expect(asExecutor).toHaveLength(2);
  for (const f of asExecutor) expect(f.Properties.Environment.Variables.GATE_ONLY).toBe('1');
  for (const f of functions.filter((x) => !asExecutor.includes(x))) expect(f.Properties.Environment?.Variables?.GATE_ONLY).toBeUndefined();
});

interface Caller {
  readonly name: string;
  readonly roleArn: string;
  userId: string;
}

describe('DualControlGate end to end (moto)', () => {
  let moto: Moto;
  let ddb: DynamoDBClient;
  let kms: KMSClient;
  let iam: IAMClient;
  let config: GateConfig;
  let clock = Date.now();
  const policies = synthesized();
  const callers: Record<string, Caller> = {
    approverA: { name: 'ApproverA', roleArn: `arn:aws:iam::${ACCOUNT}:role/ApproverA`, userId: '' },
    approverB: { name: 'ApproverB', roleArn: `arn:aws:iam::${ACCOUNT}:role/ApproverB`, userId: '' },
    admin: { name: 'KeyAdmin', roleArn: `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`, userId: '' },
    outsider: { name: 'Outsider', roleArn: `arn:aws:iam::${ACCOUNT}:role/Outsider`, userId: '' },
  };

  beforeAll(async () => {
    moto = await startMoto();
    const opts = { region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS, maxAttempts: 1 };
    ddb = new DynamoDBClient(opts);
    kms = new KMSClient(opts);
    iam = new IAMClient(opts);
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] });
    for (const c of Object.values(callers)) {
      const role = await iam.send(new CreateRoleCommand({ RoleName: c.name, AssumeRolePolicyDocument: trust }));
      c.userId = `${role.Role!.RoleId}:${c.name.toLowerCase()}-session`;
    }
    await iam.send(new CreateRoleCommand({ RoleName: 'GateExecutor', AssumeRolePolicyDocument: trust }));
    await ddb.send(new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'proposal', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [{
        IndexName: 'ByProposal',
        KeySchema: [{ AttributeName: 'proposal', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'ALL' },
      }],
    }));
    config = { tableName: TABLE, executorRoleArn: EXECUTOR_ARN, maxWindowSeconds: 86400, ddb, kms, iam, now: () => clock };
  });

  afterAll(async () => {
    await moto?.stop();
  });

  beforeEach(() => {
    resetGate();
    clock = Date.now();
  });

  /** DynamoDB's decision on a custodian's write, from the synthesized table policy (identity policies: dynamodb:* on *). */
  async function authorize(caller: Caller, item: Record<string, AttributeValue>, mfa: boolean | 'absent'): Promise<void> {
    const ctx: Record<string, string | string[]> = {
      'aws:userid': caller.userId,
      'aws:PrincipalArn': caller.roleArn,
      'dynamodb:LeadingKeys': [item.pk.S!],
    };
    if (mfa !== 'absent') ctx['aws:MultiFactorAuthPresent'] = String(mfa);
    const res: any = await runSimulation({
      request: {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${caller.name}/${caller.userId.split(':')[1]}`,
        action: 'dynamodb:PutItem',
        resource: { resource: TABLE_ARN, accountId: ACCOUNT },
        contextVariables: ctx,
      },
      identityPolicies: [{ name: 'everything', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policies.table,
    }, {});
    if (res.resultType !== 'single') throw new Error(`simulation failed: ${JSON.stringify(res.errors ?? res)}`);
    if (res.overallResult !== 'Allowed') throw new Error(`AccessDeniedException: ${caller.name} may not write this item (${res.overallResult})`);
  }

  async function write(caller: Caller, item: Record<string, AttributeValue>, mfa: boolean | 'absent' = true): Promise<void> {
    await authorize(caller, item, mfa);
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: item }));
  }

  let counter = 0;
  async function propose(caller: Caller, request: GateOperation, lifetimeSeconds = 3600): Promise<string> {
    const id = `p${++counter}`;
    const now = Math.floor(clock / 1000);
    await write(caller, proposalItem(caller.userId, id, request, now, now + lifetimeSeconds));
    return proposalRef(caller.userId, id);
  }

  async function approve(caller: Caller, ref: string, request: GateOperation, mfa: boolean | 'absent' = true): Promise<void> {
    await write(caller, approvalItem(caller.userId, ref, requestHash(request), Math.floor(clock / 1000)), mfa);
  }

  async function newKey(): Promise<string> {
    const res = await kms.send(new CreateKeyCommand({ Description: 'dual-control key' }));
    const keyId = res.KeyMetadata!.Arn!;
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: JSON.stringify(policies.custodian) }));
    return keyId;
  }

  async function policyOf(keyId: string): Promise<any> {
    return JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy!);
  }

  function withStatement(policy: any, sid: string): string {
    return JSON.stringify({ ...policy, Statement: [...policy.Statement, { Sid: sid, Effect: 'Allow', Principal: { AWS: callers.admin.roleArn }, Action: 'kms:DescribeKey', Resource: '*' }] });
  }

  test('propose, same person approves (refused), second approver without MFA (refused), with MFA, executor applies exactly the approved policy', async () => {
    const keyId = await newKey();
    const newPolicy = withStatement(policies.custodian, 'Approved');
    const request: GateOperation = { operation: 'PutKeyPolicy', keyId, policy: newPolicy };
    const ref = await propose(callers.approverA, request);

    // Nothing yet: no approval at all.
    await expect(execute(config, ref, request)).rejects.toThrow(/no approval from an approver .* other than the proposer/);

    // The proposer approves its own proposal: DynamoDB takes the write (its own item), the executor does not count it.
    await approve(callers.approverA, ref, request);
    await expect(execute(config, ref, request)).rejects.toThrow(/no approval from an approver .* other than the proposer/);

    // The second approver without MFA: DynamoDB refuses the write (table resource policy), with or without the key.
    await expect(approve(callers.approverB, ref, request, false)).rejects.toThrow(/AccessDenied/);
    await expect(approve(callers.approverB, ref, request, 'absent')).rejects.toThrow(/AccessDenied/);
    // Nor may anyone write an approval under someone else's aws:userid.
    await expect(write(callers.approverA, approvalItem(callers.approverB.userId, ref, requestHash(request), 0))).rejects.toThrow(/AccessDenied/);
    await expect(execute(config, ref, request)).rejects.toThrow(/no approval/);

    // The second approver with MFA.
    await approve(callers.approverB, ref, request);
    const done = await execute(config, ref, request);
    expect(done).toEqual({ executed: true, operation: 'PutKeyPolicy', approvers: [callers.approverB.userId.split(':')[0]] });
    expect(await policyOf(keyId)).toEqual(JSON.parse(newPolicy));

    // Once only.
    await expect(execute(config, ref, request)).rejects.toThrow(/already carried out/);
  });

  test('a different policy than the approved one is refused, and the key keeps its policy', async () => {
    const keyId = await newKey();
    const approved: GateOperation = { operation: 'PutKeyPolicy', keyId, policy: withStatement(policies.custodian, 'Approved') };
    const ref = await propose(callers.admin, approved);
    await approve(callers.approverA, ref, approved);
    const other: GateOperation = { operation: 'PutKeyPolicy', keyId, policy: withStatement(policies.custodian, 'SwappedIn') };
    await expect(execute(config, ref, other)).rejects.toThrow(/differs from what proposal .* proposed/);
    expect(await policyOf(keyId)).toEqual(policies.custodian);
    // An approval of another hash does not count either.
    const ref2 = await propose(callers.admin, other);
    await approve(callers.approverB, ref2, approved);
    await expect(execute(config, ref2, other)).rejects.toThrow(/no approval/);
  });

  test('a proposal whose shown request is not the hashed one is refused (approvers review what is executed)', async () => {
    const keyId = await newKey();
    const shown: GateOperation = { operation: 'CancelKeyDeletion', keyId };
    const hidden: GateOperation = { operation: 'DisableKey', keyId };
    const now = Math.floor(clock / 1000);
    const item = { ...proposalItem(callers.admin.userId, 'mismatch', hidden, now, now + 600), request: { S: JSON.stringify(shown) } };
    await write(callers.admin, item);
    const ref = proposalRef(callers.admin.userId, 'mismatch');
    await approve(callers.approverA, ref, hidden);
    await expect(execute(config, ref, hidden)).rejects.toThrow(/not the one its hash stands for/);
  });

  test('an expired proposal is refused', async () => {
    const keyId = await newKey();
    const request: GateOperation = { operation: 'DisableKey', keyId };
    const ref = await propose(callers.approverA, request, 600);
    await approve(callers.approverB, ref, request);
    clock += 601_000;
    await expect(execute(config, ref, request)).rejects.toThrow(/expired/);
  });

  test('a proposal longer than the approval window is refused', async () => {
    const keyId = await newKey();
    const request: GateOperation = { operation: 'DisableKey', keyId };
    const ref = await propose(callers.approverA, request, 86400 * 30);
    await approve(callers.approverB, ref, request);
    await expect(execute(config, ref, request)).rejects.toThrow(/invalid validity window/);
  });

  test('someone who is not a custodian of the key can neither propose nor approve', async () => {
    const keyId = await newKey();
    const request: GateOperation = { operation: 'ScheduleKeyDeletion', keyId, pendingWindowInDays: 30 };
    const ref = await propose(callers.outsider, request);
    await approve(callers.approverA, ref, request);
    await expect(execute(config, ref, request)).rejects.toThrow(/not written by an administrator or approver/);
    const ref2 = await propose(callers.admin, request);
    await approve(callers.outsider, ref2, request);
    // An administrator is a proposer, not an approver.
    await approve(callers.admin, ref2, request);
    await expect(execute(config, ref2, request)).rejects.toThrow(/no approval/);
  });

  test('moving an alias is approved by the custodians of the key it leaves, not of the key it would point to', async () => {
    const ours = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/tenant-a', TargetKeyId: ours }));
    // The outsider's own key: its policy names the outsider as administrator and approver.
    const theirs = (await kms.send(new CreateKeyCommand({ Description: 'theirs' }))).KeyMetadata!.Arn!;
    const theirPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AllowKeyAdministration', Effect: 'Allow', Principal: { AWS: callers.outsider.roleArn }, Action: 'kms:DescribeKey', Resource: '*' },
        { Sid: 'AllowApproversReviewOnly', Effect: 'Allow', Principal: { AWS: [callers.outsider.roleArn, callers.admin.roleArn] }, Action: 'kms:DescribeKey', Resource: '*' },
      ],
    });
    await kms.send(new PutKeyPolicyCommand({ KeyId: theirs, PolicyName: 'default', Policy: theirPolicy }));
    const request: GateOperation = { operation: 'UpdateAlias', keyId: theirs, aliasName: 'alias/tenant-a' };
    const ref = await propose(callers.outsider, request);
    await approve(callers.admin, ref, request);
    await expect(execute(config, ref, request)).rejects.toThrow(/not written by an administrator or approver of arn:aws:kms:.*/);
    const described = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/tenant-a' }));
    expect(described.KeyMetadata!.Arn).toBe(ours);
  });

  test('a replica must carry the gate', async () => {
    const keyId = await newKey();
    const request: GateOperation = { operation: 'ReplicateKey', keyId, replicaRegion: 'eu-west-1', policy: JSON.stringify({ Statement: [] }) };
    await expect(execute(config, 'x|y', request)).rejects.toThrow(GateError);
    await expect(execute(config, 'x|y', request)).rejects.toThrow(/replica policy must keep the dual-control statements/);
  });

  describe('CloudFormation-driven policy change (Custom::CloudKmsGatedKeyPolicy)', () => {
    const event = (type: 'Create' | 'Update', keyId: string, policy: unknown, data?: Record<string, string>) => ({
      RequestType: type,
      ResourceType: 'Custom::CloudKmsGatedKeyPolicy',
      LogicalResourceId: 'OrdersKeyGatedPolicy',
      RequestId: 'r1',
      StackId: 'stack',
      PhysicalResourceId: type === 'Update' ? keyId : undefined,
      ResourceProperties: { KeyId: keyId, KeyArn: keyId, Policy: policy, ApprovalWindowSeconds: '3600' },
      Data: data,
    });

    test('a new key (genesis policy) gets its first custodian policy only once two approvers named in the genesis policy approve it', async () => {
      const created = await kms.send(new CreateKeyCommand({ Description: 'new', Policy: JSON.stringify(policies.genesis) }));
      const keyId = created.KeyMetadata!.Arn!;
      // Anyone able to invoke the gate could send this event with a policy of their own: it must not be installed directly.
      const res = await onEvent(event('Create', keyId, policies.custodian), config);
      const ref = res.Data!.Proposal;
      expect(ref).toMatch(/\|cfn-/);
      expect(await policyOf(keyId)).toEqual(policies.genesis);
      const poll = () => isComplete({ ...event('Create', keyId, policies.custodian), Data: res.Data }, config);
      expect(await poll()).toEqual({ IsComplete: false });
      const request: GateOperation = { operation: 'PutKeyPolicy', keyId, policy: JSON.stringify(policies.custodian) };
      await approve(callers.approverA, ref, request);
      expect(await poll()).toEqual({ IsComplete: false });
      await approve(callers.approverB, ref, request);
      expect(await poll()).toEqual({ IsComplete: true });
      expect(await policyOf(keyId)).toEqual(policies.custodian);
    });

    test('a change waits for two approvers, then applies exactly the template\'s policy', async () => {
      const keyId = await newKey();
      const changed = JSON.parse(withStatement(policies.custodian, 'FromTemplate'));
      const res = await onEvent(event('Update', keyId, changed), config);
      const ref = res.Data!.Proposal;
      expect(ref).toMatch(/\|cfn-/);
      expect(await policyOf(keyId)).toEqual(policies.custodian);

      const poll = () => isComplete({ ...event('Update', keyId, changed), Data: res.Data }, config);
      expect(await poll()).toEqual({ IsComplete: false });
      const request: GateOperation = { operation: 'PutKeyPolicy', keyId, policy: JSON.stringify(changed) };
      // One approver is not enough for a change the gate proposed (anyone able to invoke it can make it propose).
      await approve(callers.approverA, ref, request);
      expect(await poll()).toEqual({ IsComplete: false });
      expect(await policyOf(keyId)).toEqual(policies.custodian);
      await approve(callers.approverB, ref, request);
      expect(await poll()).toEqual({ IsComplete: true });
      expect(await policyOf(keyId)).toEqual(changed);
    });

    test('an unapproved change fails with a clear message once the proposal expires', async () => {
      const keyId = await newKey();
      const changed = JSON.parse(withStatement(policies.custodian, 'NeverApproved'));
      const res = await onEvent(event('Update', keyId, changed), config);
      clock += 3601_000;
      await expect(isComplete({ ...event('Update', keyId, changed), Data: res.Data }, config))
        .rejects.toThrow(/key policy change for .* was not approved in time: .*expired.* No change was made/);
      expect(await policyOf(keyId)).toEqual(policies.custodian);
    });

    test('a forged Create on an existing key does not skip approval', async () => {
      const keyId = await newKey();
      const res = await onEvent(event('Create', keyId, JSON.parse(withStatement(policies.custodian, 'Forged'))), config);
      expect(res.Data!.Proposal).toMatch(/\|cfn-/);
      expect(await policyOf(keyId)).toEqual(policies.custodian);
    });
  });
});

describe('DualControlGate construct', () => {
  const { stack } = synthesized();
  const t = Template.fromStack(stack);

  test('the state store is a DynamoDB table encrypted with a KMS key (aws/dynamodb), with PITR, deletion protection, retained', () => {
    t.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [{
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          ResourcePolicy: { PolicyDocument: Match.anyValue() },
        }],
      },
    });
  });

  test('a CloudFormation-driven change expires before the Provider framework gives up, so the gate\'s message is what fails', () => {
    t.hasResourceProperties('Custom::CloudKmsGatedKeyPolicy', { ApprovalWindowSeconds: String(55 * 60) });
    const machines = t.findResources('AWS::StepFunctions::StateMachine');
    expect(JSON.stringify(machines)).toContain('"MaxAttempts\\":60');
  });

  test('one gate per stack', () => {
    expect(aws.DualControlGate.of(stack)).toBe(aws.DualControlGate.of(stack));
    expect(stack.node.findAll().filter((c) => c instanceof aws.DualControlGate)).toHaveLength(1);
  });

  test('a key can use a gate given explicitly; the window is bounded', () => {
    const other = newStack('Explicit');
    const gate = new aws.DualControlGate(other, 'Gate', { approvalWindow: Duration.hours(4) });
    const key = cmkFor(other, ComplianceProfile.PCI_DSS, 'K', { dualControlGate: gate });
    const executor = other.resolve(gate.executorRole.roleArn);
    expect(keyPolicyOf(other, key).Statement.find((st: any) => st.Sid === 'AllowDualControlExecutor').Principal).toEqual({ AWS: executor });
    expect(gate.approvalWindowSeconds).toBe(4 * 3600);
    expect(() => new aws.DualControlGate(newStack('Bad'), 'Gate', { approvalWindow: Duration.days(30) }))
      .toThrow('approvalWindow must be between 5 minutes and 7 days, got 30 days');
  });

  test('keys\' consumers wait for the custodian policy (they read the key ARN from the gated-policy resource)', () => {
    const other = newStack('Other');
    const key = cmkFor(other, ComplianceProfile.PCI_DSS, 'Other');
    expect(other.resolve(key.keyArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/OtherGatedPolicy/), 'KeyArn'] });
  });
});
