import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { optionalObjectId, requireLocation, requireResourceGroupName, requireVaultName } from './input';
import { AZURE_GLOBAL_NAMES, azureGlobalName } from './naming';
import { checkAzureLocation, checkSinkResidency } from './residency';
import { checkAuditSink, checkDeletionWindowDays, checkModelAllowed } from '../../core/checks';
import { CustodianRole } from '../../core/custodians';
import { DeploymentModel } from '../../core/deployment-model';
import { Period } from '../../core/period';
import { ComplianceProfile } from '../../core/profile';
import { isTokenValue, requireDefined, requireRange, shown, ValidationError } from '../../core/validation';
import { optionalConstruct, optionalList, optionalPeriod, optionalProfile, requireString } from '../../terraform/input';
import { literalDays } from '../../terraform/period';
import { azureAssignments } from '../custodians';
import type { HyokExternalStoreProps } from '../hyok-external-store-props';

/*
 * Checks of a HyokExternalStore's props (the Managed HSM store), made before any child construct exists.
 */

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
  if (props.replicaRegions !== undefined && props.replicaRegions !== null) {
    throw new ValidationError(`replicaRegions cannot be set for ${scope.node.path}: Managed HSM multi-region replication is not available ` +
      `through the azurerm provider this library uses (no such argument on azurerm_key_vault_managed_hardware_security_module), got ${shown(props.replicaRegions)}`);
  }
  const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
  // A Managed HSM pool stays in its region; its multi-region replication is not available through azurerm (residency.ts).
  if (profile.restrictsRegions) checkAzureLocation(profile, 'location', props.location, scope.node.path);
  checkSinkResidency(profile, props.auditSink, scope.node.path);
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
