import { Token } from 'cdktf';
import { requireName } from './key-settings';
import { checkApprovers } from '../../core/checks';
import { ComplianceProfile } from '../../core/profile';
import { isTokenValue, requireDefined, requireMatch, shown, ValidationError } from '../../core/validation';
import { optionalConstruct, optionalPeriod, optionalProfile, requireString } from '../../terraform/input';
import { requireObjectId } from '../custodians';

/*
 * Checks of the props the Azure constructs take, made before any child construct exists, so that an error names the
 * prop the caller wrote (vaultName, not the inner KeyVault's name) and azurerm never sees a bad value.
 * Name rules: https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
 */

// Resource groups: 1-90 letters (Unicode), digits, underscores, parentheses, hyphens and periods, not ending in a period.
const RESOURCE_GROUP = /^[-\w.()\p{L}]{0,89}[-\w()\p{L}]$/u;
// Region names as azurerm takes them: `westeurope` or the display name `West Europe`.
const LOCATION = /^[a-zA-Z][a-zA-Z0-9 ]{0,62}[a-zA-Z0-9]$/;
/** Microsoft.KeyVault/vaults (and managedHSMs): 3-24 letters, digits and hyphens, a letter first, no "--", no hyphen last. */
const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const VAULT_NAME_RULE = '3 to 24 letters, digits and hyphens, starting with a letter and ending with a letter or digit';

export function requireResourceGroupName(prop: string, value: unknown): void {
  const name = requireString(prop, value);
  if (!Token.isUnresolved(name)) requireMatch(prop, name, RESOURCE_GROUP, '1 to 90 letters, digits, underscores, parentheses, hyphens and periods, not ending in a period');
}

export function requireLocation(prop: string, value: unknown): void {
  const location = requireString(prop, value);
  if (!Token.isUnresolved(location)) requireMatch(prop, location, LOCATION, 'an Azure region such as westeurope or "West Europe"');
}

/** A Key Vault or Managed HSM name, literal or token, checked under the prop the caller wrote. */
export function requireVaultName(prop: string, value: unknown): void {
  const name = requireString(prop, value);
  requireName(prop, name, VAULT_NAME, VAULT_NAME_RULE);
  if (!Token.isUnresolved(name) && name.includes('--')) throw new ValidationError(`${prop} must not contain consecutive hyphens, got ${shown(name)}`);
}

/** An optional object id prop (tenantId, deploymentPrincipalId): a GUID or a token. */
export function optionalObjectId(prop: string, value: unknown): void {
  if (value !== undefined) requireObjectId(prop, value);
}

/** What the key constructs share, checked under the names the caller wrote. */
export interface AzureKeyPropsInput {
  readonly resourceGroupName?: string;
  readonly location?: string;
  readonly vault?: unknown;
  readonly vaultName?: string;
  readonly keyName?: string;
  readonly acknowledgePurgeProtectionIsPermanent?: boolean;
  readonly profile?: unknown;
  readonly auditSink?: unknown;
  readonly managedHsm?: unknown;
  readonly network?: unknown;
  readonly rotation?: unknown;
  readonly expireAfter?: unknown;
  readonly notifyBeforeExpiry?: unknown;
}

/**
 * The shared key props. Resource group and location are required where the construct creates its vault (they go on
 * the vault); a vault given brings its own, and the props are then checked only when given.
 */
export function checkAzureKeyProps(props: AzureKeyPropsInput, createsVault: boolean): void {
  requireDefined('props', props);
  if (createsVault || props.resourceGroupName !== undefined) requireResourceGroupName('resourceGroupName', props.resourceGroupName);
  if (createsVault || props.location !== undefined) requireLocation('location', props.location);
  if (props.vaultName !== undefined) requireVaultName('vaultName', props.vaultName);
  if (props.keyName !== undefined) requireName('keyName', requireString('keyName', props.keyName), /^[a-zA-Z0-9-]{1,127}$/, '1 to 127 letters, digits and hyphens');
  optionalProfile('profile', props.profile);
  optionalConstruct('auditSink', props.auditSink, 'a KeyAuditSink');
  optionalConstruct('vault', props.vault, 'a KeyVault');
  optionalConstruct('managedHsm', props.managedHsm, 'a HyokExternalStore');
  for (const prop of ['rotation', 'expireAfter', 'notifyBeforeExpiry'] as const) optionalPeriod(prop, props[prop]);
  if (props.network !== undefined && props.network !== null && typeof (props.network as { _attach?: unknown })._attach !== 'function') {
    throw new ValidationError(`network must be VaultNetwork.privateEndpoint(...) or VaultNetwork.allowList(...), got ${shown(props.network)}`);
  }
}

/**
 * Dual control's two distinct approvers (object ids compare without case). A token approver cannot be told apart from
 * the other at synthesis, so a list short of two distinct literal ids is refused with the ids shown, the token as a
 * token, not only counted.
 */
export function checkAzureApprovers(profile: ComplianceProfile, approvers: string[], prop: string, path: string): void {
  const identities = approvers.map((a) => (Token.isUnresolved(a) ? a : a.toLowerCase()));
  if (new Set(identities).size < 2 && approvers.some(isTokenValue)) {
    throw new ValidationError(`${prop} must name at least 2 distinct approvers for dual control on ${path} (profile ${profile.name}), ` +
      `got ${new Set(identities).size}: ${approvers.map(shown).join(', ')}`);
  }
  checkApprovers(profile, identities, prop, path);
}
