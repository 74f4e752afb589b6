import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { CustodianRole } from '../../core/custodians';
import { Period } from '../../core/period';
import { ComplianceProfile } from '../../core/profile';
import { days, requireDefined, requireRange, shown, ValidationError } from '../../core/validation';
import { checkAuditImmutability } from '../../terraform/audit-sink';
import { optionalBoolean, optionalList, optionalPeriod, optionalProfile } from '../../terraform/input';
import { literalDays } from '../../terraform/period';
import { azureAssignments } from '../custodians';
import type { KeyAuditSinkProps } from '../key-audit-sink-props';
import { requireLocation, requireResourceGroupName } from './input';
import { checkAzureLocation } from './residency';

/** Log Analytics keeps data interactively for at most this many days. */
export const WORKSPACE_MAX_RETENTION_DAYS = 730;

/** The props of a `KeyAuditSink` after their checks, with the defaults filled in. */
export interface AuditSinkSettings {
  readonly profile: ComplianceProfile;
  readonly retentionDays: number;
  readonly immutable: boolean;
  readonly emails: string[];
  readonly escalationEmails: string[];
  readonly failedAuthorizationBurstThreshold: number;
}

/** Checks the props of a `KeyAuditSink` before anything exists, and fills in the defaults. */
export function checkKeyAuditSinkProps(scope: IConstruct, props: KeyAuditSinkProps): AuditSinkSettings {
  requireDefined('props', props);
  requireResourceGroupName('resourceGroupName', props.resourceGroupName);
  requireLocation('location', props.location);
  optionalBoolean('immutable', props.immutable);
  optionalProfile('profile', props.profile);
  optionalPeriod('retention', props.retention);
  // Checked as a whole list before anything exists: an id twice is refused by name.
  azureAssignments(CustodianRole.AUDITOR, 'auditors', optionalList('auditors', props.auditors));
  const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
  // The workspace and the storage account live in `location`; the account's replication follows the profile (residency.ts).
  if (profile.restrictsRegions) checkAzureLocation(profile, 'location', props.location, scope.node.path);
  const retention = props.retention ?? Period.days(profile.auditRetentionDays);
  const retentionDays = literalDays(scope, 'retention', retention);
  requireRange('retention', retentionDays, 1, 36500, 'days');
  if (!Number.isInteger(retentionDays)) throw new ValidationError(`retention must be a whole number of days, got ${retention.toHumanString()}`);
  if (retentionDays < profile.auditRetentionDays) {
    throw new ValidationError(`retention must be at least ${days(profile.auditRetentionDays)} under profile ${profile.name}, got ${days(retentionDays)}`);
  }
  const immutable = props.immutable ?? true;
  checkAuditImmutability(profile, immutable, props.acknowledgeLockedRetention, retentionDays,
    'a locked immutability policy keeps the audit logs (and their storage account)');
  if (!immutable && retentionDays > WORKSPACE_MAX_RETENTION_DAYS) {
    throw new ValidationError(`retention must be at most ${WORKSPACE_MAX_RETENTION_DAYS} days without the immutable storage copy, got ${days(retentionDays)}`);
  }
  const { emails, escalationEmails } = checkReceivers(profile, props);
  const burst = props.failedAuthorizationBurstThreshold ?? 10;
  if (!Number.isInteger(burst) || burst < 1 || burst > 100000) {
    throw new ValidationError(`failedAuthorizationBurstThreshold must be a whole number between 1 and 100000, got ${shown(burst)}`);
  }
  return { profile, retentionDays, immutable, emails, escalationEmails, failedAuthorizationBurstThreshold: burst };
}

/** The alert receivers: e-mail addresses, an https webhook, and at least one of them where the profile requires a sink. */
function checkReceivers(profile: ComplianceProfile, props: KeyAuditSinkProps): { emails: string[]; escalationEmails: string[] } {
  const emails = optionalList('notificationEmails', props.notificationEmails);
  const escalationEmails = optionalList('escalationEmails', props.escalationEmails);
  for (const [prop, list] of [['notificationEmails', emails], ['escalationEmails', escalationEmails]] as const) {
    for (const email of list) {
      if (typeof email !== 'string' || (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))) {
        throw new ValidationError(`${prop} must hold e-mail addresses, got ${shown(email)}`);
      }
    }
  }
  if (props.alertWebhookUrl !== undefined && (typeof props.alertWebhookUrl !== 'string' ||
    (!Token.isUnresolved(props.alertWebhookUrl) && !/^https:\/\/[^\s/]+\S*$/.test(props.alertWebhookUrl)))) {
    throw new ValidationError(`alertWebhookUrl must be an https:// URL, got ${shown(props.alertWebhookUrl)}`);
  }
  if (profile.auditSinkRequired && emails.length === 0 && props.alertWebhookUrl === undefined) {
    throw new ValidationError(
      `notificationEmails must name at least one address (or alertWebhookUrl be set) under profile ${profile.name}: ` +
      'alerts on key destruction and on audit-record changes must reach someone, got none');
  }
  return { emails, escalationEmails };
}

/** A reason the compliance report shows (an audit opt-out). */
export function requireReason(prop: string, reason: string): string {
  if (typeof reason !== 'string' || reason.trim().length < 10) {
    throw new ValidationError(`${prop} must give a reason of at least 10 characters that the compliance report shows, got ${typeof reason === 'string' ? `'${reason}'` : shown(reason)}`);
  }
  return reason.trim();
}
