/*
 * Data residency: the location names a profile allows, compared the same way on every cloud.
 */
import { ValidationError } from './validation';

/** A location name as the profile compares it: lower case, no spaces (Azure accepts `West Europe` for `westeurope`). */
export function normalizeRegion(region: string): string {
  return region.toLowerCase().replace(/\s+/g, '');
}

/** The profile's `allowedRegions`, checked and normalized. */
export function checkRegions(profile: string, regions: string[]): string[] {
  const out = regions.map((r) => normalizeRegion(String(r)));
  const bad = regions.find((r, i) => typeof r !== 'string' || !/^[a-z][a-z0-9-]*[a-z0-9]$/.test(out[i]));
  if (bad !== undefined) {
    throw new ValidationError(`allowedRegions of profile ${profile} must be location names (e.g. 'eu-west-1', 'westeurope', ` +
      `'europe-west1', 'eur4'), got '${bad}'`);
  }
  return [...new Set(out)];
}
