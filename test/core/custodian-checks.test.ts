import { checkCustodians, checkSharedRoles, CustodianRules, requireContainerDualControl } from '../../src/core/custodian-checks';
import { optionalList } from '../../src/core/input';
import { ComplianceProfile } from '../../src/core/profile';
import { ValidationError } from '../../src/core/validation';

const rules = (over: Partial<CustodianRules> = {}): CustodianRules => ({
  subject: 'App/Key',
  member: 'object id',
  shape: 'an object of object id lists',
  roles: ['administrators', 'users', 'approvers', 'importers'],
  list: (prop, value) => optionalList(prop, value as unknown[] | undefined),
  ...over,
});

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('checkCustodians', () => {
  test('returns every role list, absent lists empty', () => {
    expect(checkCustodians({ administrators: ['a'], users: ['u'] }, rules())).toEqual({ administrators: ['a'], users: ['u'], approvers: [], importers: [] });
  });

  test('refuses a missing or non-object prop by name', () => {
    expect(refusal(() => checkCustodians(undefined, rules()))).toBe('custodians is required, got nothing');
    expect(refusal(() => checkCustodians(['a'], rules()))).toMatch(/^custodians must be an object of object id lists, got /);
  });

  test('requires administrators unless the construct allows none', () => {
    expect(refusal(() => checkCustodians({ users: ['u'] }, rules()))).toBe('custodians.administrators is required, got nothing');
    expect(refusal(() => checkCustodians({ administrators: [] }, rules())))
      .toBe('custodians.administrators must name at least one object id for App/Key, got none');
    expect(checkCustodians({ users: ['u'] }, rules({ administratorsRequired: false })).administrators).toEqual([]);
  });

  test('checks every list with the cloud\'s check, in order', () => {
    expect(refusal(() => checkCustodians({ administrators: ['a'], users: 'u' }, rules()))).toBe('custodians.users must be a list, got u');
  });

  test('importers: required, forbidden (the default) or left to another construct', () => {
    expect(refusal(() => checkCustodians({ administrators: ['a'] }, rules({ importers: 'required' }))))
      .toBe('custodians.importers must name at least one object id for App/Key, got none');
    expect(refusal(() => checkCustodians({ administrators: ['a'], importers: ['i'] }, rules())))
      .toBe('custodians.importers applies only to ByokImport, got 1 for App/Key');
    expect(refusal(() => checkCustodians({ administrators: ['a'], importers: ['i', 'j'] }, rules({ importersFor: 'keys with imported material (ByokImport)' }))))
      .toBe('custodians.importers applies only to keys with imported material (ByokImport), got 2 for App/Key');
    expect(checkCustodians({ administrators: ['a'], importers: ['i'] }, rules({ importers: 'unchecked' })).importers).toEqual(['i']);
  });

  test('roles a shared container owns are refused on the key', () => {
    const shared = { kind: 'vault', path: 'App/Vault', roles: ['approvers'] };
    expect(refusal(() => checkCustodians({ administrators: ['a'], approvers: ['p', 'q'] }, rules({ shared }))))
      .toBe('custodians.approvers belong to the vault when it is shared: set approvers on App/Vault, not on App/Key');
    expect(() => checkCustodians({ administrators: ['a'] }, rules({ shared }))).not.toThrow();
    expect(() => checkSharedRoles({ approvers: [] }, shared, 'App/Key')).not.toThrow();
  });
});

describe('requireContainerDualControl', () => {
  test('a dual-control profile needs the container\'s approvers', () => {
    const ring = { kind: 'key ring', path: 'App/Ring', dualControl: false };
    expect(refusal(() => requireContainerDualControl('App/Key', ComplianceProfile.PCI_DSS, ring)))
      .toBe(`custodians.approvers must name at least 2 approvers for dual control on App/Key (profile ${ComplianceProfile.PCI_DSS.name}); key ring App/Ring has none`);
    expect(() => requireContainerDualControl('App/Key', ComplianceProfile.PCI_DSS, { ...ring, dualControl: true })).not.toThrow();
    expect(() => requireContainerDualControl('App/Key', ComplianceProfile.COMMERCIAL, ring)).not.toThrow();
  });
});
