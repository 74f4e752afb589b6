import { Op, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { checkAuditSink, checkDeletionWindowDays, checkFipsLevel, checkModelAllowed, checkRotationDays } from '../../core/checks';
import { DeploymentModel } from '../../core/deployment-model';
import { FipsLevel } from '../../core/fips';
import { Period } from '../../core/period';
import { ComplianceProfile } from '../../core/profile';
import { isTokenValue, requireMatch, shown, ValidationError } from '../../core/validation';
import { boundPlanTimeNumber, describePlanTimeBound, expressionText, PlanTimeBound, refuseToken } from '../../terraform/period';
import type { IKeyAuditSink } from '../key-audit-sink';
import { KeyAlgorithm, ProtectionLevel, purposeOf } from '../key-spec';
import { gcpAlgorithmFamily, isPostQuantum } from './key-crypto';

/** Key props shared by the Google Cloud key constructs, before validation. */
export interface GcpKeyInput {
  readonly project: string;
  readonly profile?: ComplianceProfile;
  readonly auditSink?: IKeyAuditSink;
  readonly algorithm?: KeyAlgorithm;
  readonly rotation?: Period;
  readonly destroyScheduledDuration?: Period;
  readonly labels?: Record<string, string>;
}

/** How a key is rotated: automatically by Cloud KMS, or by the custodians adding versions. */
export enum RotationMode {
  AUTOMATIC = 'AUTOMATIC',
  MANUAL = 'MANUAL',
}

export interface GcpKeySettings {
  readonly profile: ComplianceProfile;
  readonly algorithm: KeyAlgorithm;
  readonly purpose: string;
  readonly protectionLevel: ProtectionLevel;
  readonly fipsLevel: FipsLevel;
  /** Days between versions (automatic, or the custodians' schedule when manual); a cdktf token when rotation is one. */
  readonly rotationDays: number;
  /** The variable validation that bounds a token rotation at plan time. */
  readonly rotationBound?: PlanTimeBound;
  /** Rotation days as text for evidence: the number, or the Terraform expression of a token. */
  readonly rotationText: string;
  /** `rotation_period` in seconds with an `s`, when Cloud KMS rotates the key. */
  readonly rotationPeriod?: string;
  readonly destroyDays: number;
  readonly destroyScheduledDuration: string;
  readonly labels?: Record<string, string>;
}

/** CIS Google Cloud Foundations 1.10: rotate KMS encryption keys within 90 days. */
export const CIS_ROTATION_DAYS = 90;
const DEFAULT_DESTROY_DAYS = 30;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

/** Algorithms Cloud EKM keys can have. */
const EXTERNAL_ALGORITHMS = new Set<string>([
  KeyAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION, KeyAlgorithm.EC_SIGN_P256_SHA256, KeyAlgorithm.EC_SIGN_P384_SHA384,
  KeyAlgorithm.RSA_SIGN_PSS_2048_SHA256, KeyAlgorithm.RSA_SIGN_PSS_3072_SHA256, KeyAlgorithm.RSA_SIGN_PSS_4096_SHA256,
  KeyAlgorithm.RSA_SIGN_PKCS1_2048_SHA256, KeyAlgorithm.RSA_SIGN_PKCS1_3072_SHA256, KeyAlgorithm.RSA_SIGN_PKCS1_4096_SHA256,
]);

/** The FIPS 140 level of a protection level (external levels: what the customer's key manager declares). */
export function fipsLevelOf(level: ProtectionLevel, external?: FipsLevel): FipsLevel {
  if (level === ProtectionLevel.SOFTWARE) return FipsLevel.LEVEL_1;
  if (level === ProtectionLevel.HSM) return FipsLevel.LEVEL_3;
  return external ?? FipsLevel.LEVEL_1;
}

function seconds(d: Period): number {
  return d.toSeconds();
}

/**
 * Validates the shared key props against Cloud KMS and the profile, before any resource exists.
 * @param rotation AUTOMATIC: Cloud KMS rotates (symmetric keys only); MANUAL: the custodians add versions
 */
export function resolveGcpKeySettings(
  scope: IConstruct, id: string, input: GcpKeyInput, model: DeploymentModel, protectionLevel: ProtectionLevel,
  rotation: RotationMode, externalFipsLevel?: FipsLevel,
): GcpKeySettings {
  const subject = `${scope.node.path}/${id}`;
  const profile = input.profile ?? ComplianceProfile.COMMERCIAL;
  const fipsLevel = checkProfileFit(subject, input, profile, model, protectionLevel, externalFipsLevel);
  const algorithm = resolveAlgorithm(subject, input.algorithm, protectionLevel, profile, model);
  const purpose = purposeOf(algorithm);
  const r = resolveRotation(scope, subject, input.rotation, profile, rotation === RotationMode.AUTOMATIC && purpose === 'ENCRYPT_DECRYPT');
  const destroy = input.destroyScheduledDuration ?? Period.days(DEFAULT_DESTROY_DAYS);
  // Fixed at creation and checked against the profile's minimum deletion window, so a token is refused.
  refuseToken(scope, 'destroyScheduledDuration', destroy);
  const destroySeconds = seconds(destroy);
  const destroyDays = destroySeconds / 86400;
  if (!Number.isInteger(destroySeconds)) throw new ValidationError(`destroyScheduledDuration must be a whole number of seconds, got ${destroy.toHumanString()}`);
  // Cloud KMS keeps a destroyed version between 24 hours and 120 days before destroying it for good.
  checkDeletionWindowDays(profile, 'destroyScheduledDuration', destroyDays, 1, 120);
  checkLabels(input.labels);

  return {
    profile,
    algorithm,
    purpose,
    protectionLevel,
    fipsLevel,
    rotationDays: r.rotationDays,
    rotationBound: r.rotationBound,
    rotationText: expressionText(scope, r.rotationDays),
    rotationPeriod: r.rotationPeriod,
    destroyDays,
    destroyScheduledDuration: `${destroySeconds}s`,
    labels: input.labels,
  };
}

/** The model, FIPS level and audit sink the profile requires, and the sink in the key's project; returns the key's FIPS level. */
function checkProfileFit(subject: string, input: GcpKeyInput, profile: ComplianceProfile, model: DeploymentModel,
  protectionLevel: ProtectionLevel, externalFipsLevel: FipsLevel | undefined): FipsLevel {
  checkModelAllowed(profile, model, subject);
  const fipsLevel = fipsLevelOf(protectionLevel, externalFipsLevel);
  checkFipsLevel(profile, fipsLevel, `${protectionLevel} protection level for ${subject}`);
  checkAuditSink(profile, input.auditSink && {
    path: input.auditSink.node.path, immutable: input.auditSink.immutable, retentionDays: input.auditSink.retentionDays,
  }, subject);
  const sinkProject = input.auditSink?.project;
  if (sinkProject !== undefined && !Token.isUnresolved(sinkProject) && !Token.isUnresolved(input.project) && sinkProject !== input.project) {
    throw new ValidationError(`auditSink collects the Cloud KMS audit logs of project ${sinkProject}, but ${subject} is in project ${input.project}`);
  }
  return fipsLevel;
}

/**
 * Protection levels at which Google documents the post-quantum algorithms: previews for software keys; Cloud HSM and
 * Cloud EKM do not list them. A level added here must be one Google documents, or Terraform fails at apply.
 * @see https://cloud.google.com/kms/docs/digital-signatures
 * @see https://cloud.google.com/kms/docs/key-encapsulation-mechanisms
 */
const PQ_PROTECTION_LEVELS: ProtectionLevel[] = [ProtectionLevel.SOFTWARE];

/**
 * The algorithm: one Cloud KMS knows, in a family the profile allows, for external keys one Cloud EKM supports, and
 * for post-quantum ones a protection level and key origin Google documents them for.
 */
function resolveAlgorithm(subject: string, given: KeyAlgorithm | undefined, protectionLevel: ProtectionLevel, profile: ComplianceProfile,
  model: DeploymentModel): KeyAlgorithm {
  const algorithm = given ?? KeyAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION;
  if (!Object.values(KeyAlgorithm).includes(algorithm)) {
    throw new ValidationError(`algorithm must be one of ${Object.values(KeyAlgorithm).join(', ')}, got ${shown(algorithm)}`);
  }
  const family = gcpAlgorithmFamily(algorithm);
  if (!profile.allowsKeyAlgorithm(family)) {
    throw new ValidationError(`algorithm ${algorithm} is ${family}, which profile ${profile.name} does not allow for ${subject} (allowed: ${profile.allowedKeyAlgorithms.join(', ')})`);
  }
  const external = protectionLevel === ProtectionLevel.EXTERNAL || protectionLevel === ProtectionLevel.EXTERNAL_VPC;
  if (external && !EXTERNAL_ALGORITHMS.has(algorithm)) {
    throw new ValidationError(`algorithm must be symmetric encryption or an EC/RSA signing algorithm for ${protectionLevel} keys (Cloud EKM), got ${algorithm}`);
  }
  if (isPostQuantum(algorithm)) {
    if (model === DeploymentModel.BYOK) {
      // ByokImport imports through Cloud HSM import jobs; Google documents post-quantum key material only for SOFTWARE keys,
      // imported through quantum-safe (trusted key wrapped) import, which ByokImport does not make.
      // https://cloud.google.com/kms/docs/quantum-safe-key-import
      throw new ValidationError(`algorithm ${algorithm} cannot be imported by ByokImport (${subject}): it imports into Cloud HSM, and Google documents ` +
        'post-quantum keys for SOFTWARE only (quantum-safe import of software keys is not supported here); create the key in Cloud KMS with a CustomerManagedKey');
    }
    if (!PQ_PROTECTION_LEVELS.includes(protectionLevel)) {
      throw new ValidationError(`algorithm ${algorithm} is a post-quantum preview Google documents for ${PQ_PROTECTION_LEVELS.join(', ')} keys only, got protectionLevel ${protectionLevel} for ${subject}`);
    }
  }
  return algorithm;
}

type Rotation = Pick<GcpKeySettings, 'rotationDays' | 'rotationBound' | 'rotationPeriod'>;

/** The rotation period: automatic (`rotation_period`) or the custodians' schedule, a literal or a plan-time bounded token. */
function resolveRotation(scope: IConstruct, subject: string, given: Period | undefined, profile: ComplianceProfile, automatic: boolean): Rotation {
  const cisDefault = Math.min(CIS_ROTATION_DAYS, profile.maxRotationDays);
  const period = given ?? Period.days(automatic ? cisDefault : profile.maxRotationDays);
  if (Token.isUnresolved(period.amount)) {
    // Whole units of the period's own unit, from a day (Cloud KMS's shortest) to the profile's limit.
    const perDay = 86400 / period.secondsPerUnit;
    const maxDays = Math.min(36500, profile.maxRotationDays);
    const rotationBound = boundPlanTimeNumber(scope, subject, 'rotation', period.amount, Math.ceil(perDay), Math.floor(maxDays * perDay),
      period.unitLabel(), `Cloud KMS and profile ${profile.name}: 1 to ${maxDays} days`);
    const rotationDays = period.secondsPerUnit === 86400 ? period.amount : Op.div(period.amount, perDay) as unknown as number;
    return { rotationDays, rotationBound, rotationPeriod: automatic ? `${Token.asString(Op.mul(period.amount, period.secondsPerUnit))}s` : undefined };
  }
  if (automatic) {
    const s = seconds(period);
    if (!Number.isInteger(s)) throw new ValidationError(`rotation must be a whole number of seconds, got ${period.toHumanString()}`);
    const rotationDays = s / 86400;
    // Cloud KMS rotates no more often than once a day.
    checkRotationDays(profile, 'rotation', rotationDays, 1, 36500);
    return { rotationDays, rotationPeriod: `${s}s` };
  }
  // Cloud KMS cannot rotate this key itself; the period is the custodians' schedule for new versions.
  const rotationDays = period.toDays();
  checkRotationDays(profile, 'rotation', rotationDays, 1, 36500);
  return { rotationDays };
}

/** Labels: a literal map of Cloud KMS label keys and values, at most 64. */
function checkLabels(labels: Record<string, string> | undefined): void {
  if (labels !== undefined && (typeof labels !== 'object' || labels === null || Array.isArray(labels) || isTokenValue(labels))) {
    throw new ValidationError(`labels must be a map of literal label keys to values, got ${shown(labels)}`);
  }
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (typeof value !== 'string') throw new ValidationError(`labels.${key} must be a string, got ${shown(value)}`);
    requireMatch('labels key', key, LABEL_KEY, 'a lower-case letter then up to 62 lower-case letters, digits, hyphens and underscores');
    requireMatch(`labels.${key}`, value, LABEL_VALUE, 'up to 63 lower-case letters, digits, hyphens and underscores');
  }
  if (Object.keys(labels ?? {}).length > 64) throw new ValidationError(`labels must hold at most 64 entries, got ${Object.keys(labels!).length}`);
}

/** How the rotation evidence describes a token rotation's enforcement. */
export function describeRotationBound(s: GcpKeySettings): string {
  return s.rotationBound ? `, ${describePlanTimeBound(s.rotationBound)}` : '';
}
