import { RESIDENCY_CONTROLS } from '../../../core/key-evidence';
import { normalizeRegion } from '../../../core/residency';
import { finding, KmsRule, tfResources } from '../rule';

/**
 * Where the profile restricts regions, every key ring, EKM connection, key handle and audit bucket is in a location the
 * profile names itself (a multi-region or dual-region by its own name; `global` never). A location written as an
 * expression cannot be shown to hold. Reads the Terraform JSON, so a hand-edited `location` is caught.
 * @see https://cloud.google.com/kms/docs/locations
 */
export const Residency: KmsRule = {
  id: 'CloudKms-GcpResidency',
  cloud: 'gcp',
  description: 'key rings, EKM connections, key handles and audit buckets are in locations the profile names (never global)',
  controls: RESIDENCY_CONTROLS,
  evaluate(json, { profile }) {
    const placed = tfResources(json, 'google_kms_key_ring', 'google_kms_ekm_connection', 'google_kms_key_handle', 'google_storage_bucket',
      'google_logging_project_bucket_config');
    if (placed.length === 0 || !profile.restrictsRegions) {
      return [finding(this.id, 'configuration', undefined, placed.length === 0 ? 'no key rings or audit buckets'
        : `profile ${profile.name} does not restrict regions`)];
    }
    return placed.map(([name, r]) => {
      const location = r.location;
      if (typeof location !== 'string' || location.includes('${')) return finding(this.id, name, false, `location ${String(location)} is not known before deployment`);
      const l = normalizeRegion(location);
      if (l === 'global') return finding(this.id, name, false, 'location global: data in regions around the world');
      return finding(this.id, name, profile.allowsRegion(l), profile.allowsRegion(l) ? `location ${l}` : `location ${l} is outside allowedRegions`);
    });
  },
};
