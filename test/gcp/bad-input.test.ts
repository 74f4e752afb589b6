import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { ComplianceProfile, TenantIsolation } from '../../src';
import * as gcp from '../../src/gcp';
import { gcpByok, gcpCmk, gcpEkm, gcpStack, LOCATION, m, PROJECT } from '../support/gcp';

/*
 * Issue 16: bad props on the Google Cloud constructs get our own early ValidationError naming the prop the caller wrote
 * and the value (tokens shown as tokens), never a TypeError, a construct id collision or a broken Terraform JSON.
 */

/** Runs `make` and returns the error it throws (a test fails when it throws none or a non-ValidationError). */
function errorOf(make: () => unknown): Error {
  try {
    make();
  } catch (e) {
    expect((e as Error).name).toBe('ValidationError');
    return e as Error;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/** Synthesizes and checks the Terraform JSON holds nothing broken. */
function cleanSynth(stack: TerraformStack): string {
  const text = Testing.synth(stack);
  expect(text).not.toMatch(/null|NaN|undefined|\[object Object\]|\$\{Token\[|TfToken\[/);
  return text;
}

const SOC2 = ComplianceProfile.SOC2;
const tenants = (extra: Partial<gcp.TenantKeyHierarchyProps> = {}) => new gcp.TenantKeyHierarchy(gcpStack(), 'Tenants', {
  project: PROJECT,
  location: LOCATION,
  keyRingPrefix: 'tenants',
  custodians: { administrators: [m.admin], users: [m.user], auditors: [m.auditor] },
  ...extra,
});

describe('construct id collisions become errors naming the prop', () => {
  test('ByokImport auditors differing only in case are refused by name', () => {
    const e = errorOf(() => gcpByok(gcpStack(), SOC2, 'Imported', {
      custodians: { administrators: [m.admin], importers: [m.importer], auditors: ['user:a@x.com', 'user:A@x.com'] },
    }));
    expect(e.message).toBe('custodians.auditors lists user:a@x.com and user:A@x.com, which name the same principal (Google IAM compares e-mail addresses case-insensitively)');
  });

  test('ByokImport: the same auditor twice is refused', () => {
    expect(errorOf(() => gcpByok(gcpStack(), SOC2, 'Imported', {
      custodians: { administrators: [m.admin], importers: [m.importer], auditors: [m.auditor, m.auditor] },
    })).message).toBe(`custodians.auditors lists ${m.auditor} twice`);
  });

  test('TenantKeyHierarchy custodian users differing only in case are refused', () => {
    expect(errorOf(() => tenants({ custodians: { administrators: [m.admin], users: ['user:a@x.com', 'user:A@x.com'] } })).message)
      .toMatch(/^custodians\.users lists user:a@x\.com and user:A@x\.com/);
  });

  test("TenantKeyHierarchy: a tenant's users listing one member twice are refused", () => {
    expect(errorOf(() => tenants({ tenants: [{ tenantId: 'acme', users: ['user:a@x.com', 'user:a@x.com'] }] })).message)
      .toBe('tenants[acme].users lists user:a@x.com twice');
  });

  test('CustomerManagedKey users and administrators differing only in case are refused', () => {
    expect(errorOf(() => gcpCmk(gcpStack(), SOC2, 'K', { custodians: { administrators: [m.admin], users: ['user:a@x.com', 'user:A@x.com'] } })).message)
      .toMatch(/^custodians\.users lists user:a@x\.com and user:A@x\.com/);
    expect(errorOf(() => gcpCmk(gcpStack(), SOC2, 'K', { custodians: { administrators: ['group:Admins@x.com', 'group:admins@x.com'] } })).message)
      .toMatch(/^custodians\.administrators lists group:Admins@x\.com and group:admins@x\.com/);
  });

  test('ManagedKey users differing only in case are refused', () => {
    expect(errorOf(() => new gcp.ManagedKey(gcpStack(), 'K', { project: PROJECT, location: LOCATION, users: ['user:a@x.com', 'user:A@x.com'] })).message)
      .toMatch(/^users lists user:a@x\.com and user:A@x\.com/);
  });

  test('federated principals differing only in case are two identities, each bound once', () => {
    const stack = gcpStack();
    const pool = 'principal://iam.googleapis.com/locations/global/workforcePools/staff/subject/';
    gcpCmk(stack, SOC2, 'K', { custodians: { administrators: [m.admin], users: [`${pool}Alice`, `${pool}alice`] } });
    const json = JSON.parse(cleanSynth(stack));
    const members = Object.values(json.resource.google_kms_crypto_key_iam_member).map((b: any) => b.member);
    expect(members).toEqual(expect.arrayContaining([`${pool}Alice`, `${pool}alice`]));
  });

  test('granting the same member the same role twice keeps one binding instead of colliding', () => {
    const stack = gcpStack();
    const key = new gcp.ManagedKey(stack, 'K', { project: PROJECT, location: LOCATION, users: [m.user] });
    key.grantEncryptDecrypt(m.user.toUpperCase().replace('SERVICEACCOUNT:', 'serviceAccount:'));
    const json = JSON.parse(cleanSynth(stack));
    expect(Object.keys(json.resource.google_kms_crypto_key_iam_member)).toHaveLength(1);
  });

  test('two ByokImports into one shared ring may name the same importer', () => {
    const stack = gcpStack();
    const ring = new gcp.KeyRing(stack, 'Ring', { project: PROJECT, location: LOCATION, name: 'imports' });
    gcpByok(stack, ComplianceProfile.COMMERCIAL, 'One', { keyRing: ring });
    gcpByok(stack, ComplianceProfile.COMMERCIAL, 'Two', { keyRing: ring });
    const json = JSON.parse(cleanSynth(stack));
    const importers = Object.values(json.resource.google_kms_key_ring_iam_member).filter((b: any) => b.role === 'roles/cloudkms.importer');
    expect(importers).toEqual([expect.objectContaining({ member: m.importer })]);
  });

  test('AutokeyHandles resource types listed twice, or differing only in case, are refused', () => {
    const make = (resourceTypes: string[]) => () => new gcp.AutokeyHandles(gcpStack(), 'A', { project: PROJECT, location: LOCATION, resourceTypes });
    expect(errorOf(make(['compute.googleapis.com/Disk', 'compute.googleapis.com/Disk'])).message).toBe('resourceTypes lists compute.googleapis.com/Disk twice');
    expect(errorOf(make(['compute.googleapis.com/Disk', 'compute.googleapis.com/disk'])).message)
      .toBe('resourceTypes lists compute.googleapis.com/Disk and compute.googleapis.com/disk, the same resource type');
  });
});

describe('errors name the prop the caller wrote', () => {
  test("keyRingName ' ' is reported as keyRingName, not the inner KeyRing's name", () => {
    expect(errorOf(() => gcpCmk(gcpStack(), SOC2, 'K', { keyRingName: ' ' })).message).toMatch(/^keyRingName must be a non-empty string, got " "$/);
    expect(errorOf(() => gcpCmk(gcpStack(), SOC2, 'K', { keyRingName: 'has space' })).message).toMatch(/^keyRingName must be 1 to 63 letters/);
    expect(errorOf(() => new gcp.ManagedKey(gcpStack(), 'K', { project: PROJECT, location: LOCATION, keyRingName: 'a/b' })).message).toMatch(/^keyRingName /);
  });

  test('one approver handed to the ring a key creates is reported as custodians.approvers, not the ring\'s approvers', () => {
    for (const make of [
      () => gcpCmk(gcpStack(), SOC2, 'K', { custodians: { administrators: [m.admin], approvers: [m.approverA] } }),
      () => gcpByok(gcpStack(), SOC2, 'B', { custodians: { administrators: [m.admin], importers: [m.importer], approvers: [m.approverA] } }),
      () => tenants({ custodians: { administrators: [m.admin], approvers: [m.approverA] } }),
    ]) {
      expect(errorOf(make).message).toMatch(/^custodians\.approvers must name at least 2 distinct approvers for dual control on test\/\w+ \(profile \w+\), got 1$/);
    }
  });

  test('tenantsPerKeyRing: 0 is reported as tenantsPerKeyRing, not tenantsPerShard', () => {
    expect(errorOf(() => tenants({ tenantsPerKeyRing: 0 })).message).toBe('tenantsPerKeyRing must be a whole number of at least 1, got 0');
  });

  test.each([NaN, Infinity, 1.5, -3])('tenantsPerKeyRing %p is refused by name', (n) => {
    expect(errorOf(() => tenants({ tenantsPerKeyRing: n })).message).toBe(`tenantsPerKeyRing must be a whole number of at least 1, got ${n}`);
  });

  test('a token tenantsPerKeyRing is shown as a token, not an encoded number', () => {
    const stack = gcpStack();
    const v = new TerraformVariable(stack, 'perRing', { type: 'number' });
    const e = errorOf(() => new gcp.TenantKeyHierarchy(stack, 'T', {
      project: PROJECT, location: LOCATION, keyRingPrefix: 'tenants', custodians: { administrators: [m.admin] }, tenantsPerKeyRing: v.numberValue,
    }));
    expect(e.message).toBe('tenantsPerKeyRing must be a whole number of at least 1, got an unresolved token');
    expect(e.message).not.toMatch(/e\+\d/);
  });
});

describe('required props are checked up front (plain JavaScript callers can omit them)', () => {
  const js = (props: object | undefined) => props as any;
  test.each<[string, () => unknown, RegExp]>([
    ['CustomerManagedKey without custodians', () => new gcp.CustomerManagedKey(gcpStack(), 'K', js({ project: PROJECT, location: LOCATION })), /^custodians is required, got nothing$/],
    ['CustomerManagedKey without project', () => new gcp.CustomerManagedKey(gcpStack(), 'K', js({ location: LOCATION, custodians: { administrators: [m.admin] } })), /^project is required, got nothing$/],
    ['CustomerManagedKey without location', () => new gcp.CustomerManagedKey(gcpStack(), 'K', js({ project: PROJECT, custodians: { administrators: [m.admin] } })), /^location is required, got nothing$/],
    ['CustomerManagedKey with administrators as a string', () => new gcp.CustomerManagedKey(gcpStack(), 'K', js({ project: PROJECT, location: LOCATION, custodians: { administrators: m.admin } })), /^custodians\.administrators must be a list, got group:kms-admins@example\.com$/],
    ['ManagedKey without props', () => new gcp.ManagedKey(gcpStack(), 'K', js(undefined)), /^props is required/],
    ['KeyRing without project', () => new gcp.KeyRing(gcpStack(), 'R', js({ location: LOCATION })), /^project is required, got nothing$/],
    ['ByokImport without custodians', () => new gcp.ByokImport(gcpStack(), 'B', js({ project: PROJECT, location: LOCATION })), /^custodians is required/],
    ['HyokExternalStore without backend', () => new gcp.HyokExternalStore(gcpStack(), 'H', js({ project: PROJECT, location: LOCATION, custodians: { administrators: [m.admin] } })), /^backend is required, got nothing$/],
    ['TenantKeyHierarchy without custodians', () => new gcp.TenantKeyHierarchy(gcpStack(), 'T', js({ project: PROJECT, location: LOCATION })), /^custodians is required/],
    ['AutokeyHandles without resourceTypes', () => new gcp.AutokeyHandles(gcpStack(), 'A', js({ project: PROJECT, location: LOCATION })), /^resourceTypes must name at least one resource type/],
  ])('%s', (_name, make, message) => {
    expect(errorOf(make).message).toMatch(message);
  });
});

describe('member strings, projects and locations are checked by format', () => {
  test.each([
    ['alice@example.com', 'no type prefix'],
    ['user:alice', 'no e-mail address'],
    ['user: alice@example.com', 'a blank'],
    ['serviceAccount:', 'nothing after the prefix'],
    ['domain:', 'no domain'],
    ['principal://', 'no identity'],
  ])('%p (%s) is refused naming the prop', (member) => {
    expect(errorOf(() => gcpCmk(gcpStack(), SOC2, 'K', { custodians: { administrators: [m.admin], users: [member] } })).message)
      .toMatch(new RegExp(`^custodians\\.users must hold IAM members .* got ${member.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
  });

  test('a member that is not a string is refused, not a TypeError', () => {
    expect(errorOf(() => gcpCmk(gcpStack(), SOC2, 'K', { custodians: { administrators: [m.admin], auditors: [42 as any] } })).message)
      .toMatch(/^custodians\.auditors must hold IAM members .* got 42$/);
  });

  test('a deploymentPrincipal that is not an IAM member is refused', () => {
    expect(errorOf(() => gcpCmk(gcpStack(), SOC2, 'K', { deploymentPrincipal: 'terraform@x.iam.gserviceaccount.com' })).message).toMatch(/^deploymentPrincipal must hold IAM members/);
  });

  test.each(['', 'Payments', 'ab', 'has space', 'a_b_c_d_e'])('project %p is refused', (project) => {
    expect(errorOf(() => gcpCmk(gcpStack(), SOC2, 'K', { project })).message).toMatch(/^project must be/);
  });

  test.each(['', 'Europe-West1', 'europe west1', 'europe-west1/'])('location %p is refused', (location) => {
    expect(errorOf(() => gcpCmk(gcpStack(), SOC2, 'K', { location })).message).toMatch(/^location must be/);
  });

  // Review of issue 16: a GKE Workload Identity member was accepted before the member-format check and is an IAM v1
  // principal identifier (https://cloud.google.com/iam/docs/principal-identifiers, "Kubernetes service account").
  test.each([
    'serviceAccount:payments-prod.svc.id.goog[orders/orders-api]',
    'serviceAccount:example.com:payments-prod.svc.id.goog[kube-system/metrics.reader]',
  ])('the Kubernetes service account member %p is accepted', (member) => {
    const stack = gcpStack();
    gcpCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { custodians: { administrators: [m.admin], users: [member] } });
    expect(JSON.stringify(cleanSynth(stack))).toContain(member);
  });

  test.each(['serviceAccount:payments-prod.svc.id.goog', 'serviceAccount:payments-prod.svc.id.goog[orders]', 'serviceAccount:p.svc.id.goog[a/b] '])(
    'the malformed Kubernetes service account member %p is refused', (member) => {
      expect(errorOf(() => gcpCmk(gcpStack(), SOC2, 'K', { custodians: { administrators: [m.admin], users: [member] } })).message)
        .toMatch(/^custodians\.users must hold IAM members/);
    });

  // A project number was accepted before project ids were checked (review of issue 16), and stays accepted.
  test('legacy domain-scoped projects, project numbers, multi-regions and global are accepted', () => {
    for (const [project, location] of [['example.com:payments-prod', 'us'], ['123456789012', 'europe-west1'], [PROJECT, 'global'], [PROJECT, 'nam-eur-asia1']]) {
      const stack = gcpStack();
      gcpCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { project, location });
      cleanSynth(stack);
    }
  });
});

describe('beyond the reproducers: labels, audit sink recipients', () => {
  const sink = (extra: Partial<gcp.KeyAuditSinkProps>) => () => new gcp.KeyAuditSink(gcpStack(), 'Audit', {
    project: PROJECT, location: 'EU', immutable: false, ...extra,
  });
  test.each<[string, () => unknown, RegExp]>([
    ['labels that are not a map', () => gcpCmk(gcpStack(), SOC2, 'K', { labels: ['team'] as any }), /^labels must be a map of literal label keys to values, got \["team"\]$/],
    ['a label value that is not a string', () => gcpCmk(gcpStack(), SOC2, 'K', { labels: { team: 7 as any } }), /^labels\.team must be a string, got 7$/],
    ['an algorithm that is not one', () => gcpCmk(gcpStack(), SOC2, 'K', { algorithm: 'AES' as any }), /^algorithm must be one of .* got AES$/],
    ['a notification e-mail twice, in another case', () => sink({ notificationEmails: ['sec@example.com', 'SEC@example.com'] })(), /^notificationEmails lists sec@example\.com and SEC@example\.com, the same recipient$/],
    ['an escalation e-mail twice', () => sink({ escalationEmails: ['ciso@example.com', 'ciso@example.com'] })(), /^escalationEmails lists ciso@example\.com twice$/],
    ['an escalation e-mail that repeats a notification e-mail in another case', () => sink({ notificationEmails: ['sec@example.com'], escalationEmails: ['Sec@example.com'] })(),
      /^escalationEmails must not repeat notificationEmails/],
    ['an audit sink without project', () => new gcp.KeyAuditSink(gcpStack(), 'Audit', { location: 'EU', immutable: false } as any), /^project is required, got nothing$/],
    ['an audit sink destination that is not one', () => sink({ destination: 'BIGQUERY' as any })(), /^destination must be one of .* got BIGQUERY$/],
  ])('%s', (_name, make, message) => {
    expect(errorOf(make).message).toMatch(message);
  });
});

describe('class-typed props and names given the wrong type (plain JavaScript callers)', () => {
  test.each<[string, object, RegExp]>([
    ['rotation as a number', { rotation: 90 }, /^rotation must be a Period such as Period\.days\(90\), got 90$/],
    ['destroyScheduledDuration NaN', { destroyScheduledDuration: NaN }, /^destroyScheduledDuration must be a Period .* got NaN$/],
    ['profile as a string', { profile: 'SOC2' }, /^profile must be a ComplianceProfile .* got SOC2$/],
    ['auditSink as a number', { auditSink: 1 }, /^auditSink must be a KeyAuditSink, got 1$/],
    ['keyRing as a string', { keyRing: 'ring' }, /^keyRing must be a KeyRing, got ring$/],
  ])('CustomerManagedKey: %s', (_name, extra, message) => {
    expect(errorOf(() => gcpCmk(gcpStack(), SOC2, 'K', extra as any)).message).toMatch(message);
  });

  test('ByokImport importJobId NaN is refused instead of synthesizing a null id', () => {
    expect(errorOf(() => gcpByok(gcpStack(), SOC2, 'B', { importJobId: NaN as any })).message).toBe('importJobId must be 1 to 63 letters, digits, hyphens and underscores, got NaN');
  });

  test('HyokExternalStore: a backend that is not an EkmBackend, and a connectionName Cloud KMS rejects', () => {
    expect(errorOf(() => new gcp.HyokExternalStore(gcpStack(), 'H', { project: PROJECT, location: LOCATION, custodians: { administrators: [m.admin] }, backend: 'vpc' as any })).message)
      .toBe('backend must be EkmBackend.vpc(...) or EkmBackend.internet(...), got vpc');
    expect(errorOf(() => gcpEkm(gcpStack(), ComplianceProfile.COMMERCIAL, 'E', { connectionName: 'has space' })).message).toMatch(/^connectionName must be 1 to 63 letters/);
  });
});

test('TenantKeyHierarchy: token pool names and tenant ids are refused, shown as tokens', () => {
  const stack = gcpStack();
  const v = new TerraformVariable(stack, 'pool', { type: 'string' });
  expect(errorOf(() => new gcp.TenantKeyHierarchy(stack, 'T', {
    project: PROJECT, location: LOCATION, keyRingPrefix: 'tenants', custodians: { administrators: [m.admin] }, isolation: TenantIsolation.POOLED, pools: [v.stringValue],
  })).message).toMatch(/^pools must be literal strings \(they become key names and construct ids\), got a token \(\$\{TfToken\[TOKEN\.\d+\]\}\)$/);
  expect(errorOf(() => tenants({ tenants: [{ tenantId: 42 as any }] })).message).toBe('tenantId must be literal strings (they become key names and construct ids), got 42');
});


test('EkmBackend options: required fields checked by name (plain JavaScript callers can omit them)', () => {
  const js = (o: object) => o as any;
  expect(errorOf(() => gcp.EkmBackend.internet(js({}))).message).toBe('externalKeyManagerFipsLevel is required, got nothing');
  expect(errorOf(() => gcp.EkmBackend.vpc(js({ externalKeyManagerFipsLevel: 'LEVEL_9' }))).message).toMatch(/^externalKeyManagerFipsLevel must be one of .* got LEVEL_9$/);
  expect(errorOf(() => gcp.EkmBackend.vpc(js({ externalKeyManagerFipsLevel: 'LEVEL_3', serviceDirectoryService: 'projects/p/locations/l/namespaces/n/services/s' }))).message)
    .toBe('hostname is required, got nothing');
  expect(errorOf(() => gcp.EkmBackend.vpc(js({
    externalKeyManagerFipsLevel: 'LEVEL_3', serviceDirectoryService: 'projects/p/locations/l/namespaces/n/services/s', hostname: 'https://ekm.example.com/',
  }))).message).toMatch(/^hostname must be a DNS host name such as ekm\.example\.com, got https:\/\/ekm\.example\.com\/$/);
  // Without serverCertificates the store refuses by name instead of reading .length of undefined.
  const backend = gcp.EkmBackend.vpc(js({ externalKeyManagerFipsLevel: 'LEVEL_3', serviceDirectoryService: 'projects/p/locations/l/namespaces/n/services/s', hostname: 'ekm.example.com' }));
  expect(errorOf(() => gcpEkm(gcpStack(), ComplianceProfile.COMMERCIAL, 'E', { backend, acknowledgeEkmConnectionIsPermanent: true })).message)
    .toBe('serverCertificates must hold at least one DER certificate (base64), got none');
});

describe('fuzz round 2: custodians shapes, addKey options', () => {
  const COMMERCIAL = ComplianceProfile.COMMERCIAL;

  test('ByokImport custodians {} names the missing administrators', () => {
    expect(errorOf(() => gcpByok(gcpStack(), COMMERCIAL, 'B', { custodians: {} as any })).message)
      .toBe('custodians.administrators is required, got nothing');
  });

  test('HyokExternalStore custodians without administrators names them', () => {
    expect(errorOf(() => gcpEkm(gcpStack(), COMMERCIAL, 'Store', { custodians: { users: [''] } as any })).message)
      .toBe('custodians.administrators is required, got nothing');
  });

  test.each<[string, object, string]>([
    ['custodians as a string', { externalKeyPath: 'v0/keys/orders', custodians: 'x' }, 'custodians must be an object of member lists, got x'],
  ])('HyokExternalStore.addKey: %s is refused, not a TypeError', (_name, options, message) => {
    const store = gcpEkm(gcpStack(), COMMERCIAL);
    expect(errorOf(() => store.addKey('K', options as any)).message).toBe(message);
  });

  test('HyokExternalStore.addKey: custodians without administrators is accepted (the store\'s administer its key ring)', () => {
    const stack = gcpStack();
    gcpEkm(stack, COMMERCIAL).addKey('K', { externalKeyPath: 'v0/keys/orders', custodians: { users: ['user:ext-user@example.com'] } as any });
    expect(cleanSynth(stack)).toContain('user:ext-user@example.com');
  });

  test('ByokImport custodians without importers names them as required', () => {
    expect(errorOf(() => gcpByok(gcpStack(), COMMERCIAL, 'B', { custodians: { administrators: [m.admin] } })).message)
      .toBe('custodians.importers is required, got nothing');
  });

  test('ByokImport importMethod as an object is shown, not "[object Object]"', () => {
    expect(errorOf(() => gcpByok(gcpStack(), COMMERCIAL, 'B', { importMethod: {} as any })).message)
      .toMatch(/^importMethod must be one of .*, got \{\}$/);
  });

  test.each<[string, object, RegExp]>([
    ['destroyScheduledDuration as a number', { destroyScheduledDuration: 30 }, /^destroyScheduledDuration must be a Period such as Period\.days\(90\), got 30$/],
    ['rotation as a string', { rotation: 'P90D' }, /^rotation must be a Period .* got P90D$/],
  ])('HyokExternalStore.addKey: %s is refused, not a TypeError', (_name, options, message) => {
    const store = gcpEkm(gcpStack(), COMMERCIAL);
    expect(errorOf(() => store.addKey('K', { externalKeyPath: 'v0/keys/orders', ...options } as any)).message).toMatch(message);
  });

  test('HyokExternalStore.addKey: an empty externalKeyPath is shown as "", not "undefined"', () => {
    expect(errorOf(() => gcpEkm(gcpStack(), COMMERCIAL).addKey('K', { externalKeyPath: '' })).message)
      .toBe('externalKeyPath must be a non-empty string, got ""');
  });

  test('TenantKeyHierarchy isolation as an object is refused by name and shown, not "[object Object]"', () => {
    expect(errorOf(() => tenants({ isolation: {} as any })).message).toBe('isolation must be one of DEDICATED, POOLED, TIERED, got {}');
  });

  test('KeyRing: a single token approver is shown as a token, not only counted', () => {
    const stack = gcpStack();
    const approver = new TerraformVariable(stack, 'approver', { type: 'string' }).stringValue;
    expect(errorOf(() => new gcp.KeyRing(stack, 'Ring', { project: PROJECT, location: LOCATION, approvers: [approver] })).message)
      .toMatch(/^approvers must name at least 2 distinct approvers for dual control on test\/Ring \(profile COMMERCIAL\), got 1: a token \(\$\{TfToken\[TOKEN\.\d+\]\}\)$/);
  });

  test('CustomerManagedKey: a single token in custodians.approvers is shown as a token', () => {
    const stack = gcpStack();
    const approver = new TerraformVariable(stack, 'approver', { type: 'string' }).stringValue;
    expect(errorOf(() => gcpCmk(stack, COMMERCIAL, 'K', { custodians: { administrators: [m.admin], approvers: [approver] } })).message)
      .toMatch(/^custodians\.approvers must name at least 2 distinct approvers .* got 1: a token \(/);
  });
});
