import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import {
  checkAuditSink, checkDeletionWindowDays, checkFipsLevel, checkModelAllowed, checkRotationDays,
} from '../../core/checks';
import { DeploymentModel } from '../../core/deployment-model';
import { FipsLevel } from '../../core/fips';
import { ComplianceProfile } from '../../core/profile';
import { ValidationError } from '../../core/validation';
import type { IKeyAuditSink } from '../key-audit-sink';
import { boundDeployTimeDays, DeployTimeBound } from './deploy-time-bounds';

/** AWS KMS HSMs are validated at FIPS 140-3 Level 3 (CMVP certificate #4884). */
export const AWS_KMS_FIPS_LEVEL = FipsLevel.LEVEL_3;

export const KMS_ROTATION_MIN_DAYS = 90;
export const KMS_ROTATION_MAX_DAYS = 2560;
export const KMS_WINDOW_MIN_DAYS = 7;
export const KMS_WINDOW_MAX_DAYS = 30;

/** The props every AWS key construct shares. */
export interface CommonKeyInput {
  readonly profile?: ComplianceProfile;
  readonly auditSink?: IKeyAuditSink;
  readonly rotation?: Duration;
  readonly deletionWindow?: Duration;
  readonly aliases?: string[];
  readonly removalPolicy?: RemovalPolicy;
}

export interface KeySettings {
  readonly profile: ComplianceProfile;
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
  const profile = input.profile ?? ComplianceProfile.COMMERCIAL;
  const { keySpec, keyUsage } = kind;
  checkModelAllowed(profile, kind.model, subject);
  checkFipsLevel(profile, kind.fipsLevel, `${kind.holder} ${subject}`);

  const rotatable = kind.automaticRotation && keySpec === kms.KeySpec.SYMMETRIC_DEFAULT && keyUsage === kms.KeyUsage.ENCRYPT_DECRYPT;
  let rotation: Duration | undefined;
  let rotationBound: DeployTimeBound | undefined;
  let deletionWindowBound: DeployTimeBound | undefined;
  if (rotatable) {
    rotation = input.rotation ?? Duration.days(Math.min(profile.maxRotationDays, KMS_ROTATION_MAX_DAYS));
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

  const deletionWindow = input.deletionWindow ?? Duration.days(KMS_WINDOW_MAX_DAYS);
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
    rotation,
    deletionWindow,
    aliases: (input.aliases ?? []).map(normalizeAlias),
    removalPolicy: input.removalPolicy ?? RemovalPolicy.RETAIN,
    rotationBound,
    deletionWindowBound,
  };
}

/** Adds the `alias/` prefix when missing and rejects names KMS reserves or refuses. */
export function normalizeAlias(name: string): string {
  if (Token.isUnresolved(name)) return name;
  const alias = name.startsWith('alias/') ? name : `alias/${name}`;
  if (alias.startsWith('alias/aws/')) {
    throw new ValidationError(`alias must not start with the reserved prefix alias/aws/, got ${name}`);
  }
  if (!/^alias\/[a-zA-Z0-9:/_-]+$/.test(alias) || alias.length > 256) {
    throw new ValidationError(
      `alias must be at most 256 characters of letters, digits, '/', '_', '-' and ':' after alias/, got ${name}`);
  }
  return alias;
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
