import { Token } from 'cdktf';
import { requireDefined, requireMatch, shown, ValidationError } from '../../core/validation';
import { optionalConstruct, optionalPeriod, optionalProfile, requireString } from '../../terraform/input';
import { checkMember } from '../custodians';

export { optionalBoolean, optionalEnum, optionalList, requireString, requireWholeNumber } from '../../terraform/input';

/*
 * Checks of the props every Google Cloud construct takes, made before any child construct exists, so that an error
 * names the prop the caller wrote (keyRingName, not the inner KeyRing's name) and no provider sees a bad value.
 */

// Project ids: 6 to 30 lower-case letters, digits and hyphens, starting with a letter, not ending with a hyphen; older
// projects may carry a domain prefix (`example.com:my-project`).
// https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin
const PROJECT_ID = /^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
// A project number stands for the project in resource names (`projects/123456789012/...`), as Autokey's key handles
// and Cloud KMS resource names accept it; the library took it before it checked project ids, so it stays accepted.
const PROJECT_NUMBER = /^[1-9][0-9]{5,18}$/;
// Cloud KMS locations: `global`, a region (`europe-west1`), a dual-region (`nam4`) or a multi-region (`us`, `nam-eur-asia1`).
// https://cloud.google.com/kms/docs/locations
const LOCATION = /^[a-z]+(?:-[a-z]+)*[0-9]*$/;
// Key rings, keys, import jobs and EKM connections: 1 to 63 letters, digits, hyphens and underscores.
const KMS_NAME = /^[a-zA-Z0-9_-]{1,63}$/;


export function requireProject(prop: string, value: unknown): void {
  const project = requireString(prop, value);
  if (!Token.isUnresolved(project) && !PROJECT_NUMBER.test(project)) {
    requireMatch(prop, project, PROJECT_ID, 'a Google Cloud project id (6 to 30 lower-case letters, digits and hyphens, starting with a letter) or project number');
  }
}

export function requireLocation(prop: string, value: unknown): void {
  const location = requireString(prop, value);
  if (!Token.isUnresolved(location)) {
    requireMatch(prop, location, LOCATION, 'a Cloud KMS location such as europe-west1, us or global (lower case)');
  }
}


/** Key ring and key names: 1 to 63 letters, digits, hyphens and underscores. */
export function requireKmsName(prop: string, name: string): void {
  // A number (NaN reads as "NaN") or any other non-string would otherwise pass the pattern as text.
  if (typeof name !== 'string') throw new ValidationError(`${prop} must be 1 to 63 letters, digits, hyphens and underscores, got ${shown(name)}`);
  if (!Token.isUnresolved(name)) requireMatch(prop, name, KMS_NAME, '1 to 63 letters, digits, hyphens and underscores');
}

/** What the key constructs take in common, checked under the names the caller wrote. */
export interface KeyPropsInput {
  readonly project: string;
  readonly location: string;
  readonly keyRing?: unknown;
  readonly keyRingName?: string;
  readonly keyName?: string;
  readonly deploymentPrincipal?: string;
  readonly profile?: unknown;
  readonly auditSink?: unknown;
  readonly rotation?: unknown;
  readonly destroyScheduledDuration?: unknown;
}

export function checkKeyProps(props: KeyPropsInput): void {
  requireDefined('props', props);
  requireProject('project', props.project);
  requireLocation('location', props.location);
  if (props.keyRingName !== undefined) {
    requireString('keyRingName', props.keyRingName);
    requireKmsName('keyRingName', props.keyRingName);
  }
  if (props.keyName !== undefined) {
    requireString('keyName', props.keyName);
    requireKmsName('keyName', props.keyName);
  }
  if (props.deploymentPrincipal !== undefined) checkMember('deploymentPrincipal', props.deploymentPrincipal);
  optionalProfile('profile', props.profile);
  optionalConstruct('auditSink', props.auditSink, 'a KeyAuditSink');
  optionalConstruct('keyRing', props.keyRing, 'a KeyRing');
  for (const prop of ['rotation', 'destroyScheduledDuration'] as const) optionalPeriod(prop, props[prop]);
}

