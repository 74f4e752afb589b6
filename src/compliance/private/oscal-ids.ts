/*
 * Identifiers of the OSCAL export: name-based (version 5) UUIDs, so the same report always gives the same document,
 * the catalog each framework's controls come from, and the control ids OSCAL's token syntax allows.
 */
import { createHash } from 'crypto';
import { ControlFramework } from '../../core/controls';

/** The OSCAL version whose schemas the export is validated against (test/fixtures/oscal). */
export const OSCAL_VERSION = '1.0.6';

/** The namespace of the export's own properties (OSCAL `ns`: a URI, like FedRAMP's `https://fedramp.gov/ns/oscal`). */
export const NS = 'https://github.com/cloud-kms-constructs/cloud-kms-constructs/ns/oscal';

/** RFC 4122 appendix C: the namespace of names that are URLs. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** RFC 4122 section 4.3: SHA-1 of namespace and name, with the version (5) and variant bits set. */
export function uuidV5(name: string, namespace: string = EXPORT_NAMESPACE): string {
  const bytes = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  // Written without bitwise operators (the lint rules forbid them): keep the low nibble, then add version 5; keep the
  // low six bits, then add the variant's 10.
  bytes[6] = (bytes[6] % 16) + 0x50;
  bytes[8] = (bytes[8] % 64) + 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The namespace of every UUID of the export: the v5 UUID of the properties' namespace URL. */
const EXPORT_NAMESPACE = uuidV5(NS, URL_NAMESPACE);

/** NIST's own OSCAL catalog of SP 800-53 Rev. 5 (usnistgov/oscal-content). */
const NIST_800_53_R5_CATALOG = 'https://raw.githubusercontent.com/usnistgov/oscal-content/main/nist.gov/SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json';

/**
 * Frameworks with no official OSCAL catalog: a URN of this library's, documented in docs/oscal.md, and the prefix of
 * their control ids (OSCAL control ids are tokens: they start with a letter and hold no parentheses or spaces).
 */
const OTHER_CATALOGS: Record<string, string> = {
  [ControlFramework.NIST_800_57]: 'nist-sp800-57-part1-rev5',
  [ControlFramework.PCI_DSS_4]: 'pci-dss-4.0',
  [ControlFramework.HIPAA]: 'hipaa-security-rule',
  [ControlFramework.ISO_27001_2022]: 'iso-iec-27001-2022',
  [ControlFramework.SOC2]: 'soc2-tsc-2017',
};

/** A framework's slug: its catalog's name in the URN and the prefix of its control ids. */
function slug(framework: string): string {
  const known = OTHER_CATALOGS[framework];
  if (known) return known;
  const s = framework.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^[^a-z]+|-+$/g, '');
  return s === '' ? 'custom' : s;
}

/** The catalog a framework's controls are defined in (OSCAL `source`). */
export function catalogSource(framework: string): string {
  return framework === ControlFramework.NIST_800_53_R5 ? NIST_800_53_R5_CATALOG : `urn:cloud-kms-constructs:catalog:${slug(framework)}`;
}

/**
 * A control's OSCAL control id. SP 800-53 uses the NIST catalog's own ids (`SC-12(1)` is `sc-12.1`); the others are
 * the framework's slug and the id, parentheses as dots (`164.312(a)(2)(iv)` is `hipaa-security-rule-164.312.a.2.iv`).
 */
export function oscalControlId(framework: string, controlId: string): string {
  const id = controlId.toLowerCase().replace(/\(([^)]*)\)/g, '.$1').replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return framework === ControlFramework.NIST_800_53_R5 ? id : `${slug(framework)}-${id}`;
}

/**
 * A property of the export's namespace. OSCAL property values are single-line strings without outer white space: line
 * breaks and runs of white space become one space.
 */
export function prop(name: string, value: string): { name: string; ns: string; value: string } {
  return { name, ns: NS, value: value.replace(/\s+/g, ' ').trim() };
}

/** What every document of one export shares: its time, its version, and the digest its UUIDs are named from. */
export interface OscalContext {
  /** ISO 8601 date-time with a time zone. */
  readonly timestamp: string;
  readonly version: string;
  /** SHA-256 of the report: the documents of different reports get different UUIDs, the same report the same ones. */
  readonly digest: string;
}

/** OSCAL metadata (title, last-modified, version, oscal-version). */
export function metadata(title: string, ctx: OscalContext, remarks: string) {
  return {
    'title': title,
    'last-modified': ctx.timestamp,
    'version': ctx.version,
    'oscal-version': OSCAL_VERSION,
    'props': [prop('generator', 'cloud-kms-constructs')],
    remarks,
  };
}

/** The clouds as an assessor reads them. */
export const CLOUD_NAMES: Record<string, string> = { aws: 'AWS', azure: 'Azure', gcp: 'Google Cloud' };

/** Groups items by a key, in the order each key first appears. */
export function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
