import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { ComplianceProfile, NamingContext } from '../../src';
import * as azure from '../../src/azure';
import { azureCmk, azureHsm, azureSink, ids, LOCATION, one, RG, SECURITY_EMAIL, synth, vaultNetwork } from '../support/azure';

const PCI = ComplianceProfile.PCI_DSS;
const SUB_A = '0f0f0f0f-aaaa-4aaa-8aaa-000000000001';
const SUB_B = '0f0f0f0f-bbbb-4bbb-8bbb-000000000002';

/** A stack as a user writes it: a provider (with or without a subscription) and optional app context. */
function stackIn(opts: { id?: string; subscriptionId?: string; context?: Record<string, unknown>; provider?: boolean } = {}): TerraformStack {
  const stack = new TerraformStack(Testing.app({ context: opts.context }), opts.id ?? 'payments');
  if (opts.provider !== false) new AzurermProvider(stack, 'azurerm', { features: [{}], subscriptionId: opts.subscriptionId });
  return stack;
}

/** The same app as the README builds: a sink, a CMK with its own vault, a Managed HSM and a tenant hierarchy. */
function paymentsApp(opts: Parameters<typeof stackIn>[0] = {}) {
  const stack = stackIn(opts);
  const sink = azureSink(stack, PCI);
  azureCmk(stack, PCI, 'CardholderDataKey', { auditSink: sink });
  azureHsm(stack, PCI, 'Custody', { auditSink: sink });
  new azure.TenantKeyHierarchy(stack, 'Tenants', {
    resourceGroupName: RG,
    location: LOCATION,
    profile: ComplianceProfile.COMMERCIAL,
    tenantsPerVault: 2,
    acknowledgePurgeProtectionIsPermanent: true,
    network: vaultNetwork(),
    custodians: { administrators: [ids.admin], users: [ids.user] },
    tenants: [{ tenantId: 'acme' }],
  });
  const json = synth(stack);
  return {
    vault: one(json, 'azurerm_key_vault', /CardholderDataKey/).name as string,
    storage: one(json, 'azurerm_storage_account').name as string,
    hsm: one(json, 'azurerm_key_vault_managed_hardware_security_module').name as string,
    tenantVault: one(json, 'azurerm_key_vault', /Tenants/).name as string,
  };
}

describe('generated global names carry the subscription', () => {
  const a = paymentsApp({ subscriptionId: SUB_A });
  const b = paymentsApp({ subscriptionId: SUB_B });

  test('two apps with the same stack and construct names in different subscriptions get different names', () => {
    expect(b.vault).not.toBe(a.vault);
    expect(b.storage).not.toBe(a.storage);
    expect(b.hsm).not.toBe(a.hsm);
    expect(b.tenantVault).not.toBe(a.tenantVault);
  });

  test('the same app in the same subscription gets the same names on every synthesis (no rename)', () => {
    expect(paymentsApp({ subscriptionId: SUB_A })).toEqual(a);
    // A subscription id is case-insensitive; the name does not change with how it is written.
    expect(paymentsApp({ subscriptionId: SUB_A.toUpperCase() })).toEqual(a);
  });

  test('names carry the construct id, not "vault", within each resource\'s length and characters', () => {
    expect(a.vault).toMatch(/^kv-cardholderda-[0-9a-f]{8}$/);
    expect(a.vault).toHaveLength(24);
    expect(a.storage).toMatch(/^stkmsaudit[0-9a-f]{8}$/);
    expect(a.hsm).toMatch(/^hsm-custody-[0-9a-f]{8}$/);
    expect(a.tenantVault).toMatch(/^kvtenants-[0-9a-f]{8}-0000$/);
  });

  test('a provider nested below the stack is found too', () => {
    const stack = stackIn({ provider: false });
    new AzurermProvider(new Construct(stack, 'Providers'), 'azurerm', { features: [{}], subscriptionId: SUB_A });
    const other = stackIn({ subscriptionId: SUB_A });
    azureSink(stack, PCI);
    azureSink(other, PCI);
    expect(one(synth(stack), 'azurerm_storage_account').name).toBe(one(synth(other), 'azurerm_storage_account').name);
  });

  test('the naming-environment context wins over the provider, so moving the subscription into the provider keeps names', () => {
    const fromContext = paymentsApp({ context: { [NamingContext.ENVIRONMENT]: SUB_A } });
    expect(fromContext).toEqual(a);
    expect(paymentsApp({ subscriptionId: SUB_B, context: { [NamingContext.ENVIRONMENT]: SUB_A } })).toEqual(a);
    // A label separates two deployments in one subscription (dev and test in different resource groups).
    const test = paymentsApp({ subscriptionId: SUB_A, context: { [NamingContext.ENVIRONMENT]: 'test' } });
    expect(test.vault).not.toBe(a.vault);
  });
});

describe('legacy names', () => {
  // Literal names from the snapshots synthesized before environments went into names (scenario stacks
  // "CustomerManagedKey-PCI-DSS" and "HyokExternalStore-PCI-DSS").
  test('the legacy context reproduces the earlier names exactly, and needs no subscription', () => {
    const stack = stackIn({ id: 'CustomerManagedKey-PCI-DSS', context: { [NamingContext.LEGACY_GLOBAL_NAMES]: true } });
    azureCmk(stack, PCI);
    const json = synth(stack);
    expect(one(json, 'azurerm_key_vault').name).toBe('kv-vault-e36054ff');
    expect(one(json, 'azurerm_storage_account').name).toBe('stkmsauditfa289857');

    const hsmStack = stackIn({ id: 'HyokExternalStore-PCI-DSS', context: { [NamingContext.LEGACY_GLOBAL_NAMES]: true } });
    azureHsm(hsmStack, PCI);
    expect(one(synth(hsmStack), 'azurerm_key_vault_managed_hardware_security_module').name).toBe('hsm-hsm-1f3fdd9d');
  });

  test('the legacy context can be set on one stack and leaves the app\'s other stacks on the new scheme', () => {
    const app = Testing.app();
    const old = new TerraformStack(app, 'CustomerManagedKey-PCI-DSS');
    old.node.setContext(NamingContext.LEGACY_GLOBAL_NAMES, true);
    new AzurermProvider(old, 'azurerm', { features: [{}], subscriptionId: SUB_A });
    azureCmk(old, PCI);
    const fresh = new TerraformStack(app, 'fresh');
    new AzurermProvider(fresh, 'azurerm', { features: [{}], subscriptionId: SUB_A });
    azureCmk(fresh, PCI);
    expect(one(synth(old), 'azurerm_key_vault').name).toBe('kv-vault-e36054ff');
    expect(one(synth(fresh), 'azurerm_key_vault').name).toMatch(/^kv-orderskey-[0-9a-f]{8}$/);
  });

  test('the legacy tenant-vault prefix is the path-only one', () => {
    const stack = stackIn({ context: { [NamingContext.LEGACY_GLOBAL_NAMES]: true } });
    const h = new azure.TenantKeyHierarchy(stack, 'Tenants', {
      resourceGroupName: RG,
      location: LOCATION,
      profile: ComplianceProfile.COMMERCIAL,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      custodians: { administrators: [ids.admin], users: [ids.user] },
    });
    // sha256("payments/Tenants") starts a8b9c64f
    expect(h.vaultNamePrefix).toBe('kvtenants-a8b9c64f');
  });
});

describe('when the subscription is not known at synthesis', () => {
  test.each([
    ['no subscriptionId on the provider (ARM_SUBSCRIPTION_ID at deploy time)', () => stackIn(), /AzurermProvider has no subscriptionId/],
    ['no provider', () => stackIn({ provider: false }), /the stack has no AzurermProvider without an alias/],
    ['only an aliased provider (the constructs\' resources use the default one)', () => {
      const stack = stackIn({ provider: false });
      new AzurermProvider(stack, 'other', { features: [{}], alias: 'other', subscriptionId: SUB_A });
      return stack;
    }, /the stack has no AzurermProvider without an alias/],
    ['a token subscriptionId', () => {
      const stack = new TerraformStack(Testing.app(), 'payments');
      new AzurermProvider(stack, 'azurerm', { features: [{}], subscriptionId: new TerraformVariable(stack, 'sub', { type: 'string' }).stringValue });
      return stack;
    }, /subscriptionId is a token/],
  ])('%s: a generated vault, HSM or storage name is refused, naming what to set', (_, make, why) => {
    const vaultError = () => azureCmk(make(), ComplianceProfile.COMMERCIAL, 'CardholderDataKey');
    expect(vaultError).toThrow(/^name \(vaultName when a key construct makes the vault\) is required for Key Vault payments\/CardholderDataKey\/Vault when the environment is not known at synthesis/);
    expect(vaultError).toThrow(why);
    expect(vaultError).toThrow(/; set (a literal )?subscriptionId on the stack's AzurermProvider, or the context/);
    expect(vaultError).toThrow(/"cloud-kms-constructs:namingEnvironment"/);
    expect(vaultError).toThrow(/"cloud-kms-constructs:legacyGlobalNames": true/);
    expect(() => azureSink(make(), PCI)).toThrow(/^storageAccountName is required for storage account payments\/Audit/);
    expect(() => azureHsm(make(), ComplianceProfile.COMMERCIAL)).toThrow(/^name is required for Managed HSM payments\/Hsm/);
    expect(() => new azure.TenantKeyHierarchy(make(), 'Tenants', {
      resourceGroupName: RG,
      location: LOCATION,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      custodians: { administrators: [ids.admin] },
    })).toThrow(/^vaultNamePrefix is required for tenant vaults payments\/Tenants/);
  });

  test('explicit names need no subscription', () => {
    const stack = stackIn();
    const sink = new azure.KeyAuditSink(stack, 'Audit', {
      resourceGroupName: RG,
      location: LOCATION,
      profile: PCI,
      auditors: [ids.auditor],
      acknowledgeLockedRetention: true,
      storageAccountName: 'stpaymentsaudit',
      notificationEmails: [SECURITY_EMAIL],
    });
    azureCmk(stack, PCI, 'CardholderDataKey', { auditSink: sink, vaultName: 'kv-payments-prod' });
    const json = synth(stack);
    expect(one(json, 'azurerm_key_vault').name).toBe('kv-payments-prod');
    expect(one(json, 'azurerm_storage_account').name).toBe('stpaymentsaudit');
  });

  test('a naming-environment context that is not a literal string is refused', () => {
    expect(() => azureCmk(stackIn({ context: { [NamingContext.ENVIRONMENT]: 42 } }), ComplianceProfile.COMMERCIAL))
      .toThrow('context cloud-kms-constructs:namingEnvironment must be a non-empty literal string, got 42');
  });
});

describe('long and odd construct ids still give valid names', () => {
  const odd = [
    'A'.repeat(120),
    'Payments_Vault.Ü--Key--2024',
    '9-lives-',
    '---',
    'KeyVaultForTheCardholderDataEnvironmentOfTheEuropeanPaymentsPlatform',
  ];
  test.each(odd)('%s', (id) => {
    const stack = stackIn({ subscriptionId: SUB_A });
    azureSink(stack, PCI, id);
    const v = new azure.KeyVault(stackIn({ subscriptionId: SUB_A }), id, {
      resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(),
    });
    const hsmStack = stackIn({ subscriptionId: SUB_A });
    azureHsm(hsmStack, ComplianceProfile.COMMERCIAL, id);
    const h = new azure.TenantKeyHierarchy(stackIn({ subscriptionId: SUB_A }), id, {
      resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), custodians: { administrators: [ids.admin] }, tenants: [{ tenantId: 'acme' }],
    });
    const json = synth(stack);
    const vaultRule = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/;
    expect(v.vaultName).toMatch(vaultRule);
    expect(v.vaultName).not.toContain('--');
    const hsmName = one(synth(hsmStack), 'azurerm_key_vault_managed_hardware_security_module').name;
    expect(hsmName).toMatch(vaultRule);
    expect(hsmName).not.toContain('--');
    expect(one(json, 'azurerm_storage_account').name).toMatch(/^[a-z0-9]{3,24}$/);
    expect(h.vaultNamePrefix.length).toBeLessThanOrEqual(19);
    expect(`${h.vaultNamePrefix}-0000`).toMatch(vaultRule);
    expect(h.vaultNamePrefix).not.toContain('--');
  });
});
