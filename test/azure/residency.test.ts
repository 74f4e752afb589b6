import { readFileSync } from 'fs';
import * as path from 'path';
import { TerraformVariable } from 'cdktf';
import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../../src';
import * as azure from '../../src/azure';
import { AZURE_NONPAIRED_REGIONS, AZURE_REGION_PAIRS, vaultRegions } from '../../src/azure/region-pairs';
import { azureCmk, azureHsm, azureStack, ids, one, refusal, RG, SECURITY_EMAIL, synth, vaultNetwork } from '../support/azure';

/** A profile that keeps data in the named regions only (COMMERCIAL otherwise). */
const inRegions = (...allowedRegions: string[]) =>
  ComplianceProfile.custom({ name: `in-${allowedRegions.join('-')}`, basedOn: ComplianceProfile.COMMERCIAL, allowedRegions });

const vaultIn = (stack: ReturnType<typeof azureStack>, location: string, profile?: ComplianceProfile, id = 'Vault') =>
  new azure.KeyVault(stack, id, { resourceGroupName: RG, location, profile, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork() });

const sinkIn = (stack: ReturnType<typeof azureStack>, location: string, profile: ComplianceProfile) => new azure.KeyAuditSink(stack, 'Audit', {
  resourceGroupName: RG, location, profile, auditors: [ids.auditor], acknowledgeLockedRetention: true, notificationEmails: [SECURITY_EMAIL],
});

describe('Key Vault: the region and the paired region Key Vault replicates to must both be allowed', () => {
  test('a vault whose pair is outside the profile is refused, naming the prop, the region and its pair', () => {
    const msg = refusal(() => vaultIn(azureStack(), 'westeurope', inRegions('westeurope')));
    expect(msg).toMatch(/^location of test\/Vault cannot keep a Key Vault within profile in-westeurope's allowedRegions \[westeurope\], got 'westeurope': Key Vault replicates the vault's contents to its paired region northeurope, which customers cannot turn off/);
  });

  test('with the pair allowed too the vault synthesizes, and its record lists both regions', () => {
    const stack = azureStack();
    vaultIn(stack, 'West Europe', inRegions('westeurope', 'northeurope'));
    expect(one(synth(stack), 'azurerm_key_vault').location).toBe('West Europe');
    const record = EvidenceLedger.of(stack).containers.find((c) => c.path === 'test/Vault');
    expect(record?.regions).toEqual(['westeurope', 'northeurope']);
    expect(EvidenceLedger.of(stack).evidenceFor(Control.NIST_SA_9_5, 'test/Vault')[0]).toMatchObject({
      status: EvidenceStatus.SATISFIED, value: 'westeurope, northeurope',
    });
  });

  test('a region outside the profile is refused with the core message', () => {
    expect(refusal(() => vaultIn(azureStack(), 'eastus', inRegions('westeurope', 'northeurope'))))
      .toBe("location of test/Vault must be one of profile in-westeurope-northeurope's allowedRegions [westeurope, northeurope], got 'eastus'");
  });

  test('Brazil South, West US 3 and nonpaired regions (Qatar Central) keep the vault in the region, so the region alone suffices', () => {
    // West US 3 has a storage pair (East US), but Key Vault does not replicate its vaults across regions.
    expect(AZURE_REGION_PAIRS.westus3).toBe('eastus');
    expect(vaultRegions('West US 3')).toEqual(['westus3']);
    expect(AZURE_NONPAIRED_REGIONS.has('qatarcentral')).toBe(true);
    for (const region of ['brazilsouth', 'qatarcentral', 'westus3']) {
      const stack = azureStack();
      expect(() => vaultIn(stack, region, inRegions(region))).not.toThrow();
      expect(EvidenceLedger.of(stack).containers.find((c) => c.path === 'test/Vault')?.regions).toEqual([region]);
    }
  });

  test('a region the pairs table does not know is refused under a residency profile', () => {
    expect(refusal(() => vaultIn(azureStack(), 'atlantiseast', inRegions('atlantiseast'))))
      .toMatch(/^location of test\/Vault: the region pairs table does not know where Key Vault replicates a vault in 'atlantiseast'/);
  });

  test('a token location is refused under a residency profile, and allowed without one', () => {
    const stack = azureStack();
    const where = new TerraformVariable(stack, 'where', { type: 'string' });
    expect(refusal(() => vaultIn(stack, where.stringValue, inRegions('westeurope', 'northeurope'))))
      .toMatch(/^location of test\/Vault is only known at deployment, and profile .* allows only \[westeurope, northeurope\]: give a literal region/);
    expect(() => vaultIn(stack, where.stringValue, undefined, 'Plain')).not.toThrow();
  });

  test('a tenant hierarchy refuses its region at construction, before any tenant makes a shard vault', () => {
    const msg = refusal(() => new azure.TenantKeyHierarchy(azureStack(), 'Tenants', {
      resourceGroupName: RG,
      location: 'westeurope',
      profile: inRegions('westeurope'),
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      custodians: { administrators: [ids.admin], users: [ids.user] },
    }));
    expect(msg).toMatch(/^location of test\/Tenants cannot keep a Key Vault .*paired region northeurope/);
  });
});

describe('a vault\'s or HSM\'s audit sink is held to the container\'s profile', () => {
  test('a sink whose records leave the allowed regions is refused (auditSink), whatever the sink\'s own profile', () => {
    const stack = azureStack();
    const sink = sinkIn(stack, 'westeurope', ComplianceProfile.PCI_DSS);
    const hsmMsg = refusal(() => azureHsm(stack, inRegions('westeurope'), 'Hsm', { auditSink: sink }));
    expect(hsmMsg).toBe("auditSink of test/Hsm must keep its records in profile in-westeurope's allowedRegions [westeurope], got test/Audit, " +
      'which keeps them in westeurope and northeurope');
  });
});

describe('keys: a key is held to its own profile against its container', () => {
  test('a key whose profile restricts regions is refused in a shared vault elsewhere (keyLocation)', () => {
    const stack = azureStack();
    const vault = vaultIn(stack, 'eastus');
    const msg = refusal(() => azureCmk(stack, inRegions('westeurope', 'northeurope'), 'Key', { keyLocation: azure.KeyLocation.vault(vault), network: undefined }));
    expect(msg).toBe("keyLocation of test/Key must keep key material in profile in-westeurope-northeurope's allowedRegions [westeurope, northeurope], " +
      'got test/Vault, which keeps it in eastus and westus (eastus is outside)');
  });

  test('a key in a shared Managed HSM or vault is held to the container\'s audit sink, its GRS pair included (keyLocation)', () => {
    const stack = azureStack();
    // The HSM's profile allows anywhere, so it accepted a GRS sink that copies the records to northeurope.
    const sink = sinkIn(stack, 'westeurope', ComplianceProfile.COMMERCIAL);
    expect(sink.regions).toEqual(['westeurope', 'northeurope']);
    const hsm = azureHsm(stack, ComplianceProfile.COMMERCIAL, 'Hsm', { location: 'westeurope', auditSink: sink });
    expect(refusal(() => azureCmk(stack, inRegions('westeurope'), 'HsmKey', { keyLocation: azure.KeyLocation.managedHsm(hsm), network: undefined, auditSink: undefined })))
      .toBe("keyLocation of test/HsmKey (the audit sink of test/Hsm) must keep its records in profile in-westeurope's allowedRegions [westeurope], " +
        'got test/Audit, which keeps them in westeurope and northeurope');
    const vault = new azure.KeyVault(stack, 'Vault', {
      resourceGroupName: RG, location: 'westeurope', auditSink: sink, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(),
    });
    expect(refusal(() => azureCmk(stack, inRegions('westeurope'), 'VaultKey', { keyLocation: azure.KeyLocation.vault(vault), network: undefined })))
      .toMatch(/^keyLocation of test\/VaultKey must keep key material/);
    // With the pair allowed, the vault key's records stay in the profile's regions: accepted, and SA-9(5) is satisfied.
    azureCmk(stack, inRegions('westeurope', 'northeurope'), 'PairKey', { keyLocation: azure.KeyLocation.vault(vault), network: undefined });
    expect(EvidenceLedger.of(stack).evidenceFor(Control.NIST_SA_9_5, 'test/PairKey')[0]).toMatchObject({ status: EvidenceStatus.SATISFIED });
  });

  test('a key in its own vault records the vault regions and a satisfied SA-9(5) fact', () => {
    const stack = azureStack();
    azureCmk(stack, inRegions('westeurope', 'northeurope'), 'Key');
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindKey('test/Key')?.regions).toEqual(['westeurope', 'northeurope']);
    expect(ledger.evidenceFor(Control.NIST_SA_9_5, 'test/Key')[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, setting: 'location of test/Key/Vault' });
  });

  test('without allowedRegions the regions are recorded and no residency fact is', () => {
    const stack = azureStack();
    azureCmk(stack, ComplianceProfile.COMMERCIAL, 'Key');
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindKey('test/Key')?.regions).toEqual(['westeurope', 'northeurope']);
    expect(ledger.evidenceFor(Control.NIST_SA_9_5, 'test/Key')).toEqual([]);
  });
});

describe('Managed HSM: the pool stays in its region; multi-region replication is not offered', () => {
  test('multi-region replication (replicaRegions) is refused by name: azurerm has no argument for it', () => {
    expect(refusal(() => azureHsm(azureStack(), ComplianceProfile.COMMERCIAL, 'Hsm', { replicaRegions: ['northeurope'] })))
      .toMatch(/^replicaRegions cannot be set for test\/Hsm: Managed HSM multi-region replication is not available .*got \["northeurope"\]$/);
  });

  test('the pinned azurerm provider has no multi-region argument on the Managed HSM resource', () => {
    const schema = readFileSync(require.resolve('@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module/index.d.ts'), 'utf8');
    expect(schema).not.toMatch(/replica|extendedRegion|geoReplicat|additionalRegion/i);
  });

  test('an HSM outside the profile is refused', () => {
    expect(refusal(() => azureHsm(azureStack(), inRegions('northeurope'))))
      .toBe("location of test/Hsm must be one of profile in-northeurope's allowedRegions [northeurope], got 'westeurope'");
  });

  test('an HSM in an allowed region records only that region, and its keys inherit it', () => {
    const stack = azureStack();
    const store = azureHsm(stack, inRegions('westeurope'));
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.containers.find((c) => c.path === 'test/Hsm')?.regions).toEqual(['westeurope']);
    azureCmk(stack, inRegions('westeurope'), 'HsmKey', { keyLocation: azure.KeyLocation.managedHsm(store), network: undefined });
    expect(ledger.tryFindKey('test/HsmKey')?.regions).toEqual(['westeurope']);
    expect(ledger.evidenceFor(Control.NIST_SA_9_5, 'test/HsmKey')[0].status).toBe(EvidenceStatus.SATISFIED);
  });
});

describe('audit sink: the workspace and storage account region, and GRS only when the pair is allowed', () => {
  test('a sink outside the profile is refused', () => {
    expect(refusal(() => sinkIn(azureStack(), 'eastus', inRegions('westeurope'))))
      .toBe("location of test/Audit must be one of profile in-westeurope's allowedRegions [westeurope], got 'eastus'");
  });

  test('GRS when the pair is allowed (and without a residency profile), LRS when it is not', () => {
    const cases: [ComplianceProfile, string, string[]][] = [
      [ComplianceProfile.PCI_DSS, 'GRS', ['westeurope', 'northeurope']],
      [inRegions('westeurope', 'northeurope'), 'GRS', ['westeurope', 'northeurope']],
      [inRegions('westeurope'), 'LRS', ['westeurope']],
    ];
    for (const [profile, replication, regions] of cases) {
      const stack = azureStack();
      const sink = sinkIn(stack, 'westeurope', profile);
      expect(one(synth(stack), 'azurerm_storage_account').account_replication_type).toBe(replication);
      expect(sink.regions).toEqual(regions);
      expect(EvidenceLedger.of(stack).tryFindAuditSink('test/Audit')?.regions).toEqual(regions);
    }
  });

  test('the residency fact of the sink names the audit records and the replication setting', () => {
    const stack = azureStack();
    sinkIn(stack, 'westeurope', inRegions('westeurope'));
    expect(EvidenceLedger.of(stack).evidenceFor(Control.NIST_SA_9_5, 'test/Audit')[0]).toMatchObject({
      status: EvidenceStatus.SATISFIED, setting: 'location, account_replication_type', description: expect.stringMatching(/^audit records in westeurope;/),
    });
  });
});

describe('the region pairs table', () => {
  test('pairs are mutual except the documented one-way pairs', () => {
    expect(AZURE_REGION_PAIRS.westeurope).toBe('northeurope');
    expect(AZURE_REGION_PAIRS.northeurope).toBe('westeurope');
    expect(AZURE_REGION_PAIRS.germanywestcentral).toBe('germanynorth');
    expect(AZURE_REGION_PAIRS.westus3).toBe('eastus');
    expect(AZURE_REGION_PAIRS.eastus).toBe('westus');
    expect(AZURE_REGION_PAIRS.brazilsouth).toBe('southcentralus');
    // Key Vault keeps Brazil South in the region although its storage pair is in the US.
    expect(vaultRegions('brazilsouth')).toEqual(['brazilsouth']);
    for (const r of AZURE_NONPAIRED_REGIONS) expect(AZURE_REGION_PAIRS[r]).toBeUndefined();
  });

  test('the table cites Microsoft\'s region-pair and Key Vault redundancy pages', () => {
    const source = readFileSync(path.join(__dirname, '../../src/azure/region-pairs.ts'), 'utf8');
    expect(source).toContain('https://learn.microsoft.com/azure/reliability/cross-region-replication-azure#azure-paired-regions');
    expect(source).toContain('https://learn.microsoft.com/azure/key-vault/general/disaster-recovery-guidance');
  });
});
