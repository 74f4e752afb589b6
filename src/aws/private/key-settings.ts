import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import type { AuditSinkRef } from './audit-sink-ref';
import { boundDeployTimeDays, DeployTimeBound } from './deploy-time-bounds';
import { optionalAuditSink, optionalDuration, optionalList, optionalProfile, optionalRemovalPolicy } from './input';
import { checkKeyAlgorithmAllowed, checkKeySpecUsage } from './key-crypto';
import { checkStackResidency } from './residency';
import {
  checkAuditSink, checkDeletionWindowDays, checkFipsLevel, checkModelAllowed, checkRotationDays,
} from '../../core/checks';
import { DeploymentModel } from '../../core/deployment-model';
import { FipsLevel } from '../../core/fips';
import { ComplianceProfile } from '../../core/profile';
import { shown, ValidationError } from '../../core/validation';

/** AWS KMS HSMs are validated at FIPS 140-3 Level 3 (CMVP certificate #4884). */
export const AWS_KMS_FIPS_LEVEL = FipsLevel.LEVEL_3;

export const KMS_ROTATION_MIN_DAYS = 90;
export const KMS_ROTATION_MAX_DAYS = 2560;
export const KMS_WINDOW_MIN_DAYS = 7;
export const KMS_WINDOW_MAX_DAYS = 30;

/** The props every AWS key construct shares. */
export interface CommonKeyInput {
  readonly profile?: ComplianceProfile;
  readonly auditSink?: AuditSinkRef;
  readonly rotation?: Duration;
  readonly deletionWindow?: Duration;
  readonly aliases?: string[];
  readonly removalPolicy?: RemovalPolicy;
}

export interface KeySettings {
  readonly profile: ComplianceProfile;
  /**
   * The key spec, for the key's crypto record.
   * @default SYMMETRIC_DEFAULT (keys in custom key stores, which are symmetric only)
   */
  readonly keySpec?: kms.KeySpec;
  /**
   * The key usage, for the key's crypto record.
   * @default ENCRYPT_DECRYPT
   */
  readonly keyUsage?: kms.KeyUsage;
  /** Rotation period; undefined where KMS cannot rotate the key spec. */
  readonly rotation?: Duration;
  readonly deletionWindow: Duration;
  readonly aliases: string[];
  readonly removalPolicy: RemovalPolicy;
  /**
   * How a rotation period that is a deploy-time value (a Number CfnParameter) is bounded.
   * @default - the rotation period is a literal
   */
  readonly rotationBound?: DeployTimeBound;
  /**
   * How a deletion window that is a deploy-time value is bounded.
   * @default - the deletion window is a literal
   */
  readonly deletionWindowBound?: DeployTimeBound;
}

/** What kind of key the shared props are checked for. */
export interface KeyKind {
  readonly model: DeploymentModel;
  readonly keySpec: kms.KeySpec;
  readonly keyUsage: kms.KeyUsage;
  /** Whether KMS can rotate this key automatically (not for imported material or external key stores). */
  readonly automaticRotation: boolean;
  /** FIPS 140 level of the module that holds the key material. */
  readonly fipsLevel: FipsLevel;
  /** What holds the key material, for messages. */
  readonly holder: string;
}

/**
 * Validates the shared key props against KMS and the profile, before any resource exists.
 */
export function resolveKeySettings(scope: IConstruct, id: string, input: CommonKeyInput, kind: KeyKind): KeySettings {
  const subject = scope.node.path ? `${scope.node.path}/${id}` : id;
  const profile = optionalProfile('profile', input.profile) ?? ComplianceProfile.COMMERCIAL;
  optionalAuditSink('auditSink', input.auditSink);
  optionalRemovalPolicy('removalPolicy', input.removalPolicy);
  const { keySpec, keyUsage } = kind;
  checkModelAllowed(profile, kind.model, subject);
  checkFipsLevel(profile, kind.fipsLevel, `${kind.holder} ${subject}`);
  checkKeySpecUsage(keySpec, keyUsage);
  checkKeyAlgorithmAllowed(profile, keySpec, subject);
  checkStackResidency(scope, profile, `key ${subject}`);

  const rotatable = kind.automaticRotation && keySpec === kms.KeySpec.SYMMETRIC_DEFAULT && keyUsage === kms.KeyUsage.ENCRYPT_DECRYPT;
  let rotation: Duration | undefined;
  let rotationBound: DeployTimeBound | undefined;
  let deletionWindowBound: DeployTimeBound | undefined;
  if (rotatable) {
    rotation = optionalDuration('rotation', input.rotation) ?? Duration.days(Math.min(profile.maxRotationDays, KMS_ROTATION_MAX_DAYS));
    if (rotation.isUnresolved()) {
      rotationBound = boundDeployTimeDays(subject, 'rotation', rotation, KMS_ROTATION_MIN_DAYS,
        Math.min(profile.maxRotationDays, KMS_ROTATION_MAX_DAYS), `profile ${profile.name} and KMS`);
    } else {
      checkRotationDays(profile, 'rotation', rotation.toDays({ integral: false }), KMS_ROTATION_MIN_DAYS, KMS_ROTATION_MAX_DAYS);
      if (!Number.isInteger(rotation.toDays({ integral: false }))) {
        throw new ValidationError(`rotation must be a whole number of days, got ${rotation.toHumanString()}`);
      }
    }
  } else if (input.rotation) {
    throw new ValidationError(kind.automaticRotation
      ? `rotation is only supported for symmetric encryption keys, got keySpec ${keySpec} with keyUsage ${keyUsage}`
      : `rotation is not supported for ${kind.holder} ${subject}: KMS cannot rotate it automatically`);
  }

  const deletionWindow = optionalDuration('deletionWindow', input.deletionWindow) ?? Duration.days(KMS_WINDOW_MAX_DAYS);
  if (deletionWindow.isUnresolved()) {
    deletionWindowBound = boundDeployTimeDays(subject, 'deletionWindow', deletionWindow,
      Math.max(profile.minDeletionWindowDays, KMS_WINDOW_MIN_DAYS), KMS_WINDOW_MAX_DAYS, `profile ${profile.name} and KMS`);
  } else {
    const d = deletionWindow.toDays({ integral: false });
    checkDeletionWindowDays(profile, 'deletionWindow', d, KMS_WINDOW_MIN_DAYS, KMS_WINDOW_MAX_DAYS);
    if (!Number.isInteger(d)) {
      throw new ValidationError(`deletionWindow must be a whole number of days, got ${deletionWindow.toHumanString()}`);
    }
  }

  checkAuditSink(profile, input.auditSink && {
    path: input.auditSink.node.path,
    immutable: input.auditSink.immutable,
    retentionDays: input.auditSink.retentionDays,
  }, subject);
  return {
    profile,
    keySpec,
    keyUsage,
    rotation,
    deletionWindow,
    aliases: normalizeAliases('aliases', input.aliases),
    removalPolicy: input.removalPolicy ?? RemovalPolicy.RETAIN,
    rotationBound,
    deletionWindowBound,
  };
}

/**
 * Adds the `alias/` prefix when missing and rejects names KMS reserves or refuses: 1 to 256 characters of letters,
 * digits, '/', '_', '-' (and ':', which the API's AliasName pattern also allows), not under `alias/aws/`.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html#KMS-CreateAlias-request-AliasName
 */
export function normalizeAlias(name: string, prop = 'alias'): string {
  if (typeof name !== 'string') throw new ValidationError(`${prop} must be alias names (strings), got ${shown(name)}`);
  if (Token.isUnresolved(name)) return name;
  const alias = name.startsWith('alias/') ? name : `alias/${name}`;
  if (alias.startsWith('alias/aws/')) {
    throw new ValidationError(`${prop} must not start with the reserved prefix alias/aws/, got ${shown(name)}`);
  }
  if (!/^alias\/[a-zA-Z0-9:/_-]+$/.test(alias) || alias.length > 256) {
    throw new ValidationError(
      `${prop} must be at most 256 characters of letters, digits, '/', '_', '-' and ':' after alias/, got ${shown(name)}`);
  }
  return alias;
}

/**
 * The aliases of one key, normalized, each once: `orders` and `alias/orders` are the same alias and would be two
 * AWS::KMS::Alias resources with one name (CloudFormation and KMS refuse the second). Alias names are compared exactly:
 * KMS keeps them as given and the docs state no case folding.
 */
export function normalizeAliases(prop: string, names: readonly string[] | undefined): string[] {
  const aliases = optionalList(prop, names).map((n) => normalizeAlias(n, prop));
  const seen = new Map<string, string>();
  aliases.forEach((alias, i) => {
    if (Token.isUnresolved(alias)) return;
    const first = seen.get(alias);
    if (first !== undefined) {
      throw new ValidationError(first === names![i]
        ? `${prop} lists ${shown(first)} twice`
        : `${prop} lists ${shown(first)} and ${shown(names![i])}, which are the same alias ${alias}`);
    }
    seen.set(alias, names![i]);
  });
  return aliases;
}

/**
 * The lifecycle props for `kms.Key`. kms.Key range-checks rotation and pending window itself and cannot
 * read tokens, so unresolved values are left out here and written by `applyUnresolvedSettings`.
 */
export function lifecycleProps(settings: KeySettings) {
  const resolved = (d?: Duration) => (d && !d.isUnresolved() ? d : undefined);
  return {
    enableKeyRotation: settings.rotation !== undefined,
    rotationPeriod: resolved(settings.rotation),
    pendingWindow: resolved(settings.deletionWindow),
    removalPolicy: settings.removalPolicy,
  };
}

export function applyUnresolvedSettings(key: kms.Key, settings: KeySettings): void {
  const cfn = key.node.defaultChild as kms.CfnKey;
  if (settings.rotation?.isUnresolved()) cfn.rotationPeriodInDays = settings.rotation.toDays();
  if (settings.deletionWindow.isUnresolved()) cfn.pendingWindowInDays = settings.deletionWindow.toDays();
}
