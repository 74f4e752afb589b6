import { KEY_VAULT_MAX_SOFT_DELETE_DAYS } from '../../compliance/rules/azure/policy/definitions';
import { Enforcement } from '../../core/guardrails';
import { isTokenValue, shown, ValidationError } from '../../core/validation';
import { OrganizationGuardrailsProps } from '../organization-guardrails-props';

const MANAGEMENT_GROUP_ID = /^\/providers\/Microsoft\.Management\/managementGroups\/[A-Za-z0-9_.()-]{1,90}$/i;
const WORKSPACE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i;

/** Checks an OrganizationGuardrails' props; returns whether it denies (preventive) or only audits (detective). */
export function checkOrganizationGuardrailsProps(props: OrganizationGuardrailsProps): boolean {
  if (props.profile === undefined) throw new ValidationError('profile is required for the organization guardrails, got undefined');
  if (!isTokenValue(props.managementGroupId) && !MANAGEMENT_GROUP_ID.test(String(props.managementGroupId))) {
    throw new ValidationError('managementGroupId must be a management group resource id (/providers/Microsoft.Management/managementGroups/<name>), ' +
      `got ${shown(props.managementGroupId)}`);
  }
  if (!isTokenValue(props.workspaceId) && !WORKSPACE_ID.test(String(props.workspaceId))) {
    throw new ValidationError('workspaceId must be a Log Analytics workspace resource id ' +
      `(/subscriptions/<id>/resourceGroups/<name>/providers/Microsoft.OperationalInsights/workspaces/<name>), got ${shown(props.workspaceId)}`);
  }
  if (typeof props.location !== 'string' || props.location.trim() === '') {
    throw new ValidationError(`location must name the Azure region of the assignment's managed identity, got ${shown(props.location)}`);
  }
  const enforcement = props.enforcement ?? Enforcement.PREVENTIVE;
  if (enforcement !== Enforcement.PREVENTIVE && enforcement !== Enforcement.DETECTIVE) {
    throw new ValidationError(`enforcement must be Enforcement.PREVENTIVE or Enforcement.DETECTIVE for Azure Policy, got ${shown(enforcement)}`);
  }
  // https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview ("between 7 and 90 days")
  if (props.profile.minDeletionWindowDays > KEY_VAULT_MAX_SOFT_DELETE_DAYS) {
    throw new ValidationError(`profile.minDeletionWindowDays must be at most Key Vault's longest soft-delete retention of ${KEY_VAULT_MAX_SOFT_DELETE_DAYS} days ` +
      `(no vault could keep a longer window, so every vault would be refused), got ${props.profile.minDeletionWindowDays} from profile ${props.profile.name}`);
  }
  return enforcement === Enforcement.PREVENTIVE;
}
