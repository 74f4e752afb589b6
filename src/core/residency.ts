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

/** What a residency check needs of a profile (structural, so this file need not import the profile, which imports it). */
export interface ResidencyRule {
  readonly name: string;
  /** Normalized location names; empty: anywhere. */
  readonly allowedRegions: string[];
}

/**
 * Refuses, at synthesis, a location the profile does not allow. `what` names the prop or setting that decides the
 * location (e.g. `env.region of stack Prod`, `location`); `region` is `undefined` when the cloud only knows it at
 * deployment (an AWS env-agnostic stack, a Terraform variable). A restricting profile never lets an unknown location
 * pass: the check cannot be made later by the library, so the user is told to make it literal (`fix`).
 */
export function checkResidency(profile: ResidencyRule, what: string, region: string | undefined, fix: string): void {
  if (profile.allowedRegions.length === 0) return;
  const allowed = `[${profile.allowedRegions.join(', ')}]`;
  if (region === undefined) {
    throw new ValidationError(`${what} is only known at deployment, and profile ${profile.name} allows only ${allowed}: ${fix}`);
  }
  if (!profile.allowedRegions.includes(normalizeRegion(region))) {
    throw new ValidationError(`${what} must be one of profile ${profile.name}'s allowedRegions ${allowed}, got '${region}'`);
  }
}
