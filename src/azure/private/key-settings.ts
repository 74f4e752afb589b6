import { Op, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { checkAuditSink, checkFipsLevel, checkModelAllowed, checkRotationDays } from '../../core/checks';
import { DeploymentModel } from '../../core/deployment-model';
import { FipsLevel } from '../../core/fips';
import { Period, PeriodUnit } from '../../core/period';
import { ComplianceProfile } from '../../core/profile';
import { days, requireMatch, requireRange, shown, ValidationError } from '../../core/validation';
import { boundPlanTimeNumber, describePlanTimeBound, expressionText, inString, literalDays, PlanTimeBound } from '../../terraform/period';
import type { IKeyAuditSink } from '../key-audit-sink-props';
import { KeySpec, KeyUsage } from '../key-spec';
import { checkAzureKeyAlgorithm, namesPostQuantum } from './key-crypto';

/** The key props every Azure key construct shares. */
export interface AzureKeyInput {
  readonly profile?: ComplianceProfile;
  readonly auditSink?: IKeyAuditSink;
  readonly keySpec?: KeySpec;
  readonly keyUsage?: KeyUsage;
  readonly rotation?: Period;
  readonly expireAfter?: Period;
  readonly notifyBeforeExpiry?: Period;
}

/** What kind of key the shared props are checked for (the model, and what holds the key material). */
export interface KeyKind {
  readonly model: DeploymentModel;
  /** Whether the key is HSM-protected (`RSA-HSM`, `EC-HSM`) rather than software-protected. */
  readonly hsm: boolean;
  /** FIPS 140 level of the module that holds the key material. */
  readonly fipsLevel: FipsLevel;
}

/** An HSM-protected key (premium Key Vault or Managed HSM: FIPS 140-3 Level 3) of a model. */
export function hsmKeyKind(model: DeploymentModel): KeyKind {
  return { model, hsm: true, fipsLevel: FipsLevel.LEVEL_3 };
}

export interface AzureKeySettings {
  /** What the settings were resolved for; the evidence reads the model and FIPS level from here. */
  readonly kind: KeyKind;
  readonly profile: ComplianceProfile;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  /** `RSA`/`EC`, with `-HSM` for HSM-protected keys. */
  readonly keyType: string;
  readonly keySize?: number;
  readonly curve?: string;
  readonly keyOpts: string[];
  /** Days between versions; a cdktf token when rotation comes from a TerraformVariable (see `rotationBound`). */
  readonly rotationDays: number;
  /** A token when rotation is one and expireAfter is left to its default (rotation + 30 days). */
  readonly expireAfterDays: number;
  readonly notifyBeforeDays: number;
  /** The variable validation that bounds a token rotation at plan time. */
  readonly rotationBound?: PlanTimeBound;
  /** Rotation and expiry days as text for evidence: the number, or the Terraform expression of a token. */
  readonly rotationText: string;
  readonly expireAfterText: string;
}

const CURVES: Record<string, string> = { EC_P256: 'P-256', EC_P384: 'P-384', EC_P521: 'P-521', EC_P256K: 'P-256K' };

function wholeDays(scope: IConstruct, prop: string, d: Period): number {
  const n = literalDays(scope, prop, d);
  if (!Number.isInteger(n)) throw new ValidationError(`${prop} must be a whole number of days (an ISO 8601 PnD duration), got ${d.toHumanString()}`);
  return n;
}

/** ISO 8601 duration of whole days, as Key Vault rotation policies take them (`P${var.x}D` for a token). */
export function isoDays(n: number): string {
  return `P${inString(n)}D`;
}

/**
 * Validates the shared key props against Azure and the profile, before any resource exists.
 */
export function resolveAzureKeySettings(scope: IConstruct, id: string, input: AzureKeyInput, kind: KeyKind): AzureKeySettings {
  const subject = `${scope.node.path}/${id}`;
  const profile = input.profile ?? ComplianceProfile.COMMERCIAL;
  checkModelAllowed(profile, kind.model, subject);
  checkFipsLevel(profile, kind.fipsLevel, `${kind.hsm ? 'HSM-protected' : 'software-protected'} key ${subject}`);
  checkAuditSink(profile, input.auditSink && {
    path: input.auditSink.node.path, immutable: input.auditSink.immutable, retentionDays: input.auditSink.retentionDays,
  }, subject);

  const keySpec = input.keySpec ?? KeySpec.RSA_3072;
  if (!Object.values(KeySpec).includes(keySpec)) {
    const pq = namesPostQuantum(keySpec) ? '; Azure Key Vault and Managed HSM have no post-quantum keys' : '';
    throw new ValidationError(`keySpec must be one of ${Object.values(KeySpec).join(', ')} (Azure accepts RSA 2048/3072/4096 and EC P-256, P-384, P-521, P-256K${pq}), got ${shown(keySpec)}`);
  }
  checkAzureKeyAlgorithm(profile, keySpec, subject);
  const isEc = keySpec.startsWith('EC_');
  const keyUsage = input.keyUsage ?? (isEc ? KeyUsage.SIGN_VERIFY : KeyUsage.ENCRYPT_DECRYPT);
  if (!Object.values(KeyUsage).includes(keyUsage)) {
    throw new ValidationError(`keyUsage must be one of ${Object.values(KeyUsage).join(', ')}, got ${shown(keyUsage)}`);
  }
  if (isEc && keyUsage === KeyUsage.ENCRYPT_DECRYPT) {
    throw new ValidationError(`keyUsage ENCRYPT_DECRYPT needs an RSA key; Azure EC keys only sign and verify, got keySpec ${keySpec}`);
  }

  const rotation = input.rotation ?? Period.days(profile.maxRotationDays);
  const notifyBeforeExpiry = () => {
    const n = wholeDays(scope, 'notifyBeforeExpiry', input.notifyBeforeExpiry ?? Period.days(30));
    requireRange('notifyBeforeExpiry', n, 7, 36500, 'days');
    return n;
  };
  let notifyBeforeDays: number;
  let rotationDays: number;
  let expireAfterDays: number;
  let rotationBound: PlanTimeBound | undefined;
  if (Token.isUnresolved(rotation.amount)) {
    notifyBeforeDays = notifyBeforeExpiry();
    ({ rotationDays, expireAfterDays, rotationBound } = boundRotation(scope, subject, profile, rotation, input.expireAfter, notifyBeforeDays));
  } else {
    rotationDays = wholeDays(scope, 'rotation', rotation);
    // Key Vault rotation policies rotate no sooner than 7 days after creation.
    checkRotationDays(profile, 'rotation', rotationDays, 7, 36500);
    notifyBeforeDays = notifyBeforeExpiry();
    const expire = input.expireAfter ?? Period.days(rotationDays + 30);
    expireAfterDays = wholeDays(scope, 'expireAfter', expire);
    requireRange('expireAfter', expireAfterDays, 28, 36500, 'days');
    if (expireAfterDays < rotationDays + 7) {
      throw new ValidationError(`expireAfter must be at least 7 days longer than rotation (${days(rotationDays)}) so a new version exists before the old one expires, got ${days(expireAfterDays)}`);
    }
    if (notifyBeforeDays >= expireAfterDays) {
      throw new ValidationError(`notifyBeforeExpiry must be shorter than expireAfter (${days(expireAfterDays)}), got ${days(notifyBeforeDays)}`);
    }
  }

  const size = isEc ? undefined : Number(keySpec.split('_')[1]);
  const keyOpts = keyUsage === KeyUsage.ENCRYPT_DECRYPT ? ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'] : ['sign', 'verify'];
  return {
    kind,
    profile,
    keySpec,
    keyUsage,
    keyType: `${isEc ? 'EC' : 'RSA'}${kind.hsm ? '-HSM' : ''}`,
    keySize: size,
    curve: isEc ? CURVES[keySpec] : undefined,
    keyOpts,
    rotationDays,
    expireAfterDays,
    notifyBeforeDays,
    rotationBound,
    rotationText: expressionText(scope, rotationDays),
    expireAfterText: expressionText(scope, expireAfterDays),
  };
}

/**
 * A rotation from a TerraformVariable: every check a literal rotation gets (Key Vault's 7 days, the profile's
 * maximum, expireAfter at least 7 days longer, the notice shorter than the expiry) folds into one range of the
 * variable, enforced by a validation on it at plan time. expireAfter must then be a literal or its default
 * (rotation + 30 days, as a Terraform expression), so the range stays a condition on that one variable.
 */
function boundRotation(
  scope: IConstruct, subject: string, profile: ComplianceProfile, rotation: Period, expireAfter: Period | undefined, notifyBeforeDays: number,
): { rotationDays: number; expireAfterDays: number; rotationBound: PlanTimeBound } {
  if (rotation.unit !== PeriodUnit.DAYS) {
    throw new ValidationError(`rotation must be Period.days(...) when its amount is a token (Key Vault takes whole days), got a token in ${rotation.unitLabel()}`);
  }
  let max = Math.min(36500, profile.maxRotationDays);
  let min = 7;
  const why = [`Key Vault and profile ${profile.name}`];
  let expireAfterDays: number;
  if (expireAfter !== undefined) {
    expireAfterDays = wholeDays(scope, 'expireAfter', expireAfter);
    requireRange('expireAfter', expireAfterDays, 28, 36500, 'days');
    if (notifyBeforeDays >= expireAfterDays) {
      throw new ValidationError(`notifyBeforeExpiry must be shorter than expireAfter (${days(expireAfterDays)}), got ${days(notifyBeforeDays)}`);
    }
    max = Math.min(max, expireAfterDays - 7);
    why.push(`at least 7 days shorter than expireAfter, ${days(expireAfterDays)}`);
  } else {
    expireAfterDays = Op.add(rotation.amount, 30) as unknown as number;
    max = Math.min(max, 36500 - 30);
    if (notifyBeforeDays - 29 > min) {
      min = notifyBeforeDays - 29;
      why.push(`an expiry (rotation + 30 days) longer than notifyBeforeExpiry, ${days(notifyBeforeDays)}`);
    }
  }
  const rotationBound = boundPlanTimeNumber(scope, subject, 'rotation', rotation.amount, min, max, 'days', why.join('; '));
  return { rotationDays: rotation.amount, expireAfterDays, rotationBound };
}

/** How the rotation evidence describes a token rotation's enforcement. */
export function describeRotationBound(s: AzureKeySettings): string {
  return s.rotationBound ? `, ${describePlanTimeBound(s.rotationBound)}` : '';
}

/** Whole days as Terraform `timeadd` hours, for a first version's expiry relative to creation. */
export function expiryExpression(expireAfterDays: number): string {
  return Token.isUnresolved(expireAfterDays) ? `${Token.asString(Op.mul(expireAfterDays, 24))}h` : `${expireAfterDays * 24}h`;
}

export function requireName(prop: string, name: string, pattern: RegExp, rule: string): void {
  // A number (NaN reads as "NaN") or any other non-string would otherwise pass the pattern as text.
  if (typeof name !== 'string') throw new ValidationError(`${prop} must be ${rule}, got ${shown(name)}`);
  if (!Token.isUnresolved(name)) requireMatch(prop, name, pattern, rule);
}
