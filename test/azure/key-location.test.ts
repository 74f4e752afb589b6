import { TerraformStack, Testing } from 'cdktf';
import { ComplianceProfile, EvidenceLedger } from '../../src';
import * as azure from '../../src/azure';
import { azureByok, azureCmk, azureHsm, azureSink, azureStack, ids, LOCATION, refusal, RG, vaultNetwork } from '../support/azure';

type Build = (s: TerraformStack, p: ComplianceProfile) => void;
type KeyProps = Partial<azure.CustomerManagedKeyProps & azure.ByokImportProps>;
type MakeKey = (s: TerraformStack, p: ComplianceProfile, id: string, extra: KeyProps) => unknown;

const HSM_ASSIGNMENT = 'azurerm_key_vault_managed_hardware_security_module_role_assignment';

/**
 * The Terraform JSON and the evidence a build gives. A Managed HSM role assignment's name hashes its role definition's
 * token text, which is numbered across every stack of the process (HyokExternalStore._assign, left as it is: the
 * snapshots hold it), so those names are compared as GUIDs, all else exactly.
 */
function synthesized(build: Build, profile: ComplianceProfile): { json: unknown; evidence: unknown } {
  const stack = azureStack();
  build(stack, profile);
  const json = JSON.parse(Testing.synth(stack));
  for (const a of Object.values(json.resource?.[HSM_ASSIGNMENT] ?? {}) as { name: string }[]) {
    expect(a.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    a.name = '<guid>';
  }
  const ledger = EvidenceLedger.of(stack);
  return { json, evidence: JSON.parse(JSON.stringify({ keys: ledger.keys, evidence: ledger.evidence(), containers: ledger.containers })) };
}

const sharedVault = (s: TerraformStack, p: ComplianceProfile, auditSink?: azure.IKeyAuditSink) => new azure.KeyVault(s, 'Shared', {
  resourceGroupName: RG,
  location: LOCATION,
  acknowledgePurgeProtectionIsPermanent: true,
  network: vaultNetwork(),
  profile: p,
  auditSink,
  approvers: p.dualControlRequired ? [ids.approverA, ids.approverB] : undefined,
});

/** The same key twice: through a deprecated prop, and through `keyLocation` (one audit sink per stack where the profile needs one). */
function pair(make: MakeKey, custodians: azure.AzureCustodians, where: (s: TerraformStack, p: ComplianceProfile, auditSink?: azure.IKeyAuditSink) =>
[Partial<azure.CustomerManagedKeyProps>, azure.KeyLocation]): [Build, Build] {
  const build = (deprecated: boolean): Build => (s, p) => {
    const auditSink = p.auditSinkRequired ? azureSink(s, p) : undefined;
    const [old, location] = where(s, p, auditSink);
    make(s, p, 'Key', { auditSink, custodians, network: undefined, ...(deprecated ? old : { keyLocation: location }) });
  };
  return [build(true), build(false)];
}

const KEYS: [string, MakeKey, azure.AzureCustodians][] = [
  ['CustomerManagedKey', azureCmk, { administrators: [ids.admin], users: [ids.user] }],
  ['ByokImport', azureByok, { administrators: [ids.admin], users: [ids.user], importers: [ids.importer] }],
];

const CASES = KEYS.flatMap(([name, make, custodians]) => [
  [`${name}: KeyLocation.vault(v) is vault: v`, ...pair(make, custodians, (s, p, auditSink) => {
    const vault = sharedVault(s, p, auditSink);
    return [{ vault }, azure.KeyLocation.vault(vault)];
  })],
  [`${name}: KeyLocation.managedHsm(h) is managedHsm: h`, ...pair(make, custodians, (s, p, auditSink) => {
    const hsm = azureHsm(s, p, 'Hsm', { auditSink });
    return [{ managedHsm: hsm }, azure.KeyLocation.managedHsm(hsm)];
  })],
  // Neither prop: the construct makes its vault, with the network the helper gives it.
  [`${name}: KeyLocation.newVault() is neither`, (s: TerraformStack, p: ComplianceProfile) => make(s, p, 'Key', {}),
    (s: TerraformStack, p: ComplianceProfile) => make(s, p, 'Key', { keyLocation: azure.KeyLocation.newVault() })],
] as [string, Build, Build][]);

describe.each([ComplianceProfile.COMMERCIAL, ComplianceProfile.PCI_DSS])('keyLocation synthesizes what the deprecated props do (%s)', (profile) => {
  test.each(CASES)('%s', (_name, deprecated, located) => {
    const before = synthesized(deprecated, profile);
    const after = synthesized(located, profile);
    expect(after.json).toEqual(before.json);
    expect(after.evidence).toEqual(before.evidence);
  });
});

test('the location says which of the three it is', () => {
  const s = azureStack();
  const vault = sharedVault(s, ComplianceProfile.COMMERCIAL);
  const hsm = azureHsm(s, ComplianceProfile.COMMERCIAL);
  expect(azure.KeyLocation.newVault()).toMatchObject({ kind: azure.KeyLocationKind.NEW_VAULT, sharedVault: undefined, hsmStore: undefined });
  expect(azure.KeyLocation.vault(vault)).toMatchObject({ kind: azure.KeyLocationKind.VAULT, sharedVault: vault, hsmStore: undefined });
  expect(azure.KeyLocation.managedHsm(hsm)).toMatchObject({ kind: azure.KeyLocationKind.MANAGED_HSM, sharedVault: undefined, hsmStore: hsm });
});

describe('bad input', () => {

  test.each(['vault', 'managedHsm'] as const)('keyLocation with the deprecated %s is refused, naming both props', (prop) => {
    const s = azureStack();
    const old = prop === 'vault' ? { vault: sharedVault(s, ComplianceProfile.COMMERCIAL) } : { managedHsm: azureHsm(s, ComplianceProfile.COMMERCIAL) };
    const message = (id: string) => `keyLocation and ${prop} both given for test/${id}: give keyLocation only (${prop} is deprecated; use keyLocation: KeyLocation.${prop}(...))`;
    expect(refusal(() => azureCmk(s, ComplianceProfile.COMMERCIAL, 'K', { keyLocation: azure.KeyLocation.newVault(), network: undefined, ...old })))
      .toBe(message('K'));
    expect(refusal(() => azureByok(s, ComplianceProfile.COMMERCIAL, 'B', { keyLocation: azure.KeyLocation.newVault(), network: undefined, ...old })))
      .toBe(message('B'));
  });

  test('keyLocation must come from a factory; the factories take what they say', () => {
    expect(refusal(() => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', { keyLocation: { kind: 'VAULT' } as any })))
      .toMatch(/^keyLocation must be KeyLocation.newVault\(\), KeyLocation.vault\(...\) or KeyLocation.managedHsm\(...\), got /);
    expect(refusal(() => azure.KeyLocation.vault(undefined as any))).toBe('vault is required, got nothing');
    expect(refusal(() => azure.KeyLocation.managedHsm('hsm' as any))).toMatch(/^managedHsm must be a HyokExternalStore, got /);
  });

  // A JavaScript caller's keyLocation is refused by name before any other prop is read (the vault's own props left out,
  // as a caller with a shared vault would): not "resourceGroupName is required".
  const KEY_MAKERS: [string, MakeKey][] = [['CustomerManagedKey', azureCmk], ['ByokImport', azureByok]];
  const NOT_LOCATIONS: [string, (s: TerraformStack) => unknown, RegExp][] = [
    ['a KeyVault', (s) => sharedVault(s, ComplianceProfile.COMMERCIAL), /got the construct test\/Shared$/],
    ['a string', () => 'vault', /got vault$/],
    ['{}', () => ({}), /got \{\}$/],
  ];
  describe.each(KEY_MAKERS)('%s', (_name, make) => {
    test.each(NOT_LOCATIONS)('keyLocation given %s is refused, naming keyLocation and the value', (_what, value, got) => {
      const s = azureStack();
      const message = refusal(() => make(s, ComplianceProfile.COMMERCIAL, 'K', {
        resourceGroupName: undefined, location: undefined, keyLocation: value(s) as any,
      }));
      expect(message).toMatch(/^keyLocation must be KeyLocation.newVault\(\), KeyLocation.vault\(...\) or KeyLocation.managedHsm\(...\), got /);
      expect(message).toMatch(got);
    });
  });

  test('KeyLocation.vault takes a KeyVault only, KeyLocation.managedHsm a HyokExternalStore only', () => {
    const s = azureStack();
    const vault = sharedVault(s, ComplianceProfile.COMMERCIAL);
    const hsm = azureHsm(s, ComplianceProfile.COMMERCIAL);
    expect(refusal(() => azure.KeyLocation.vault(hsm as any))).toBe('vault must be a KeyVault, got the construct test/Hsm');
    expect(refusal(() => azure.KeyLocation.managedHsm(vault as any))).toBe('managedHsm must be a HyokExternalStore, got the construct test/Shared');
    expect(refusal(() => azure.KeyLocation.vault('x' as any))).toBe('vault must be a KeyVault, got x');
  });

  test('the deprecated vault and managedHsm props take their own kind only', () => {
    const s = azureStack();
    const vault = sharedVault(s, ComplianceProfile.COMMERCIAL);
    const hsm = azureHsm(s, ComplianceProfile.COMMERCIAL);
    expect(refusal(() => azureCmk(s, ComplianceProfile.COMMERCIAL, 'K', { vault: hsm as any }))).toBe('vault must be a KeyVault, got the construct test/Hsm');
    expect(refusal(() => azureByok(s, ComplianceProfile.COMMERCIAL, 'B', { managedHsm: vault as any })))
      .toBe('managedHsm must be a HyokExternalStore, got the construct test/Shared');
  });
});

describe('a KeyLocation from a second copy of the library (same shape, another class) is accepted', () => {
  test.each(KEYS)('%s', (_name, make, custodians) => {
    const build = (location: (vault: azure.KeyVault) => azure.KeyLocation): Build => (s, p) => {
      make(s, p, 'Key', { custodians, network: undefined, keyLocation: location(sharedVault(s, p)) });
    };
    const copy = (vault: azure.KeyVault) => ({ kind: 'VAULT', sharedVault: vault, hsmStore: undefined }) as unknown as azure.KeyLocation;
    const before = synthesized(build((vault) => azure.KeyLocation.vault(vault)), ComplianceProfile.COMMERCIAL);
    const after = synthesized(build(copy), ComplianceProfile.COMMERCIAL);
    expect(after.json).toEqual(before.json);
    expect(after.evidence).toEqual(before.evidence);
  });
});
