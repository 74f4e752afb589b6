import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { requireName } from './key-settings';
import { AZURE_GLOBAL_NAMES, azureGlobalName } from './naming';
import { checkApprovers, checkAuditSink, checkDeletionWindowDays, checkModelAllowed } from '../../core/checks';
import { CustodianRole } from '../../core/custodians';
import { DeploymentModel } from '../../core/deployment-model';
import { Period } from '../../core/period';
import { ComplianceProfile } from '../../core/profile';
import { isTokenValue, requireDefined, requireMatch, requireRange, shown, ValidationError } from '../../core/validation';
import { optionalConstruct, optionalList, optionalPeriod, optionalProfile, requireString } from '../../terraform/input';
import { literalDays } from '../../terraform/period';
import { azureAssignments, requireObjectId } from '../custodians';
import type { HyokExternalStore, HyokExternalStoreProps } from '../hyok-external-store';
import { KeyLocation, KeyLocationKind } from '../key-location';
import type { KeyVault } from '../key-vault';

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

/** The location props of a key construct: `keyLocation`, or the deprecated `vault` / `managedHsm`. */
export interface KeyLocationInput {
  readonly keyLocation?: KeyLocation;
  readonly vault?: KeyVault;
  readonly managedHsm?: HyokExternalStore;
}

/**
 * The key's location from its props. `keyLocation` with a deprecated `vault` or `managedHsm` is refused by
 * name; the deprecated props alone keep their old meaning and messages.
 */
export function resolveKeyLocation(subject: string, props: KeyLocationInput): KeyLocation {
  const loc = props.keyLocation;
  if (loc === undefined || loc === null) {
    if (props.vault && props.managedHsm) throw new ValidationError(`give either vault or managedHsm for ${subject}, not both`);
    if (props.managedHsm) return KeyLocation.managedHsm(props.managedHsm);
    return props.vault ? KeyLocation.vault(props.vault) : KeyLocation.newVault();
  }
  if (!(loc instanceof KeyLocation)) {
    throw new ValidationError(`keyLocation must be KeyLocation.newVault(), KeyLocation.vault(...) or KeyLocation.managedHsm(...), got ${shown(loc)}`);
  }
  for (const prop of ['vault', 'managedHsm'] as const) {
    if (props[prop] !== undefined && props[prop] !== null) {
      throw new ValidationError(`keyLocation and ${prop} both given for ${subject}: give keyLocation only (${prop} is deprecated; ` +
        `use keyLocation: KeyLocation.${prop}(...))`);
    }
  }
  return loc;
}

/** Whether the construct creates a vault of its own (read before the props are checked, so any shape passes). */
export function locationCreatesVault(props: KeyLocationInput | undefined): boolean {
  if (props?.vault || props?.managedHsm) return false;
  const kind = (props?.keyLocation as { kind?: unknown } | undefined)?.kind;
  return kind === undefined || kind === KeyLocationKind.NEW_VAULT;
}

/**
 * A HyokExternalStore's props, first part (before its audit sink is resolved): shapes, the model and the audit sink
 * against the profile. Returns the profile.
 */
export function checkHyokStoreProps(scope: IConstruct, props: HyokExternalStoreProps): ComplianceProfile {
  requireDefined('props', props);
  if (props.acknowledgeHourlyBilling !== true) {
    throw new ValidationError(`acknowledgeHourlyBilling must be true: a Managed HSM bills by the hour from creation (over US$2,000 a month) until purged, got ${shown(props.acknowledgeHourlyBilling)}`);
  }
  requireResourceGroupName('resourceGroupName', props.resourceGroupName);
  requireLocation('location', props.location);
  optionalObjectId('deploymentPrincipalId', props.deploymentPrincipalId);
  optionalProfile('profile', props.profile);
  optionalConstruct('auditSink', props.auditSink, 'a KeyAuditSink');
  optionalPeriod('softDeleteRetention', props.softDeleteRetention);
  if (props.network !== undefined && props.network !== null && typeof (props.network as { _attach?: unknown })._attach !== 'function') {
    throw new ValidationError(`network must be VaultNetwork.privateEndpoint(...), got ${shown(props.network)}`);
  }
  const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
  checkModelAllowed(profile, DeploymentModel.HYOK, scope.node.path);
  checkAuditSink(profile, props.auditSink && {
    path: props.auditSink.node.path, immutable: props.auditSink.immutable, retentionDays: props.auditSink.retentionDays,
  }, scope.node.path);
  return profile;
}

/** A HyokExternalStore's security domain, administrators, retention, network, activation and name. */
export function checkHyokStoreCustody(scope: IConstruct, props: HyokExternalStoreProps, profile: ComplianceProfile):
{ certs: string[]; retentionDays: number; name: string } {
  // A token list has no length at synthesis: the quorum is checked against the number of certificates.
  // (cdktf encodes a list token as a one-element list `#{TfToken[...]}`; a token element of a literal list is fine.)
  if (Array.isArray(props.securityDomainCertificateIds)
    && props.securityDomainCertificateIds.some((c) => typeof c === 'string' && c.startsWith('#{TfToken['))) {
    throw new ValidationError(`securityDomainCertificateIds must be a literal list of 3 to 10 certificate ids (the quorum is checked against it), got ${shown(props.securityDomainCertificateIds)}`);
  }
  const certs = optionalList('securityDomainCertificateIds', props.securityDomainCertificateIds);
  if (certs.length < 3 || certs.length > 10) {
    throw new ValidationError(`securityDomainCertificateIds must name 3 to 10 certificates, got ${certs.length}${certs.some(isTokenValue) ? ` (${certs.map(shown).join(', ')})` : ''}`);
  }
  for (const cert of certs) requireString('securityDomainCertificateIds', cert);
  // A certificate listed twice would count one holder twice towards the quorum (split knowledge between fewer people).
  const seenCerts = new Set<string>();
  for (const cert of certs) {
    if (!Token.isUnresolved(cert) && seenCerts.has(cert.toLowerCase())) throw new ValidationError(`securityDomainCertificateIds lists ${shown(cert)} twice`);
    seenCerts.add(cert.toLowerCase());
  }
  // A token quorum is refused: it is checked against the number of certificates and recorded in the evidence.
  requireRange('securityDomainQuorum', props.securityDomainQuorum, 2, certs.length, 'certificate holders');
  if (!Number.isInteger(props.securityDomainQuorum)) {
    throw new ValidationError(`securityDomainQuorum must be a whole number of certificate holders, got ${shown(props.securityDomainQuorum)}`);
  }
  if (optionalList('hsmAdministrators', props.hsmAdministrators).length === 0) {
    throw new ValidationError(`hsmAdministrators must name at least one object id for ${scope.node.path}, got none`);
  }
  azureAssignments(CustodianRole.ADMINISTRATOR, 'hsmAdministrators', props.hsmAdministrators);
  const retention = props.softDeleteRetention ?? Period.days(90);
  const retentionDays = literalDays(scope, 'softDeleteRetention', retention);
  checkDeletionWindowDays(profile, 'softDeleteRetention', retentionDays, 7, 90);
  if (!Number.isInteger(retentionDays)) {
    throw new ValidationError(`softDeleteRetention must be a whole number of days (soft_delete_retention_days), got ${retention.toHumanString()}`);
  }
  if (!props.network) {
    throw new ValidationError(`network is required for Managed HSM ${scope.node.path}: VaultNetwork.privateEndpoint({ subnetId, privateDnsZoneId }), ` +
      'with Terraform running inside the virtual network; without it keys, roles and the security domain are out of Terraform\'s reach, got none');
  }
  if (typeof props.activate !== 'boolean') {
    throw new ValidationError(`activate must be false for the first deployment of ${scope.node.path} (the HSM and its private endpoint) and ` +
      `true from the second on (security domain, roles, keys), got ${shown(props.activate)}`);
  }
  const name = props.name ?? azureGlobalName(scope, AZURE_GLOBAL_NAMES.managedHsm);
  // Managed HSM names follow the vault rule (3-24, a letter first, a letter or digit last, no "--").
  requireVaultName('name', name);
  return { certs, retentionDays, name };
}
