import { TerraformVariable } from 'cdktf';
import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../../src';
import * as gcp from '../../src/gcp';
import { GCP_MULTI_REGIONS } from '../../src/gcp/private/residency';
import { gcpCmk, gcpEkm, gcpSink, gcpStack, LOCATION, one, PROJECT, synth } from '../support/gcp';

/** A profile that keeps data in the named locations only (COMMERCIAL otherwise, so that no audit sink is required). */
const inRegions = (...allowedRegions: string[]) =>
  ComplianceProfile.custom({ name: `in-${allowedRegions.join('-')}`, basedOn: ComplianceProfile.COMMERCIAL, allowedRegions });

/** The message of the error `f` throws. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

const sinkIn = (stack: ReturnType<typeof gcpStack>, profile: ComplianceProfile, location: string) => gcpSink(stack, profile, 'Audit', { location });

describe('key rings and keys: the location must be one the profile names', () => {
  test('a key ring in an allowed region synthesizes with that location', () => {
    const stack = gcpStack();
    const profile = inRegions('europe-west1');
    gcpCmk(stack, profile, 'OrdersKey', { auditSink: sinkIn(stack, profile, 'europe-west1') });
    expect(one(synth(stack), 'google_kms_key_ring').location).toBe(LOCATION);
  });

  test('a region outside the profile is refused, naming the prop, the value and the allowed list', () => {
    const profile = inRegions('europe-west1');
    const msg = refusal(() => new gcp.KeyRing(gcpStack(), 'Ring', { project: PROJECT, location: 'us-central1', profile }));
    expect(msg).toMatch(/^location of test\/Ring must be one of profile in-europe-west1's allowedRegions \[europe-west1\], got 'us-central1'$/);
  });

  test('global is refused under a residency profile, even when the profile names it', () => {
    for (const profile of [inRegions('europe-west1'), inRegions('global', 'europe-west1')]) {
      const msg = refusal(() => new gcp.KeyRing(gcpStack(), 'Ring', { project: PROJECT, location: 'global', profile }));
      expect(msg).toMatch(/^location of test\/Ring must not be global under profile .*regions around the world/);
    }
  });

  test('a token location is refused under a residency profile (it could name any location)', () => {
    const stack = gcpStack();
    const where = new TerraformVariable(stack, 'where', { type: 'string' });
    const msg = refusal(() => new gcp.KeyRing(stack, 'Ring', { project: PROJECT, location: where.stringValue, profile: inRegions('europe-west1') }));
    expect(msg).toMatch(/^location of test\/Ring is only known at deployment, and profile in-europe-west1 allows only \[europe-west1\]: give a literal location, got .*a token could name any location/);
  });

  test('without allowedRegions every location stays allowed (global and a token included)', () => {
    const stack = gcpStack();
    const where = new TerraformVariable(stack, 'where', { type: 'string' });
    expect(() => new gcp.KeyRing(stack, 'Global', { project: PROJECT, location: 'global' })).not.toThrow();
    expect(() => new gcp.KeyRing(stack, 'Token', { project: PROJECT, location: where.stringValue })).not.toThrow();
  });
});

describe('multi-region and dual-region locations match by their own name only', () => {
  test('the europe multi-region is refused when the profile lists EU regions but not europe itself', () => {
    const msg = refusal(() => new gcp.KeyRing(gcpStack(), 'Ring', {
      project: PROJECT, location: 'europe', profile: inRegions('europe-west1', 'europe-west4', 'europe-north1'),
    }));
    expect(msg).toMatch(/got 'europe' \(europe is a multi-region location, allowed only when the profile names europe itself\)$/);
  });

  test('a dual-region (eur4) is allowed when named, and its regions are then not', () => {
    const profile = inRegions('eur4');
    expect(() => new gcp.KeyRing(gcpStack(), 'Ring', { project: PROJECT, location: 'eur4', profile })).not.toThrow();
    const msg = refusal(() => new gcp.KeyRing(gcpStack(), 'Ring', { project: PROJECT, location: 'europe-west4', profile }));
    expect(msg).toMatch(/got 'europe-west4' \(the multi-region eur4 the profile names does not allow the regions in it\)$/);
  });

  test('the table of multi-regions holds the Cloud KMS multi-regions and dual-regions, and no single region', () => {
    for (const l of ['us', 'europe', 'asia', 'eur4', 'nam4', 'nam-eur-asia1']) expect(GCP_MULTI_REGIONS.has(l)).toBe(true);
    for (const l of ['europe-west1', 'us-central1', 'global']) expect(GCP_MULTI_REGIONS.has(l)).toBe(false);
  });
});

describe('keys in a shared ring, EKM, Autokey, tenant hierarchies and the audit sink', () => {
  test('a key whose profile restricts regions is refused in a shared ring made elsewhere (keyRing)', () => {
    const stack = gcpStack();
    const ring = new gcp.KeyRing(stack, 'Ring', { project: PROJECT, location: 'us-east1' });
    const profile = ComplianceProfile.custom({ name: 'eu-commercial', basedOn: ComplianceProfile.COMMERCIAL, allowedRegions: ['europe-west1'] });
    const msg = refusal(() => new gcp.CustomerManagedKey(stack, 'Key', {
      project: PROJECT,
      location: 'us-east1',
      keyRing: ring,
      profile,
      custodians: { administrators: ['group:admins@example.com'], users: ['serviceAccount:app@p.iam.gserviceaccount.com'] },
    }));
    expect(msg).toMatch(/^keyRing of test\/Key \(in test\/Ring\) must be one of profile eu-commercial's allowedRegions \[europe-west1\], got 'us-east1'$/);
  });

  test('the EKM store refuses a location outside the profile before creating its ring or connection', () => {
    const stack = gcpStack();
    const profile = inRegions('europe-west1');
    const msg = refusal(() => gcpEkm(stack, profile, 'Store', { location: 'us-east4', auditSink: sinkIn(stack, profile, 'europe-west1') }));
    expect(msg).toMatch(/^location of test\/Store must be one of profile in-europe-west1's allowedRegions \[europe-west1\], got 'us-east4'$/);
  });

  test('Autokey handles in a location outside the profile are refused', () => {
    const profile = ComplianceProfile.custom({ name: 'eu-commercial', basedOn: ComplianceProfile.COMMERCIAL, allowedRegions: ['europe-west1'] });
    const msg = refusal(() => new gcp.AutokeyHandles(gcpStack(), 'Autokey', {
      project: PROJECT, location: 'us', resourceTypes: ['compute.googleapis.com/Disk'], profile,
    }));
    expect(msg).toMatch(/^location of test\/Autokey must be one of .*got 'us' \(us is a multi-region location/);
  });

  test('a tenant hierarchy refuses its location at construction, before any tenant makes a ring', () => {
    const profile = ComplianceProfile.custom({ name: 'eu-commercial', basedOn: ComplianceProfile.COMMERCIAL, allowedRegions: ['europe-west1'] });
    const msg = refusal(() => new gcp.TenantKeyHierarchy(gcpStack(), 'Tenants', {
      project: PROJECT,
      location: 'asia-east1',
      profile,
      custodians: { administrators: ['group:admins@example.com'], users: ['serviceAccount:app@p.iam.gserviceaccount.com'] },
    }));
    expect(msg).toMatch(/^location of test\/Tenants must be one of profile eu-commercial's allowedRegions \[europe-west1\], got 'asia-east1'$/);
  });

  test('a key\'s audit sink is held to the key\'s profile, whatever the sink\'s own profile (auditSink)', () => {
    const stack = gcpStack();
    const sink = sinkIn(stack, ComplianceProfile.PCI_DSS, 'US');
    const profile = ComplianceProfile.custom({ name: 'eu-pci', basedOn: ComplianceProfile.PCI_DSS, allowedRegions: ['europe-west1'] });
    expect(refusal(() => gcpCmk(stack, profile, 'Key', { auditSink: sink })))
      .toBe("auditSink of test/Key (test/Audit) must be one of profile eu-pci's allowedRegions [europe-west1], got 'US' (us is a multi-region location, allowed only when the profile names us itself)");
  });

  test('a key in a shared ring is held to the sink its records go to: the ring\'s (keyRing) or its own (auditSink)', () => {
    const stack = gcpStack();
    const usSink = sinkIn(stack, ComplianceProfile.COMMERCIAL, 'US');
    // The ring's own profile allows anywhere, so the ring accepted its US sink; the key's profile does not.
    const ring = new gcp.KeyRing(stack, 'Ring', { project: PROJECT, location: 'europe-west1', auditSink: usSink });
    const eu = inRegions('europe-west1');
    expect(refusal(() => gcpCmk(stack, eu, 'Key', { keyRing: ring, auditSink: undefined })))
      .toBe("keyRing of test/Key (audit sink test/Audit of key ring test/Ring) must be one of profile in-europe-west1's allowedRegions " +
        "[europe-west1], got 'US' (us is a multi-region location, allowed only when the profile names us itself)");
    expect(refusal(() => new gcp.ManagedKey(stack, 'Managed', { project: PROJECT, location: 'europe-west1', keyRing: ring, profile: eu })))
      .toMatch(/^keyRing of test\/Managed \(audit sink test\/Audit of key ring test\/Ring\) must be one of profile in-europe-west1's allowedRegions \[europe-west1\], got 'US'/);
    const plainRing = new gcp.KeyRing(stack, 'PlainRing', { project: PROJECT, location: 'europe-west1' });
    expect(refusal(() => gcpCmk(stack, eu, 'Own', { keyRing: plainRing, auditSink: usSink })))
      .toMatch(/^auditSink of test\/Own \(test\/Audit\) must be one of profile in-europe-west1's allowedRegions \[europe-west1\], got 'US'/);
    // A sink in the key's region: accepted, and the key's residency evidence is the ring's location.
    const other = gcpStack();
    const euRing = new gcp.KeyRing(other, 'EuRing', { project: PROJECT, location: 'europe-west1', auditSink: sinkIn(other, eu, 'europe-west1') });
    gcpCmk(other, eu, 'Fine', { keyRing: euRing, auditSink: undefined });
    expect(EvidenceLedger.of(other).evidenceFor(Control.NIST_SA_9_5, 'test/Fine')).toEqual([expect.objectContaining({ status: EvidenceStatus.SATISFIED })]);
  });

  test('the audit sink bucket follows the same rule: EU (Cloud Storage) is allowed only when named', () => {
    const profile = inRegions('europe-west1');
    expect(refusal(() => sinkIn(gcpStack(), profile, 'EU'))).toMatch(/^location of test\/Audit must be one of .*got 'EU'$/);
    expect(() => sinkIn(gcpStack(), inRegions('eu', 'europe-west1'), 'EU')).not.toThrow();
    expect(refusal(() => gcpSink(gcpStack(), profile, 'Audit', { location: 'global', destination: gcp.AuditDestination.LOG_BUCKET })))
      .toMatch(/^location of test\/Audit must not be global/);
  });
});

describe('evidence: regions on keys, containers and sinks', () => {
  const stack = gcpStack();
  const profile = inRegions('europe-west1');
  const sink = sinkIn(stack, profile, 'europe-west1');
  gcpCmk(stack, profile, 'OrdersKey', { auditSink: sink });
  gcpEkm(stack, profile, 'Store', { auditSink: sink }).addKey('ExternalKey', { externalKeyPath: 'v0/keys/k1' });
  new gcp.AutokeyHandles(stack, 'Autokey', {
    project: PROJECT,
    location: 'europe-west1',
    resourceTypes: ['compute.googleapis.com/Disk'],
    profile: ComplianceProfile.custom({ name: 'eu-commercial', basedOn: ComplianceProfile.COMMERCIAL, allowedRegions: ['europe-west1'] }),
  });
  const ledger = EvidenceLedger.of(stack);

  test('a key records the location of its ring', () => {
    expect(ledger.tryFindKey('test/OrdersKey')?.regions).toEqual(['europe-west1']);
  });

  test('an Autokey handle records its location', () => {
    const handle = ledger.keys.find((k) => k.path.startsWith('test/Autokey/'));
    expect(handle?.regions).toEqual(['europe-west1']);
  });

  test('the EKM store (a container) and the audit sink record their locations', () => {
    expect(ledger.containers.find((c) => c.path === 'test/Store')?.regions).toEqual(['europe-west1']);
    expect(ledger.tryFindAuditSink('test/Audit')?.regions).toEqual(['europe-west1']);
  });

  test('NIST SA-9(5) is satisfied for the key (by its ring location), and only partly for the audit sink', () => {
    const key = ledger.evidenceFor(Control.NIST_SA_9_5, 'test/OrdersKey');
    expect(key).toEqual([expect.objectContaining({
      status: EvidenceStatus.SATISFIED,
      value: 'europe-west1',
      setting: 'location of key ring test/OrdersKey/KeyRing',
    })]);
    // The sink's bucket is in europe-west1, but Cloud Logging also keeps the entries in the project's _Required and
    // _Default buckets, in global unless the organisation's default storage location said otherwise: never SATISFIED.
    const sinkFacts = ledger.evidenceFor(Control.NIST_SA_9_5, 'test/Audit');
    expect(sinkFacts).toEqual([expect.objectContaining({ status: EvidenceStatus.PARTIALLY_SATISFIED, value: 'europe-west1' })]);
    expect(sinkFacts[0].description).toMatch(/^audit records copied by the sink in europe-west1; profile in-europe-west1 allows only europe-west1; /);
    expect(sinkFacts[0].description).toMatch(/Admin Activity entries in the project's _Required bucket and the Data Access entries in its _Default bucket, which are in global unless .*storageLocation/);
  });

  test('only partly for the EKM store and its keys: the material is in the external key manager, not in the ring location', () => {
    for (const subject of ['test/Store', 'test/Store/ExternalKey']) {
      expect(ledger.evidenceFor(Control.NIST_SA_9_5, subject)).toEqual([expect.objectContaining({
        status: EvidenceStatus.PARTIALLY_SATISFIED, value: 'europe-west1', description: expect.stringMatching(/external key manager, whose location the configuration does not show/),
      })]);
    }
  });

  test('only partly for the EKM store and its keys: the material is in the external key manager, not in the ring location', () => {
    for (const subject of ['test/Store', 'test/Store/ExternalKey']) {
      expect(ledger.evidenceFor(Control.NIST_SA_9_5, subject)).toEqual([expect.objectContaining({
        status: EvidenceStatus.PARTIALLY_SATISFIED,
        value: 'europe-west1',
        description: expect.stringMatching(/external key manager, whose location the configuration does not show/),
      })]);
    }
  });

  test('without allowedRegions the regions are recorded but no residency fact is', () => {
    const plain = gcpStack();
    gcpCmk(plain, ComplianceProfile.COMMERCIAL);
    const l = EvidenceLedger.of(plain);
    expect(l.tryFindKey('test/OrdersKey')?.regions).toEqual([LOCATION]);
    expect(l.evidenceFor(Control.NIST_SA_9_5, 'test/OrdersKey')).toEqual([]);
  });
});
