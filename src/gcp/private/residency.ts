/*
 * Data residency on Google Cloud: whether a Cloud KMS, Cloud Storage or Cloud Logging location is one the profile
 * allows. The rule is strict so that it can be explained in one sentence: a location is allowed only when the profile
 * names that location itself.
 *
 * - A multi-region (`europe`, `us`, `asia`) or dual-region (`eur4`, `nam4`, ...) keeps key material in several regions,
 *   which the Cloud KMS locations page describes by city ("Finland, Netherlands and Belgium"), not by region name, and
 *   changes over time ("resources created in the europe multi-region are not stored in europe-west2 or europe-west6").
 *   So naming its regions does not allow it, and naming it does not allow its regions: the profile names each location.
 * - `global` keeps material "in zones spread around the world": no residency profile can allow it.
 * @see https://cloud.google.com/kms/docs/locations
 */
import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { EvidenceLedger } from '../../core/evidence';
import { recordResidency } from '../../core/key-evidence';
import { ComplianceProfile } from '../../core/profile';
import { checkResidency, normalizeRegion } from '../../core/residency';
import { shown, ValidationError } from '../../core/validation';

/**
 * Cloud KMS locations that span several regions (multi-regions and dual-regions), as the Cloud KMS locations page lists
 * them. Used to say so in errors and evidence; the rule above does not depend on it.
 * @see https://cloud.google.com/kms/docs/locations
 */
export const GCP_MULTI_REGIONS: ReadonlySet<string> = new Set([
  'us', 'europe', 'asia', 'ca', 'in', 'eur3', 'eur4', 'eur5', 'eur6', 'eur7', 'eur8', 'asia1',
  'nam3', 'nam4', 'nam6', 'nam7', 'nam8', 'nam9', 'nam10', 'nam11', 'nam12', 'nam-eur-asia1',
]);

/** What kind of location a name is, for messages and evidence. */
export function gcpLocationKind(location: string): string {
  const l = normalizeRegion(location);
  if (l === 'global') return 'the global location (any region)';
  return GCP_MULTI_REGIONS.has(l) ? `the multi-region location ${l} (several regions)` : `the region ${l}`;
}

/**
 * Refuses a location the profile does not allow (core `checkResidency`, whose message names the prop, the value and the
 * allowed list), `global` even when named, with a word on multi-regions. Without `allowedRegions` nothing is checked
 * (and nothing changes in what is synthesized).
 */
export function checkGcpResidency(profile: ComplianceProfile, prop: string, location: unknown, subject: string): void {
  if (!profile.restrictsRegions) return;
  const literal = typeof location === 'string' && !Token.isUnresolved(location) ? location : undefined;
  const l = literal === undefined ? undefined : normalizeRegion(literal);
  if (l === 'global') {
    throw new ValidationError(`${prop} of ${subject} must not be global under profile ${profile.name}: the global location keeps data in ` +
      `regions around the world, and the profile allows only [${profile.allowedRegions.join(', ')}]`);
  }
  const named = profile.allowedRegions.filter((r) => GCP_MULTI_REGIONS.has(r));
  const hint = l !== undefined && GCP_MULTI_REGIONS.has(l) ? ` (${l} is a multi-region location, allowed only when the profile names ${l} itself)`
    : named.length > 0 ? ` (the multi-region ${named.join(', ')} the profile names does not allow the regions in it)` : '';
  try {
    checkResidency(profile, `${prop} of ${subject}`, literal, `give a literal location, got ${shown(location)} (a token could name any location)`);
  } catch (e) {
    if (e instanceof ValidationError && literal !== undefined && hint) throw new ValidationError(`${e.message}${hint}`);
    throw e;
  }
}

/** Where data in a Google location is, as the evidence lists it: the location name (lower case). */
export function gcpRegions(location: string): string[] | undefined {
  return Token.isUnresolved(location) ? undefined : [normalizeRegion(location)];
}

/**
 * Why a Cloud KMS audit sink's location is not where all of the key's audit records are. A sink copies entries; Cloud
 * Logging still stores every Admin Activity entry in the project's `_Required` bucket (which no exclusion can stop) and
 * Data Access entries in its `_Default` bucket (unless its sink excludes them). Those buckets are created with the project,
 * in the storage location of the organisation's or folder's Cloud Logging default settings at that time, and `global`
 * where none was set; setting one later does not move them. Nothing here creates or reads those settings.
 * @see https://cloud.google.com/logging/docs/default-settings
 * @see https://cloud.google.com/logging/docs/routing/overview
 */
export const DEFAULT_BUCKETS_UNSHOWN = "Cloud Logging also keeps the Admin Activity entries in the project's _Required bucket and the " +
  "Data Access entries in its _Default bucket, which are in global unless the organisation's or folder's Cloud Logging default " +
  'storage location (storageLocation) was set before the project was created: the assessor checks the location of both buckets';

/** The residency fact of a Cloud KMS audit sink: its bucket's location, and at most partly (DEFAULT_BUCKETS_UNSHOWN). */
export function recordSinkResidency(sink: IConstruct, bucket: IConstruct, profile: ComplianceProfile, location: string): void {
  recordResidency({
    ledger: EvidenceLedger.of(sink),
    subject: sink.node.path,
    resource: bucket.node.path,
    profile,
    regions: gcpRegions(location) ?? [],
    what: 'audit records copied by the sink',
    unshown: DEFAULT_BUCKETS_UNSHOWN,
  });
}

/** A Google Cloud region (`europe-west1`) and a zone of one (`europe-west1-b`), as `gcp.resourceLocations` takes them. */
const GOOGLE_REGION = /^[a-z]+-[a-z]+[0-9]+$/;
const GOOGLE_ZONE = /^([a-z]+-[a-z]+[0-9]+)-[a-z]$/;
const REGION_GROUP = /^in:([a-z]+-[a-z]+[0-9]+)-locations$/;

/**
 * The `gcp.resourceLocations` values of an organisation policy under the profile. Without `allowedRegions` the list is
 * the one given (none: no policy). With it, a missing list is derived from the profile: each Google region as its value
 * group `in:<region>-locations` (the region and its zones; a bare region would leave its zones open), each multi-region
 * by its own name only (its regions are not allowed by naming it, as for keys); a given list must stay within the
 * profile. Names of other clouds' regions in the profile are not Google locations and are left out.
 * @see https://cloud.google.com/resource-manager/docs/organization-policy/defining-locations
 */
export function resourceLocationsFor(profile: ComplianceProfile, given: string[] | undefined, subject: string): string[] {
  if (!profile.restrictsRegions) return given ?? [];
  const regions = profile.allowedRegions.filter((r) => r !== 'global');
  if (given === undefined) {
    const derived = regions.flatMap((r) => GOOGLE_REGION.test(r) ? [`in:${r}-locations`] : GCP_MULTI_REGIONS.has(r) ? [r] : []);
    if (derived.length === 0) {
      throw new ValidationError(`allowedLocations of ${subject} cannot be derived from profile ${profile.name}: its allowedRegions ` +
        `[${profile.allowedRegions.join(', ')}] name no Google Cloud region or multi-region`);
    }
    return derived;
  }
  if (given.length === 0) {
    throw new ValidationError(`allowedLocations of ${subject} must not be empty under profile ${profile.name}, which allows only ` +
      `[${profile.allowedRegions.join(', ')}]: an empty list sets no location policy; leave it out to derive it from the profile`);
  }
  for (const v of given) {
    const region = REGION_GROUP.exec(v)?.[1] ?? GOOGLE_ZONE.exec(v)?.[1] ?? (v.startsWith('in:') ? undefined : v);
    if (region === undefined || region === 'global' || !profile.allowsRegion(region)) {
      throw new ValidationError(`allowedLocations of ${subject} must stay within profile ${profile.name}'s allowedRegions ` +
        `[${profile.allowedRegions.join(', ')}], got '${v}' (a value group is allowed only as in:<region>-locations for a region the profile names)`);
    }
  }
  return given;
}

/** What a `gcp.resourceLocations` policy under a residency profile does not cover, for its guardrail record. */
export function resourceLocationsGap(profile: ComplianceProfile): string {
  const others = profile.allowedRegions.filter((r) => r === 'global' || (!GOOGLE_REGION.test(r) && !GCP_MULTI_REGIONS.has(r)));
  return 'the constraint judges only new resources of the services that support it, not global resources nor sub-resources ' +
    'some services create (Cloud Storage, Dataproc)' + (others.length ? `; not Google Cloud locations, left out: ${others.join(', ')}` : '');
}
