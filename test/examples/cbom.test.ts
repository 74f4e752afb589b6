/*
 * Issue 19, "Done when": the examples' CBOM (examples/out/cbom.cdx.json, written by the main job from every example
 * app's ledger) validates against CycloneDX 1.6 and lists every key of every example, AWS, Azure and Google together.
 * The apps are built here as examples/run.ts builds them; the CBOM reads only their ledgers, so they are not synthesized.
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { byokApp } from '../../examples/aws/byok';
import { customerManagedApp } from '../../examples/aws/customer-managed';
import { hyokApp } from '../../examples/aws/hyok';
import { providerManagedApp } from '../../examples/aws/provider-managed';
import { azureApp } from '../../examples/azure/main';
import { gcpApp } from '../../examples/gcp/main';
import { organizationAwsApp } from '../../examples/organization/aws';
import { saasAwsApp } from '../../examples/saas/aws';
import { buildCbom, cbomProperty, CycloneDxJson } from '../../src/compliance/cbom';
import { EvidenceLedger } from '../../src/core/evidence';
import { cycloneDxErrors } from '../support/cyclonedx';

const out = mkdtempSync(join(tmpdir(), 'examples-cbom-'));
const apps = [
  providerManagedApp(join(out, 'provider-managed')),
  customerManagedApp(join(out, 'customer-managed')),
  byokApp(join(out, 'byok')),
  hyokApp(join(out, 'hyok')),
  saasAwsApp(join(out, 'saas')),
  organizationAwsApp(join(out, 'organization')),
  azureApp(join(out, 'azure')),
  gcpApp(join(out, 'gcp')),
];
const ledgers = apps.map((app) => EvidenceLedger.of(app));
const keys = ledgers.flatMap((l) => l.keys);
// The keys the library makes for its own use (its functions' log keys) are listed too, marked `service-key`.
const serviceKeys = ledgers.flatMap((l) => l.serviceKeys);
const bom = buildCbom(ledgers);
const keyAssets = (bom.components as CycloneDxJson[]).filter((c) => c.cryptoProperties.assetType === 'related-crypto-material');

test('the examples\' CBOM is valid CycloneDX 1.6', async () => {
  expect(await cycloneDxErrors(bom)).toBeNull();
});

test('it lists every key of every example exactly once (the library\'s own service keys included), on all three clouds', () => {
  expect(keys.length).toBeGreaterThan(10);
  expect(serviceKeys.length).toBeGreaterThan(0);
  expect(keyAssets).toHaveLength(keys.length + serviceKeys.length);
  expect(keyAssets.map((c) => `${cbomProperty(c, 'cloud')[0]} ${c.name}`).sort())
    .toEqual([...keys, ...serviceKeys].map((k) => `${k.cloud} ${k.path}`).sort());
  expect(keyAssets.filter((c) => cbomProperty(c, 'service-key')[0] === 'true')).toHaveLength(serviceKeys.length);
  expect(new Set(keyAssets.map((c) => cbomProperty(c, 'cloud')[0]))).toEqual(new Set(['aws', 'azure', 'gcp']));
  // Each asset carries its own record's custody, profile and FIPS level (apps may share paths: the cloud and path match).
  for (const key of keys) {
    const asset = keyAssets.find((c) => c.name === key.path && cbomProperty(c, 'cloud')[0] === key.cloud
      && cbomProperty(c, 'construct')[0] === key.constructName && cbomProperty(c, 'stack')[0] === key.stack)!;
    expect([key.path, cbomProperty(asset, 'custody'), cbomProperty(asset, 'profile'), cbomProperty(asset, 'fips-140-level')])
      .toEqual([key.path, [key.model.custody], [key.profile.name], [key.fipsLevel]]);
  }
});

test('bom-refs are unique, and every dependency names a component', () => {
  const refs = (bom.components as CycloneDxJson[]).map((c) => c['bom-ref']);
  expect(new Set(refs).size).toBe(refs.length);
  for (const d of bom.dependencies as Array<{ ref: string; dependsOn?: string[] }>) {
    for (const ref of [d.ref, ...(d.dependsOn ?? [])]) expect(refs).toContain(ref);
  }
});
