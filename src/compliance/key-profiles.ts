/*
 * Judging each key by its own compliance profile. The rule pack judges a whole template under one profile; a template
 * (a PCI stack with its COMMERCIAL reporting keys, an audit sink's `<profile>-AUDIT` key) holds keys of several.
 * The pack runs once per profile found, and each resource keeps the verdicts of its own key's profile.
 */
import { KmsRulePack } from './pack';
import { RuleFinding, RuleResult } from './rules/result';
import { ComplianceProfile } from '../core/profile';
import { builtInProfileNamed, PROFILE_METADATA_KEY, profileFromRecord } from '../core/profile-record';

/** A finding with the profile it was judged by. */
export interface ProfiledFinding extends RuleFinding {
  readonly profile: string;
}

/** A key's construct path and profile name, as the compliance report lists them. */
export interface ReportedKey {
  readonly path: string;
  readonly profile: string;
  /** The profile's figures, as the report records them (`profileRecord`); a custom profile is known only by these. */
  readonly record?: unknown;
}

/** Where a resource came from in the construct tree (CDK path metadata, cdktf's `//` comment), if recorded. */
function constructPath(resource: any): string | undefined {
  const p = resource?.Metadata?.['aws:cdk:path'] ?? resource?.['//']?.metadata?.path;
  return typeof p === 'string' ? p : undefined;
}

/** A profile by the name a report gives it: a built-in, or the audit sink's `<built-in>-AUDIT` (same figures the rules read). */
export function profileFromReportName(name: string): ComplianceProfile | undefined {
  const audit = /^(.+)-AUDIT$/.exec(name);
  const base = builtInProfileNamed(audit ? audit[1] : name);
  return base && audit ? ComplianceProfile.custom({ name, basedOn: base }) : base;
}

/** Every resource of a CloudFormation template or Terraform JSON, by the id findings use. */
function resources(template: any): Array<[string, any]> {
  if (template?.Resources) return Object.entries(template.Resources);
  return Object.entries(template?.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName as Record<string, any>).map(([name, body]) => [`${type}.${name}`, body] as [string, any]));
}

/**
 * Each resource's own profile: the `cloud-kms-constructs:profile` metadata on the key resource, else the compliance
 * report's key whose construct path holds the resource (the longest such path).
 */
export function resourceProfiles(template: any, reported: ReportedKey[] = []): Map<string, ComplianceProfile> {
  const out = new Map<string, ComplianceProfile>();
  const byPath = [...reported].sort((a, b) => b.path.length - a.path.length);
  for (const [id, r] of resources(template)) {
    const recorded = r?.Metadata?.[PROFILE_METADATA_KEY];
    const fromMetadata = recorded !== undefined ? profileFromRecord(recorded) : undefined;
    if (fromMetadata) {
      out.set(id, fromMetadata);
      continue;
    }
    const path = constructPath(r);
    const key = path === undefined ? undefined : byPath.find((k) => path === k.path || path.startsWith(`${k.path}/`));
    const fromReport = key ? (profileFromRecord(key.record) ?? profileFromReportName(key.profile)) : undefined;
    if (fromReport) out.set(id, fromReport);
  }
  return out;
}

const SEVERITY: Record<RuleResult, number> = {
  [RuleResult.NON_COMPLIANT]: 2, [RuleResult.COMPLIANT]: 1, [RuleResult.NOT_APPLICABLE]: 0,
};

export interface KeyProfileCheck {
  readonly findings: ProfiledFinding[];
  /** The profiles the template was judged by. */
  readonly profiles: string[];
  /** Whether no resource recorded a profile, so `fallback` judged everything. */
  readonly fellBack: boolean;
}

export interface KeyProfileCheckOptions {
  readonly cloud?: string;
  readonly siblings?: any[];
  /** Judge everything by this profile, whatever the keys recorded. @default - each key's own */
  readonly override?: ComplianceProfile;
  /** Keys of the compliance report next to the template. @default - none */
  readonly reported?: ReportedKey[];
  /** The profile when no resource of the template records one. @default ComplianceProfile.COMMERCIAL */
  readonly fallback?: ComplianceProfile;
  /** The stack's region (AWS: `templateRegion`). @default - unknown */
  readonly region?: string;
}

/**
 * Runs the pack on one template, judging each resource by its own key's profile. A resource with no profile of its own
 * (a vault, a trail, the operational log key) serves the template's keys, so it is judged by every profile found there
 * and keeps the worst verdict. When no resource records a profile, `fallback` judges everything.
 */
export function checkByKeyProfile(template: any, options: KeyProfileCheckOptions = {}): KeyProfileCheck {
  if (options.override) {
    const override = options.override;
    const findings = new KmsRulePack(override).check(template, options.cloud, options.siblings, options.region)
      .map((f) => ({ ...f, profile: override.name }));
    return { findings, profiles: [override.name], fellBack: false };
  }
  const own = resourceProfiles(template, options.reported);
  const profiles = new Map<string, ComplianceProfile>();
  for (const p of own.values()) profiles.set(p.name, p);
  const fellBack = profiles.size === 0;
  if (fellBack) {
    const fallback = options.fallback ?? ComplianceProfile.COMMERCIAL;
    profiles.set(fallback.name, fallback);
  }
  const runs = new Map([...profiles.values()]
    .map((p) => [p.name, new KmsRulePack(p).check(template, options.cloud, options.siblings, options.region)]));
  const groups = new Map<string, Map<string, RuleFinding[]>>();
  for (const [name, findings] of runs) {
    for (const f of findings) {
      const key = `${f.rule}\u0000${f.resource}`;
      const group = groups.get(key) ?? new Map<string, RuleFinding[]>();
      group.set(name, [...(group.get(name) ?? []), f]);
      groups.set(key, group);
    }
  }
  const findings: ProfiledFinding[] = [];
  for (const group of groups.values()) {
    const [first] = [...group.values()][0];
    const mine = own.get(first.resource)?.name;
    let chosen: string | undefined;
    if (mine !== undefined) {
      chosen = group.has(mine) ? mine : undefined;
    } else {
      const worst = (name: string) => Math.max(...group.get(name)!.map((f) => SEVERITY[f.result]));
      chosen = [...group.keys()].reduce((a, b) => (worst(b) > worst(a) ? b : a));
    }
    if (chosen !== undefined) findings.push(...group.get(chosen)!.map((f) => ({ ...f, profile: chosen! })));
  }
  return { findings, profiles: [...profiles.keys()], fellBack };
}
