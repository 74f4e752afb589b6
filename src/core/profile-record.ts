/*
 * A compliance profile written into a synthesized template, so a later reader (`cloud-kms check`, the CDK validation
 * plugin) judges each key by the profile it was built under rather than by one profile for the whole template.
 * Custom profiles (`ComplianceProfile.custom`, the audit sink's `<profile>-AUDIT`) cannot be looked up by name, so the
 * figures the rules read travel with the name.
 */
import { DeploymentModel } from './deployment-model';
import { FipsLevel } from './fips';
import { allKeyAlgorithms, KeyAlgorithm } from './key-algorithm';
import { ComplianceProfile } from './profile';

/** The CloudFormation Metadata key (on the key resource) that holds the key's profile. */
export const PROFILE_METADATA_KEY = 'cloud-kms-constructs:profile';

/** The profile as plain JSON. */
export function profileRecord(profile: ComplianceProfile): Record<string, unknown> {
  return {
    name: profile.name,
    allowedModels: profile.allowedModels.map((m) => m.id),
    minimumFipsLevel: profile.minimumFipsLevel,
    maxRotationDays: profile.maxRotationDays,
    minDeletionWindowDays: profile.minDeletionWindowDays,
    auditSinkRequired: profile.auditSinkRequired,
    immutableAuditRequired: profile.immutableAuditRequired,
    auditRetentionDays: profile.auditRetentionDays,
    separationOfDutiesRequired: profile.separationOfDutiesRequired,
    dualControlRequired: profile.dualControlRequired,
    // Only where they say something: a built-in is read back by its name, and every template written before residency
    // and algorithm rules existed keeps its bytes.
    ...(profile.restrictsRegions ? { allowedRegions: profile.allowedRegions } : {}),
    ...(!builtInProfileNamed(profile.name) && profile.allowedKeyAlgorithms.length < allKeyAlgorithms().length
      ? { allowedKeyAlgorithms: profile.allowedKeyAlgorithms } : {}),
  };
}

/** A built-in profile by name (`PCI_DSS`, `pci-dss`), or undefined. */
export function builtInProfileNamed(name: string): ComplianceProfile | undefined {
  const wanted = name.toUpperCase().replace(/-/g, '_');
  return ComplianceProfile.builtIns().find((p) => p.name === wanted);
}

/**
 * The profile a record (or a bare name) describes; undefined when it is neither. A built-in name is that built-in
 * profile, whatever figures the record carries; for a custom profile, figures the record does not carry come from
 * COMMERCIAL, and its controls are not carried (the rules do not read them), so they are COMMERCIAL's.
 */
export function profileFromRecord(record: unknown): ComplianceProfile | undefined {
  if (typeof record === 'string') return builtInProfileNamed(record);
  if (typeof record !== 'object' || record === null) return undefined;
  const r = record as Record<string, unknown>;
  if (typeof r.name !== 'string') return undefined;
  // A built-in's figures are fixed: a record under a built-in name is judged by the built-in, never by figures it
  // carries (ComplianceProfile.custom refuses built-in names, so only an edited template carries other figures).
  const builtIn = builtInProfileNamed(r.name);
  if (builtIn) return builtIn;
  const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
  const models = Array.isArray(r.allowedModels)
    ? r.allowedModels.flatMap((id) => DeploymentModel.all().filter((m) => m.id === id))
    : undefined;
  const fips = Object.values(FipsLevel).find((l) => l === r.minimumFipsLevel);
  const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v as string[] : undefined);
  const algorithms = strings(r.allowedKeyAlgorithms)?.flatMap((a) => Object.values(KeyAlgorithm).filter((k) => k === a));
  try {
    return ComplianceProfile.custom({
      name: r.name,
      basedOn: ComplianceProfile.COMMERCIAL,
      allowedModels: models && models.length > 0 ? models : undefined,
      minimumFipsLevel: fips,
      maxRotationDays: num(r.maxRotationDays),
      minDeletionWindowDays: num(r.minDeletionWindowDays),
      auditSinkRequired: bool(r.auditSinkRequired),
      immutableAuditRequired: bool(r.immutableAuditRequired),
      auditRetentionDays: num(r.auditRetentionDays),
      separationOfDutiesRequired: bool(r.separationOfDutiesRequired),
      dualControlRequired: bool(r.dualControlRequired),
      allowedRegions: strings(r.allowedRegions),
      allowedKeyAlgorithms: algorithms && algorithms.length > 0 ? algorithms : undefined,
    });
  } catch {
    return undefined;
  }
}
