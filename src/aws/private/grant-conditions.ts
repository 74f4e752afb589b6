import { Token } from 'aws-cdk-lib';
import { optionalList } from './input';
import { shown, ValidationError } from '../../core/validation';
import type { GrantConditions } from '../custodians';

/** A grant's conditions (encryption context, calling services, context keys, principal tags) as key-policy conditions. */
export function toConditions(c: GrantConditions): { [op: string]: { [key: string]: unknown } } {
  const ctx = c.encryptionContext ?? {};
  const keys = Object.keys(ctx);
  const services = c.viaServices ?? [];
  const present = c.requiredContextKeys ?? [];
  const tags = c.principalTags ?? {};
  if (keys.length === 0 && services.length === 0 && present.length === 0 && Object.keys(tags).length === 0) {
    throw new ValidationError('conditions must set encryptionContext, viaServices, requiredContextKeys or principalTags, got none');
  }
  // Each of these becomes part of a condition key (kms:EncryptionContext:<key>, aws:PrincipalTag/<key>): a JSON object key,
  // which CloudFormation cannot fill in from a token.
  const refuseToken = (prop: string, k: string) => {
    if (Token.isUnresolved(k)) {
      throw new ValidationError(`${prop} must be literal keys (each becomes part of a policy condition key, which cannot come from a token), got ${shown(k)}`);
    }
  };
  keys.forEach((k) => refuseToken('encryptionContext', k));
  optionalList('requiredContextKeys', present).forEach((k) => refuseToken('requiredContextKeys', k));
  Object.keys(tags).forEach((k) => refuseToken('principalTags', k));
  for (const [prop, list] of [['encryptionContext', keys], ['requiredContextKeys', present]] as const) {
    for (const k of list) {
      if (typeof k !== 'string' || k.trim().length === 0 || k.startsWith('aws-crypto-')) {
        throw new ValidationError(`${prop} key must be non-empty and must not use the reserved prefix aws-crypto-, got ${typeof k === 'string' ? `'${k}'` : shown(k)}`);
      }
    }
  }
  for (const k of Object.keys(tags)) {
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(k)) {
      throw new ValidationError(`principalTags key must be a valid IAM tag key, got ${shown(k)}`);
    }
  }
  const equals: { [key: string]: unknown } = Object.fromEntries(keys.map((k) => [`kms:EncryptionContext:${k}`, ctx[k]]));
  for (const [k, v] of Object.entries(tags)) equals[`aws:PrincipalTag/${k}`] = v;
  if (services.length > 0) equals['kms:ViaService'] = services;
  const conditions: { [op: string]: { [key: string]: unknown } } = {};
  if (Object.keys(equals).length > 0) conditions.StringEquals = equals;
  // A policy variable naming a missing tag must not match: require the tag to be present.
  const variableTags = Object.values(ctx).flatMap((v) => (typeof v === 'string' ? [...v.matchAll(/\$\{aws:PrincipalTag\/([^}]+)\}/g)].map((m) => m[1]) : []));
  const nulls: { [key: string]: string } = {};
  for (const k of present) nulls[`kms:EncryptionContext:${k}`] = 'false';
  for (const t of variableTags) nulls[`aws:PrincipalTag/${t}`] = 'false';
  if (Object.keys(nulls).length > 0) conditions.Null = nulls;
  return conditions;
}
