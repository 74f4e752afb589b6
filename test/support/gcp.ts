import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { ComplianceProfile, FipsLevel } from '../../src';
import * as gcp from '../../src/gcp';

export const PROJECT = 'payments-prod';
export const LOCATION = 'europe-west1';

/** IAM members of the people and workloads in the tests. */
export const m = {
  admin: 'group:kms-admins@example.com',
  user: 'serviceAccount:orders@payments-prod.iam.gserviceaccount.com',
  auditor: 'group:auditors@example.com',
  approverA: 'user:alice@example.com',
  approverB: 'user:bob@example.com',
  importer: 'user:ceremony@example.com',
  /** Where the audit sink's alerts go (an e-mail address, not an IAM member). */
  securityTeam: 'security-alerts@example.com',
  /** Who hears of changes to alerting itself (an e-mail address the other alerts do not use). */
  securityOnCall: 'security-oncall@example.com',
};

export function gcpStack(id = 'test'): TerraformStack {
  const stack = new TerraformStack(Testing.app(), id);
  new GoogleProvider(stack, 'google', { project: PROJECT, region: LOCATION });
  return stack;
}

export type TfJson = { resource: Record<string, Record<string, any>>; data?: Record<string, Record<string, any>>; output?: Record<string, any> };

export function synth(stack: TerraformStack): TfJson {
  return JSON.parse(Testing.synth(stack));
}

export function resources(json: TfJson, type: string): Record<string, any> {
  return json.resource[type] ?? {};
}

/** The one resource of a type whose name matches. */
export function one(json: TfJson, type: string, name: RegExp = /.*/): any {
  const found = Object.entries(resources(json, type)).filter(([n]) => name.test(n));
  if (found.length !== 1) throw new Error(`expected one ${type} matching ${name}, found ${found.map(([n]) => n).join(', ') || 'none'}`);
  return found[0][1];
}

/** Every IAM member resource of a type, as [role, member, scope-ish] rows. */
export function bindings(json: TfJson, type: string): any[] {
  return Object.values(resources(json, type));
}

export function gcpSink(stack: TerraformStack, profile: ComplianceProfile, id = 'Audit', extra: Partial<gcp.KeyAuditSinkProps> = {}): gcp.KeyAuditSink {
  return new gcp.KeyAuditSink(stack, id, {
    project: PROJECT,
    location: 'EU',
    profile,
    auditors: [m.auditor],
    acknowledgeLockedRetention: true,
    notificationEmails: [m.securityTeam],
    escalationEmails: [m.securityOnCall],
    ...extra,
  });
}

const custodians = (profile: ComplianceProfile) => ({
  administrators: [m.admin],
  users: [m.user],
  auditors: [m.auditor],
  approvers: profile.dualControlRequired ? [m.approverA, m.approverB] : undefined,
});

export function gcpCmk(stack: TerraformStack, profile: ComplianceProfile, id = 'OrdersKey', extra: Partial<gcp.CustomerManagedKeyProps> = {}) {
  return new gcp.CustomerManagedKey(stack, id, {
    project: PROJECT,
    location: LOCATION,
    profile,
    auditSink: 'auditSink' in extra ? extra.auditSink : profile.auditSinkRequired ? gcpSink(stack, profile) : undefined,
    custodians: custodians(profile),
    ...extra,
  });
}

export function gcpByok(stack: TerraformStack, profile: ComplianceProfile, id = 'ImportedKey', extra: Partial<gcp.ByokImportProps> = {}) {
  return new gcp.ByokImport(stack, id, {
    project: PROJECT,
    location: LOCATION,
    profile,
    auditSink: 'auditSink' in extra ? extra.auditSink : profile.auditSinkRequired ? gcpSink(stack, profile) : undefined,
    custodians: { ...custodians(profile), importers: [m.importer] },
    ...extra,
  });
}

export const CERT_DER = 'MIIBszCCAVmgAwIBAgIUExampleDerCertificateBase64Only==';
export const SD_SERVICE = 'projects/payments-prod/locations/europe-west1/namespaces/ekm/services/key-manager';

export function gcpEkm(stack: TerraformStack, profile: ComplianceProfile, id = 'Store', extra: Partial<gcp.HyokExternalStoreProps> = {}) {
  return new gcp.HyokExternalStore(stack, id, {
    project: PROJECT,
    location: LOCATION,
    profile,
    auditSink: 'auditSink' in extra ? extra.auditSink : profile.auditSinkRequired ? gcpSink(stack, profile) : undefined,
    acknowledgeEkmConnectionIsPermanent: true,
    backend: gcp.EkmBackend.vpc({
      serviceDirectoryService: SD_SERVICE, hostname: 'ekm.example.com', serverCertificates: [CERT_DER], externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
    }),
    custodians: custodians(profile),
    ...extra,
  });
}
