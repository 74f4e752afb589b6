/* `cloud-kms byok aws multi-region`: loads the AWS SDK (through ../aws), nothing of Azure or Google Cloud. */
import type { KMSClient } from '@aws-sdk/client-kms';
import { WRAPPING_ALGORITHM_TAG } from '../../aws/byok-tags';
import { arg, awsKeyId, awsRegion, inputFile, isoDateCheck, oneOf, usageError } from '../args';
import { AWS_WRAPPING_ALGORITHMS, AWS_WRAPPING_KEY_SPECS, describeAwsError, keyTags, resolveExpiry } from '../aws';
import {
  ClientFor, createReplicas, describePrimary, importInto, ImportOptions, MultiRegionPrimary, planReplicas, RegionalKey, ReplicaPlan,
  verifyReplicas,
} from '../aws-multi-region';
import { checkNotDualControl, checkReplicationAllowed } from '../aws-replication-policy';
import { AWS_FLAGS, COMMON, Command, CliIo } from '../command';
import { CliError } from '../errors';
import { checkMaterialSource, MaterialSource, readMaterial } from '../material';
import { KCV_LABELS, KCV_METHODS, KcvMethod, WrapAlgorithm } from '../wrap';

interface RegionResult {
  region: string;
  arn: string;
  role: 'primary' | 'replica';
  created?: boolean;
  named?: boolean;
  /** Absent with --verify-only. */
  imported?: boolean;
  keyMaterialId?: string;
  importError?: string;
  verified?: boolean;
  verifyError?: string;
}

export const COMMAND: Command = {
  usage: `cloud-kms byok aws multi-region --key-id <primary> (--key-material <file> | --component <file> --component <file> ...) [options]
       cloud-kms byok aws multi-region --key-id <primary> --verify-only [--replica-region <region> ...]

Imports the same key material into a multi-Region primary key and into every replica KMS lists for it (each Region's
own GetParametersForImport, wrapping in memory, ImportKeyMaterial), then encrypts a random test plaintext under the
primary and decrypts it under each replica. Exit 1, naming the Region, when a replica does not hold the primary's material.

Options:
  --key-id <id>              the multi-Region primary key (mrk-... id or ARN) of origin EXTERNAL
  --key-material <file>      the key material (raw AES bytes)
  --component <file>         one custodian's key component (repeat, at least 2): combined in memory, never written
  --replica-region <region>  a Region that must hold a replica (repeat): refused if it holds none (unless
                             --create-replicas); replicas KMS lists that are not named are imported all the same
  --create-replicas          create the replicas missing in the --replica-region Regions (ReplicateKey) with the
                             primary's key policy, after the primary's import succeeded. ReplicateKey runs as you:
                             refused before any import when the key policy lets only named principals replicate
                             (the library's keys: the deployment principal; under dual control, the gate). Create
                             replicas with aws.ReplicaKey or replicaRegions instead, then import without this flag
  --expires-at <ISO date>    material expiry in every Region (default: the primary's current expiry, else its
                             cloud-kms:key-material-expiry tag)
  --no-expiry                the material does not expire
  --algorithm <alg>          ${AWS_WRAPPING_ALGORITHMS.join(' | ')} (default: the key's cloud-kms:wrapping-algorithm tag)
  --wrapping-key-spec <spec> ${AWS_WRAPPING_KEY_SPECS.join(' | ')} (default RSA_4096)
  --kcv <method>             key check values of AES keys: cmac (default) or ecb (legacy)
  --region <region>          the primary's Region (default: the key ARN's, else the SDK's)
  --endpoint <url>           KMS endpoint override, used for every Region
  --verify-only              import nothing: only the test encryption under the primary and decryption under each
                             replica (for a key user: importers usually hold neither kms:Encrypt nor kms:Decrypt)
  --json                     machine-readable output`,
  flags: {
    ...COMMON,
    ...AWS_FLAGS,
    'key-id': { type: 'string', required: true, check: awsKeyId },
    'key-material': { type: 'string', check: inputFile },
    'component': { type: 'string', multiple: true, check: inputFile },
    'replica-region': { type: 'string', multiple: true, check: awsRegion },
    'create-replicas': { type: 'boolean' },
    'expires-at': { type: 'string', check: isoDateCheck },
    'no-expiry': { type: 'boolean' },
    'algorithm': { type: 'string', check: oneOf(AWS_WRAPPING_ALGORITHMS) },
    'wrapping-key-spec': { type: 'string', check: oneOf(AWS_WRAPPING_KEY_SPECS) },
    'kcv': { type: 'string', check: oneOf(KCV_METHODS) },
    'verify-only': { type: 'boolean' },
  },
  run: async (v, io) => {
    if (v['expires-at'] && v['no-expiry']) throw usageError('give --expires-at or --no-expiry, not both');
    const named: string[] = v['replica-region'] ?? [];
    if (v['create-replicas'] && named.length === 0) {
      throw usageError('--create-replicas needs a --replica-region for each Region to create a replica in');
    }
    const source: MaterialSource = { keyMaterial: v['key-material'], components: v.component ?? [] };
    if (v['verify-only']) {
      const given = IMPORT_ONLY_FLAGS.filter((f) => v[f] !== undefined);
      if (given.length > 0) throw usageError(`--verify-only imports nothing: leave out ${given.map((f) => `--${f}`).join(', ')}`);
    } else {
      checkMaterialSource(source);
    }
    const clientFor = regionalClients(io, v.endpoint);
    const primary = await describePrimary(clientFor(primaryRegion(v['key-id'], v.region)), v['key-id']);
    const plan = planReplicas(primary, named, v['create-replicas'] ?? false);
    // Before any import: ReplicateKey runs as the caller, whom the library's key policies do not let replicate.
    if (!v['verify-only']) {
      await checkNotDualControl(clientFor(primary.region), primary.arn);
      await checkReplicationAllowed(clientFor(primary.region), primary.arn, plan.toCreate);
    }
    const imported = v['verify-only'] ? undefined : await importStep(v, io, clientFor, primary, plan, source);
    const regions: RegionResult[] = imported?.regions ?? [
      { region: primary.region, arn: primary.arn, role: 'primary' as const },
      ...plan.existing.map((r) => ({ ...r, role: 'replica' as const })),
    ];
    for (const r of regions) if (r.role === 'replica') r.named = named.length === 0 || named.includes(r.region);
    const verification = await verifyStep(clientFor, primary, regions);
    return {
      keyId: primary.keyId,
      verifyOnly: v['verify-only'] ?? false,
      ...imported?.summary,
      regions,
      verificationError: verification,
      verified: verification === undefined && regions.every((r) => r.role === 'primary' || (r.verified && r.imported !== false)),
    };
  },
  exitCode: (r) => (r.verified ? 0 : 1),
  notes: (r: any) => [...(r.regions as RegionResult[]).flatMap((x) => [
    ...(x.named === false ? [`note: imported into the replica in ${x.region} too, which --replica-region did not name`] : []),
    ...(x.importError || x.verifyError ? [`error: the replica in ${x.region} (${x.arn}) does not hold the primary's key material: ` +
      `${[x.importError && `import failed (${x.importError})`, x.verifyError].filter((s) => !!s).join('; ')}; do not use the key there`] : []),
  ]), ...(r.verificationError ? [`error: ${r.verificationError}`] : [])],
  print: (r: any) => {
    const rows = (r.regions as RegionResult[]).map((x) => `  ${x.region.padEnd(16)} ${x.role.padEnd(8)} ` + [
      x.created ? 'created' : undefined,
      x.imported === undefined ? undefined : x.imported ? 'imported' : 'NOT imported',
      x.role === 'primary' ? undefined : x.verified ? 'verified' : 'NOT VERIFIED',
    ].filter((w) => w !== undefined).join(', '));
    const kcv = Object.entries((r.keyCheckValues ?? {}) as Record<string, string>)
      .map(([k, value]) => `  ${k === 'combined' ? 'combined key' : k}  KCV (${r.keyCheckValueMethod}): ${value}`);
    return [
      r.verifyOnly ? `Checked multi-Region key ${r.keyId}`
        : `Imported ${r.material} into multi-Region key ${r.keyId}${r.components > 0 ? ` (${r.components} components combined in memory)` : ''}`,
      ...rows,
      ...(r.verifyOnly ? [] : [`  expiration  ${r.validTo ? `expires at ${r.validTo}` : 'does not expire'}`]),
      ...kcv,
      r.verified ? 'Verified: a test encryption under the primary decrypted under every replica.'
        : 'FAILED: not every replica is shown to hold the primary\'s key material (see the errors above).',
    ].join('\n');
  },
  describeError: describeAwsError,
};

/** Flags that only an import takes. */
const IMPORT_ONLY_FLAGS = ['key-material', 'component', 'create-replicas', 'expires-at', 'no-expiry', 'algorithm', 'wrapping-key-spec', 'kcv'];

/** Everything that touches key material: the expiry and wrapping chosen, the material read, imported, and zeroed. */
async function importStep(v: Record<string, any>, io: CliIo, clientFor: ClientFor, primary: MultiRegionPrimary, plan: ReplicaPlan,
  source: MaterialSource): Promise<{ regions: RegionResult[]; summary: Record<string, unknown> }> {
  const options: ImportOptions = {
    algorithm: await wrappingAlgorithm(clientFor(primary.region), primary.arn, v.algorithm),
    wrappingKeySpec: v['wrapping-key-spec'] ?? 'RSA_4096',
    validTo: await resolveExpiry(clientFor(primary.region), primary.arn,
      v['no-expiry'] ? 'none' : v['expires-at'] ?? primary.currentExpiry, io.now()),
    now: io.now(),
  };
  const kcvMethod = (v.kcv ?? KcvMethod.CMAC) as KcvMethod;
  const { material, description, checkValues, components } = readMaterial(source, kcvMethod);
  try {
    // A SYMMETRIC_DEFAULT key takes 256-bit material (https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html).
    if (description.kind !== 'AES-256') throw usageError(`a SYMMETRIC_DEFAULT multi-Region key takes 256-bit AES material, got ${description.kind}`);
    const regions = await importEverywhere(clientFor, primary, plan.existing, plan.toCreate, material, options);
    const hasKcv = Object.keys(checkValues).length > 0;
    return {
      regions,
      summary: {
        material: description.kind,
        components,
        keyCheckValueMethod: hasKcv ? KCV_LABELS[kcvMethod] : undefined,
        keyCheckValues: hasKcv ? checkValues : undefined,
        expirationModel: options.validTo ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        validTo: options.validTo?.toISOString(),
      },
    };
  } finally {
    material.fill(0);
  }
}

/**
 * The test encryption under the primary and decryption under each replica; sets each replica's verdict. Returns why
 * the test could not run at all (the test encryption under the primary failed), else undefined.
 */
async function verifyStep(clientFor: ClientFor, primary: MultiRegionPrimary, regions: RegionResult[]): Promise<string | undefined> {
  const replicas = regions.filter((r) => r.role === 'replica');
  let failures: Record<string, string>;
  try {
    failures = await verifyReplicas(clientFor, primary, replicas);
  } catch (e) {
    for (const r of replicas) r.verified = false;
    // Key users hold kms:Encrypt and kms:Decrypt, importers usually do not (separation of duties): a key user then checks.
    return `the test encryption under the primary ${primary.arn} failed (${e instanceof CliError ? e.message : (e as Error)?.name ?? 'Error'}), so no replica is verified: have a principal allowed ` +
      `kms:Encrypt on the primary and kms:Decrypt on the replicas run \`cloud-kms byok aws multi-region --key-id ${primary.keyId} --verify-only\``;
  }
  for (const r of replicas) {
    r.verified = failures[r.region] === undefined;
    r.verifyError = failures[r.region];
  }
  return undefined;
}

/** One client per Region, all on the same --endpoint (a test server or a proxy that serves every Region). */
function regionalClients(io: CliIo, endpoint: string | undefined): (region: string | undefined) => KMSClient {
  const clients = new Map<string, KMSClient>();
  return (region) => {
    const key = region ?? '';
    if (!clients.has(key)) clients.set(key, io.kms({ region, endpoint }));
    return clients.get(key)!;
  };
}

/** The primary's Region: the key ARN's, which --region may repeat but not contradict. */
function primaryRegion(keyId: string, region: string | undefined): string | undefined {
  const fromArn = keyId.startsWith('arn:') ? keyId.split(':')[3] : undefined;
  if (fromArn && region && fromArn !== region) {
    throw usageError(`--key-id ${arg(keyId)} is in ${fromArn}, but --region is ${region}: give the primary's Region or leave --region out`);
  }
  return fromArn ?? region;
}

async function wrappingAlgorithm(client: KMSClient, keyArn: string, given: string | undefined): Promise<WrapAlgorithm> {
  const chosen = given ?? (await keyTags(client, keyArn))[WRAPPING_ALGORITHM_TAG] ?? 'RSAES_OAEP_SHA_256';
  if (!AWS_WRAPPING_ALGORITHMS.includes(chosen)) {
    throw new CliError(`key ${keyArn} has ${WRAPPING_ALGORITHM_TAG} ${arg(chosen)}, not one of ${AWS_WRAPPING_ALGORITHMS.join(', ')}: pass --algorithm`);
  }
  return chosen as WrapAlgorithm;
}

/**
 * The primary first: if KMS refuses the material there (it holds other material), nothing is created or imported
 * elsewhere. Then the replicas to create, then every replica, each failure kept by Region so the others still
 * proceed and the verification reports them all.
 */
async function importEverywhere(clientFor: ClientFor, primary: MultiRegionPrimary, existing: RegionalKey[], toCreate: string[],
  material: Buffer, options: ImportOptions): Promise<RegionResult[]> {
  let primaryMaterialId: string | undefined;
  try {
    primaryMaterialId = await importInto(clientFor(primary.region), primary, false, material, options);
  } catch (e) {
    throw new CliError(`importing into the primary in ${primary.region} failed, so no replica was created or imported into: ${reason(e)}`);
  }
  const created = await createReplicas(clientFor, primary, toCreate);
  const results: RegionResult[] = [{ region: primary.region, arn: primary.arn, role: 'primary', imported: true, keyMaterialId: primaryMaterialId }];
  for (const replica of [...existing, ...created]) {
    const result: RegionResult = { ...replica, role: 'replica', created: created.includes(replica) || undefined, imported: false };
    try {
      result.keyMaterialId = await importInto(clientFor(replica.region), replica, true, material, options);
      result.imported = true;
    } catch (e) {
      result.importError = reason(e);
    }
    results.push(result);
  }
  return results;
}

function reason(e: unknown): string {
  if (e instanceof CliError) return e.message;
  return describeAwsError(e) ?? `unexpected error: ${(e as Error)?.name ?? 'Error'}`;
}
