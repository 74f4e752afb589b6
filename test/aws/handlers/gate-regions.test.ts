/*
 * Review of issue 19: a gated replica (a ReplicaKey under dual control) is in another region than the gate that
 * created it. The gate reads its policy, and carries out a later change on it, in the replica's region; an alias stays
 * in the gate's region (an alias and its key share one).
 */
import { GetKeyPolicyCommand, KMSClient, PutKeyPolicyCommand, ScheduleKeyDeletionCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { applyRequest } from '../../../src/aws/handlers/gate-apply';
import { currentPolicy, GateConfig, keyArnRegion } from '../../../src/aws/handlers/gate-custodians';

const REPLICA = 'arn:aws:kms:eu-central-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
const PRIMARY = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';

function clients() {
  const sent: Array<{ region: string; command: string; keyId?: string }> = [];
  const client = (region: string) => ({
    send: jest.fn(async (command: any) => {
      sent.push({ region, command: command.constructor.name, keyId: command.input.KeyId ?? command.input.TargetKeyId });
      return { Policy: JSON.stringify({ Statement: [{ Sid: region }] }) };
    }),
  }) as unknown as KMSClient;
  const gate = client('gate');
  const regional = new Map<string, KMSClient>();
  const kmsIn = (region: string) => regional.get(region) ?? regional.set(region, client(region)).get(region)!;
  return { sent, gate, kmsIn };
}

test('the region of a key ARN, and none for a key id or an alias', () => {
  expect(keyArnRegion(REPLICA)).toBe('eu-central-1');
  expect(keyArnRegion('arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toBe('us-gov-west-1');
  expect(keyArnRegion('mrk-1234abcd12ab34cd56ef1234567890ab')).toBeUndefined();
  expect(keyArnRegion('arn:aws:kms:eu-central-1:111122223333:alias/orders')).toBeUndefined();
});

test('a change to a replica is carried out in the replica\'s region; its policy is read there', async () => {
  const { sent, gate, kmsIn } = clients();
  await applyRequest(gate, { operation: 'PutKeyPolicy', keyId: REPLICA, policy: '{}' }, kmsIn);
  await applyRequest(gate, { operation: 'ScheduleKeyDeletion', keyId: REPLICA, pendingWindowInDays: 30 }, kmsIn);
  const policy = await currentPolicy({ kms: gate, kmsIn } as unknown as GateConfig, REPLICA);
  expect(sent).toEqual([
    { region: 'eu-central-1', command: PutKeyPolicyCommand.name, keyId: REPLICA },
    { region: 'eu-central-1', command: ScheduleKeyDeletionCommand.name, keyId: REPLICA },
    { region: 'eu-central-1', command: GetKeyPolicyCommand.name, keyId: REPLICA },
  ]);
  expect(policy.Statement![0].Sid).toBe('eu-central-1');
});

test('an alias stays in the gate\'s region; without regional clients, and for a bare key id, the gate\'s client is used', async () => {
  const { sent, gate, kmsIn } = clients();
  await applyRequest(gate, { operation: 'UpdateAlias', keyId: PRIMARY, aliasName: 'alias/orders' }, kmsIn);
  await applyRequest(gate, { operation: 'PutKeyPolicy', keyId: REPLICA, policy: '{}' });
  await applyRequest(gate, { operation: 'PutKeyPolicy', keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab', policy: '{}' }, kmsIn);
  expect(sent.map((s) => `${s.region} ${s.command}`)).toEqual([
    `gate ${UpdateAliasCommand.name}`, `gate ${PutKeyPolicyCommand.name}`, `gate ${PutKeyPolicyCommand.name}`,
  ]);
});
