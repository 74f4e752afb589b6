import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TerraformProvider, TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { globalName, GlobalNameRule, NamingEnvironment } from '../../core/naming';

/**
 * Azure names that are globally unique (they are DNS names: `<name>.vault.azure.net`, `<name>.managedhsm.azure.net`,
 * `<name>.blob.core.windows.net`), so a generated one carries the subscription. Name rules:
 * @see https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
 */
export const AZURE_GLOBAL_NAMES = {
  /** Microsoft.KeyVault/vaults: 3-24, alphanumerics and hyphens, start with a letter, end with a letter or digit, no "--". */
  keyVault: {
    what: 'Key Vault', prop: 'name (vaultName when a key construct makes the vault)', prefix: 'kv-', maxLength: 24, disallowed: /[^a-z0-9-]/g, hyphens: true,
  } as GlobalNameRule,
  /** TenantKeyHierarchy vault prefix: the vault rule less the `-0001` / `-pool` suffix. */
  vaultNamePrefix: { what: 'tenant vaults', prop: 'vaultNamePrefix', prefix: 'kv', maxLength: 19, disallowed: /[^a-z0-9-]/g, hyphens: true } as GlobalNameRule,
  /** Microsoft.KeyVault/managedHSMs: 3-24, alphanumerics and hyphens, start with a letter, end with a letter or digit, no "--". */
  managedHsm: { what: 'Managed HSM', prop: 'name', prefix: 'hsm-', maxLength: 24, disallowed: /[^a-z0-9-]/g, hyphens: true } as GlobalNameRule,
  /** Microsoft.Storage/storageAccounts: 3-24 lower-case letters and digits. */
  storageAccount: { what: 'storage account', prop: 'storageAccountName', prefix: 'stkms', maxLength: 24, disallowed: /[^a-z0-9]/g, hyphens: false } as GlobalNameRule,
};

/**
 * A globally unique Azure name for `scope`: its readable id and a hash of the subscription and construct path
 * (or the pre-environment name under `NamingContext.LEGACY_GLOBAL_NAMES`).
 */
export function azureGlobalName(scope: IConstruct, rule: GlobalNameRule): string {
  return globalName(scope, rule, () => subscriptionOf(scope));
}

/** The subscription of the stack's default azurerm provider, the one the constructs' resources use. */
function subscriptionOf(scope: IConstruct): NamingEnvironment {
  const remedy = 'subscriptionId on the stack\'s AzurermProvider';
  const isDefault = (c: IConstruct): c is AzurermProvider =>
    TerraformProvider.isTerraformProvider(c) && c.terraformResourceType === 'azurerm' && (c as AzurermProvider).alias === undefined;
  const stack = TerraformStack.of(scope);
  // Providers are nearly always the stack's own children; the full walk is for the rare nested one.
  const provider = stack.node.children.find(isDefault) ?? stack.node.findAll().find(isDefault);
  if (provider === undefined) return { looked: 'the stack has no AzurermProvider without an alias (the one its resources use)', remedy };
  const subscription = provider.subscriptionId;
  if (subscription === undefined) {
    return { looked: 'the stack\'s AzurermProvider has no subscriptionId; ARM_SUBSCRIPTION_ID is read only at deploy time', remedy };
  }
  if (Token.isUnresolved(subscription)) return { looked: `the AzurermProvider's subscriptionId is a token, ${subscription}`, remedy: `a literal ${remedy}` };
  return { value: subscription, looked: 'AzurermProvider subscriptionId', remedy };
}

/**
 * The subscription id of the stack's default azurerm provider when it is a literal, else undefined (set only through
 * ARM_SUBSCRIPTION_ID at deploy time, or a token).
 */
export function literalSubscriptionId(scope: IConstruct): string | undefined {
  return subscriptionOf(scope).value;
}
