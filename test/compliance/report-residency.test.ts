import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { ComplianceProfile, EvidenceLedger } from '../../src';
import { buildReport } from '../../src/compliance/report';
import { ACCOUNT, cmkFor, sinkFor, xksStoreFor } from '../support/fixtures';

const EU = ComplianceProfile.custom({ name: 'EU_PCI', basedOn: ComplianceProfile.PCI_DSS, allowedRegions: ['eu-west-1', 'eu-central-1'] });

function synth(build: (app: App) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'residency-report-'));
  const app = new App({ outdir: dir });
  build(app);
  app.synth();
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { json: JSON.parse(read('compliance-report.json')), md: read('compliance-report.md'), html: read('compliance-report.html'), dir };
}

describe('a profile that restricts regions: the report has a Data residency part', () => {
  const { json, md, html } = synth((app) => {
    const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const auditSink = sinkFor(stack, EU);
    cmkFor(stack, EU, 'CardKey', { auditSink });
    xksStoreFor(stack, EU, 'Store', { auditSink }).addKey('Tenant', { xksKeyId: 'k1' });
  });

  test('JSON: the profile\'s allowed list, and per key, container and sink its region and verdict', () => {
    expect(json.residency.profiles).toEqual([{ profile: 'EU_PCI', allowedRegions: ['eu-west-1', 'eu-central-1'] }]);
    const at = (path: string) => json.residency.placements.find((p: any) => p.path === path);
    expect(at('Payments/CardKey')).toMatchObject({ kind: 'key', cloud: 'aws', profile: 'EU_PCI', regions: ['eu-west-1'], status: 'allowed' });
    expect(at('Payments/Audit')).toMatchObject({ kind: 'audit sink', regions: ['eu-west-1'], status: 'allowed' });
    expect(at('Payments/Store')).toMatchObject({ kind: expect.stringMatching(/^external key store/), regions: ['eu-west-1'], status: 'partially shown' });
    expect(at('Payments/Store/Tenant')).toMatchObject({ kind: 'key', status: 'partially shown', description: expect.stringMatching(/external key manager/) });
  });

  test('Markdown and HTML: a Data residency section with the allowed list and a row per placement', () => {
    expect(md).toContain('## Data residency');
    expect(md).toContain('Profile EU_PCI allows key material, key containers and audit records only in eu-west-1, eu-central-1.');
    expect(md).toContain('| Payments/CardKey | key | eu-west-1 | EU_PCI | allowed |');
    expect(html).toContain('<section id="data-residency"><h2>Data residency</h2>');
    expect(html).toMatch(/<tr><td>Payments\/Audit<\/td><td>audit sink<\/td><td>eu-west-1<\/td><td><\/td><td title="[^"]+">allowed<\/td><\/tr>/);
  });
});

describe('no profile restricts regions: the report is as before', () => {
  test('no residency field, no section, although keys record their region', () => {
    let ledger: EvidenceLedger | undefined;
    const { json, md, html } = synth((app) => {
      const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: 'us-east-1' } });
      cmkFor(stack, ComplianceProfile.PCI_DSS, 'CardKey');
      ledger = EvidenceLedger.of(stack);
    });
    expect(ledger!.tryFindKey('Payments/CardKey')?.regions).toEqual(['us-east-1']);
    expect(json).not.toHaveProperty('residency');
    expect(md).not.toContain('Data residency');
    expect(html).not.toContain('data-residency');
  });

  test('an environment-agnostic stack shows nothing of a token either', () => {
    const data = buildReport((() => {
      const app = new App();
      cmkFor(new Stack(app, 'Agnostic'), ComplianceProfile.COMMERCIAL, 'Key');
      return EvidenceLedger.of(app);
    })());
    expect(data.residency).toBeUndefined();
  });
});
