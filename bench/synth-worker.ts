/*
 * One contender of the synthesis benchmark, in a fresh process so that peak RSS is its own: a TenantKeyHierarchy of
 * `n` DEDICATED tenants, or the baseline of `n` plain provider keys with equivalent settings in one stack. Prints one
 * JSON object. Run by bench/synth.ts: synth-worker.ts <aws|azure|gcp> <ours|baseline> <n> <outdir>.
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { KeyVault as CfnKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsKeyRing } from '@cdktf/provider-google/lib/kms-key-ring';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App as CdkApp, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Fn as TfFn, App as TfApp, TerraformStack } from 'cdktf';
import { aws, azure, gcp } from '../src';
import * as actions from '../src/aws/key-policy-actions';

const [cloud, mode, nArg, outdir] = process.argv.slice(2);
const n = Number(nArg);
const tenantIds = Array.from({ length: n }, (_, i) => `t${String(i).padStart(5, '0')}`);

function awsApp(): void {
  // What `cdk synth` runs: no per-construct stack traces, and the 500-resource guard off so the baseline can synthesize.
  const app = new CdkApp({
    outdir,
    context: { '@aws-cdk/core:stackResourceLimit': 0, 'aws:cdk:disable-stack-trace': true, 'aws:cdk:disable-creation-stack-traces': true },
  });
  const stack = new Stack(app, 'Tenants', { env: { account: '111111111111', region: 'us-east-1' } });
  const admin = new iam.Role(stack, 'KeyAdmin', { assumedBy: new iam.AccountRootPrincipal() });
  const service = new iam.Role(stack, 'TenantService', { assumedBy: new iam.AccountRootPrincipal() });
  if (mode === 'ours') {
    new aws.TenantKeyHierarchy(stack, 'Hierarchy', {
      custodians: { administrators: [admin], users: [service] },
      tenants: tenantIds.map((tenantId) => ({ tenantId })),
    });
  } else {
    // The same key policy, tag and alias per key, written by hand as a platform team would, in one template.
    const deployer = new iam.ArnPrincipal(Fn.sub('arn:${AWS::Partition}:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-us-east-1'));
    const adminActions = [...actions.READ_ACTIONS, ...actions.MANAGEMENT_ACTIONS];
    for (const t of tenantIds) {
      const key = new kms.Key(stack, t, {
        description: `Tenant ${t} key`,
        enableKeyRotation: true,
        rotationPeriod: Duration.days(365),
        pendingWindow: Duration.days(30),
        removalPolicy: RemovalPolicy.RETAIN,
        policy: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'AllowKeyAdministration', principals: [admin], actions: adminActions, resources: ['*'] }),
            new iam.PolicyStatement({ sid: 'AllowCloudFormationDeployment', principals: [deployer], actions: adminActions, resources: ['*'] }),
            new iam.PolicyStatement({
              sid: 'DenyCryptographicUseByAdministrators',
              effect: iam.Effect.DENY,
              principals: [admin, deployer],
              actions: [...actions.CRYPTOGRAPHIC_ACTIONS, ...actions.IMPORT_ACTIONS],
              resources: ['*'],
            }),
            new iam.PolicyStatement({
              sid: 'DenyGrantsNotForAwsResources',
              effect: iam.Effect.DENY,
              principals: [new iam.AnyPrincipal()],
              actions: ['kms:CreateGrant'],
              resources: ['*'],
              conditions: { Bool: { 'kms:GrantIsForAWSResource': 'false' } },
            }),
            new iam.PolicyStatement({
              principals: [service],
              actions: [...actions.ENCRYPT_ACTIONS, ...actions.DECRYPT_ACTIONS],
              resources: ['*'],
              conditions: { StringEquals: { 'kms:EncryptionContext:tenantId': t, 'aws:PrincipalTag/tenantId': t } },
            }),
            new iam.PolicyStatement({
              principals: [service], actions: ['kms:DescribeKey'], resources: ['*'], conditions: { StringEquals: { 'aws:PrincipalTag/tenantId': t } },
            }),
            new iam.PolicyStatement({
              effect: iam.Effect.DENY, principals: [service], actions: [...actions.MANAGEMENT_ACTIONS, ...actions.IMPORT_ACTIONS], resources: ['*'],
            }),
          ],
        }),
      });
      (key.node.defaultChild as kms.CfnKey).tags.setTag('tenantId', t);
      new kms.CfnAlias(stack, `${t}Alias`, { aliasName: `alias/tenant/${t}`, targetKeyId: key.keyArn });
    }
  }
  app.synth();
}

const AZURE_ADMIN = '11111111-1111-4111-8111-111111111111';
const AZURE_SERVICE = '22222222-2222-4222-8222-222222222222';

function azureApp(): void {
  const app = new TfApp({ outdir, skipValidation: false });
  const stack = new TerraformStack(app, 'tenants');
  // A known subscription: generated global names (the tenant vaults') carry the environment, and synthesis refuses an
  // unknown one.
  new AzurermProvider(stack, 'azurerm', { features: [{}], subscriptionId: '00000000-0000-4000-8000-000000000003' });
  if (mode === 'ours') {
    new azure.TenantKeyHierarchy(stack, 'Hierarchy', {
      resourceGroupName: 'rg-tenants',
      location: 'westeurope',
      custodians: { administrators: [AZURE_ADMIN], users: [AZURE_SERVICE] },
      acknowledgePurgeProtectionIsPermanent: true,
      network: azure.VaultNetwork.privateEndpoint({
        subnetId: '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints',
        privateDnsZoneId: '/subscriptions/00000000-0000-4000-8000-000000000002/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net',
      }),
      tenants: tenantIds.map((tenantId) => ({ tenantId })),
    });
  } else {
    const vault = new CfnKeyVault(stack, 'Vault', {
      name: 'kv-tenants-baseline',
      resourceGroupName: 'rg-tenants',
      location: 'westeurope',
      tenantId: AZURE_ADMIN,
      skuName: 'premium',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: 90,
      publicNetworkAccessEnabled: false,
      networkAcls: { defaultAction: 'Deny', bypass: 'None' },
      lifecycle: { preventDestroy: true },
    });
    // With RBAC authorization, Terraform needs a data-plane role before it can create keys.
    const deployer = new RoleAssignment(stack, 'Deployer', {
      scope: vault.id, roleDefinitionName: 'Key Vault Crypto Officer', principalId: AZURE_ADMIN,
    });
    for (const t of tenantIds) {
      new KeyVaultKey(stack, t, {
        name: `tenant-${t}`,
        keyVaultId: vault.id,
        keyType: 'RSA-HSM',
        keySize: 3072,
        keyOpts: ['decrypt', 'encrypt', 'unwrapKey', 'wrapKey'],
        expirationDate: TfFn.timeadd(TfFn.timestamp(), '9480h'),
        rotationPolicy: { automatic: { timeAfterCreation: 'P365D' }, expireAfter: 'P395D', notifyBeforeExpiry: 'P30D' },
        tags: { tenantId: t },
        lifecycle: { ignoreChanges: ['expiration_date'], preventDestroy: true },
        dependsOn: [deployer],
      });
    }
  }
  app.synth();
}

function gcpApp(): void {
  const app = new TfApp({ outdir });
  const stack = new TerraformStack(app, 'tenants');
  new GoogleProvider(stack, 'google', { project: 'bench-project', region: 'europe-west1' });
  if (mode === 'ours') {
    new gcp.TenantKeyHierarchy(stack, 'Hierarchy', {
      project: 'bench-project',
      location: 'europe-west1',
      custodians: { administrators: ['group:kms-admins@example.com'], users: ['serviceAccount:envelope@bench-project.iam.gserviceaccount.com'] },
      tenants: tenantIds.map((tenantId) => ({ tenantId })),
    });
  } else {
    const ring = new KmsKeyRing(stack, 'Ring', { name: 'tenants-baseline', location: 'europe-west1', project: 'bench-project' });
    for (const t of tenantIds) {
      new KmsCryptoKey(stack, t, {
        name: `tenant-${t}`,
        keyRing: ring.id,
        purpose: 'ENCRYPT_DECRYPT',
        rotationPeriod: '7776000s',
        destroyScheduledDuration: '2592000s',
        versionTemplate: { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protectionLevel: 'HSM' },
        labels: { tenant_id: t },
        lifecycle: { preventDestroy: true },
      });
    }
  }
  app.synth();
}

/** Every template or Terraform configuration written under the output directory. */
function templates(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...templates(path));
    else if (name.endsWith('.template.json') || name === 'cdk.tf.json') out.push(path);
  }
  return out;
}

function resourceCount(path: string): number {
  const t = JSON.parse(readFileSync(path, 'utf8'));
  if (path.endsWith('.template.json')) return Object.keys(t.Resources ?? {}).length;
  let count = 0;
  for (const byName of Object.values(t.resource ?? {}) as Array<Record<string, unknown>>) count += Object.keys(byName).length;
  return count;
}

const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
if (cloud === 'aws') awsApp();
else if (cloud === 'azure') azureApp();
else if (cloud === 'gcp') gcpApp();
else throw new Error(`cloud must be aws, azure or gcp, got ${cloud}`);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
// CPU time of the same span (user + system, every thread of this process, the GC's included): what the code costs,
// whatever else the machine is running. Synthesis is single-threaded and does no network I/O.
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const peakRssMiB = process.resourceUsage().maxRSS / 1024;
const files = templates(outdir);
console.log(JSON.stringify({
  seconds,
  cpuSeconds,
  peakRssMiB,
  templates: files.length,
  maxResourcesPerTemplate: Math.max(...files.map(resourceCount)),
  maxTemplateBytes: Math.max(...files.map((f) => statSync(f).size)),
}));
