import { ComplianceProfile } from '../../src';
import * as azure from '../../src/azure';
import { azureByok, azureCmk, azureHsm, azureSink, azureStack, ids, LOCATION, refusal, RG, vaultNetwork } from '../support/azure';

/*
 * The Azure custodian preconditions, now on core's checkCustodians: every message word for word as before, for each
 * construct that checks it.
 */

const { COMMERCIAL, PCI_DSS } = ComplianceProfile;


const sharedVault = (s = azureStack(), profile = COMMERCIAL) => new azure.KeyVault(s, 'Shared', {
  resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), profile,
});

const tenants = (custodians: azure.AzureCustodians) => new azure.TenantKeyHierarchy(azureStack(), 'Tenants', {
  resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), custodians,
});

test.each<[string, () => unknown, string]>([
  ['CustomerManagedKey: importers', () => azureCmk(azureStack(), COMMERCIAL, 'K', { custodians: { administrators: [ids.admin], importers: [ids.importer] } }),
    'custodians.importers applies only to ByokImport, got 1 for test/K'],
  ['TenantKeyHierarchy: importers', () => tenants({ administrators: [ids.admin], importers: [ids.importer] }),
    'custodians.importers applies only to ByokImport, got 1 for test/Tenants'],
  ['CustomerManagedKey: no administrators', () => azureCmk(azureStack(), COMMERCIAL, 'K', { custodians: { administrators: [] } }),
    'custodians.administrators must name at least one object id for test/K, got none'],
  ['ByokImport: no administrators', () => azureByok(azureStack(), COMMERCIAL, 'B', { custodians: { administrators: [], importers: [ids.importer] } }),
    'custodians.administrators must name at least one object id for test/B, got none'],
  ['ByokImport: importers absent', () => azureByok(azureStack(), COMMERCIAL, 'B', { custodians: { administrators: [ids.admin] } }),
    'custodians.importers is required, got nothing'],
  ['ByokImport: importers empty', () => azureByok(azureStack(), COMMERCIAL, 'B', { custodians: { administrators: [ids.admin], importers: [] } }),
    'custodians.importers must name at least one object id for test/B, got none'],
  ['CustomerManagedKey in a shared vault: approvers', () => {
    const s = azureStack();
    return azureCmk(s, COMMERCIAL, 'K', {
      keyLocation: azure.KeyLocation.vault(sharedVault(s)),
      network: undefined,
      custodians: { administrators: [ids.admin], approvers: [ids.approverA, ids.approverB] },
    });
  }, 'custodians.approvers belong to the vault when it is shared: set approvers on test/Shared, not on test/K'],
  ['CustomerManagedKey in a shared vault: backup operators', () => {
    const s = azureStack();
    return azureCmk(s, COMMERCIAL, 'K', {
      keyLocation: azure.KeyLocation.vault(sharedVault(s)),
      network: undefined,
      custodians: { administrators: [ids.admin], backupOperators: [ids.approverA] },
    });
  }, 'custodians.backupOperators belong to the vault when it is shared: set backupOperators on test/Shared, not on test/K'],
  ['ByokImport in a shared vault: approvers', () => {
    const s = azureStack();
    return azureByok(s, COMMERCIAL, 'B', {
      keyLocation: azure.KeyLocation.vault(sharedVault(s)),
      network: undefined,
      custodians: { administrators: [ids.admin], importers: [ids.importer], approvers: [ids.approverA, ids.approverB] },
    });
  }, 'custodians.approvers belong to the vault when it is shared: set approvers on test/Shared, not on test/B'],
  ['ByokImport in a Managed HSM: backup operators', () => {
    const s = azureStack();
    return azureByok(s, COMMERCIAL, 'B', {
      keyLocation: azure.KeyLocation.managedHsm(azureHsm(s, COMMERCIAL)),
      network: undefined,
      custodians: { administrators: [ids.admin], importers: [ids.importer], backupOperators: [ids.approverA] },
    });
  }, 'custodians.backupOperators belong to the vault or Managed HSM when it is given: set them on test/Hsm, not on test/B'],
  ['ByokImport under dual control in a vault without approvers', () => {
    const s = azureStack();
    // A vault without dual control (COMMERCIAL), the import under a profile that requires it.
    return azureByok(s, PCI_DSS, 'B', {
      keyLocation: azure.KeyLocation.vault(sharedVault(s)),
      network: undefined,
      auditSink: azureSink(s, PCI_DSS),
      custodians: { administrators: [ids.admin], importers: [ids.importer] },
    });
  }, `custodians.approvers must name at least 2 approvers for dual control on test/B (profile ${PCI_DSS.name}); vault test/Shared has none`],
])('%s', (_name, build, message) => {
  expect(refusal(build)).toBe(message);
});

test('a Managed HSM key may leave administrators out (the store\'s administer it), and importers pass unchecked there as before', () => {
  const s = azureStack();
  const store = azureHsm(s, COMMERCIAL, 'Hsm', { custodians: { administrators: [ids.admin], importers: [ids.importer] } });
  expect(() => store.addKey('K', { custodians: { users: [ids.user] } as azure.AzureCustodians })).not.toThrow();
});
