/*
 * Issue 19 review: the keys the library makes for its own use (the envelope function's log key, the stack's
 * CloudKmsConstructsLogKey) are service keys of the ledger: in the CBOM, held to the profile's algorithm rule, not key
 * records of the report. And the envelope function, which holds plaintext and data keys, is held to the profile's regions.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ComplianceProfile, EvidenceLedger } from '../../src';
import * as aws from '../../src/aws';
import { KeyAlgorithm } from '../../src/core/key-algorithm';
import { ACCOUNT, cmkFor, hsmVpc, xksStoreFor } from '../support/fixtures';

const EU = ComplianceProfile.custom({ name: 'EU', basedOn: ComplianceProfile.COMMERCIAL, allowedRegions: ['eu-west-1'] });
const stackIn = (region: string | undefined) => new Stack(new App(), 'Test', region ? { env: { account: ACCOUNT, region } } : undefined);
const envelope = (stack: Stack, profile: ComplianceProfile, keyProfile = ComplianceProfile.COMMERCIAL) =>
  new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key: cmkFor(stack, keyProfile, 'Key'), requiredContextKeys: ['tenant'], profile });

describe('EnvelopeEncryptionFunction residency', () => {
  test('refused in a region outside its profile, and in an environment-agnostic stack under a restricting profile', () => {
    expect(() => envelope(stackIn('us-east-1'), EU)).toThrow(
      "env.region of stack Test (where envelope function Test/Envelope is) must be one of profile EU's allowedRegions [eu-west-1], got 'us-east-1'");
    expect(() => envelope(stackIn(undefined), EU)).toThrow(/env.region of stack Test \(where envelope function Test\/Envelope is\) is only known at deployment/);
  });

  test('in an allowed region it synthesizes; anywhere under a profile without allowedRegions', () => {
    expect(() => envelope(stackIn('eu-west-1'), EU, EU)).not.toThrow();
    expect(() => envelope(stackIn(undefined), ComplianceProfile.COMMERCIAL)).not.toThrow();
  });
});

describe('the library\'s own log keys are service keys', () => {
  test('the envelope function\'s log key: AES-256 SYMMETRIC_DEFAULT, its region, not a key record', () => {
    const stack = stackIn('eu-west-1');
    envelope(stack, EU, EU);
    const ledger = EvidenceLedger.of(stack);
    const logKey = ledger.serviceKeys.find((k) => k.path === 'Test/Envelope/LogKey');
    expect(logKey).toMatchObject({
      cloud: 'aws',
      constructName: 'EnvelopeEncryptionFunction',
      profile: EU,
      regions: ['eu-west-1'],
      crypto: { algorithm: KeyAlgorithm.AES, providerSpec: 'SYMMETRIC_DEFAULT', sizeBits: 256, purpose: 'ENCRYPT_DECRYPT', protectionLevel: 'AWS_KMS', rotationDays: 365 },
    });
    expect(ledger.keys.map((k) => k.path)).not.toContain('Test/Envelope/LogKey');
  });

  test('CloudKmsConstructsLogKey, once per stack, under the profile of the construct that asked', () => {
    const stack = stackIn('eu-west-1');
    xksStoreFor(stack, EU);
    const records = EvidenceLedger.of(stack).serviceKeys.filter((k) => k.path === 'Test/CloudKmsConstructsLogKey');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ constructName: 'CloudKmsConstructsLogKey', profile: EU, crypto: { algorithm: KeyAlgorithm.AES, sizeBits: 256 } });
    expect(EvidenceLedger.of(stack).keys.map((k) => k.path)).not.toContain('Test/CloudKmsConstructsLogKey');
  });

  test('a profile that does not allow AES refuses the log keys its constructs would make', () => {
    const noAes = ComplianceProfile.custom({ name: 'NO_AES', basedOn: ComplianceProfile.COMMERCIAL, allowedKeyAlgorithms: [KeyAlgorithm.RSA] });
    expect(() => envelope(stackIn('eu-west-1'), noAes)).toThrow(
      "keySpec SYMMETRIC_DEFAULT (AES) is not allowed by profile NO_AES for the library's own key Test/Envelope/LogKey, which allows RSA");
    expect(() => xksStoreFor(stackIn('eu-west-1'), noAes)).toThrow(/not allowed by profile NO_AES for the library's own key Test\/CloudKmsConstructsLogKey/);
  });
});

test('the shared log key made for a construct without a profile is held at synthesis to the profiles of the stack\'s keys', () => {
  const ecOnly = ComplianceProfile.custom({ name: 'EC_ONLY', basedOn: ComplianceProfile.COMMERCIAL, allowedKeyAlgorithms: [KeyAlgorithm.EC] });
  const withCluster = (profile?: ComplianceProfile) => {
    const stack = stackIn('eu-west-1');
    // The cluster's custom-resource provider asks for the shared log key, with no profile of its own.
    new aws.CloudHsmCluster(stack, 'Hsm', { vpc: hsmVpc(stack), acknowledgeHourlyCost: true });
    if (profile) cmkFor(stack, profile, 'Signer', { keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.SIGN_VERIFY });
    expect(EvidenceLedger.of(stack).serviceKeys.map((k) => k.path)).toEqual(['Test/CloudKmsConstructsLogKey']);
    return stack;
  };
  expect(() => Template.fromStack(withCluster(ecOnly))).toThrow(
    /keySpec SYMMETRIC_DEFAULT \(AES\) is not allowed by profile EC_ONLY for the library's own key Test\/CloudKmsConstructsLogKey/);
  expect(() => Template.fromStack(withCluster(ComplianceProfile.COMMERCIAL))).not.toThrow();
  expect(() => Template.fromStack(withCluster())).not.toThrow();
});
