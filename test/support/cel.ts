/*
 * Evaluates a Google custom constraint's CEL condition with a real CEL engine (@bufbuild/cel) against a resource as the
 * Organization Policy Service shows it: the Cloud KMS API's CryptoKey (camelCase fields, durations as CEL durations,
 * enums by name). https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys
 *
 * Objects become CEL maps, so `has(resource.x)` is false for a field the request leaves out, as for an unset field of the
 * API's message; a condition that reads an absent field without `has()` fails here as it would be refused in Google.
 */
import { run } from '@bufbuild/cel';

/** A duration string of the API (`"7776000s"`) as a CEL duration, made by the engine itself. */
export function celDuration(value: string): unknown {
  return run('duration(s)', { s: value });
}

type ApiValue = string | boolean | number | ApiResource | ApiValue[];
export interface ApiResource { [field: string]: ApiValue | { duration: string } }

function toCel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === 'object') {
    if ('duration' in value && Object.keys(value).length === 1) return celDuration(String((value as any).duration));
    return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  }
  return value;
}

/** Whether the condition is true for the resource, i.e. whether a DENY constraint refuses it. Throws on a CEL error. */
export function celDenies(condition: string, resource: ApiResource): boolean {
  const result = run(condition, { resource: toCel(resource) as any });
  if (typeof result !== 'boolean') throw new Error(`condition did not evaluate to a bool: ${String(result)} for ${condition}`);
  return result;
}

const DURATION_FIELDS: Record<string, string> = { rotation_period: 'rotationPeriod', destroy_scheduled_duration: 'destroyScheduledDuration' };

/**
 * The API resource Google sees when Terraform creates a `google_kms_crypto_key` from its JSON: the fields the provider
 * sends (rotation period, destroy window, purpose, import-only, version template). Fields left out stay out.
 */
export function cryptoKeyFromTerraform(key: Record<string, any>): ApiResource {
  const out: ApiResource = {};
  for (const [tf, api] of Object.entries(DURATION_FIELDS)) if (key[tf] !== undefined) out[api] = { duration: String(key[tf]) };
  if (key.purpose !== undefined) out.purpose = key.purpose;
  if (key.import_only !== undefined) out.importOnly = key.import_only;
  const template = Array.isArray(key.version_template) ? key.version_template[0] : key.version_template;
  if (template) {
    const t: ApiResource = {};
    if (template.protection_level !== undefined) t.protectionLevel = template.protection_level;
    if (template.algorithm !== undefined) t.algorithm = template.algorithm;
    out.versionTemplate = t;
  }
  return out;
}
