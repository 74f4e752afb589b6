import { TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import type { VaultRef } from './container-refs';
import { Control } from '../../core/controls';
import { CustodianAssignment, CustodianRole } from '../../core/custodians';
import { KeyCustody } from '../../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../../core/evidence';
import { FipsLevel } from '../../core/fips';
import { ACCESS_CONTROLS, DELETION_CONTROLS, DUAL_CONTROL_CONTROLS, evidencedFact, IMPORTER_CONTROLS, recordKeyEvidence, recordResidency } from '../../core/key-evidence';
import { ComplianceProfile } from '../../core/profile';
import { expressionText } from '../../terraform/period';
import type { IKeyAuditSink } from '../key-audit-sink-props';
import { azureKeyCrypto } from './key-crypto';
import { AzureKeySettings, describeRotationBound, isoDays } from './key-settings';
import { checkKeyResidency, checkSinkResidency } from './residency';

export interface AzureKeyEvidence {
  readonly key: IConstruct;
  /** The Terraform resource holding the key settings. */
  readonly resource: IConstruct;
  readonly constructName: string;
  /** The resolved settings; their kind gives the model and the FIPS level. */
  readonly settings: AzureKeySettings;
  readonly holder: string;
  readonly auditSink?: IKeyAuditSink;
  readonly parent?: string;
  /** How duties are separated, or undefined when they are not. */
  readonly separation?: string;
  /** How dual control is enforced, or undefined. */
  readonly dualControl?: string;
  /** Replaces the rotation evidence when the key rotates by re-import. */
  readonly manualRotation?: { readonly setting: string; readonly value: string; readonly description: string };
}

/** Registers an Azure key in the evidence ledger with the settings that bear on each control. */
export function recordAzureKeyEvidence(e: AzureKeyEvidence): void {
  const s = e.settings;
  const ledger = EvidenceLedger.of(e.key);
  // Every Azure key records here, so the key's profile is held against its container's regions once, for all of them.
  const regions = ledger.containers.find((c) => c.path === e.parent)?.regions;
  checkKeyResidency(s.profile, e.parent, regions, e.key.node.path);
  // The records go to the container's sink, which the container checked against its own profile only: a key in a shared
  // vault or Managed HSM may restrict more. Its regions include a GRS account's paired region.
  checkSinkResidency(s.profile, e.auditSink, `${e.key.node.path} (the audit sink of ${e.parent ?? 'its container'})`, 'keyLocation');
  recordKeyEvidence({
    ledger,
    regions,
    regionSetting: e.parent ? `location of ${e.parent}` : undefined,
    subject: e.key.node.path,
    resource: e.resource.node.path,
    stack: TerraformStack.of(e.key).node.path,
    cloud: 'azure',
    constructName: e.constructName,
    model: s.kind.model,
    profile: s.profile,
    fipsLevel: s.kind.fipsLevel,
    // Re-imported (BYOK) keys have no automatic rotation; a plan-time (token) rotation has no one number to record.
    crypto: azureKeyCrypto({ ...s, rotationDays: e.manualRotation || s.rotationBound ? undefined : s.rotationDays }),
    auditSink: e.auditSink?.node.path,
    parent: e.parent,
    rotation: e.manualRotation ?? {
      setting: 'rotation_policy.automatic.time_after_creation, expire_after',
      value: `${expressionText(e.key, isoDays(s.rotationDays))}, ${expressionText(e.key, isoDays(s.expireAfterDays))}`,
      description: `automatic rotation every ${s.rotationText} days${describeRotationBound(s)}; every version expires after ${s.expireAfterText} days (notice ${s.notifyBeforeDays} days before)`,
      // A token rotation is held to the variable's validated maximum, which never exceeds the profile's.
      satisfied: (s.rotationBound ? s.rotationBound.max : s.rotationDays) <= s.profile.maxRotationDays,
    },
    custody: { setting: 'key_type', value: s.keyType, description: `${e.holder} (FIPS 140 ${s.kind.fipsLevel.replace('LEVEL_', 'Level ')})` },
    separation: evidencedFact('role assignments', e.separation, 'separation of duties', {
      value: 'Azure RBAC, not separated',
      description: 'separation of duties not enforced: whoever holds Key Vault roles on the vault decides access',
    }),
    dualControl: evidencedFact('role_management_policy', e.dualControl, 'approval + MFA', {
      value: 'none', description: 'no dual control on key administration',
    }),
    audit: {
      setting: 'diagnostic setting',
      value: e.auditSink?.node.path ?? 'none',
      description: e.auditSink ? `audit logs go to ${e.auditSink.node.path}` : 'no audit sink attached',
      satisfied: e.auditSink !== undefined,
    },
  });
}

/**
 * Records the container-wide custodians who reach a key in it (the deployment principal, backup operators) as custodians
 * of the key too, so that the report's custodian list and access matrix name them.
 */
export function recordContainerCustodians(keyPath: string, containerCustodians: readonly CustodianAssignment[], ledger: EvidenceLedger): void {
  for (const a of containerCustodians) {
    if (a.role === CustodianRole.DEPLOYER || a.role === CustodianRole.BACKUP_OPERATOR) ledger.addCustodian(keyPath, a);
  }
}

/** `recordContainerCustodians` for a key in a Key Vault. */
export function recordVaultCustodians(keyPath: string, vault: VaultRef, ledger: EvidenceLedger): void {
  recordContainerCustodians(keyPath, vault._vaultCustodians, ledger);
}

/*
 * A Managed HSM's own evidence. Its control lists are parts of core's, on purpose: the store's purge protection bounds
 * the deletion of every key in it, but the key states (NIST 800-57) are each key's; its network is the least-privilege
 * part of access, not separation of duties; its security domain quorum is dual control and split knowledge of a
 * key component.
 */
const STORE_DELETION_CONTROLS = DELETION_CONTROLS.filter((c) => c !== Control.NIST_800_57_KEY_STATES);
/** The network part of access: who can reach a key container at all (also what KeyVault records). */
export const NETWORK_CONTROLS = ACCESS_CONTROLS.filter((c) => c === Control.NIST_AC_6 || c === Control.PCI_3_6_1);
const SPLIT_KNOWLEDGE_CONTROLS = [...DUAL_CONTROL_CONTROLS, Control.PCI_3_6_1_2];

/** Which network path reaches a Managed HSM: recorded when the network is attached, and again when the bypass changes. */
export function recordManagedHsmNetwork(store: IConstruct, hsm: IConstruct, value: string, description: string, status: EvidenceStatus): void {
  for (const control of NETWORK_CONTROLS) {
    EvidenceLedger.of(store).record({
      control,
      status,
      subject: store.node.path,
      resource: hsm.node.path,
      setting: 'public_network_access_enabled, network_acls, private endpoint',
      value,
      description: `local RBAC only; ${description}`,
    });
  }
}

export interface ManagedHsmEvidence {
  readonly store: IConstruct;
  readonly hsm: IConstruct;
  readonly fipsLevel: FipsLevel;
  readonly activated: boolean;
  /** Everyone with a role on every key of the store. */
  readonly custodians: readonly CustodianAssignment[];
  readonly certificates: number;
  readonly quorum: number;
  readonly retentionDays: number;
  /** The HSM's region (a pool stays in its region), when literal. */
  readonly regions?: string[];
  readonly profile: ComplianceProfile;
}

/** Registers a Managed HSM (a key container) with its custodians, security domain, FIPS level and purge protection. */
export function recordManagedHsmEvidence(e: ManagedHsmEvidence): void {
  const ledger = EvidenceLedger.of(e.store);
  const subject = e.store.node.path;
  ledger.registerContainer({
    path: subject,
    stack: TerraformStack.of(e.store).node.path,
    cloud: 'azure',
    kind: 'Managed HSM (customer-held security domain)',
    custody: KeyCustody.CUSTOMER_EXTERNAL,
    fipsLevel: e.fipsLevel,
    regions: e.regions,
  });
  e.custodians.forEach((a) => ledger.addCustodian(subject, a));
  const resource = e.hsm.node.path;
  recordResidency({ ledger, subject, resource, profile: e.profile, regions: e.regions ?? [], setting: 'location' });
  const record = (controls: Control[], status: EvidenceStatus, setting: string, value: string, description: string) => {
    for (const control of controls) ledger.record({ control, status, subject, resource, setting, value, description });
  };
  record(SPLIT_KNOWLEDGE_CONTROLS, e.activated ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED,
    'security_domain_key_vault_certificate_ids, security_domain_quorum',
    e.activated ? `${e.certificates} certificates, quorum ${e.quorum}` : 'not activated (activate: false)',
    e.activated ? `split knowledge: the HSM's security domain can be recovered only by ${e.quorum} of ${e.certificates} certificate holders`
      : 'the HSM is not activated yet: its security domain is downloaded (to the custodians\' certificates) by the next deployment, with activate: true');
  record([Control.NIST_SC_13], EvidenceStatus.SATISFIED, 'sku_name', 'Standard_B1', 'single-tenant Managed HSM, FIPS 140-3 Level 3');
  record(STORE_DELETION_CONTROLS, EvidenceStatus.SATISFIED, 'purge_protection_enabled, soft_delete_retention_days',
    `true, ${e.retentionDays}`, `deleted keys recoverable for ${e.retentionDays} days and never purged early`);
}

/** Only the named importers may import key material into a `ByokImport`'s target. */
export function recordImporterEvidence(key: IConstruct, importerRolePath: string, importActions: readonly string[], importers: number): void {
  for (const control of IMPORTER_CONTROLS) {
    EvidenceLedger.of(key).record({
      control,
      status: EvidenceStatus.SATISFIED,
      subject: key.node.path,
      resource: importerRolePath,
      setting: 'importer role data actions',
      value: importActions.join(', '),
      description: `only the ${importers} named importers may import key material`,
    });
  }
}
