/*
 * Issue 19 review: the keys the library makes for its own use (the envelope function's log key, the stack's
 * CloudKmsConstructsLogKey) are service keys of the ledger: in the CBOM, held to the profile's algorithm rule, not key
 * records of the report. And the envelope function, which holds plaintext and data keys, is held to the profile's regions.
 */
import { App, Fn, Stack } from 'aws-cdk-lib';
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

describe('EnvelopeEncryptionFunction: the key it gets data keys from is held to the profile\'s regions (review of issue 19)', () => {
  const fn = (stack: Stack, key: kms.IKey) => new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: ['tenant'], profile: EU });
  const MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab';

  test('a single-Region key of another region, by literal ARN, is refused', () => {
    const stack = stackIn('eu-west-1');
    const remote = kms.Key.fromKeyArn(stack, 'Remote', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    expect(() => fn(stack, remote)).toThrow(
      "the region of key Test/Remote (where envelope function Test/Envelope gets its data keys) must be one of profile EU's allowedRegions [eu-west-1], got 'us-east-1'");
  });

  test('a multi-Region primary of another region is used through its replica here, which is allowed', () => {
    const stack = stackIn('eu-west-1');
    expect(() => fn(stack, kms.Key.fromKeyArn(stack, 'Primary', `arn:aws:kms:us-east-1:${ACCOUNT}:key/${MRK}`))).not.toThrow();
  });

  test('a key ARN only known at deployment (an imported value) is refused; a key construct of this stack is not', () => {
    const stack = stackIn('eu-west-1');
    const imported = kms.Key.fromKeyArn(stack, 'Imported', Fn.importValue('SomeoneElsesKeyArn'));
    expect(() => fn(stack, imported)).toThrow(/the region of key Test\/Imported .* is only known at deployment, and profile EU allows only \[eu-west-1\]/);
    const own = stackIn('eu-west-1');
    expect(() => fn(own, cmkFor(own, EU, 'Key'))).not.toThrow();
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
