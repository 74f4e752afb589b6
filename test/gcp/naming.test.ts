import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { ComplianceProfile, NamingContext } from '../../src';
import * as gcp from '../../src/gcp';
import { gcpCmk, gcpSink, one, synth } from '../support/gcp';

const PCI = ComplianceProfile.PCI_DSS;

/** A stack as a user writes it: a provider (with or without a project) and optional app context. */
function stackIn(opts: { id?: string; providerProject?: string; context?: Record<string, unknown> } = {}): TerraformStack {
  const stack = new TerraformStack(Testing.app({ context: opts.context }), opts.id ?? 'payments');
  new GoogleProvider(stack, 'google', { project: opts.providerProject, region: 'europe-west1' });
  return stack;
}

function bucketName(stack: TerraformStack, project: string, id = 'Audit', extra: Partial<gcp.KeyAuditSinkProps> = {}): string {
  gcpSink(stack, PCI, id, { project, ...extra });
  return one(synth(stack), 'google_storage_bucket').name;
}

describe('generated bucket names carry the project', () => {
  const a = bucketName(stackIn({ providerProject: 'acme-payments-prod' }), 'acme-payments-prod');

  test('two apps with the same stack and construct names in different projects get different bucket names', () => {
    expect(bucketName(stackIn({ providerProject: 'globex-payments-prod' }), 'globex-payments-prod')).not.toBe(a);
  });

  test('the construct\'s project decides, not the provider\'s (the bucket is created in the construct\'s project)', () => {
    expect(bucketName(stackIn({ providerProject: 'seed-project' }), 'acme-payments-prod')).toBe(a);
    expect(bucketName(stackIn({ providerProject: 'acme-payments-prod' }), 'acme-payments-test')).not.toBe(a);
  });

  test('names carry the construct id and are the same on every synthesis', () => {
    expect(a).toMatch(/^kms-audit-audit-[0-9a-f]{8}$/);
    expect(bucketName(stackIn(), 'acme-payments-prod', 'CardholderAudit')).toMatch(/^kms-audit-cardholderaudit-[0-9a-f]{8}$/);
    expect(bucketName(stackIn(), 'acme-payments-prod')).toBe(a);
  });

  test('the naming-environment context wins over the project, so names need not follow a project move', () => {
    const ctx = { [NamingContext.ENVIRONMENT]: 'acme-payments-prod' };
    expect(bucketName(stackIn({ context: ctx }), 'another-project')).toBe(a);
  });

  test('key rings, EKM connections and log buckets are per project and keep their path-only names', () => {
    const key = gcpCmk(stackIn(), ComplianceProfile.COMMERCIAL, 'OrdersKey', { project: 'acme-payments-prod' });
    // sha256("payments/OrdersKey") starts 8f8e0389: the path alone, as before
    expect(key.keyRing.keyRingName).toBe('ring-orderskey-8f8e0389');
  });
});

describe('legacy names', () => {
  test('the legacy context reproduces the earlier bucket name exactly', () => {
    // Literal from the snapshot of scenario gcp/CustomerManagedKey/PCI_DSS, synthesized before projects went into names.
    const stack = stackIn({ id: 'CustomerManagedKey-PCI-DSS', context: { [NamingContext.LEGACY_GLOBAL_NAMES]: true } });
    expect(bucketName(stack, 'payments-prod')).toBe('kms-audit-audit-fa289857');
  });
});

describe('when the project is not known at synthesis', () => {
  test('a token project and a provider without one: the bucket name is refused, naming what to set', () => {
    const make = () => {
      const stack = stackIn();
      gcpSink(stack, PCI, 'Audit', { project: new TerraformVariable(stack, 'project', { type: 'string' }).stringValue });
    };
    expect(make).toThrow(/^bucketName is required for Cloud Storage bucket payments\/Audit when the environment is not known at synthesis \(project is a token, .*and the stack's GoogleProvider has no project\)/);
    expect(make).toThrow(/set a literal project \(on the construct or the stack's GoogleProvider\), or the context "cloud-kms-constructs:namingEnvironment", or bucketName/);
  });

  test('a token project falls back to the provider\'s literal project', () => {
    const stack = stackIn({ providerProject: 'acme-payments-prod' });
    const project = new TerraformVariable(stack, 'project', { type: 'string' }).stringValue;
    expect(bucketName(stack, project)).toBe(a0());
  });

  test('a bucketName needs no project at synthesis', () => {
    const stack = stackIn();
    const project = new TerraformVariable(stack, 'project', { type: 'string' }).stringValue;
    expect(bucketName(stack, project, 'Audit', { bucketName: 'acme-kms-audit' })).toBe('acme-kms-audit');
  });
});

/** The bucket name of the default app in project acme-payments-prod. */
function a0(): string {
  return bucketName(stackIn(), 'acme-payments-prod');
}

describe('long and odd construct ids still give valid bucket names', () => {
  test.each([
    'A'.repeat(120),
    'GoogleAuditTrailOfTheEuropeanPaymentsPlatformForCardholderDataAndMore',
    'Payments_Audit.Ü--G00gle--2024',
    'goog',
    '---',
  ])('%s', (id) => {
    const name = bucketName(stackIn(), 'acme-payments-prod', id);
    expect(name).toMatch(/^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$/);
    expect(name).not.toMatch(/^goog/);
    expect(name).not.toMatch(/g[o0][o0]gle/);
    expect(name).not.toContain('--');
  });

  test('a bucketName containing google is refused at synthesis (Cloud Storage refuses it at deploy time)', () => {
    expect(() => bucketName(stackIn(), 'acme-payments-prod', 'Audit', { bucketName: 'acme-g00gle-audit' }))
      .toThrow('bucketName must not contain "google" or a misspelling of it, got acme-g00gle-audit');
  });

  test('an id spelling google is dropped from the readable part', () => {
    expect(bucketName(stackIn(), 'acme-payments-prod', 'GoogleAudit')).toMatch(/^kms-audit-audit-[0-9a-f]{8}$/);
  });
});
