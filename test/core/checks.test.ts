import { ComplianceProfile, DeploymentModel, FipsLevel } from '../../src';
import {
  checkApprovers, checkAuditSink, checkDeletionWindowDays, checkFipsLevel, checkModelAllowed, checkRotationDays,
} from '../../src/core/checks';

const PCI = ComplianceProfile.PCI_DSS;

test('model not allowed names the profile, the model and what is allowed', () => {
  expect(() => checkModelAllowed(ComplianceProfile.FEDRAMP_HIGH, DeploymentModel.PROVIDER_MANAGED, 'S/K')).toThrow(
    'profile FEDRAMP_HIGH does not allow the PROVIDER_MANAGED model (ManagedKey) for S/K; allowed: BYOK, HYOK');
  expect(() => checkModelAllowed(PCI, DeploymentModel.CUSTOMER_MANAGED, 'S/K')).not.toThrow();
});

test('FIPS level below the profile minimum', () => {
  expect(() => checkFipsLevel(PCI, FipsLevel.LEVEL_1, 'a software key')).toThrow(
    'profile PCI_DSS requires FIPS 140 Level 2 or higher, got FIPS 140 Level 1 for a software key');
  expect(() => checkFipsLevel(PCI, FipsLevel.LEVEL_3, 'x')).not.toThrow();
});

test('rotation outside the provider range, then above the profile maximum', () => {
  expect(() => checkRotationDays(PCI, 'rotation', 30, 90, 2560)).toThrow('rotation must be between 90 and 2560 days, got 30');
  expect(() => checkRotationDays(PCI, 'rotation', 400, 90, 2560)).toThrow('rotation must be at most 365 days under profile PCI_DSS, got 400 days');
  expect(() => checkRotationDays(PCI, 'rotation', 365, 90, 2560)).not.toThrow();
});

test('deletion window outside the provider range, then below the profile minimum', () => {
  expect(() => checkDeletionWindowDays(PCI, 'deletionWindow', 31, 7, 30)).toThrow('deletionWindow must be between 7 and 30 days, got 31');
  expect(() => checkDeletionWindowDays(PCI, 'deletionWindow', 7, 7, 30)).toThrow('deletionWindow must be at least 30 days under profile PCI_DSS, got 7 days');
  expect(() => checkDeletionWindowDays(ComplianceProfile.COMMERCIAL, 'deletionWindow', 7, 7, 30)).not.toThrow();
});

test('audit sink: missing, mutable, too short', () => {
  expect(() => checkAuditSink(PCI, undefined, 'S/K')).toThrow('auditSink is required under profile PCI_DSS for S/K, got undefined');
  expect(() => checkAuditSink(ComplianceProfile.COMMERCIAL, undefined, 'S/K')).not.toThrow();
  expect(() => checkAuditSink(PCI, { path: 'S/A', immutable: false, retentionDays: 400 }, 'S/K')).toThrow(
    'auditSink S/A must be immutable (write-once) under profile PCI_DSS for S/K, got a mutable sink');
  expect(() => checkAuditSink(PCI, { path: 'S/A', immutable: true, retentionDays: 90 }, 'S/K')).toThrow(
    'auditSink S/A must keep records for at least 365 days under profile PCI_DSS for S/K, got 90 days');
  expect(() => checkAuditSink(PCI, { path: 'S/A', immutable: true, retentionDays: 365 }, 'S/K')).not.toThrow();
});

test('dual control needs two distinct approvers', () => {
  expect(() => checkApprovers(PCI, ['a', 'a'], 'custodians.approvers', 'S/K')).toThrow(
    'custodians.approvers must name at least 2 distinct approvers for dual control on S/K (profile PCI_DSS), got 1');
  expect(() => checkApprovers(ComplianceProfile.HIPAA, ['a'], 'custodians.approvers', 'S/K')).toThrow(/got 1/);
  expect(() => checkApprovers(PCI, ['a', 'b'], 'custodians.approvers', 'S/K')).not.toThrow();
});
