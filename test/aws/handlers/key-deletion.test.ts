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

test('delete (the tenant is brought back within the window) cancels the deletion and leaves the key disabled', async () => {
  const keyId = (await moto.createKey('tenant initech')).split('/').pop()!;
  await onEvent(event(keyId));
  await onEvent(event(keyId, { RequestType: 'Delete', PhysicalResourceId: keyId }));
  expect((await state(keyId)).KeyState).toBe('Disabled');
});

test('a window outside 7 to 30 days is refused', async () => {
  await expect(onEvent(event('k', { ResourceProperties: { KeyId: 'k', PendingWindowInDays: '3' } })))
    .rejects.toThrow('property PendingWindowInDays must be between 7 and 30, got 3');
});
