/*
 * Custom::CloudKmsKeyStore: a KMS custom key store, external (XKS) or CloudHSM, connected.
 *
 * Credentials (the XKS proxy authentication credential, the kmsuser password) are read from Secrets Manager
 * here, never passed as properties, and never logged. Physical id: the custom key store id.
 */
import {
  ConnectCustomKeyStoreCommand, CreateCustomKeyStoreCommand, CustomKeyStoresListEntry, DeleteCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand, DisconnectCustomKeyStoreCommand, KMSClient, UpdateCustomKeyStoreCommand,
} from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  bool, errorName, isNotFound, IsCompleteResult, log, OnEventResult, required, ResourceError, ResourceEvent, timing, withRetry,
} from './common';

export { KEY_STORE_TYPE } from './resource-types';

let kmsClient: KMSClient | undefined;
let secretsClient: SecretsManagerClient | undefined;
const kms = () => (kmsClient ??= new KMSClient({}));
const secrets = () => (secretsClient ??= new SecretsManagerClient({}));

/** What to do about each connection error code KMS reports. */
export const CONNECTION_ERROR_HINTS: Record<string, string> = {
  INVALID_CREDENTIALS: 'the proxy authentication credential (or kmsuser password) in the secret is wrong',
  NETWORK_ERRORS: 'KMS could not reach the proxy or the HSMs over the network',
  XKS_PROXY_ACCESS_DENIED: 'the XKS proxy refused KMS: check the proxy authorization rules',
  XKS_PROXY_NOT_REACHABLE: 'the XKS proxy endpoint is not reachable from KMS',
  XKS_PROXY_TIMED_OUT: 'the XKS proxy did not answer in time',
  XKS_PROXY_INVALID_RESPONSE: 'the XKS proxy answered with something KMS does not understand',
  XKS_PROXY_INVALID_CONFIGURATION: 'the proxy URI path or endpoint does not match the proxy',
  XKS_PROXY_INVALID_TLS_CONFIGURATION: 'the proxy TLS certificate is invalid or does not match the endpoint name',
  XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND: 'the VPC endpoint service does not exist',
  XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION: 'the VPC endpoint service must allow cks.kms.<region>.amazonaws.com and have a verified private DNS name',
  CLUSTER_NOT_FOUND: 'the CloudHSM cluster does not exist',
  INSUFFICIENT_CLOUDHSM_HSMS: 'the CloudHSM cluster needs at least two active HSMs in different Availability Zones',
  INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET: 'a cluster subnet has no free IP address for KMS',
  SUBNET_NOT_FOUND: 'a cluster subnet no longer exists',
  USER_LOCKED_OUT: 'the kmsuser crypto user is locked out of the cluster',
  USER_LOGGED_IN: 'kmsuser is logged in to the cluster from another client: log it out',
  USER_NOT_FOUND: 'the cluster has no kmsuser crypto user: create it (README runbook, step 5)',
  INTERNAL_ERROR: 'KMS hit an internal error: retry the deployment',
};

async function secretValue(arn: string, what: string): Promise<string> {
  try {
    const res = await withRetry('GetSecretValue', () => secrets().send(new GetSecretValueCommand({ SecretId: arn })));
    if (res.SecretString === undefined) throw new ResourceError(`the ${what} secret ${arn} has no string value`);
    return res.SecretString;
  } catch (e) {
    if (e instanceof ResourceError) throw e;
    throw new ResourceError(`cannot read the ${what} secret ${arn}: ${errorName(e)}`);
  }
}

/** The XKS proxy credential: a JSON secret with accessKeyId and secretAccessKey. */
async function xksCredential(arn: string): Promise<{ AccessKeyId: string; RawSecretAccessKey: string }> {
  const raw = await secretValue(arn, 'XKS proxy credential');
  let parsed: Record<string, string>;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ResourceError(`the XKS proxy credential secret ${arn} must be JSON with accessKeyId and secretAccessKey`);
  }
  const AccessKeyId = parsed.accessKeyId ?? parsed.AccessKeyId;
  const RawSecretAccessKey = parsed.secretAccessKey ?? parsed.RawSecretAccessKey;
  if (!AccessKeyId || !/^[A-Z2-7]{20,30}$/.test(AccessKeyId)) {
    throw new ResourceError(`the XKS proxy credential secret ${arn} needs an accessKeyId of 20 to 30 characters A-Z and 2-7`);
  }
  if (!RawSecretAccessKey || !/^[a-zA-Z0-9/+=]{43,64}$/.test(RawSecretAccessKey)) {
    throw new ResourceError(`the XKS proxy credential secret ${arn} needs a secretAccessKey of 43 to 64 base64 characters`);
  }
  return { AccessKeyId, RawSecretAccessKey };
}

/** The kmsuser password: a plain secret string, or JSON with a password field. */
async function kmsUserPassword(arn: string): Promise<string> {
  const raw = await secretValue(arn, 'kmsuser password');
  let password = raw;
  try {
    const parsed = JSON.parse(raw);
    if (parsed && typeof parsed.password === 'string') password = parsed.password;
  } catch {
    // a plain string
  }
  if (password.length < 7 || password.length > 32) {
    throw new ResourceError(`the kmsuser password in secret ${arn} must be 7 to 32 characters`);
  }
  return password;
}

/** The CreateCustomKeyStore / UpdateCustomKeyStore settings for the properties. */
async function settings(props: Record<string, any>): Promise<Record<string, unknown>> {
  const type = required(props, 'CustomKeyStoreType');
  if (type === 'EXTERNAL_KEY_STORE') {
    const connectivity = required(props, 'XksProxyConnectivity');
    return {
      XksProxyUriEndpoint: required(props, 'XksProxyUriEndpoint'),
      XksProxyUriPath: required(props, 'XksProxyUriPath'),
      XksProxyConnectivity: connectivity,
      ...(connectivity === 'VPC_ENDPOINT_SERVICE'
        ? { XksProxyVpcEndpointServiceName: required(props, 'XksProxyVpcEndpointServiceName') } : {}),
      XksProxyAuthenticationCredential: await xksCredential(required(props, 'XksProxyCredentialSecretArn')),
    };
  }
  if (type === 'AWS_CLOUDHSM') {
    return {
      CloudHsmClusterId: required(props, 'CloudHsmClusterId'),
      KeyStorePassword: await kmsUserPassword(required(props, 'KeyStorePasswordSecretArn')),
    };
  }
  throw new ResourceError(`property CustomKeyStoreType must be EXTERNAL_KEY_STORE or AWS_CLOUDHSM, got ${type}`);
}

async function describe(id: string): Promise<CustomKeyStoresListEntry | undefined> {
  try {
    const res = await withRetry('DescribeCustomKeyStores', () => kms().send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id })));
    return res.CustomKeyStores?.[0];
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function explain(e: unknown): ResourceError {
  if (e instanceof ResourceError) return e;
  const name = errorName(e);
  const hints: Record<string, string> = {
    CustomKeyStoreNameInUseException: 'a custom key store with this name already exists in the account and region; choose another customKeyStoreName',
    CloudHsmClusterInUseException: 'the CloudHSM cluster already backs another custom key store',
    CloudHsmClusterNotActiveException: 'the CloudHSM cluster must be initialized and activated first (README runbook)',
    CloudHsmClusterInvalidConfigurationException: 'the CloudHSM cluster needs two active HSMs in different Availability Zones and a security group allowing TCP 2223-2225',
    IncorrectTrustAnchorException: 'the trust anchor certificate is not the one that signed the cluster certificate',
    XksProxyUriEndpointInUseException: 'another external key store already uses this proxy endpoint',
    XksProxyUriInUseException: 'another external key store already uses this proxy endpoint and path',
    XksProxyIncorrectAuthenticationCredentialException: 'the XKS proxy rejected the authentication credential in the secret',
    XksProxyInvalidConfigurationException: 'the XKS proxy configuration is invalid (check the URI path)',
    XksProxyInvalidResponseException: 'the XKS proxy answered with something KMS does not understand',
    XksProxyUriUnreachableException: 'KMS could not reach the XKS proxy endpoint',
    XksProxyVpcEndpointServiceNotFoundException: 'the VPC endpoint service does not exist',
    XksProxyVpcEndpointServiceInvalidConfigurationException: 'the VPC endpoint service is not configured for KMS',
    XksProxyVpcEndpointServiceInUseException: 'another external key store already uses this VPC endpoint service',
    CustomKeyStoreHasCMKsException: 'the key store still holds KMS keys: schedule their deletion first',
    CustomKeyStoreInvalidStateException: 'the key store is not in a state that allows this (see its connection state)',
  };
  return new ResourceError(`${name}: ${hints[name] ?? (e as Error).message}`);
}

async function disconnectAndWait(id: string): Promise<void> {
  const store = await describe(id);
  if (!store || store.ConnectionState === 'DISCONNECTED') return;
  if (store.ConnectionState !== 'DISCONNECTING') {
    await withRetry('DisconnectCustomKeyStore', () => kms().send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id })));
  }
  for (let i = 0; i < timing.pollAttempts; i++) {
    const s = await describe(id);
    if (!s || s.ConnectionState === 'DISCONNECTED') return;
    await timing.sleep(timing.pollIntervalMs);
  }
  throw new ResourceError(`custom key store ${id} did not disconnect in time; retry the deployment`);
}

async function connect(id: string): Promise<void> {
  await withRetry('ConnectCustomKeyStore', () => kms().send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id })));
}

async function create(props: Record<string, any>): Promise<string> {
  const type = required(props, 'CustomKeyStoreType');
  const res = await kms().send(new CreateCustomKeyStoreCommand({
    CustomKeyStoreName: required(props, 'CustomKeyStoreName'),
    CustomKeyStoreType: type as any,
    ...(type === 'AWS_CLOUDHSM' ? { TrustAnchorCertificate: required(props, 'TrustAnchorCertificate') } : {}),
    ...(await settings(props)),
  })).catch((e) => { throw explain(e); });
  const id = res.CustomKeyStoreId!;
  if (bool(props, 'Connect', true)) await connect(id).catch((e) => { throw explain(e); });
  return id;
}

export async function onEvent(event: ResourceEvent): Promise<OnEventResult> {
  log(event, 'onEvent');
  const props = event.ResourceProperties;
  if (event.RequestType === 'Create') {
    return { PhysicalResourceId: await create(props) };
  }
  const id = event.PhysicalResourceId!;
  if (event.RequestType === 'Delete') {
    try {
      await disconnectAndWait(id);
      await withRetry('DeleteCustomKeyStore', () => kms().send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })));
    } catch (e) {
      if (!isNotFound(e)) throw explain(e);
    }
    return { PhysicalResourceId: id };
  }
  const old = event.OldResourceProperties ?? {};
  if (old.CustomKeyStoreType !== props.CustomKeyStoreType || old.CloudHsmClusterId !== props.CloudHsmClusterId
    || old.TrustAnchorCertificate !== props.TrustAnchorCertificate) {
    return { PhysicalResourceId: await create(props) };
  }
  try {
    // KMS only updates a disconnected store; reconnect afterwards.
    await disconnectAndWait(id);
    await withRetry('UpdateCustomKeyStore', async () => kms().send(new UpdateCustomKeyStoreCommand({
      CustomKeyStoreId: id,
      NewCustomKeyStoreName: old.CustomKeyStoreName !== props.CustomKeyStoreName ? required(props, 'CustomKeyStoreName') : undefined,
      ...(await settings(props)),
    })));
    if (bool(props, 'Connect', true)) await connect(id);
  } catch (e) {
    throw explain(e);
  }
  return { PhysicalResourceId: id };
}

export async function isComplete(event: ResourceEvent): Promise<IsCompleteResult> {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  const id = event.PhysicalResourceId!;
  const wantConnected = bool(event.ResourceProperties, 'Connect', true);
  const store = await describe(id);
  if (!store) throw new ResourceError(`custom key store ${id} was not found`);
  log(event, 'isComplete', store.ConnectionState ?? '');
  const done = { IsComplete: true, Data: { CustomKeyStoreId: id, ConnectionState: store.ConnectionState ?? '' } };
  switch (store.ConnectionState) {
    case 'CONNECTED':
      if (wantConnected) return done;
      await withRetry('DisconnectCustomKeyStore', () => kms().send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id })));
      return { IsComplete: false };
    case 'DISCONNECTED':
      if (!wantConnected) return done;
      await connect(id).catch((e) => { throw explain(e); });
      return { IsComplete: false };
    case 'FAILED': {
      const code = store.ConnectionErrorCode ?? 'UNKNOWN';
      throw new ResourceError(`custom key store ${id} failed to connect: ${code}: ${CONNECTION_ERROR_HINTS[code] ?? 'see the KMS console'}`);
    }
    default:
      return { IsComplete: false };
  }
}

/** For tests. */
export function resetClients(): void {
  kmsClient = undefined;
  secretsClient = undefined;
}

/** Used by the health check: whether a store is connected. */
export async function connectionState(id: string): Promise<string> {
  return (await describe(id))?.ConnectionState ?? 'NOT_FOUND';
}
