/*
 * Issue 16's reproducers, one named test each, asserting the behaviour the issue asks for: the library's own
 * ValidationError (src/core/validation.ts), naming the prop the user wrote (the outer prop, not an inner construct's)
 * and the value received as `shown()` renders it. Loose on wording: the error's class, the prop as a word, the value.
 * The envelope function's runtime findings (cache age, successors, hostile requests) are tested with the envelope.
 */
import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TerraformVariable } from 'cdktf';
import { ComplianceProfile, FipsLevel } from '../../src';
import * as aws from '../../src/aws';
import * as azure from '../../src/azure';
import { ValidationError } from '../../src/core/validation';
import * as gcp from '../../src/gcp';
import { azureCmk, azureSink, azureStack, ids, LOCATION as AZ_LOCATION, RG, synth as azSynth, vaultNetwork } from '../support/azure';
import { arn, hsmVpc, newStack, people, secret } from '../support/fixtures';
import { gcpByok, gcpCmk, gcpStack, LOCATION as GCP_LOCATION, m, PROJECT, synth as gcpSynth } from '../support/gcp';

const word = (prop: string) => new RegExp(`(?<![A-Za-z0-9_])${prop.replace(/[.[\]]/g, '\\$&')}(?![A-Za-z0-9_])`);

/** Runs `build` (and synthesis, if given) and returns the ValidationError's message; fails on anything else. */
function clearError(build: () => unknown): string {
  let thrown: unknown;
  try {
    build();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeDefined();
  if (!(thrown instanceof ValidationError)) {
    throw new Error(`wanted the library's ValidationError, got ${(thrown as Error)?.constructor?.name}: ${(thrown as Error)?.message}`);
  }
  return thrown.message;
}

/** The message names the prop (any of the names given, as a word) and the value (any of the renderings given). */
function expectNames(message: string, props: string[], values: Array<string | RegExp>) {
  expect(props.some((p) => word(p).test(message)) ? message : `names none of ${props.join(', ')}: ${message}`).toBe(message);
  expect(values.some((v) => (typeof v === 'string' ? message.includes(v) : v.test(message))) ? message : `shows none of ${values.join(', ')}: ${message}`).toBe(message);
}

const TOKEN = /\btoken\b|deploy-time value/i;
const NOTHING = /\b(required|nothing|undefined|missing)\b/i;
const synthAws = (stack: Stack) => Template.fromStack(stack);
/** Untyped JavaScript callers send what TypeScript would refuse. */
const untyped = <T>(props: Record<string, unknown>) => props as unknown as T;

describe('AWS', () => {
  test('HyokExternalStore without backend: a ValidationError naming backend, not a TypeError reading fipsLevel', () => {
    const stack = newStack();
    const p = people();
    const message = clearError(() => new aws.HyokExternalStore(stack, 'Store', untyped<aws.HyokExternalStoreProps>({
      profile: ComplianceProfile.COMMERCIAL, custodians: { administrators: [p.admin], users: [p.user] },
    })));
    expectNames(message, ['backend'], [NOTHING]);
  });

  test('KeyAuditSink without custodians: a ValidationError naming custodians, not a TypeError reading administrators', () => {
    const message = clearError(() => new aws.KeyAuditSink(newStack(), 'Audit', untyped<aws.KeyAuditSinkProps>({})));
    expectNames(message, ['custodians'], [NOTHING]);
  });

  test('CloudHsmCluster without vpc: a ValidationError naming vpc', () => {
    const message = clearError(() => new aws.CloudHsmCluster(newStack(), 'Hsm', untyped<aws.CloudHsmClusterProps>({ acknowledgeHourlyCost: true })));
    expectNames(message, ['vpc'], [NOTHING]);
  });

  test.each<[string, 'deletionWindow' | 'rotation']>([
    ['a Duration.hours(token) deletion window', 'deletionWindow'],
    ['a Duration.hours(token) rotation', 'rotation'],
  ])('%s: our ValidationError naming the prop and the token, not aws-cdk-lib\'s "Duration must be specified as Duration.days()"', (_what, prop) => {
    const stack = newStack();
    const hours = new CfnParameter(stack, 'Hours', { type: 'Number' }).valueAsNumber;
    const p = people();
    const message = clearError(() => {
      new aws.CustomerManagedKey(stack, 'Key', {
        profile: ComplianceProfile.COMMERCIAL, custodians: { administrators: [p.admin], users: [p.user] }, [prop]: Duration.hours(hours),
      });
      synthAws(stack);
    });
    expectNames(message, [prop], [TOKEN]);
  });

  test('EnvelopeEncryptionFunction timeout of Duration.millis(token): our ValidationError naming timeout', () => {
    const stack = newStack();
    const key = new aws.ManagedKey(stack, 'Key', { profile: ComplianceProfile.COMMERCIAL });
    const ms = new CfnParameter(stack, 'Millis', { type: 'Number' }).valueAsNumber;
    const message = clearError(() => {
      new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: ['tenant'], timeout: Duration.millis(ms) });
      synthAws(stack);
    });
    expectNames(message, ['timeout'], [TOKEN]);
  });

  test('EnvelopeEncryptionFunction with a subnet selection the VPC lacks: our ValidationError naming vpcSubnets', () => {
    const stack = newStack();
    const key = new aws.ManagedKey(stack, 'Key', { profile: ComplianceProfile.COMMERCIAL });
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const message = clearError(() => {
      new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: ['tenant'], vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
      synthAws(stack);
    });
    expectNames(message, ['vpcSubnets'], [/public/i]);
  });

  test('CloudHsmCluster with a subnet selection the VPC lacks: our ValidationError naming vpcSubnets', () => {
    const stack = newStack();
    const message = clearError(() => {
      new aws.CloudHsmCluster(stack, 'Hsm', { vpc: hsmVpc(stack), acknowledgeHourlyCost: true, vpcSubnets: { subnetGroupName: 'missing' } });
      synthAws(stack);
    });
    expectNames(message, ['vpcSubnets'], ['missing']);
  });

  test('KeyAuditSink notificationEmails [\'\']: our ValidationError naming notificationEmails and the empty string, not "Only root constructs may have an empty ID"', () => {
    const p = people();
    const message = clearError(() => new aws.KeyAuditSink(newStack(), 'Audit', { custodians: { administrators: [p.admin] }, notificationEmails: [''] }));
    expectNames(message, ['notificationEmails'], ['""', "''"]);
  });

  test('EnvelopeEncryptionFunction with a token in requiredContextKeys: refused with our ValidationError, not a resolution error at synthesis', () => {
    const stack = newStack();
    const key = new aws.ManagedKey(stack, 'Key', { profile: ComplianceProfile.COMMERCIAL });
    const context = new CfnParameter(stack, 'ContextKey', { type: 'String' }).valueAsString;
    const message = clearError(() => {
      new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: [context] });
      synthAws(stack);
    });
    expectNames(message, ['requiredContextKeys'], [TOKEN]);
  });

  test('an auditor that is the account root: the error names the auditors prop, not grantee', () => {
    const p = people();
    const root = 'arn:aws:iam::111111111111:root';
    const stack = newStack();
    const message = clearError(() => {
      new aws.CustomerManagedKey(stack, 'Key', {
        profile: ComplianceProfile.COMMERCIAL, custodians: { administrators: [p.admin], users: [p.user], auditors: [new iam.ArnPrincipal(root)] },
      });
      synthAws(stack);
    });
    expectNames(message, ['custodians.auditors', 'auditors'], [root]);
    expect(message).not.toMatch(word('grantee'));
  });

  test('EnvelopeEncryptionFunction memorySize NaN: our ValidationError naming memorySize, never MemorySize: null', () => {
    const stack = newStack();
    const key = new aws.ManagedKey(stack, 'Key', { profile: ComplianceProfile.COMMERCIAL });
    const message = clearError(() => {
      new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: ['tenant'], memorySize: NaN });
      synthAws(stack);
    });
    expectNames(message, ['memorySize'], [/\bNaN\b/]);
  });

  test('aliases [\'dup\', \'alias/dup\'] name the same alias: our ValidationError naming aliases, never two AWS::KMS::Alias of one name', () => {
    const p = people();
    const stack = newStack();
    const message = clearError(() => {
      new aws.CustomerManagedKey(stack, 'Key', {
        profile: ComplianceProfile.COMMERCIAL, custodians: { administrators: [p.admin], users: [p.user] }, aliases: ['dup', 'alias/dup'],
      });
      synthAws(stack);
    });
    expectNames(message, ['aliases'], ['dup']);
  });

  test('ArnPrincipal(\'\') as a custodian: our ValidationError naming the custodian role and the empty ARN', () => {
    const p = people();
    const stack = newStack();
    const message = clearError(() => {
      new aws.CustomerManagedKey(stack, 'Key', {
        profile: ComplianceProfile.COMMERCIAL, custodians: { administrators: [p.admin], users: [new iam.ArnPrincipal('')] },
      });
      synthAws(stack);
    });
    expectNames(message, ['custodians.users', 'users'], ['""', "''"]);
  });

  test('\'not-an-arn\' as the deployment principal: our ValidationError naming deploymentPrincipal (cfn-lint E3512 otherwise)', () => {
    const p = people();
    const stack = newStack();
    const message = clearError(() => {
      new aws.CustomerManagedKey(stack, 'Key', {
        profile: ComplianceProfile.COMMERCIAL, custodians: { administrators: [p.admin], users: [p.user] }, deploymentPrincipal: new iam.ArnPrincipal('not-an-arn'),
      });
      synthAws(stack);
    });
    expectNames(message, ['deploymentPrincipal'], ['not-an-arn']);
  });

  test('the same custodian twice with ARNs differing in case: refused by name (IAM names are case-insensitive)', () => {
    const stack = newStack();
    const message = clearError(() => new aws.CustomerManagedKey(stack, 'Key', {
      profile: ComplianceProfile.COMMERCIAL,
      custodians: { administrators: [new iam.ArnPrincipal(arn('KeyAdmin'))], users: [new iam.ArnPrincipal(arn('Orders')), new iam.ArnPrincipal(arn('orders'))] },
    }));
    expectNames(message, ['custodians.users', 'users'], [arn('Orders'), arn('orders')]);
  });

  test('an XKS store with a secret: the fixture the AWS reproducers start from is valid', () => {
    // Guards the reproducers above: a failure there must come from the mutated prop, not from a broken baseline.
    const stack = newStack();
    const p = people();
    new aws.HyokExternalStore(stack, 'Store', {
      profile: ComplianceProfile.COMMERCIAL,
      backend: aws.KeyStoreBackend.xksPublicEndpoint({ uriEndpoint: 'https://xks.example.com', uriPath: '/example/kms/xks/v1', credential: secret(stack, 'XksCredential'), externalKeyManagerFipsLevel: FipsLevel.LEVEL_3 }),
      custodians: { administrators: [p.admin], users: [p.user] },
    });
    expect(() => synthAws(stack)).not.toThrow();
  });
});

describe('Google Cloud', () => {
  test.each<[string, string[]]>([
    ['the same member twice', ['user:a@x.com', 'user:a@x.com']],
    ['members differing only in case', ['user:a@x.com', 'user:A@x.com']],
  ])('ByokImport auditors with %s: our ValidationError naming auditors, not "There is already a Construct with name"', (_what, auditors) => {
    const stack = gcpStack();
    const message = clearError(() => {
      gcpByok(stack, ComplianceProfile.COMMERCIAL, 'K', { custodians: { administrators: [m.admin], importers: [m.importer], auditors } });
      gcpSynth(stack);
    });
    expectNames(message, ['custodians.auditors', 'auditors'], auditors);
  });

  test('TenantKeyHierarchy users differing only in case: our ValidationError naming users', () => {
    const stack = gcpStack();
    const message = clearError(() => {
      new gcp.TenantKeyHierarchy(stack, 'Tenants', {
        project: PROJECT, location: GCP_LOCATION, custodians: { administrators: [m.admin], users: ['user:a@x.com', 'user:A@x.com'] }, tenants: [{ tenantId: 'acme' }],
      });
      gcpSynth(stack);
    });
    expectNames(message, ['custodians.users', 'users'], ['user:a@x.com', 'user:A@x.com']);
  });

  test('CustomerManagedKey users differing only in case: our ValidationError naming users', () => {
    const stack = gcpStack();
    const message = clearError(() => {
      gcpCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { custodians: { administrators: [m.admin], users: ['user:a@x.com', 'user:A@x.com'] } });
      gcpSynth(stack);
    });
    expectNames(message, ['custodians.users', 'users'], ['user:a@x.com', 'user:A@x.com']);
  });

  test('ManagedKey users, the same member twice: our ValidationError naming users', () => {
    const stack = gcpStack();
    const message = clearError(() => {
      new gcp.ManagedKey(stack, 'K', { project: PROJECT, location: GCP_LOCATION, users: ['user:a@x.com', 'user:a@x.com'] });
      gcpSynth(stack);
    });
    expectNames(message, ['users'], ['user:a@x.com']);
  });

  test('AutokeyHandles with a resource type twice: our ValidationError naming resourceTypes', () => {
    const stack = gcpStack();
    const message = clearError(() => {
      new gcp.AutokeyHandles(stack, 'A', { project: PROJECT, location: GCP_LOCATION, resourceTypes: ['compute.googleapis.com/Disk', 'compute.googleapis.com/Disk'] });
      gcpSynth(stack);
    });
    expectNames(message, ['resourceTypes'], ['compute.googleapis.com/Disk']);
  });

  test('keyRingName \' \': the error names keyRingName (not the inner key ring\'s name) and shows the blank quoted', () => {
    const message = clearError(() => gcpCmk(gcpStack(), ComplianceProfile.COMMERCIAL, 'K', { keyRingName: ' ' }));
    expectNames(message, ['keyRingName'], ['" "', "' '"]);
  });

  test('tenantsPerKeyRing 0: the error names tenantsPerKeyRing, not tenantsPerShard', () => {
    const message = clearError(() => new gcp.TenantKeyHierarchy(gcpStack(), 'Tenants', {
      project: PROJECT, location: GCP_LOCATION, custodians: { administrators: [m.admin] }, tenantsPerKeyRing: 0,
    }));
    expectNames(message, ['tenantsPerKeyRing'], [/(?<![\w.])0(?![\w.])/]);
    expect(message).not.toMatch(word('tenantsPerShard'));
  });
});

describe('Azure', () => {
  // Entra object ids are GUIDs, case-insensitive: one with letters, so that a case variant exists.
  const user = 'abcdef12-2222-4222-8222-222222222222';
  const auditor = 'fedcba98-3333-4333-8333-333333333333';

  test.each<[string, string[]]>([
    ['the same user twice', [user, user]],
    ['users differing only in case', [user, user.toUpperCase()]],
  ])('CustomerManagedKey users with %s: our ValidationError naming users, not a construct id collision', (_what, variant) => {
    const stack = azureStack();
    const message = clearError(() => {
      azureCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { custodians: { administrators: [ids.admin], users: variant } });
      azSynth(stack);
    });
    expectNames(message, ['custodians.users', 'users'], variant);
  });

  test('CustomerManagedKey auditors, the same auditor twice: our ValidationError naming auditors', () => {
    const stack = azureStack();
    const message = clearError(() => {
      azureCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { custodians: { administrators: [ids.admin], auditors: [ids.auditor, ids.auditor] } });
      azSynth(stack);
    });
    expectNames(message, ['custodians.auditors', 'auditors'], [ids.auditor]);
  });

  test('KeyAuditSink auditors differing only in case: our ValidationError naming auditors', () => {
    const stack = azureStack();
    const upper = auditor.toUpperCase();
    const message = clearError(() => {
      new azure.KeyAuditSink(stack, 'Audit', { resourceGroupName: RG, location: AZ_LOCATION, acknowledgeLockedRetention: true, auditors: [auditor, upper] });
      azSynth(stack);
    });
    expectNames(message, ['auditors'], [auditor, upper]);
  });

  test('vaultName \'has space\': the error names vaultName, not the inner KeyVault\'s name', () => {
    const message = clearError(() => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', { vaultName: 'has space' }));
    expectNames(message, ['vaultName'], ['has space']);
  });

  test('a token failedAuthorizationBurstThreshold shows as a token, never as -8.1e+298', () => {
    const stack = azureStack();
    const n = new TerraformVariable(stack, 'burst', { type: 'number' }).numberValue;
    let message = '';
    try {
      new azure.KeyAuditSink(stack, 'Audit', { resourceGroupName: RG, location: AZ_LOCATION, acknowledgeLockedRetention: true, failedAuthorizationBurstThreshold: n });
      azSynth(stack);
    } catch (e) {
      message = clearError(() => { throw e; });
      expectNames(message, ['failedAuthorizationBurstThreshold'], [TOKEN]);
    }
    // Either enforced at plan time (a variable validation) or refused: never an encoded number in a message.
    expect(message).not.toMatch(/e\+(289|298)/);
  });

  test('the Azure fixtures the reproducers start from are valid', () => {
    const stack = azureStack();
    azureCmk(stack, ComplianceProfile.COMMERCIAL, 'K');
    azureSink(stack, ComplianceProfile.COMMERCIAL);
    new azure.KeyVault(stack, 'V', { resourceGroupName: RG, location: AZ_LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork() });
    expect(() => azSynth(stack)).not.toThrow();
  });
});
