/*
 * The cryptographic inventory: a CycloneDX 1.6 CBOM (cryptographic bill of materials) of every key an app's evidence
 * ledger holds, written as `cbom.cdx.json` beside the compliance report at every synthesis.
 * @see https://cyclonedx.org/capabilities/cbom/
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import type * as CdxEnums from '@cyclonedx/cyclonedx-library/Enums';
import type * as CdxModels from '@cyclonedx/cyclonedx-library/Models';
import type * as CdxSerialize from '@cyclonedx/cyclonedx-library/Serialize';
import type * as CdxSpec from '@cyclonedx/cyclonedx-library/Spec';
import { CBOM_PROPERTY_PREFIX, CbomKeyAssets, keyAssets } from './private/cbom-key';
import { uuidV5 } from './private/oscal-ids';
import type { EvidenceLedger, KeyContainerRecord } from '../core/evidence';
import { shown, ValidationError } from '../core/validation';

export { CBOM_PROPERTY_PREFIX } from './private/cbom-key';

/** The file the inventory is written to. */
export const CBOM_FILE = 'cbom.cdx.json';

/** A CycloneDX JSON document, as written. */
export type CycloneDxJson = Record<string, any>;

/**
 * Builds the CBOM of the keys of one or more ledgers (one per app; the examples' main job passes every app's): one
 * `related-crypto-material` asset per key (the library's own service keys included), whatever it records, and one `algorithm` asset per distinct algorithm,
 * module and use, which the keys depend on. A key with no crypto record is listed all the same, its algorithm `unknown`.
 *
 * The CycloneDX library (`@cyclonedx/cyclonedx-library` 10.3) models components, properties and dependencies but not
 * `cryptoProperties` (its `Component` has no such field): it builds and normalizes everything else, and this function
 * adds each asset's `cryptoProperties` to the normalized JSON by bom-ref, here and nowhere else.
 *
 * Deterministic: no timestamp, lists sorted, and the serial number a name-based (v5) UUID of the keys' clouds and paths,
 * so the same app gives the same file.
 */
export function buildCbom(ledgers: EvidenceLedger[]): CycloneDxJson {
  const { Enums, Models, Serialize, Spec } = cycloneDx();
  const containers = new Map<string, KeyContainerRecord>(ledgers.flatMap((l) => l.containers).map((c) => [c.path, c]));
  // The keys the library makes for its own use are in the inventory too, marked `service-key`.
  const assets = uniqueRefs(ledgers.flatMap((l) => [...l.keys.map((k) => keyAssets(k, containers)),
    ...l.serviceKeys.map((k) => keyAssets(k, containers, true))]));
  const names = assets.map((a) => a.keyRef).sort();
  const bom = new Models.Bom({ serialNumber: `urn:uuid:${uuidV5(`cbom\u0000${names.join('\u0000')}`)}` });
  bom.metadata.lifecycles.add(Enums.LifecyclePhase.Build);
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, 'cloud-kms-constructs', {
    description: 'writes the cryptographic inventory of the keys an app synthesizes',
  }));
  const crypto = new Map<string, Record<string, unknown>>();
  const algorithms = new Map<string, CdxModels.Component>();
  for (const asset of assets) {
    const key = keyComponent(asset);
    crypto.set(asset.keyRef, asset.cryptoProperties);
    if (asset.algorithm) {
      let algorithm = algorithms.get(asset.algorithm.ref);
      if (!algorithm) {
        algorithm = new Models.Component(Enums.ComponentType.CryptographicAsset, asset.algorithm.name, { bomRef: asset.algorithm.ref });
        algorithms.set(asset.algorithm.ref, algorithm);
        crypto.set(asset.algorithm.ref, { assetType: 'algorithm', algorithmProperties: asset.algorithm.properties });
        bom.components.add(algorithm);
      }
      key.dependencies.add(algorithm.bomRef);
    }
    bom.components.add(key);
  }
  const json = new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6).makeForBom().normalize(bom, { sortLists: true }) as CycloneDxJson;
  return withCryptoProperties(json, crypto);
}

/** Two apps may hold a key at the same path (the examples' main job passes several): the second is `…#2`. */
function uniqueRefs(assets: CbomKeyAssets[]): CbomKeyAssets[] {
  const seen = new Map<string, number>();
  return assets.map((a) => {
    const n = (seen.get(a.keyRef) ?? 0) + 1;
    seen.set(a.keyRef, n);
    return n === 1 ? a : { ...a, keyRef: `${a.keyRef}#${n}` };
  });
}

/**
 * The library's parts this file uses, loaded at the first inventory, not with the report: loading the whole library
 * takes about 0.4 s, and an app that never synthesizes (a unit test of one construct) should not pay it.
 */
function cycloneDx(): { Enums: typeof CdxEnums; Models: typeof CdxModels; Serialize: typeof CdxSerialize; Spec: typeof CdxSpec } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    Enums: require('@cyclonedx/cyclonedx-library/Enums'),
    Models: require('@cyclonedx/cyclonedx-library/Models'),
    Serialize: require('@cyclonedx/cyclonedx-library/Serialize'),
    Spec: require('@cyclonedx/cyclonedx-library/Spec'),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

function keyComponent(asset: CbomKeyAssets): CdxModels.Component {
  const { Enums, Models } = cycloneDx();
  const component = new Models.Component(Enums.ComponentType.CryptographicAsset, asset.name, {
    bomRef: asset.keyRef, description: asset.description,
  });
  for (const [name, value] of asset.properties) component.properties.add(new Models.Property(name, value));
  return component;
}

/** The one place `cryptoProperties` enters the BOM: each component's, by its bom-ref. */
function withCryptoProperties(json: CycloneDxJson, crypto: Map<string, Record<string, unknown>>): CycloneDxJson {
  const components = (json.components ?? []) as Array<Record<string, unknown>>;
  json.components = components.map((c) => {
    const properties = crypto.get(c['bom-ref'] as string);
    if (!properties) throw new Error(`cbom: component ${shown(c['bom-ref'])} has no cryptoProperties`);
    // The schema's order: cryptoProperties before properties (readers do not care; people reading the file do).
    const { properties: props, ...rest } = c;
    return { ...rest, cryptoProperties: properties, ...(props ? { properties: props } : {}) };
  });
  return json;
}

/** Writes the CBOM as `cbom.cdx.json` into `outdir`; returns the file's path. */
export function writeCbom(bom: CycloneDxJson, outdir: string): string {
  if (typeof outdir !== 'string' || outdir.trim() === '') {
    throw new ValidationError(`outdir must be a directory path, got ${shown(outdir)}`);
  }
  mkdirSync(outdir, { recursive: true });
  const file = join(outdir, CBOM_FILE);
  writeFileSync(file, `${JSON.stringify(bom, null, 2)}\n`);
  return file;
}

/** The value of one of the inventory's properties on a component (`cloud-kms-constructs:<name>`); every value if several. */
export function cbomProperty(component: CycloneDxJson, name: string): string[] {
  return ((component.properties ?? []) as Array<{ name: string; value?: string }>)
    .filter((p) => p.name === `${CBOM_PROPERTY_PREFIX}${name}`).map((p) => p.value ?? '');
}
