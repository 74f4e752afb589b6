import { TerraformStack, Testing } from 'cdktf';
import { ComplianceProfile, EvidenceLedger } from '../../src';
import * as azure from '../../src/azure';
import { ValidationError } from '../../src/core/validation';
import * as support from '../support/azure';
import { azureByok, azureCmk, azureHsm, azureStack } from '../support/azure';

type Support = typeof support;
type Azure = typeof azure;
type Build = (s: TerraformStack, p: ComplianceProfile, t: Support, az: Azure) => void;

const HSM_ASSIGNMENT = 'azurerm_key_vault_managed_hardware_security_module_role_assignment';

/**
 * The Terraform JSON and the evidence a build gives. A Managed HSM role assignment's name hashes its role definition's
 * token text, which is numbered across every stack of the process (HyokExternalStore._assign, left as it is: the
 * snapshots hold it), so those names are compared as GUIDs, all else exactly.
 */
function synthesized(build: Build, profile: ComplianceProfile): { json: unknown; evidence: unknown } {
  const stack = azureStack();
  build(stack, profile, support, azure);
  const json = JSON.parse(Testing.synth(stack));
  for (const a of Object.values(json.resource?.[HSM_ASSIGNMENT] ?? {}) as { name: string }[]) {
    expect(a.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    a.name = '<guid>';
  }
  const ledger = EvidenceLedger.of(stack);
  return { json, evidence: JSON.parse(JSON.stringify({ keys: ledger.keys, evidence: ledger.evidence(), containers: ledger.containers })) };
}

/** A sink where the profile needs one, given to everything in the stack (one per stack). */
function sinkFor(s: TerraformStack, p: ComplianceProfile, t: Support): azure.IKeyAuditSink | undefined {
  return p.auditSinkRequired ? t.azureSink(s, p) : undefined;
}

const sharedVault = (s: TerraformStack, p: ComplianceProfile, t: Support, az: Azure, auditSink?: azure.IKeyAuditSink) => new az.KeyVault(s, 'Shared', {
  resourceGroupName: t.RG,
  location: t.LOCATION,
  acknowledgePurgeProtectionIsPermanent: true,
  network: t.vaultNetwork(),
  profile: p,
  auditSink,
  approvers: p.dualControlRequired ? [t.ids.approverA, t.ids.approverB] : undefined,
});
const noApprovers = (t: Support) => ({ administrators: [t.ids.admin], users: [t.ids.user] });
const byokCustodians = (t: Support) => ({ ...noApprovers(t), importers: [t.ids.importer] });

describe.each([ComplianceProfile.COMMERCIAL, ComplianceProfile.PCI_DSS])('keyLocation synthesizes what the deprecated props do (%s)', (profile) => {
  test.each<[string, Build, Build]>([
    ['CustomerManagedKey: KeyLocation.vault(v) is vault: v',
      (s, p, t, az) => {
        const auditSink = sinkFor(s, p, t);
        t.azureCmk(s, p, 'Key', { vault: sharedVault(s, p, t, az, auditSink), auditSink, custodians: noApprovers(t) });
      },
      (s, p, t, az) => {
        const auditSink = sinkFor(s, p, t);
        t.azureCmk(s, p, 'Key', { keyLocation: az.KeyLocation.vault(sharedVault(s, p, t, az, auditSink)), network: undefined, auditSink, custodians: noApprovers(t) });
      }],
    ['CustomerManagedKey: KeyLocation.managedHsm(h) is managedHsm: h',
      (s, p, t) => {
        const auditSink = sinkFor(s, p, t);
        t.azureCmk(s, p, 'Key', { managedHsm: t.azureHsm(s, p, 'Hsm', { auditSink }), auditSink, custodians: noApprovers(t) });
      },
      (s, p, t, az) => {
        const auditSink = sinkFor(s, p, t);
        t.azureCmk(s, p, 'Key', { keyLocation: az.KeyLocation.managedHsm(t.azureHsm(s, p, 'Hsm', { auditSink })), network: undefined, auditSink, custodians: noApprovers(t) });
      }],
    ['CustomerManagedKey: KeyLocation.newVault() is neither',
      (s, p, t) => t.azureCmk(s, p, 'Key'),
      (s, p, t, az) => t.azureCmk(s, p, 'Key', { keyLocation: az.KeyLocation.newVault() })],
    ['ByokImport: KeyLocation.vault(v) is vault: v',
      (s, p, t, az) => {
        const auditSink = sinkFor(s, p, t);
        t.azureByok(s, p, 'Byok', { vault: sharedVault(s, p, t, az, auditSink), auditSink, custodians: byokCustodians(t) });
      },
      (s, p, t, az) => {
        const auditSink = sinkFor(s, p, t);
        t.azureByok(s, p, 'Byok', { keyLocation: az.KeyLocation.vault(sharedVault(s, p, t, az, auditSink)), network: undefined, auditSink, custodians: byokCustodians(t) });
      }],
    ['ByokImport: KeyLocation.managedHsm(h) is managedHsm: h',
      (s, p, t) => {
        const auditSink = sinkFor(s, p, t);
        t.azureByok(s, p, 'Byok', { managedHsm: t.azureHsm(s, p, 'Hsm', { auditSink }), auditSink, custodians: byokCustodians(t) });
      },
      (s, p, t, az) => {
        const auditSink = sinkFor(s, p, t);
        t.azureByok(s, p, 'Byok', { keyLocation: az.KeyLocation.managedHsm(t.azureHsm(s, p, 'Hsm', { auditSink })), network: undefined, auditSink, custodians: byokCustodians(t) });
      }],
    ['ByokImport: KeyLocation.newVault() is neither',
      (s, p, t) => t.azureByok(s, p, 'Byok'),
      (s, p, t, az) => t.azureByok(s, p, 'Byok', { keyLocation: az.KeyLocation.newVault() })],
  ])('%s', (_name, deprecated, located) => {
    const before = synthesized(deprecated, profile);
    const after = synthesized(located, profile);
    expect(after.json).toEqual(before.json);
    expect(after.evidence).toEqual(before.evidence);
  });
});

test('the location says which of the three it is', () => {
  const s = azureStack();
  const vault = sharedVault(s, ComplianceProfile.COMMERCIAL, support, azure);
  const hsm = azureHsm(s, ComplianceProfile.COMMERCIAL);
  expect(azure.KeyLocation.newVault()).toMatchObject({ kind: azure.KeyLocationKind.NEW_VAULT, vault: undefined, managedHsm: undefined });
  expect(azure.KeyLocation.vault(vault)).toMatchObject({ kind: azure.KeyLocationKind.VAULT, vault, managedHsm: undefined });
  expect(azure.KeyLocation.managedHsm(hsm)).toMatchObject({ kind: azure.KeyLocationKind.MANAGED_HSM, vault: undefined, managedHsm: hsm });
});

describe('bad input', () => {
  function refusal(f: () => unknown): string {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as Error).message;
    }
    throw new Error('expected a ValidationError');
  }

  test.each(['vault', 'managedHsm'] as const)('keyLocation with the deprecated %s is refused, naming both props', (prop) => {
    const s = azureStack();
    const old = prop === 'vault' ? { vault: sharedVault(s, ComplianceProfile.COMMERCIAL, support, azure) } : { managedHsm: azureHsm(s, ComplianceProfile.COMMERCIAL) };
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
});
