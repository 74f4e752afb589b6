import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { ResourceEvent } from '../../../src/aws/handlers/common';
import { KEY_DELETION_TYPE, onEvent, resetClient } from '../../../src/aws/handlers/key-deletion';
import { CREDENTIALS, Moto, REGION, startMoto } from '../../support/moto';

// Custom::CloudKmsKeyDeletion (an offboarded tenant's crypto-shredding) against moto's KMS.
let moto: Moto;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_KMS: moto.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  });
  resetClient();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterAll(async () => {
  jest.restoreAllMocks();
  process.env = saved;
  await moto?.stop();
});

const event = (keyId: string, over: Partial<ResourceEvent> = {}): ResourceEvent => ({
  RequestType: 'Create',
  ResourceType: KEY_DELETION_TYPE,
  LogicalResourceId: 'globexDeletion',
  RequestId: 'r',
  StackId: 's',
  ResourceProperties: { KeyId: keyId, PendingWindowInDays: '7' },
  ...over,
});
const state = async (keyId: string) => (await moto.kms().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;

test('create disables the key and schedules its deletion after the window; a repeat is harmless', async () => {
  const keyId = (await moto.createKey('tenant globex')).split('/').pop()!;
  const res = await onEvent(event(keyId));
  expect(res.PhysicalResourceId).toBe(keyId);
  const m = await state(keyId);
  expect(m.KeyState).toBe('PendingDeletion');
  const days = (m.DeletionDate!.getTime() - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(6.9);
  expect(days).toBeLessThan(7.1);
  // KMS refuses a second schedule (KMSInvalidStateException, which the handler accepts); moto reschedules. Either way:
  await expect(onEvent(event(keyId))).resolves.toMatchObject({ PhysicalResourceId: keyId });
  expect((await state(keyId)).KeyState).toBe('PendingDeletion');
});

test('delete (cdk destroy, a shard moved, a hand-made Delete event) leaves the key pending deletion', async () => {
  const keyId = (await moto.createKey('tenant initech')).split('/').pop()!;
  await onEvent(event(keyId));
  const scheduled = (await state(keyId)).DeletionDate!.getTime();
  await expect(onEvent(event(keyId, { RequestType: 'Delete', PhysicalResourceId: keyId }))).resolves.toEqual({ PhysicalResourceId: keyId });
  const m = await state(keyId);
  expect(m.KeyState).toBe('PendingDeletion');
  expect(m.DeletionDate!.getTime()).toBe(scheduled);
  // Deleting the re-onboarding resource later does not offboard (or touch) the key either.
  await expect(onEvent(event(keyId, { RequestType: 'Delete', PhysicalResourceId: keyId, ResourceProperties: { KeyId: keyId, Action: 'Reonboard' } })))
    .resolves.toEqual({ PhysicalResourceId: keyId });
  expect((await state(keyId)).KeyState).toBe('PendingDeletion');
});

test('re-onboarding (the explicit Reonboard action) cancels the deletion and enables the key; a repeat is harmless', async () => {
  const keyId = (await moto.createKey('tenant hooli')).split('/').pop()!;
  await onEvent(event(keyId));
  expect((await state(keyId)).KeyState).toBe('PendingDeletion');
  const reonboard = event(keyId, { ResourceProperties: { KeyId: keyId, PendingWindowInDays: '7', Action: 'Reonboard' } });
  await expect(onEvent(reonboard)).resolves.toMatchObject({ PhysicalResourceId: keyId, Data: { DeletionDate: 'cancelled' } });
  expect((await state(keyId)).KeyState).toBe('Enabled');
  await expect(onEvent({ ...reonboard, RequestType: 'Update', PhysicalResourceId: keyId })).resolves.toMatchObject({ PhysicalResourceId: keyId });
  expect((await state(keyId)).KeyState).toBe('Enabled');
});

test('re-onboarding a key that no longer exists fails the deployment, naming the key', async () => {
  await expect(onEvent(event('00000000-0000-0000-0000-000000000000', {
    ResourceProperties: { KeyId: '00000000-0000-0000-0000-000000000000', Action: 'Reonboard' },
  }))).rejects.toThrow(/key 00000000-0000-0000-0000-000000000000 no longer exists .*cannot be re-onboarded/);
});

test('an unknown action is refused', async () => {
  await expect(onEvent(event('k', { ResourceProperties: { KeyId: 'k', Action: 'Cancel' } })))
    .rejects.toThrow('property Action must be Offboard or Reonboard, got Cancel');
});

test('a window outside 7 to 30 days is refused', async () => {
  await expect(onEvent(event('k', { ResourceProperties: { KeyId: 'k', PendingWindowInDays: '3' } })))
    .rejects.toThrow('property PendingWindowInDays must be between 7 and 30, got 3');
});
