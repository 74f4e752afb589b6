/*
 * The report's "Post-quantum readiness" section: per cloud, how many keys a quantum computer breaks (NIST category 0),
 * how many are post-quantum or symmetric, which vulnerable keys to migrate first, and which keys recorded no
 * cryptography. Read from the same key records as the cryptographic inventory (cbom.cdx.json).
 */
import { algorithmName, isPostQuantumAlgorithm, quantumVulnerable } from './cbom-algorithm';
import type { KeyRecord } from '../../core/evidence';
import { KeyPurpose } from '../../core/key-algorithm';

/** A quantum-vulnerable key, with why and to what it should move. */
export interface PostQuantumMigration {
  readonly path: string;
  /** e.g. `RSA-3072`, `ECDSA-P-256`. */
  readonly algorithm: string;
  readonly providerSpec: string;
  readonly purpose: string;
  /** `key establishment` (migrate first: harvest now, decrypt later) or `signing`. */
  readonly use: string;
  /** What the cloud offers in its place, or that it offers nothing. */
  readonly replacement: string;
}

/** One cloud's keys by their standing against a quantum computer. */
export interface PostQuantumCloudReport {
  readonly cloud: string;
  readonly keys: number;
  /** Public-key algorithms Shor's algorithm breaks (RSA, elliptic curves, SM2): NIST category 0. */
  readonly quantumVulnerable: number;
  /** ML-DSA, SLH-DSA, ML-KEM keys. */
  readonly postQuantum: number;
  /** AES and HMAC keys (Grover's search only halves their strength; the inventory gives each one's category). */
  readonly symmetric: number;
  /** The vulnerable keys, key establishment first, then signing: the order to migrate them in. */
  readonly migrateFirst: PostQuantumMigration[];
  /** Keys whose construct recorded no cryptography: the report cannot judge them. */
  readonly noCryptoRecord: string[];
}

/** The section's data: what `compliance-report.json` holds under `postQuantum`. */
export interface PostQuantumReadinessReport {
  readonly clouds: PostQuantumCloudReport[];
}

/**
 * What each cloud offers in place of a vulnerable key.
 * AWS: ML-DSA signing keys (https://docs.aws.amazon.com/kms/latest/developerguide/mldsa.html), no ML-KEM key spec.
 * Google: ML-DSA and SLH-DSA signing, ML-KEM key encapsulation (https://cloud.google.com/kms/docs/algorithms).
 * Azure: Key Vault and Managed HSM key types are RSA, EC and oct only
 * (https://learn.microsoft.com/azure/key-vault/keys/about-keys).
 */
const REPLACEMENTS: Record<string, { signing: string; establishment: string }> = {
  aws: {
    signing: 'ML-DSA (KeySpec ML_DSA_44, ML_DSA_65, ML_DSA_87)',
    establishment: 'none in AWS KMS (no ML-KEM key spec): wrap data keys under a symmetric AES-256 KMS key instead',
  },
  gcp: {
    signing: 'ML-DSA or SLH-DSA (purpose ASYMMETRIC_SIGN)',
    establishment: 'ML-KEM (purpose KEY_ENCAPSULATION)',
  },
  azure: {
    signing: 'none in Azure Key Vault or Managed HSM (RSA, EC and oct key types only)',
    establishment: 'none in Azure Key Vault or Managed HSM (RSA, EC and oct key types only)',
  },
};

/** The section, from key records (one app's, or every app's of the examples). */
export function postQuantumReadiness(keys: KeyRecord[]): PostQuantumReadinessReport {
  const clouds = [...new Set(keys.map((k) => k.cloud))];
  return { clouds: clouds.map((cloud) => cloudReadiness(cloud, keys.filter((k) => k.cloud === cloud))) };
}

function cloudReadiness(cloud: string, keys: KeyRecord[]): PostQuantumCloudReport {
  let vulnerable = 0;
  let postQuantum = 0;
  let symmetric = 0;
  const migrations: PostQuantumMigration[] = [];
  const noCryptoRecord: string[] = [];
  for (const key of keys) {
    const crypto = key.crypto;
    if (!crypto) {
      noCryptoRecord.push(key.path);
    } else if (isPostQuantumAlgorithm(crypto.algorithm)) {
      // By family: a post-quantum key whose parameter set was not recorded is still not a migration candidate.
      postQuantum++;
    } else if (!quantumVulnerable(crypto)) {
      // Symmetric keys: Shor's algorithm does not apply; their category (from the key size) is in the inventory.
      symmetric++;
    } else {
      vulnerable++;
      const use = crypto.purpose === KeyPurpose.SIGN_VERIFY ? 'signing' : 'key establishment';
      const offers = REPLACEMENTS[cloud];
      migrations.push({
        path: key.path,
        algorithm: algorithmName(crypto),
        providerSpec: crypto.providerSpec,
        purpose: crypto.purpose,
        use,
        replacement: offers ? (use === 'signing' ? offers.signing : offers.establishment) : 'unknown cloud',
      });
    }
  }
  // Key establishment first: what it protects can be recorded today and decrypted later.
  const migrateFirst = [...migrations.filter((m) => m.use !== 'signing'), ...migrations.filter((m) => m.use === 'signing')];
  return { cloud, keys: keys.length, quantumVulnerable: vulnerable, postQuantum, symmetric, migrateFirst, noCryptoRecord };
}

/** The section as tables, for the Markdown and HTML pages alike. */
export interface PostQuantumView {
  readonly heading: string;
  readonly intro: string;
  readonly tables: Array<{ readonly title: string; readonly head: string[]; readonly rows: string[][] }>;
}

export function postQuantumView(data: { readonly postQuantum?: PostQuantumReadinessReport }): PostQuantumView | undefined {
  const pq = data.postQuantum;
  if (!pq || pq.clouds.length === 0) return undefined;
  const tables: PostQuantumView['tables'] = [{
    title: 'Keys per cloud',
    head: ['cloud', 'keys', 'quantum-vulnerable (category 0)', 'post-quantum', 'symmetric', 'no crypto record'],
    rows: pq.clouds.map((c) => [c.cloud, String(c.keys), String(c.quantumVulnerable), String(c.postQuantum), String(c.symmetric),
      String(c.noCryptoRecord.length)]),
  }];
  const migrations = pq.clouds.flatMap((c) => c.migrateFirst.map((m) => [c.cloud, m.path, m.algorithm, m.providerSpec, m.use, m.replacement]));
  if (migrations.length > 0) {
    tables.push({ title: 'Migrate first (key establishment, then signing)', head: ['cloud', 'key', 'algorithm', 'key spec', 'use', 'replace with'], rows: migrations });
  }
  const unknown = pq.clouds.flatMap((c) => c.noCryptoRecord.map((path) => [c.cloud, path]));
  if (unknown.length > 0) tables.push({ title: 'Keys with no crypto record (not judged)', head: ['cloud', 'key'], rows: unknown });
  return {
    heading: 'Post-quantum readiness',
    intro: 'A quantum computer running Shor\'s algorithm breaks RSA, elliptic-curve and SM2 keys (NIST post-quantum category 0). ' +
      'Keys that establish or wrap other keys come first: what they protect can be recorded today and decrypted later. ' +
      'Symmetric keys (AES, HMAC) keep half their bits: AES-256 stays category 5. Each key\'s category is in cbom.cdx.json.',
    tables,
  };
}

/** The section in Markdown. */
export function postQuantumMarkdown(data: { readonly postQuantum?: PostQuantumReadinessReport }, cell: (s: string) => string): string[] {
  const view = postQuantumView(data);
  if (!view) return [];
  const out = [`## ${view.heading}`, '', view.intro, ''];
  for (const t of view.tables) {
    out.push(`${t.title}:`, '', `| ${t.head.join(' | ')} |`, `|${t.head.map(() => '---|').join('')}`,
      ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`), '');
  }
  return out;
}

/** The section in HTML. */
export function postQuantumHtml(data: { readonly postQuantum?: PostQuantumReadinessReport }, escape: (s: string) => string): string[] {
  const view = postQuantumView(data);
  if (!view) return [];
  const out = [`<section id="post-quantum"><h2>${escape(view.heading)}</h2>`, `<p>${escape(view.intro)}</p>`];
  for (const t of view.tables) {
    out.push(`<h4>${escape(t.title)}</h4>`, `<table><thead><tr>${t.head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>`,
      ...t.rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`), '</tbody></table>');
  }
  out.push('</section>');
  return out;
}

/** Every app's sections as one (the examples' combined report). */
export function mergePostQuantum(reports: Array<{ readonly postQuantum?: PostQuantumReadinessReport }>): PostQuantumReadinessReport {
  const byCloud = new Map<string, PostQuantumCloudReport[]>();
  for (const c of reports.flatMap((r) => r.postQuantum?.clouds ?? [])) byCloud.set(c.cloud, [...(byCloud.get(c.cloud) ?? []), c]);
  return {
    clouds: [...byCloud.entries()].map(([cloud, parts]) => {
      const sum = (k: 'keys' | 'quantumVulnerable' | 'postQuantum' | 'symmetric') => parts.reduce((n, p) => n + p[k], 0);
      const migrations = parts.flatMap((p) => p.migrateFirst);
      return {
        cloud,
        keys: sum('keys'),
        quantumVulnerable: sum('quantumVulnerable'),
        postQuantum: sum('postQuantum'),
        symmetric: sum('symmetric'),
        migrateFirst: [...migrations.filter((m) => m.use !== 'signing'), ...migrations.filter((m) => m.use === 'signing')],
        noCryptoRecord: parts.flatMap((p) => p.noCryptoRecord),
      };
    }),
  };
}
