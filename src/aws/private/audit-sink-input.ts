import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { requireCustodians } from './custodian-checks';
import { emailList, literalDuration, optionalBoolean, optionalProfile, requireProps, wholeNumber } from './input';
import { checkStackResidency } from './residency';
import { ComplianceProfile } from '../../core/profile';
import { days, requireRange, shown, ValidationError } from '../../core/validation';

/** A `KeyAuditSink`'s props, checked, with their defaults. */
export interface AuditSinkSettings {
  readonly profile: ComplianceProfile;
  readonly retentionDays: number;
  readonly immutable: boolean;
  readonly burstThreshold: number;
  readonly notificationEmails: string[];
}

/** The props the checks read (`KeyAuditSinkProps`, named by shape so this file does not import the construct's). */
interface AuditSinkInput {
  readonly custodians: unknown;
  readonly profile?: ComplianceProfile;
  readonly retention?: Duration;
  readonly immutable?: boolean;
  readonly notificationEmails?: string[];
  readonly grantRevocationBurstThreshold?: number;
}

export function resolveAuditSinkSettings(scope: Construct, props: AuditSinkInput): AuditSinkSettings {
  requireProps(props, 'KeyAuditSink');
  const profile = optionalProfile('profile', props.profile) ?? ComplianceProfile.COMMERCIAL;
  // The trail bucket, the log group and their key are all in the sink's stack (no replication is configured).
  checkStackResidency(scope, profile, `audit sink ${scope.node.path}`);
  // Object Lock and log-group retention are written as literals (the log group takes one of a fixed set of values).
  const retention = literalDuration('retention', props.retention) ?? Duration.days(profile.auditRetentionDays);
  const retentionDays = retention.toDays({ integral: false });
  requireRange('retention', retentionDays, 1, 36500, 'days');
  if (!Number.isInteger(retentionDays)) {
    throw new ValidationError(`retention must be a whole number of days, got ${retention.toHumanString()}`);
  }
  if (retentionDays < profile.auditRetentionDays) {
    throw new ValidationError(
      `retention must be at least ${days(profile.auditRetentionDays)} under profile ${profile.name}, got ${days(retentionDays)}`);
  }
  const immutable = optionalBoolean('immutable', props.immutable) ?? true;
  if (!immutable && profile.immutableAuditRequired) {
    throw new ValidationError(`immutable must be true under profile ${profile.name}, got false`);
  }
  const burstThreshold = wholeNumber('grantRevocationBurstThreshold', props.grantRevocationBurstThreshold ?? 10, 1, 10000, 'calls');
  // Auditors are granted on the sink's key, bucket and topic one by one: checked here, under the prop the user wrote.
  requireCustodians(scope, 'custodians', props.custodians, ['administrators', 'auditors', 'approvers']);
  const notificationEmails = emailList('notificationEmails', props.notificationEmails);
  return { profile, retentionDays, immutable, burstThreshold, notificationEmails };
}

/** The name is part of ARNs and conditions computed by the sink, so it cannot be a token. */
export function requireTrailName(trailName: string): void {
  if (typeof trailName !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/.test(trailName)) {
    throw new ValidationError(`trailName must be 3 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit, got ${shown(trailName)}`);
  }
}
