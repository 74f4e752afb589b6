import { createHash } from 'crypto';
import { IConstruct } from 'constructs';

/**
 * A stable name for a resource from its construct path: a readable prefix and a hash, within a provider.s length limit.
 * Stable across synths, so Terraform never sees a rename.
 */
export function stableName(scope: IConstruct, prefix: string, maxLength: number, allowed = /[^a-z0-9-]/g): string {
  return nameFor(scope.node.path, scope.node.id, prefix, maxLength, allowed);
}

/** As stableName, for a construct not created yet (its parent's path and its id). */
export function nameFor(path: string, id: string, prefix: string, maxLength: number, allowed = /[^a-z0-9-]/g): string {
  const hash = createHash('sha256').update(path).digest('hex').slice(0, 8);
  const base = id.toLowerCase().replace(allowed, '');
  const room = maxLength - prefix.length - hash.length - 1;
  return `${prefix}${base.slice(0, Math.max(0, room))}-${hash}`.replace(/--+/g, '-').slice(0, maxLength);
}

/** A deterministic GUID for a role assignment or definition name, from what it binds. */
export function stableGuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
