/*
 * Issue 15, item 3: the compliance report attaches itself whatever path a construct is imported from. Each app here
 * loads its modules in a fresh module registry (jest.isolateModules), so a deep import never sees `compliance/index`
 * loaded by another import of this file: before the fix a deep import wrote no report and an unmet control passed.
 */
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const outdir = () => mkdtempSync(join(tmpdir(), 'entry-report-'));

/**
 * Loads `paths` (relative to src/) in a registry of their own, so nothing else of src/ is loaded, and runs `use` with
 * them inside that registry (what the library requires lazily at synthesis must resolve there too, as it does in an
 * app's single registry).
 */
function isolated<T>(paths: Record<string, string>, use: (loaded: Record<string, any>) => T): T {
  let result: T | undefined;
  jest.isolateModules(() => {
    const loaded: Record<string, any> = {};
    for (const [name, path] of Object.entries(paths)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded[name] = path.startsWith('.') ? require(join(__dirname, '../../src', path)) : require(path);
    }
    result = use(loaded);
  });
  return result as T;
}

type AwsMods = { cdk: any; iam: any; CustomerManagedKey: any; ComplianceProfile: any; Control: any };
const deepAws = <T>(use: (mods: AwsMods) => T) => isolated(
  { cdk: 'aws-cdk-lib', iam: 'aws-cdk-lib/aws-iam', key: './aws/customer-managed-key', profile: './core/profile', controls: './core/controls' },
  (m) => use({
    cdk: m.cdk, iam: m.iam, CustomerManagedKey: m.key.CustomerManagedKey, ComplianceProfile: m.profile.ComplianceProfile, Control: m.controls.Control,
  }));
const rootAws = <T>(use: (mods: AwsMods) => T) => isolated(
  { cdk: 'aws-cdk-lib', iam: 'aws-cdk-lib/aws-iam', root: '.' },
  (m) => use({
    cdk: m.cdk, iam: m.iam, CustomerManagedKey: m.root.aws.CustomerManagedKey, ComplianceProfile: m.root.ComplianceProfile, Control: m.root.Control,
  }));

/** One AWS app; `unmet` requires AU-6 (audit review) of a key that has no audit sink. */
function awsApp(mods: AwsMods, unmet: boolean) {
  const dir = outdir();
  const app = new mods.cdk.App({ outdir: dir });
  const stack = new mods.cdk.Stack(app, 'Orders', { env: { account: '111111111111', region: 'us-east-1' } });
  const profile = unmet
    ? mods.ComplianceProfile.custom({ name: 'REVIEWED', requiredControls: [mods.Control.NIST_AU_6] })
    : mods.ComplianceProfile.COMMERCIAL;
  new mods.CustomerManagedKey(stack, 'OrdersKey', {
    profile,
    custodians: {
      administrators: [new mods.iam.ArnPrincipal('arn:aws:iam::111111111111:role/KeyAdmin')],
      users: [new mods.iam.ArnPrincipal('arn:aws:iam::111111111111:role/OrdersService')],
    },
  });
  return { synth: () => app.synth(), report: () => readFileSync(join(dir, 'compliance-report.json'), 'utf8') };
}

const AZ = {
  RG: 'rg-keys',
  LOCATION: 'westeurope',
  SUBSCRIPTION: 'a1b2c3d4-0000-4000-8000-000000000001',
  subnet: '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-keys/subnets/endpoints',
  zone: '/subscriptions/00000000-0000-4000-8000-000000000002/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net',
  admin: '11111111-1111-4111-8111-111111111111',
  user: '22222222-2222-4222-8222-222222222222',
};

type AzureMods = { cdktf: any; AzurermProvider: any; CustomerManagedKey: any; VaultNetwork: any; ComplianceProfile: any; Control: any };
const deepAzure = <T>(use: (mods: AzureMods) => T) => isolated(
  {
    cdktf: 'cdktf',
    provider: '@cdktf/provider-azurerm/lib/provider',
    key: './azure/customer-managed-key',
    network: './azure/vault-network',
    profile: './core/profile',
    controls: './core/controls',
  },
  (m) => use({
    cdktf: m.cdktf,
    AzurermProvider: m.provider.AzurermProvider,
    CustomerManagedKey: m.key.CustomerManagedKey,
    VaultNetwork: m.network.VaultNetwork,
    ComplianceProfile: m.profile.ComplianceProfile,
    Control: m.controls.Control,
  }));
const rootAzure = <T>(use: (mods: AzureMods) => T) => isolated(
  { cdktf: 'cdktf', provider: '@cdktf/provider-azurerm/lib/provider', root: '.' },
  (m) => use({
    cdktf: m.cdktf,
    AzurermProvider: m.provider.AzurermProvider,
    CustomerManagedKey: m.root.azure.CustomerManagedKey,
    VaultNetwork: m.root.azure.VaultNetwork,
    ComplianceProfile: m.root.ComplianceProfile,
    Control: m.root.Control,
  }));

function azureApp(mods: AzureMods, unmet: boolean) {
  const dir = outdir();
  const app = new mods.cdktf.App({ outdir: dir });
  const stack = new mods.cdktf.TerraformStack(app, 'orders');
  new mods.AzurermProvider(stack, 'azurerm', { features: [{}], subscriptionId: AZ.SUBSCRIPTION });
  const profile = unmet
    ? mods.ComplianceProfile.custom({ name: 'REVIEWED', requiredControls: [mods.Control.NIST_AU_6] })
    : mods.ComplianceProfile.COMMERCIAL;
  new mods.CustomerManagedKey(stack, 'OrdersKey', {
    resourceGroupName: AZ.RG,
    location: AZ.LOCATION,
    profile,
    acknowledgePurgeProtectionIsPermanent: true,
    network: mods.VaultNetwork.privateEndpoint({ subnetId: AZ.subnet, privateDnsZoneId: AZ.zone }),
    custodians: { administrators: [AZ.admin], users: [AZ.user] },
  });
  return { synth: () => app.synth(), report: () => readFileSync(join(dir, 'compliance-report.json'), 'utf8') };
}

/** Synthesizes the app and returns its report. */
const reportOf = (app: { synth: () => void; report: () => string }) => {
  app.synth();
  return app.report();
};

describe('AWS: a construct imported from its own module attaches the report like the package root', () => {
  test('the deep and the root import write the same compliance-report.json', () => {
    const deep = deepAws((mods) => reportOf(awsApp(mods, false)));
    const root = rootAws((mods) => reportOf(awsApp(mods, false)));
    expect(JSON.parse(deep).stacks.map((s: any) => s.keys.map((k: any) => k.path))).toEqual([['Orders/OrdersKey']]);
    expect(deep).toEqual(root);
  });

  test.each([['deep', deepAws], ['root', rootAws]])('%s import: an unmet required control fails synthesis', (_, load) => {
    expect(() => load((mods) => awsApp(mods, true).synth())).toThrow(/required control NIST SP 800-53 Rev. 5 AU-6 is not satisfied for key Orders\/OrdersKey/);
  });
});

describe('Azure (cdktf): a construct imported from its own module attaches the report like the package root', () => {
  test('the deep and the root import write the same compliance-report.json', () => {
    const deep = deepAzure((mods) => reportOf(azureApp(mods, false)));
    const root = rootAzure((mods) => reportOf(azureApp(mods, false)));
    expect(JSON.parse(deep).stacks.map((s: any) => s.keys.map((k: any) => k.path))).toEqual([['orders/OrdersKey']]);
    expect(deep).toEqual(root);
  });

  test.each([['deep', deepAzure], ['root', rootAzure]])('%s import: an unmet required control fails synthesis', (_, load) => {
    expect(() => load((mods) => azureApp(mods, true).synth())).toThrow(/required control NIST SP 800-53 Rev. 5 AU-6 is partially satisfied for key orders\/OrdersKey/);
  });
});

describe('the ledger first reached from the app itself (no stack yet) still attaches the report', () => {
  // An app-wide acknowledgement or EvidenceLedger.of(app) before any stack used to create the ledger where no stack
  // was, so the report was never attached: no compliance-report.* and no failing synthesis for an unmet control.
  test.each([['deep', deepAws], ['root', rootAws]])('%s import: acknowledging an unrelated control on the app first', (_, load) => {
    const dir = outdir();
    expect(() => load((mods) => {
      const app = new mods.cdk.App({ outdir: dir });
      isolatedLedgerOf(app);
      const stack = new mods.cdk.Stack(app, 'Orders', { env: { account: '111111111111', region: 'us-east-1' } });
      new mods.CustomerManagedKey(stack, 'OrdersKey', {
        profile: mods.ComplianceProfile.custom({ name: 'REVIEWED', requiredControls: [mods.Control.NIST_AU_6] }),
        custodians: {
          administrators: [new mods.iam.ArnPrincipal('arn:aws:iam::111111111111:role/KeyAdmin')],
          users: [new mods.iam.ArnPrincipal('arn:aws:iam::111111111111:role/OrdersService')],
        },
      });
      app.synth();
    })).toThrow(/required control NIST SP 800-53 Rev. 5 AU-6 is not satisfied for key Orders\/OrdersKey/);
    expect(JSON.parse(readFileSync(join(dir, 'compliance-report.json'), 'utf8')).summary.keys).toBe(1);
  });
});

/** EvidenceLedger.of(app), from the module registry the app's constructs were loaded in. */
function isolatedLedgerOf(app: unknown): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(join(__dirname, '../../src/core/evidence')).EvidenceLedger.of(app);
}
