/*
 * Reading the key material a ceremony imports: one file, or the components of several custodians (split knowledge)
 * combined in memory. The caller owns the returned buffer and zeroes it when done; the components are zeroed here.
 */
import { arg, usageError } from './args';
import { readInput } from './command';
import { combineComponents, describeMaterial, KcvMethod, keyCheckValue, MaterialDescription } from './wrap';

/** Where the material comes from: `--key-material <file>`, or `--component <file>` given at least twice. */
export interface MaterialSource {
  readonly keyMaterial?: string;
  readonly components: string[];
}

export interface Material {
  /** The plaintext key material; zero it (`fill(0)`) when done. */
  readonly material: Buffer;
  readonly description: MaterialDescription;
  /** Key check values of AES material, by file (and `combined` for components); empty for other material. */
  readonly checkValues: Record<string, string>;
  readonly components: number;
}

/** Refuses, before any file is read, a choice of flags that names no material or two sources of it. */
export function checkMaterialSource(source: MaterialSource): void {
  const components = source.components;
  if (source.keyMaterial && components.length > 0) {
    throw usageError('give either --key-material or --component files, not both');
  }
  if (!source.keyMaterial && components.length === 0) {
    throw usageError('--key-material or at least 2 --component files are required');
  }
  if (components.length === 1) throw usageError(`split knowledge needs at least 2 --component files, got 1 (${arg(components[0])})`);
  if (new Set(components).size !== components.length) {
    throw usageError(`--component lists ${arg(components.find((c, i) => components.indexOf(c) !== i))} twice: each custodian gives their own component`);
  }
}

/** Reads (and for components, combines) the material, with the check values custodians compare. */
export function readMaterial(source: MaterialSource, kcvMethod: KcvMethod): Material {
  checkMaterialSource(source);
  const parts = source.components.map((c) => readInput(c, '--component'));
  let material: Buffer | undefined;
  try {
    const checkValues: Record<string, string> = {};
    if (parts.length > 0) {
      parts.forEach((p, i) => { checkValues[source.components[i]] = keyCheckValue(p, kcvMethod); });
      material = combineComponents(parts);
      checkValues.combined = keyCheckValue(material, kcvMethod);
    } else {
      material = readInput(source.keyMaterial, '--key-material');
    }
    const description = describeMaterial(material, parts.length > 0 ? 'the combined key' : '--key-material', source.keyMaterial);
    if (parts.length === 0 && description.kind.startsWith('AES-')) checkValues[source.keyMaterial!] = keyCheckValue(material, kcvMethod);
    return { material, description, checkValues, components: parts.length };
  } catch (e) {
    material?.fill(0);
    throw e;
  } finally {
    parts.forEach((p) => p.fill(0));
  }
}
