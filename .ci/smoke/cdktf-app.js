/*
 * A user's cdktf-only app (no aws-cdk-lib installed), run from a project that installed the packed tarball with
 * cdktf, both Terraform providers and constructs: one Azure and one Google customer-managed key, each in its own
 * stack, then checks the Terraform JSON and the compliance report. Usage: node cdktf-app.js <outdir>
 */
'use strict';
const { existsSync, readFileSync } = require('fs');
const { join } = require('path');
const { App, TerraformStack } = require('cdktf');
const { AzurermProvider } = require('@cdktf/provider-azurerm/lib/provider');
const { GoogleProvider } = require('@cdktf/provider-google/lib/provider');
const azure = require('cloud-kms-constructs/azure');
const gcp = require('cloud-kms-constructs/gcp');
const { ComplianceProfile } = require('cloud-kms-constructs/core');

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: node cdktf-app.js <outdir>');

const app = new App({ outdir });

const azureStack = new TerraformStack(app, 'azure-keys');
new AzurermProvider(azureStack, 'azurerm', { features: [{}], subscriptionId: 'a1b2c3d4-0000-4000-8000-000000000001' });
new azure.CustomerManagedKey(azureStack, 'OrdersKey', {
  resourceGroupName: 'rg-keys',
  location: 'westeurope',
  profile: ComplianceProfile.COMMERCIAL,
  acknowledgePurgeProtectionIsPermanent: true,
  network: azure.VaultNetwork.privateEndpoint({
    subnetId: '/subscriptions/a1b2c3d4-0000-4000-8000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-keys/subnets/endpoints',
    privateDnsZoneId: '/subscriptions/a1b2c3d4-0000-4000-8000-000000000001/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net',
  }),
  custodians: {
    administrators: ['11111111-1111-4111-8111-111111111111'],
    users: ['22222222-2222-4222-8222-222222222222'],
    auditors: ['33333333-3333-4333-8333-333333333333'],
  },
});

const gcpStack = new TerraformStack(app, 'gcp-keys');
new GoogleProvider(gcpStack, 'google', { project: 'payments-prod', region: 'europe-west1' });
new gcp.CustomerManagedKey(gcpStack, 'OrdersKey', {
  project: 'payments-prod',
  location: 'europe-west1',
  profile: ComplianceProfile.COMMERCIAL,
  custodians: {
    administrators: ['group:kms-admins@example.com'],
    users: ['serviceAccount:orders@payments-prod.iam.gserviceaccount.com'],
    auditors: ['group:auditors@example.com'],
  },
});

app.synth();

function fail(message) {
  console.error(`cdktf-app: ${message}`);
  process.exit(1);
}

function terraform(stack) {
  const file = join(outdir, 'stacks', stack, 'cdk.tf.json');
  if (!existsSync(file)) fail(`no Terraform JSON at ${file}`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

const count = (json, type) => Object.keys((json.resource ?? {})[type] ?? {}).length;
const azureKeys = count(terraform('azure-keys'), 'azurerm_key_vault_key');
if (azureKeys !== 1) fail(`expected one azurerm_key_vault_key in azure-keys, found ${azureKeys}`);
const gcpKeys = count(terraform('gcp-keys'), 'google_kms_crypto_key');
if (gcpKeys !== 1) fail(`expected one google_kms_crypto_key in gcp-keys, found ${gcpKeys}`);

const reportFile = join(outdir, 'compliance-report.json');
if (!existsSync(reportFile)) fail(`no compliance report at ${reportFile}`);
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const reported = (report.stacks ?? []).flatMap((s) => s.keys ?? []).map((k) => `${k.cloud}:${k.path}`).sort();
const expected = ['azure:azure-keys/OrdersKey', 'gcp:gcp-keys/OrdersKey'];
if (JSON.stringify(reported) !== JSON.stringify(expected)) fail(`expected the report to list ${expected.join(', ')}, found ${reported.join(', ') || 'none'}`);

const awsCdk = Object.keys(require.cache).filter((f) => /[\\/]node_modules[\\/]aws-cdk-lib[\\/]/.test(f));
if (awsCdk.length > 0) fail(`the cdktf app loaded ${awsCdk.length} aws-cdk-lib modules, e.g. ${awsCdk[0]}`);

console.log(`cdktf-app: synthesized ${azureKeys} azurerm_key_vault_key and ${gcpKeys} google_kms_crypto_key, report lists ${reported.join(', ')}`);
