import {
  ConnectCustomKeyStoreCommand, CreateCustomKeyStoreCommand, DeleteCustomKeyStoreCommand, DescribeCustomKeyStoresCommand,
  DisconnectCustomKeyStoreCommand, KMSClient, UpdateCustomKeyStoreCommand,
} from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ResourceEvent, timing } from '../../../src/aws/handlers/common';
import { isComplete, KEY_STORE_TYPE, onEvent, resetClients } from '../../../src/aws/handlers/key-store';

const kms = mockClient(KMSClient);
const sm = mockClient(SecretsManagerClient);
const ACCESS_KEY_ID = 'ABCDEFGHIJKLMNOPQRST';
const SECRET = 'aGVsbG8td29ybGQtdGhpcy1pcy1hLXRlc3Qtc2VjcmV0LWtleQ==';
const xks = {
  ServiceToken: 'arn',
  CustomKeyStoreName: 'sovereign-xks',
  CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
  XksProxyUriEndpoint: 'https://xks.example.com',
  XksProxyUriPath: '/example/kms/xks/v1',
  XksProxyConnectivity: 'PUBLIC_ENDPOINT',
  XksProxyCredentialSecretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:xks',
  Connect: 'true',
};
const hsmStore = {
  ServiceToken: 'arn',
  CustomKeyStoreName: 'hsm-store',
  CustomKeyStoreType: 'AWS_CLOUDHSM',
  CloudHsmClusterId: 'cluster-123',
  TrustAnchorCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
  KeyStorePasswordSecretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:kmsuser',
  Connect: 'true',
};
const event = (over: Partial<ResourceEvent> = {}): ResourceEvent => ({
  RequestType: 'Create',
  ResourceType: KEY_STORE_TYPE,
  LogicalResourceId: 'Store',
  RequestId: 'r',
  StackId: 's',
  ResourceProperties: xks,
  ...over,
});
const logs: string[] = [];

beforeEach(() => {
  kms.reset();
  sm.reset();
  resetClients();
  timing.sleep = async () => {};
  logs.length = 0;
  jest.spyOn(console, 'log').mockImplementation((m) => { logs.push(String(m)); });
  sm.on(GetSecretValueCommand, { SecretId: xks.XksProxyCredentialSecretArn })
    .resolves({ SecretString: JSON.stringify({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET }) });
  sm.on(GetSecretValueCommand, { SecretId: hsmStore.KeyStorePasswordSecretArn }).resolves({ SecretString: 'correct-horse-battery' });
});

afterEach(() => {
  // Credentials never reach a log line.
  expect(logs.join('\n')).not.toContain(SECRET);
  expect(logs.join('\n')).not.toContain('correct-horse-battery');
  jest.restoreAllMocks();
});

describe('create', () => {
  test('an external key store, with the proxy credential read from Secrets Manager, then connected', async () => {
    kms.on(CreateCustomKeyStoreCommand).resolves({ CustomKeyStoreId: 'cks-1' });
    kms.on(ConnectCustomKeyStoreCommand).resolves({});
    expect(await onEvent(event())).toEqual({ PhysicalResourceId: 'cks-1' });
    expect(kms.commandCalls(CreateCustomKeyStoreCommand)[0].args[0].input).toEqual({
      CustomKeyStoreName: 'sovereign-xks',
      CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
      XksProxyUriEndpoint: 'https://xks.example.com',
      XksProxyUriPath: '/example/kms/xks/v1',
      XksProxyConnectivity: 'PUBLIC_ENDPOINT',
      XksProxyAuthenticationCredential: { AccessKeyId: ACCESS_KEY_ID, RawSecretAccessKey: SECRET },
    });
    expect(kms.commandCalls(ConnectCustomKeyStoreCommand)[0].args[0].input).toEqual({ CustomKeyStoreId: 'cks-1' });
  });

  test('a VPC endpoint service store names the service', async () => {
    kms.on(CreateCustomKeyStoreCommand).resolves({ CustomKeyStoreId: 'cks-2' });
    kms.on(ConnectCustomKeyStoreCommand).resolves({});
    await onEvent(event({
      ResourceProperties: {
        ...xks,
        XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE',
        XksProxyVpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-123',
      },
    }));
    expect(kms.commandCalls(CreateCustomKeyStoreCommand)[0].args[0].input).toMatchObject({ XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE', XksProxyVpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-123' });
  });

  test('a CloudHSM key store, with the kmsuser password from Secrets Manager', async () => {
    kms.on(CreateCustomKeyStoreCommand).resolves({ CustomKeyStoreId: 'cks-3' });
    kms.on(ConnectCustomKeyStoreCommand).resolves({});
    await onEvent(event({ ResourceProperties: hsmStore }));
    expect(kms.commandCalls(CreateCustomKeyStoreCommand)[0].args[0].input).toEqual({
      CustomKeyStoreName: 'hsm-store',
      CustomKeyStoreType: 'AWS_CLOUDHSM',
      CloudHsmClusterId: 'cluster-123',
      TrustAnchorCertificate: hsmStore.TrustAnchorCertificate,
      KeyStorePassword: 'correct-horse-battery',
    });
  });

  test.each<[string, () => void, string]>([
    ['a name in use', () => kms.on(CreateCustomKeyStoreCommand).rejects(Object.assign(new Error('x'), { name: 'CustomKeyStoreNameInUseException' })),
      'CustomKeyStoreNameInUseException: a custom key store with this name already exists in the account and region; choose another customKeyStoreName'],
    ['an unreachable proxy', () => kms.on(CreateCustomKeyStoreCommand).rejects(Object.assign(new Error('x'), { name: 'XksProxyUriUnreachableException' })),
      'XksProxyUriUnreachableException: KMS could not reach the XKS proxy endpoint'],
    ['a secret that is not JSON', () => sm.on(GetSecretValueCommand, { SecretId: xks.XksProxyCredentialSecretArn }).resolves({ SecretString: SECRET }),
      'the XKS proxy credential secret arn:aws:secretsmanager:us-east-1:111111111111:secret:xks must be JSON with accessKeyId and secretAccessKey'],
    ['a malformed access key id', () => sm.on(GetSecretValueCommand, { SecretId: xks.XksProxyCredentialSecretArn })
      .resolves({ SecretString: JSON.stringify({ accessKeyId: 'short', secretAccessKey: SECRET }) }),
    'needs an accessKeyId of 20 to 30 characters A-Z and 2-7'],
    ['an unreadable secret', () => sm.on(GetSecretValueCommand, { SecretId: xks.XksProxyCredentialSecretArn })
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' })),
    'cannot read the XKS proxy credential secret arn:aws:secretsmanager:us-east-1:111111111111:secret:xks: AccessDeniedException'],
  ])('%s fails clearly and never echoes the credential', async (_what, setup, message) => {
    setup();
    await expect(onEvent(event())).rejects.toThrow(message);
    await expect(onEvent(event())).rejects.not.toThrow(SECRET);
  });

  test('a kmsuser password of the wrong length', async () => {
    sm.on(GetSecretValueCommand, { SecretId: hsmStore.KeyStorePasswordSecretArn }).resolves({ SecretString: 'abc' });
    await expect(onEvent(event({ ResourceProperties: hsmStore }))).rejects.toThrow(
      'the kmsuser password in secret arn:aws:secretsmanager:us-east-1:111111111111:secret:kmsuser must be 7 to 32 characters');
  });

  test('a cluster that is not active yet points at the runbook', async () => {
    kms.on(CreateCustomKeyStoreCommand).rejects(Object.assign(new Error('x'), { name: 'CloudHsmClusterNotActiveException' }));
    await expect(onEvent(event({ ResourceProperties: hsmStore }))).rejects.toThrow(
      'CloudHsmClusterNotActiveException: the CloudHSM cluster must be initialized and activated first (README runbook)');
  });
});

describe('isComplete waits for the connection', () => {
  const e = event({ PhysicalResourceId: 'cks-1' });
  const state = (ConnectionState: string, extra: Record<string, string> = {}) =>
    kms.on(DescribeCustomKeyStoresCommand).resolves({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', ConnectionState: ConnectionState as any, ...extra }] });

  test('connecting: not yet', async () => {
    state('CONNECTING');
    expect(await isComplete(e)).toEqual({ IsComplete: false });
  });

  test('connected: done', async () => {
    state('CONNECTED');
    expect(await isComplete(e)).toEqual({ IsComplete: true, Data: { CustomKeyStoreId: 'cks-1', ConnectionState: 'CONNECTED' } });
  });

  test('disconnected: connect again', async () => {
    state('DISCONNECTED');
    kms.on(ConnectCustomKeyStoreCommand).resolves({});
    expect(await isComplete(e)).toEqual({ IsComplete: false });
    expect(kms.commandCalls(ConnectCustomKeyStoreCommand)).toHaveLength(1);
  });

  test('failed: the error code and what to do', async () => {
    state('FAILED', { ConnectionErrorCode: 'XKS_PROXY_INVALID_TLS_CONFIGURATION' });
    await expect(isComplete(e)).rejects.toThrow(
      'custom key store cks-1 failed to connect: XKS_PROXY_INVALID_TLS_CONFIGURATION: the proxy TLS certificate is invalid or does not match the endpoint name');
  });

  test('Connect false: done when disconnected', async () => {
    state('DISCONNECTED');
    expect(await isComplete(event({ PhysicalResourceId: 'cks-1', ResourceProperties: { ...xks, Connect: 'false' } }))).toMatchObject({ IsComplete: true });
  });
});

describe('update and delete', () => {
  test('update disconnects, waits, updates with fresh credentials and reconnects', async () => {
    kms.on(DescribeCustomKeyStoresCommand)
      .resolvesOnce({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', ConnectionState: 'CONNECTED' }] })
      .resolvesOnce({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', ConnectionState: 'DISCONNECTING' }] })
      .resolves({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', ConnectionState: 'DISCONNECTED' }] });
    kms.on(DisconnectCustomKeyStoreCommand).resolves({});
    kms.on(UpdateCustomKeyStoreCommand).resolves({});
    kms.on(ConnectCustomKeyStoreCommand).resolves({});
    const result = await onEvent(event({
      RequestType: 'Update',
      PhysicalResourceId: 'cks-1',
      ResourceProperties: { ...xks, XksProxyUriPath: '/v2/kms/xks/v1' },
      OldResourceProperties: xks,
    }));
    expect(result).toEqual({ PhysicalResourceId: 'cks-1' });
    expect(kms.commandCalls(UpdateCustomKeyStoreCommand)[0].args[0].input).toMatchObject({ CustomKeyStoreId: 'cks-1', XksProxyUriPath: '/v2/kms/xks/v1', NewCustomKeyStoreName: undefined });
    const order = kms.calls().map((c) => c.args[0].constructor.name);
    expect(order.indexOf('DisconnectCustomKeyStoreCommand')).toBeLessThan(order.indexOf('UpdateCustomKeyStoreCommand'));
    expect(order.indexOf('UpdateCustomKeyStoreCommand')).toBeLessThan(order.indexOf('ConnectCustomKeyStoreCommand'));
  });

  test('a store that never disconnects fails the update clearly', async () => {
    timing.pollAttempts = 3;
    kms.on(DescribeCustomKeyStoresCommand).resolves({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', ConnectionState: 'DISCONNECTING' }] });
    await expect(onEvent(event({ RequestType: 'Update', PhysicalResourceId: 'cks-1', OldResourceProperties: xks }))).rejects.toThrow(
      'custom key store cks-1 did not disconnect in time; retry the deployment');
    timing.pollAttempts = 60;
  });

  test('changing the type replaces the store', async () => {
    kms.on(CreateCustomKeyStoreCommand).resolves({ CustomKeyStoreId: 'cks-new' });
    kms.on(ConnectCustomKeyStoreCommand).resolves({});
    expect(await onEvent(event({ RequestType: 'Update', PhysicalResourceId: 'cks-1', ResourceProperties: hsmStore, OldResourceProperties: xks })))
      .toEqual({ PhysicalResourceId: 'cks-new' });
  });

  test('delete disconnects and deletes; a missing store is fine', async () => {
    kms.on(DescribeCustomKeyStoresCommand).resolves({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', ConnectionState: 'DISCONNECTED' }] });
    kms.on(DeleteCustomKeyStoreCommand).resolves({});
    expect(await onEvent(event({ RequestType: 'Delete', PhysicalResourceId: 'cks-1' }))).toEqual({ PhysicalResourceId: 'cks-1' });
    expect(kms.commandCalls(DeleteCustomKeyStoreCommand)).toHaveLength(1);
    kms.reset();
    kms.on(DescribeCustomKeyStoresCommand).rejects(Object.assign(new Error('x'), { name: 'CustomKeyStoreNotFoundException' }));
    kms.on(DeleteCustomKeyStoreCommand).rejects(Object.assign(new Error('x'), { name: 'CustomKeyStoreNotFoundException' }));
    expect(await onEvent(event({ RequestType: 'Delete', PhysicalResourceId: 'cks-1' }))).toEqual({ PhysicalResourceId: 'cks-1' });
  });

  test('a store that still holds keys cannot be deleted, and says why', async () => {
    kms.on(DescribeCustomKeyStoresCommand).resolves({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', ConnectionState: 'DISCONNECTED' }] });
    kms.on(DeleteCustomKeyStoreCommand).rejects(Object.assign(new Error('x'), { name: 'CustomKeyStoreHasCMKsException' }));
    await expect(onEvent(event({ RequestType: 'Delete', PhysicalResourceId: 'cks-1' }))).rejects.toThrow(
      'CustomKeyStoreHasCMKsException: the key store still holds KMS keys: schedule their deletion first');
  });
});
