import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

export const LOCATION = 'westeurope';
/** The subscription the examples deploy to (replace it with your own): generated vault, HSM and storage names carry it. */
export const SUBSCRIPTION_ID = '9e4c2a1b-7d3f-4b8e-a6c5-0f1e2d3c4b5a';

/**
 * Microsoft Entra object ids of the people and workloads in the examples (groups in real life: assign roles to
 * groups, and let PIM and access reviews manage membership). Replace them with your own.
 */
export const people = {
  keyAdministrators: '0b5f3c2e-8d1a-4c6e-9f2b-3a7d5e1c9b01',
  keyUsers: '1c6a4d3f-9e2b-4d7f-8a3c-4b8e6f2d0c12',
  auditors: '2d7b5e4a-0f3c-4e8a-9b4d-5c9f7a3e1d23',
  approverA: '3e8c6f5b-1a4d-4f9b-8c5e-6d0a8b4f2e34',
  approverB: '4f9d7a6c-2b5e-4a0c-9d6f-7e1b9c5a3f45',
  importers: '5a0e8b7d-3c6f-4b1d-8e7a-8f2c0d6b4a56',
  hsmAdministrators: '6b1f9c8e-4d7a-4c2e-9f8b-9a3d1e7c5b67',
  ordersService: '7c2a0d9f-5e8b-4d3f-8a9c-0b4e2f8d6c78',
  storageIdentity: '8d3b1e0a-6f9c-4e4a-9b0d-1c5f3a9e7d89',
};

/** Who the audit sinks' alerts reach (key destruction, access changes, attempts on the audit records). */
export const securityAlerts = ['key-security@example.com'];
/** A second, independent action group for alerts about the alerting itself (processing rules, action-group changes). */
export const escalationAlerts = ['ciso-office@example.com'];

/**
 * A hub-and-spoke network the platform team owns: the subnet private endpoints go in, and the hub's private DNS zones,
 * already linked to the spoke networks (and to the one the deployment runner sits in). Replace them with your own.
 */
export const hubNetwork = {
  endpointsSubnetId: '/subscriptions/5b3e1c2a-9d4f-4e6a-8b7c-0a1d2e3f4a5b/resourceGroups/rg-spoke-keys/providers/Microsoft.Network/virtualNetworks/vnet-spoke-keys/subnets/snet-private-endpoints',
  vaultZoneId: '/subscriptions/6c4f2d3b-0e5a-4f7b-9c8d-1b2e3f4a5b6c/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net',
  managedHsmZoneId: '/subscriptions/6c4f2d3b-0e5a-4f7b-9c8d-1b2e3f4a5b6c/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.managedhsm.azure.net',
};

/**
 * A stack with the azurerm provider set up for these constructs: Entra ID (not shared keys) for storage data-plane
 * calls, since the audit storage account has shared keys disabled, and no purge of soft-deleted vaults or keys on
 * destroy (purge protection forbids it anyway).
 */
export class KeysStack extends TerraformStack {
  public readonly resourceGroupName: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', {
      subscriptionId: SUBSCRIPTION_ID,
      storageUseAzuread: true,
      features: [{
        keyVault: [{
          purgeSoftDeleteOnDestroy: false,
          purgeSoftDeletedKeysOnDestroy: false,
          purgeSoftDeletedHardwareSecurityModulesOnDestroy: false,
          purgeSoftDeletedHardwareSecurityModuleKeysOnDestroy: false,
          recoverSoftDeletedKeyVaults: true,
          recoverSoftDeletedKeys: true,
          recoverSoftDeletedHardwareSecurityModuleKeys: true,
        }],
      }],
    });
    const group = new ResourceGroup(this, 'Group', { name: `rg-${id}`, location: LOCATION });
    this.resourceGroupName = group.name;
  }
}
