import { Duration } from 'aws-cdk-lib';
import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { checkAuditSink, checkFipsLevel, checkModelAllowed, checkRotationDays } from '../../core/checks';
import { DeploymentModel } from '../../core/deployment-model';
import { FipsLevel } from '../../core/fips';
import { ComplianceProfile } from '../../core/profile';
import { days, requireMatch, requireRange, ValidationError } from '../../core/validation';
import type { IKeyAuditSink } from '../key-audit-sink';
import { KeySpec, KeyUsage } from '../key-spec';

/** The key props every Azure key construct shares. */
export interface AzureKeyInput {
  readonly profile?: ComplianceProfile;
  readonly auditSink?: IKeyAuditSink;
  readonly keySpec?: KeySpec;
  readonly keyUsage?: KeyUsage;
  readonly rotation?: Duration;
  readonly expireAfter?: Duration;
  readonly notifyBeforeExpiry?: Duration;
}

export interface AzureKeySettings {
  readonly profile: ComplianceProfile;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  /** `RSA`/`EC`, with `-HSM` for HSM-protected keys. */
  readonly keyType: string;
  readonly keySize?: number;
  readonly curve?: string;
  readonly keyOpts: string[];
  readonly rotationDays: number;
  readonly expireAfterDays: number;
  readonly notifyBeforeDays: number;
}

const CURVES: Record<string, string> = { EC_P256: 'P-256', EC_P384: 'P-384', EC_P521: 'P-521', EC_P256K: 'P-256K' };

function wholeDays(prop: string, d: Duration): number {
  const n = d.toDays({ integral: false });
  if (!Number.isInteger(n)) throw new ValidationError(`${prop} must be a whole number of days (an ISO 8601 PnD duration), got ${d.toHumanString()}`);
  return n;
}

/** ISO 8601 duration of whole days, as Key Vault rotation policies take them. */
export function isoDays(n: number): string {
  return `P${n}D`;
}

/**
 * Validates the shared key props against Azure and the profile, before any resource exists.
 */
export function resolveAzureKeySettings(
  scope: IConstruct, id: string, input: AzureKeyInput, model: DeploymentModel, hsm: boolean, fipsLevel: FipsLevel,
): AzureKeySettings {
  const subject = `${scope.node.path}/${id}`;
  const profile = input.profile ?? ComplianceProfile.COMMERCIAL;
  checkModelAllowed(profile, model, subject);
  checkFipsLevel(profile, fipsLevel, `${hsm ? 'HSM-protected' : 'software-protected'} key ${subject}`);
  checkAuditSink(profile, input.auditSink && {
    path: input.auditSink.node.path, immutable: input.auditSink.immutable, retentionDays: input.auditSink.retentionDays,
  }, subject);

  const keySpec = input.keySpec ?? KeySpec.RSA_3072;
  if (!Object.values(KeySpec).includes(keySpec)) {
    throw new ValidationError(`keySpec must be one of ${Object.values(KeySpec).join(', ')} (Azure accepts RSA 2048/3072/4096 and EC P-256, P-384, P-521, P-256K), got ${keySpec}`);
  }
  const isEc = keySpec.startsWith('EC_');
  const keyUsage = input.keyUsage ?? (isEc ? KeyUsage.SIGN_VERIFY : KeyUsage.ENCRYPT_DECRYPT);
  if (isEc && keyUsage === KeyUsage.ENCRYPT_DECRYPT) {
    throw new ValidationError(`keyUsage ENCRYPT_DECRYPT needs an RSA key; Azure EC keys only sign and verify, got keySpec ${keySpec}`);
  }

  const rotation = input.rotation ?? Duration.days(profile.maxRotationDays);
  const rotationDays = wholeDays('rotation', rotation);
  // Key Vault rotation policies rotate no sooner than 7 days after creation.
  checkRotationDays(profile, 'rotation', rotationDays, 7, 36500);
  const notify = input.notifyBeforeExpiry ?? Duration.days(30);
  const notifyBeforeDays = wholeDays('notifyBeforeExpiry', notify);
  requireRange('notifyBeforeExpiry', notifyBeforeDays, 7, 36500, 'days');
  const expire = input.expireAfter ?? Duration.days(rotationDays + 30);
  const expireAfterDays = wholeDays('expireAfter', expire);
  requireRange('expireAfter', expireAfterDays, 28, 36500, 'days');
  if (expireAfterDays < rotationDays + 7) {
    throw new ValidationError(`expireAfter must be at least 7 days longer than rotation (${days(rotationDays)}) so a new version exists before the old one expires, got ${days(expireAfterDays)}`);
  }
  if (notifyBeforeDays >= expireAfterDays) {
    throw new ValidationError(`notifyBeforeExpiry must be shorter than expireAfter (${days(expireAfterDays)}), got ${days(notifyBeforeDays)}`);
  }

  const size = isEc ? undefined : Number(keySpec.split('_')[1]);
  const keyOpts = keyUsage === KeyUsage.ENCRYPT_DECRYPT ? ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'] : ['sign', 'verify'];
  return {
    profile,
    keySpec,
    keyUsage,
    keyType: `${isEc ? 'EC' : 'RSA'}${hsm ? '-HSM' : ''}`,
    keySize: size,
    curve: isEc ? CURVES[keySpec] : undefined,
    keyOpts,
    rotationDays,
    expireAfterDays,
    notifyBeforeDays,
  };
}

/** Whole days as Terraform `timeadd` hours, for a first version's expiry relative to creation. */
export function expiryExpression(expireAfterDays: number): string {
  return `${expireAfterDays * 24}h`;
}

export function requireName(prop: string, name: string, pattern: RegExp, rule: string): void {
  if (!Token.isUnresolved(name)) requireMatch(prop, name, pattern, rule);
}
