import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import { KmsKeyRingIamMember } from '@cdktf/provider-google/lib/kms-key-ring-iam-member';
import { PrivilegedAccessManagerEntitlement } from '@cdktf/provider-google/lib/privileged-access-manager-entitlement';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { TerraformStack } from 'cdktf';
import { gcpApp } from '../../examples/gcp/main';
import { ComplianceProfile, Control, CustodianRole, EvidenceLedger, EvidenceStatus } from '../../src';
import { Access, AccessMatrix, MatrixRow } from '../../src/compliance/access-matrix';
import { buildReport, ComplianceReportData } from '../../src/compliance/report';
import * as gcp from '../../src/gcp';
import { evaluateCondition } from '../../src/gcp/private/access-matrix';
import { ringCondition } from '../../src/gcp/private/admin-role';
import {
  ADMINISTRATOR_FORBIDDEN, EXTERNAL_KEY_ADMINISTRATOR_PERMISSIONS, EXTERNAL_KEY_REPOINTING, GCP_ACTION_CLASSES, KEY_ADMINISTRATOR_PERMISSIONS,
  KMS_ADMIN_PERMISSIONS, ROLE_PERMISSIONS,
} from '../../src/gcp/private/role-permissions';
import { ROLES } from '../../src/gcp/private/roles';
import { gcpCmk, gcpEkm, gcpSink, gcpStack, LOCATION, m, PROJECT, resources, synth } from '../support/gcp';
import { gcpScenarios } from '../support/gcp-scenarios';

const KEY = 'test/OrdersKey';

function matrixOf(data: ComplianceReportData, path: string): AccessMatrix {
  const key = data.stacks.flatMap((s) => s.keys).find((k) => k.path === path);
  if (!key?.accessMatrix) throw new Error(`no access matrix for ${path}`);
  return key.accessMatrix;
}

function row(matrix: AccessMatrix, principal: string): MatrixRow {
  const r = matrix.rows.find((x) => x.principal.toLowerCase() === principal.toLowerCase());
  if (!r) throw new Error(`no row for ${principal}: ${matrix.rows.map((x) => x.principal).join(', ')}`);
  return r;
}

const cells = (r: MatrixRow) => Object.fromEntries(Object.entries(r.access).map(([cls, c]) => [cls, c.access]));
const evidence = (stack: TerraformStack, control: Control, subject = KEY) => EvidenceLedger.of(stack).evidenceFor(control, subject);

describe('the key administrator custom role', () => {
  test('holds only documented Cloud KMS Admin permissions, none that uses a key, changes IAM or imports material', () => {
    expect(KMS_ADMIN_PERMISSIONS).toEqual(expect.arrayContaining(KEY_ADMINISTRATOR_PERMISSIONS));
    for (const p of KEY_ADMINISTRATOR_PERMISSIONS) {
      expect(ADMINISTRATOR_FORBIDDEN).not.toContain(p);
      expect(GCP_ACTION_CLASSES.import).not.toContain(p);
      expect(p).not.toMatch(/setIamPolicy|useTo|ekmConnections\.(create|update|use)$|TagBinding/);
    }
    // What made Cloud KMS Admin unfit: it grants IAM changes and use through delegation.
    expect(ROLE_PERMISSIONS[ROLES.KMS_ADMIN]).toEqual(expect.arrayContaining([
      'cloudkms.cryptoKeys.setIamPolicy', 'cloudkms.keyRings.setIamPolicy', 'cloudkms.cryptoKeyVersions.useToDecryptViaDelegation',
    ]));
  });

  test('one role per stack and project, shared by its rings, with a valid role id, prevent_destroy, and no Cloud KMS Admin anywhere', () => {
    const stack = gcpStack();
    const a = new gcp.KeyRing(stack, 'A', { project: PROJECT, location: LOCATION });
    const b = new gcp.KeyRing(stack, 'B', { project: PROJECT, location: LOCATION });
    const c = new gcp.KeyRing(stack, 'C', { project: 'other-project', location: LOCATION });
    [a, b, c].forEach((ring) => ring.addAdministrator(m.admin));
    const json = synth(stack);
    const roles = Object.values(resources(json, 'google_project_iam_custom_role'));
    expect(roles).toHaveLength(2);
    expect(roles.map((r) => r.project).sort()).toEqual(['other-project', PROJECT]);
    for (const r of roles) {
      expect(r.role_id).toMatch(/^[a-zA-Z0-9_.]{3,64}$/);
      expect(r.permissions).toEqual(KEY_ADMINISTRATOR_PERMISSIONS);
      expect(r.lifecycle).toEqual({ prevent_destroy: true });
    }
    const roleOf = (ring: gcp.KeyRing) => Object.values(resources(json, 'google_kms_key_ring_iam_member'))
      .find((x) => x.key_ring_id === `\${google_kms_key_ring.${(ring.ring as any).friendlyUniqueId}.id}`).role;
    expect(roleOf(a)).toMatch(/^\$\{google_project_iam_custom_role\.KmsKeyAdministratorRole[0-9a-f]{8}\.name\}$/);
    expect(roleOf(a)).toBe(roleOf(b));
    expect(roleOf(c)).not.toBe(roleOf(a));
    expect(JSON.stringify(json)).not.toContain(ROLES.KMS_ADMIN);
  });
});

describe('the Privileged Access Manager condition', () => {
  const ring = `projects/${PROJECT}/locations/${LOCATION}/keyRings/card-data`;
  const archive = `projects/${PROJECT}/locations/${LOCATION}/keyRings/card-data-archive`;

  test('reaches the ring, its keys and their versions, and nothing in a ring whose name merely starts the same', () => {
    // The expression as the ring synthesizes it, with the Terraform reference replaced by the ring's id.
    const stack = gcpStack();
    const r = new gcp.KeyRing(stack, 'CardData', {
      project: PROJECT,
      location: LOCATION,
      name: 'card-data',
      profile: ComplianceProfile.PCI_DSS,
      auditSink: gcpSink(stack, ComplianceProfile.PCI_DSS),
      approvers: [m.approverA, m.approverB],
      administrators: [m.admin],
    });
    const json = synth(stack);
    const expression: string = Object.values(resources(json, 'google_privileged_access_manager_entitlement'))[0]
      .privileged_access.gcp_iam_access.role_bindings[0].condition_expression;
    const concrete = expression.split(`\${google_kms_key_ring.${(r.ring as any).friendlyUniqueId}.id}`).join(ring);
    expect(concrete).toBe(ringCondition(ring));
    expect(evaluateCondition(concrete, [ring])).toBe(true);
    expect(evaluateCondition(concrete, [`${ring}/cryptoKeys/pan`])).toBe(true);
    expect(evaluateCondition(concrete, [`${ring}/cryptoKeys/pan/cryptoKeyVersions/3`])).toBe(true);
    expect(evaluateCondition(concrete, [archive])).toBe(false);
    expect(evaluateCondition(concrete, [`${archive}/cryptoKeys/pan`])).toBe(false);
  });

  test('the former expression (a bare prefix) matched the other ring: the reason for the change', () => {
    expect(evaluateCondition(`resource.name.startsWith("${ring}")`, [`${archive}/cryptoKeys/pan`])).toBe(true);
    // Expressions this does not read are undecided, and then counted as granting.
    expect(evaluateCondition('resource.type == "cloudkms.googleapis.com/CryptoKey"', [ring])).toBeUndefined();
  });

  test('in the matrix: the archive ring\'s key is out of reach of the card-data ring\'s administrators, unless a bare prefix grants it', () => {
    const stack = gcpStack();
    const profile = ComplianceProfile.PCI_DSS;
    const auditSink = gcpSink(stack, profile);
    const common = { project: PROJECT, location: LOCATION, profile, auditSink, approvers: [m.approverA, m.approverB] };
    const cardData = new gcp.KeyRing(stack, 'CardData', { ...common, name: 'card-data', administrators: [m.admin] });
    const archiveRing = new gcp.KeyRing(stack, 'Archive', { ...common, name: 'card-data-archive', administrators: ['group:archive-admins@example.com'] });
    new gcp.CustomerManagedKey(stack, 'ArchiveKey', {
      project: PROJECT,
      location: LOCATION,
      profile,
      auditSink,
      keyRing: archiveRing,
      keyName: 'pan',
      custodians: { administrators: ['group:archive-admins@example.com'], users: [m.user], auditors: [m.auditor] },
    });
    const before = matrixOf(buildReport(EvidenceLedger.of(stack)), 'test/ArchiveKey');
    expect(before.rows.some((r) => r.principal === m.admin)).toBe(false);
    // A hand-made entitlement with the former condition on the card-data ring.
    new PrivilegedAccessManagerEntitlement(stack, 'FormerEntitlement', {
      parent: `projects/${PROJECT}`,
      location: 'global',
      entitlementId: 'former',
      maxRequestDuration: '3600s',
      eligibleUsers: [{ principals: [m.admin] }],
      privilegedAccess: {
        gcpIamAccess: {
          resourceType: 'cloudresourcemanager.googleapis.com/Project',
          resource: `//cloudresourcemanager.googleapis.com/projects/${PROJECT}`,
          roleBindings: [{ role: cardData.administratorRole, conditionExpression: `resource.name.startsWith("${cardData.keyRingId}")` }],
        },
      },
      requesterJustificationConfig: { unstructured: {} },
      approvalWorkflow: { manualApprovals: { steps: [{ approvalsNeeded: 1, approvers: { principals: [m.approverA] } }] } },
    });
    const after = matrixOf(buildReport(EvidenceLedger.of(stack)), 'test/ArchiveKey');
    expect(row(after, m.admin).access.manage.access).toBe(Access.JUST_IN_TIME);
  });
});

describe('a PCI DSS key with Privileged Access Manager', () => {
  const stack = gcpStack();
  gcpCmk(stack, ComplianceProfile.PCI_DSS);
  const data = buildReport(EvidenceLedger.of(stack));
  const matrix = matrixOf(data, KEY);

  test('administrators manage and destroy only just in time, and never use the key or change access', () => {
    expect(matrix.computed).toBe(true);
    const admin = row(matrix, m.admin);
    expect(admin.role).toBe('administrator');
    expect(cells(admin)).toEqual({
      'use': Access.DENIED,
      'manage': Access.JUST_IN_TIME,
      'change access': Access.DENIED,
      'destroy/disable': Access.JUST_IN_TIME,
      'import': Access.DENIED,
      'audit-read': Access.JUST_IN_TIME,
    });
    // Only inside this ring: the grant carries the ring condition.
    expect(admin.access.manage.conditions).toEqual([expect.stringMatching(/^IAM condition: resource\.name == "projects\/payments-prod\/locations\/europe-west1\/keyRings\/ring-orderskey-[0-9a-f]{8}" \|\| /)]);
  });

  test('users use the key and nothing else; auditors only read', () => {
    expect(cells(row(matrix, m.user))).toEqual({
      'use': Access.ALLOWED, 'manage': Access.DENIED, 'change access': Access.DENIED, 'destroy/disable': Access.DENIED, 'import': Access.DENIED, 'audit-read': Access.DENIED,
    });
    expect(row(matrix, m.user).access.use.actions).toEqual(['cloudkms.cryptoKeyVersions.useToEncrypt', 'cloudkms.cryptoKeyVersions.useToDecrypt']);
    const auditor = row(matrix, m.auditor);
    expect(Object.entries(cells(auditor)).filter(([, a]) => a !== Access.DENIED)).toEqual([['audit-read', Access.ALLOWED]]);
  });

  test('the deployment identity is a recorded custodian, and its own IAM rights are named as outside this app', () => {
    expect(EvidenceLedger.of(stack).custodiansOf(KEY).filter((c) => c.role === CustodianRole.DEPLOYER))
      .toEqual([expect.objectContaining({ label: 'the identity Terraform runs as' })]);
    expect(row(matrix, 'the identity Terraform runs as').role).toBe('deployment identity');
    expect(matrix.assumptions.join('\n')).toMatch(/outside this app, not counted: the deployment identity \(the identity Terraform runs as\) sets IAM/);
    expect(matrix.assumptions.join('\n')).toMatch(/outside this app, not counted: project, folder and organization owners/);
    const report = data.stacks[0].keys.find((k) => k.path === KEY)!;
    expect(report.custodians).toContainEqual({
      role: CustodianRole.DEPLOYER, roleName: 'deployment identity', identity: 'the identity Terraform runs as', name: 'the identity Terraform runs as',
    });
    expect(matrix.aloneReachUse).toEqual([]);
    expect(matrix.aloneReachUseTarget).toEqual({ expected: 'nobody outside the dual-control gate', met: true });
  });

  test('separation-of-duties and dual-control evidence are derived from the matrix, replacing the structural records', () => {
    for (const control of [Control.NIST_AC_5, Control.PCI_3_6_1_3, Control.PCI_3_7_6]) {
      const entries = evidence(stack, control);
      expect(entries).toHaveLength(1);
      expect(entries[0].status).toBe(EvidenceStatus.SATISFIED);
      expect(entries[0].value).toMatch(/\(evaluated\)$/);
      expect(entries[0].description).toContain('cloud-kms-constructs evaluation of the synthesized Google IAM bindings');
    }
    expect(evidence(stack, Control.PCI_3_7_6)[0].description).toContain('only an approved Privileged Access Manager grant reaches');
  });
});

describe('hand-made bindings that break separation of duties are caught from the synthesized Terraform', () => {
  const build = (add: (stack: TerraformStack, key: gcp.CustomerManagedKey) => void, profile = ComplianceProfile.PCI_DSS) => {
    const stack = gcpStack();
    const key = gcpCmk(stack, profile);
    add(stack, key);
    const data = buildReport(EvidenceLedger.of(stack));
    return { stack, matrix: matrixOf(data, KEY) };
  };

  test('standing Cloud KMS Admin for an administrator: use through delegation and change access', () => {
    const { stack, matrix } = build((_s, key) => {
      new KmsKeyRingIamMember(key.keyRing, 'BadAdmin', { keyRingId: key.keyRing.keyRingId, role: ROLES.KMS_ADMIN, member: m.admin });
    });
    const admin = row(matrix, m.admin);
    expect(admin.access.use.access).toBe(Access.ALLOWED);
    expect(admin.access.use.actions).toEqual(['cloudkms.cryptoKeyVersions.useToEncryptViaDelegation', 'cloudkms.cryptoKeyVersions.useToDecryptViaDelegation']);
    expect(admin.access['change access'].access).toBe(Access.ALLOWED);
    expect(matrix.aloneReachUse).toEqual([expect.objectContaining({ principal: m.admin, via: ['use (allowed)', 'change access (allowed)'] })]);
    const ac5 = evidence(stack, Control.NIST_AC_5)[0];
    expect(ac5.status).toBe(EvidenceStatus.NOT_SATISFIED);
    expect(ac5.description).toContain(`${m.admin} (administrator) can use the key (allowed)`);
    // One administrator alone can change access, disable or destroy: dual control is only partly there.
    expect(evidence(stack, Control.PCI_3_7_6)[0].status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
  });

  test('an encrypter role on the key for an administrator', () => {
    const { stack, matrix } = build((_s, key) => {
      new KmsCryptoKeyIamMember(key, 'BadEncrypter', { cryptoKeyId: key.keyId, role: ROLES.ENCRYPTER, member: m.admin });
    });
    expect(row(matrix, m.admin).access.use).toEqual({ access: Access.ALLOWED, actions: ['cloudkms.cryptoKeyVersions.useToEncrypt'] });
    expect(evidence(stack, Control.NIST_AC_5)[0].status).toBe(EvidenceStatus.NOT_SATISFIED);
  });

  test('Cloud KMS Admin through the entitlement (what the ring granted before): just-in-time use is still use', () => {
    const { stack, matrix } = build((s, key) => {
      const e = key.keyRing.entitlement!;
      new PrivilegedAccessManagerEntitlement(s, 'FormerRole', {
        parent: e.parent,
        location: 'global',
        entitlementId: 'former-role',
        maxRequestDuration: '28800s',
        eligibleUsers: [{ principals: [m.admin] }],
        privilegedAccess: {
          gcpIamAccess: {
            resourceType: 'cloudresourcemanager.googleapis.com/Project',
            resource: `//cloudresourcemanager.googleapis.com/projects/${PROJECT}`,
            roleBindings: [{ role: ROLES.KMS_ADMIN, conditionExpression: `resource.name.startsWith("${key.keyRing.keyRingId}")` }],
          },
        },
        requesterJustificationConfig: { unstructured: {} },
        approvalWorkflow: { manualApprovals: { steps: [{ approvalsNeeded: 1, approvers: { principals: [m.approverA, m.approverB] } }] } },
      });
    });
    expect(row(matrix, m.admin).access.use.access).toBe(Access.JUST_IN_TIME);
    expect(row(matrix, m.admin).access['change access'].access).toBe(Access.JUST_IN_TIME);
    expect(evidence(stack, Control.NIST_AC_5)[0].status).toBe(EvidenceStatus.NOT_SATISFIED);
  });

  test('project bindings: a basic role reaches everything (even setting project IAM), another service\'s role nothing', () => {
    const { stack, matrix } = build((s) => {
      new ProjectIamMember(s, 'Owner', { project: PROJECT, role: 'roles/owner', member: 'user:owner@example.com' });
      new ProjectIamMember(s, 'Monitoring', { project: PROJECT, role: 'roles/monitoring.viewer', member: 'user:ops@example.com' });
      new ProjectIamMember(s, 'OtherProject', { project: 'elsewhere', role: 'roles/owner', member: 'user:far@example.com' });
    });
    const owner = row(matrix, 'user:owner@example.com');
    expect(owner.role).toBe('other principal bound by this app');
    expect(Object.values(cells(owner))).toEqual(Object.keys(GCP_ACTION_CLASSES).map(() => Access.ALLOWED));
    expect(owner.access['change access'].actions).toContain('resourcemanager.projects.setIamPolicy');
    expect(matrix.rows.some((r) => r.principal === 'user:ops@example.com' || r.principal === 'user:far@example.com')).toBe(false);
    expect(matrix.aloneReachUse).toEqual([expect.objectContaining({ principal: 'user:owner@example.com', via: ['use (allowed)', 'change access (allowed)'] })]);
    expect(evidence(stack, Control.NIST_AC_5)[0].status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
  });

  test('an entitlement nobody has to approve is standing access', () => {
    const { stack, matrix } = build((s, key) => {
      new PrivilegedAccessManagerEntitlement(s, 'SelfService', {
        parent: `projects/${PROJECT}`,
        location: 'global',
        entitlementId: 'self-service',
        maxRequestDuration: '3600s',
        eligibleUsers: [{ principals: [m.admin] }],
        privilegedAccess: {
          gcpIamAccess: {
            resourceType: 'cloudresourcemanager.googleapis.com/Project',
            resource: `//cloudresourcemanager.googleapis.com/projects/${PROJECT}`,
            roleBindings: [{ role: key.keyRing.administratorRole, conditionExpression: ringCondition(key.keyRing.keyRingId) }],
          },
        },
        requesterJustificationConfig: { unstructured: {} },
      });
    });
    expect(row(matrix, m.admin).access['destroy/disable'].access).toBe(Access.ALLOWED);
    expect(evidence(stack, Control.PCI_3_7_6)[0].status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
    // Separation of duties still holds: the role neither uses the key nor changes access.
    expect(evidence(stack, Control.NIST_AC_5)[0].status).toBe(EvidenceStatus.SATISFIED);
  });
});

describe('external keys (HyokExternalStore): administrators cannot re-point them at another key manager', () => {
  const build = (extra?: (s: TerraformStack, store: gcp.HyokExternalStore) => void) => {
    const stack = gcpStack();
    const store = gcpEkm(stack, ComplianceProfile.SOVEREIGN);
    store.addKey('Records', { keyName: 'records', externalKeyPath: 'v0/keys/records' });
    extra?.(stack, store);
    return { stack, json: synth(stack), matrix: matrixOf(buildReport(EvidenceLedger.of(stack)), 'test/Store/Records') };
  };

  test('the store\'s ring gets the external key administrator role: no new versions, no key URI or primary changes', () => {
    const { json, matrix } = build();
    const roles = Object.values(resources(json, 'google_project_iam_custom_role'));
    expect(roles).toEqual([expect.objectContaining({ role_id: expect.stringMatching(/^cloudKmsExternalKeyAdministrator_[0-9a-f]{8}$/), permissions: EXTERNAL_KEY_ADMINISTRATOR_PERMISSIONS })]);
    for (const p of EXTERNAL_KEY_REPOINTING) expect(EXTERNAL_KEY_ADMINISTRATOR_PERMISSIONS).not.toContain(p);
    expect(cells(row(matrix, m.admin))['change access']).toBe(Access.DENIED);
    expect(cells(row(matrix, m.admin)).use).toBe(Access.DENIED);
    expect(row(matrix, m.admin).access['destroy/disable'].actions).toEqual(['cloudkms.cryptoKeyVersions.destroy']);
  });

  test('the general key administrator role on an external key\'s ring counts as changing access', () => {
    const { stack, matrix } = build((s, store) => {
      new KmsKeyRingIamMember(s, 'General', {
        keyRingId: store.keyRing.keyRingId,
        role: new gcp.KeyRing(s, 'Other', { project: PROJECT, location: LOCATION }).administratorRole,
        member: 'user:mallory@example.com',
      });
    });
    const mallory = row(matrix, 'user:mallory@example.com');
    expect(mallory.access['change access']).toMatchObject({ access: Access.ALLOWED, actions: EXTERNAL_KEY_REPOINTING });
    expect(matrix.aloneReachUse).toEqual([expect.objectContaining({ principal: 'user:mallory@example.com', via: ['change access (allowed)'] })]);
    expect(evidence(stack, Control.NIST_AC_5, 'test/Store/Records')[0].status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
  });
});

test('deploymentPrincipal names the deployment custodian, kept apart from users', () => {
  const sa = 'serviceAccount:terraform@payments-prod.iam.gserviceaccount.com';
  const stack = gcpStack();
  gcpCmk(stack, ComplianceProfile.SOC2, 'OrdersKey', { deploymentPrincipal: sa });
  expect(EvidenceLedger.of(stack).custodiansOf(KEY).filter((c) => c.role === CustodianRole.DEPLOYER))
    .toEqual([expect.objectContaining({ identity: sa.toLowerCase(), label: sa })]);
  expect(() => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'OrdersKey', { deploymentPrincipal: m.user }))
    .toThrow(/cannot be both .*a user.* and the deployment principal|cannot be both the deployment principal and a user/);
  const shared = gcpStack();
  const ring = new gcp.KeyRing(shared, 'Ring', { project: PROJECT, location: LOCATION, deploymentPrincipal: sa });
  expect(() => gcpCmk(shared, ComplianceProfile.SOC2, 'OrdersKey', { keyRing: ring, deploymentPrincipal: 'serviceAccount:other@p.iam.gserviceaccount.com' }))
    .toThrow(/deploymentPrincipal belongs to the key ring when it is shared: set it on test\/Ring/);
});

test('a ManagedKey (plain project IAM) keeps its separation-of-duties evidence not satisfied: the matrix does not round it up', () => {
  const stack = gcpStack();
  new gcp.ManagedKey(stack, 'Session', { project: PROJECT, location: LOCATION, users: [m.user] });
  const matrix = matrixOf(buildReport(EvidenceLedger.of(stack)), 'test/Session');
  expect(cells(row(matrix, m.user)).use).toBe(Access.ALLOWED);
  expect(matrix.assumptions.join('\n')).toMatch(/no administrators of its own: whoever holds Cloud KMS roles on the project administers it/);
  expect(evidence(stack, Control.NIST_AC_5, 'test/Session')[0]).toMatchObject({ status: EvidenceStatus.NOT_SATISFIED, value: 'project IAM, not separated' });
});

describe('every Google Cloud example', () => {
  const app = gcpApp(mkdtempSync(join(tmpdir(), 'gcp-matrix-')));
  const data = buildReport(EvidenceLedger.of(app));
  const keys = data.stacks.filter((s) => s.cloud === 'gcp').flatMap((s) => s.keys).filter((k) => k.construct !== 'AutokeyHandles');

  test('every key has a computed matrix, and no administrator reaches use or changes access, even just in time', () => {
    expect(keys.length).toBeGreaterThan(4);
    for (const k of keys) {
      expect(k.accessMatrix?.computed).toBe(true);
      const m0 = k.accessMatrix!;
      const rows = m0.sameAs ? matrixOf(data, m0.sameAs).rows : m0.rows;
      const admins = rows.filter((r) => r.role.split(' and ').includes('administrator'));
      // A ManagedKey has no administrators of its own (plain project IAM, outside this app).
      if (k.construct !== 'ManagedKey') expect([k.path, admins.length > 0]).toEqual([k.path, true]);
      for (const r of admins) {
        expect([k.path, r.access.use.access, r.access['change access'].access]).toEqual([k.path, Access.DENIED, Access.DENIED]);
        for (const c of Object.values(r.access)) for (const a of c.actions ?? []) expect(ADMINISTRATOR_FORBIDDEN).not.toContain(a);
      }
    }
  });

  test('no administrator binding or entitlement in the synthesized Terraform grants a permission that reaches key material or grants one', () => {
    for (const stack of app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack)) {
      const json = stack.toTerraform() as any;
      const r = json.resource ?? {};
      const custom = new Map<string, string[]>(Object.entries(r.google_project_iam_custom_role ?? {})
        .map(([id, role]: [string, any]) => [`\${google_project_iam_custom_role.${id}.name}`, role.permissions]));
      const permissionsOf = (role: string) => custom.get(role) ?? ROLE_PERMISSIONS[role];
      const adminMembers = new Set(EvidenceLedger.of(app).keys.flatMap((k) => EvidenceLedger.of(app).custodiansOf(k.path))
        .filter((c) => c.role === CustodianRole.ADMINISTRATOR).map((c) => c.identity));
      const grants: [string, string][] = [];
      for (const type of ['google_kms_crypto_key_iam_member', 'google_kms_key_ring_iam_member', 'google_project_iam_member']) {
        for (const b of Object.values(r[type] ?? {}) as any[]) grants.push([b.member, b.role]);
      }
      for (const e of Object.values(r.google_privileged_access_manager_entitlement ?? {}) as any[]) {
        for (const rb of e.privileged_access.gcp_iam_access.role_bindings) {
          for (const u of e.eligible_users) for (const p of u.principals) grants.push([p, rb.role]);
        }
      }
      for (const [member, role] of grants.filter(([mem]) => adminMembers.has(mem.toLowerCase()))) {
        const perms = permissionsOf(role);
        expect([stack.node.id, role, perms === undefined]).toEqual([stack.node.id, role, false]);
        expect([stack.node.id, member, perms.filter((p) => ADMINISTRATOR_FORBIDDEN.includes(p) || /setIamPolicy/.test(p))]).toEqual([stack.node.id, member, []]);
      }
    }
  });
});

// Audit sink scenarios hold no key.
test.each(gcpScenarios().filter((s) => !s.name.startsWith('gcp/KeyAuditSink/')).map((s) => [s.name, s]))('%s: no administrator reaches use or changes access; separation of duties as recorded or better', (_n, s) => {
  const stack = (s as { build: () => TerraformStack }).build();
  const data = buildReport(EvidenceLedger.of(stack));
  const keys = data.stacks.flatMap((st) => st.keys).filter((k) => k.accessMatrix);
  expect(keys.length).toBeGreaterThan(0);
  for (const k of keys) {
    const matrix = k.accessMatrix!.sameAs ? matrixOf(data, k.accessMatrix!.sameAs) : k.accessMatrix!;
    expect(matrix.computed).toBe(true);
    for (const r of matrix.rows.filter((x) => x.role.split(' and ').includes('administrator'))) {
      expect([k.path, r.access.use.access, r.access['change access'].access]).toEqual([k.path, Access.DENIED, Access.DENIED]);
    }
    expect([k.path, matrix.aloneReachUse]).toEqual([k.path, []]);
  }
});
