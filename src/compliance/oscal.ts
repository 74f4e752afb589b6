/*
 * The compliance report as OSCAL (issue 18, item 5): a component definition (how each construct class and each cloud's
 * guardrails implement the controls) and assessment results (each key's status per control), in OSCAL 1.0.6 JSON.
 */
import { createHash } from 'crypto';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { OscalFiles, OscalOptions } from './oscal-options';
import { assessmentResults } from './private/oscal-assessment';
import { componentDefinition } from './private/oscal-component';
import { OscalContext } from './private/oscal-ids';
import { controlEnforcement } from './private/report-enforcement';
import type { ComplianceReportData } from './report-data';
import { shown, ValidationError } from '../core/validation';

export { OSCAL_VERSION, uuidV5, oscalControlId, catalogSource } from './private/oscal-ids';
export * from './oscal-options';

/** The two OSCAL documents of a report, as JSON objects. */
export interface OscalDocuments {
  readonly componentDefinition: { 'component-definition': Record<string, unknown> };
  readonly assessmentResults: { 'assessment-results': Record<string, unknown> };
}

const quoted = (v: unknown) => (typeof v === 'string' ? `'${v}'` : shown(v));

/**
 * A date-time as OSCAL 1.0.6's DateTimeWithTimezoneDatatype takes it: years 1900-2999 and only the time zone offsets
 * its pattern lists (whole hours from -12 to +14, and the half and quarter hours in use).
 */
export const OSCAL_DATE_TIME = new RegExp('^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?' +
  '(Z|-((0[0-9]|1[0-2]):00|0[39]:30)|\\+((0[0-9]|1[0-4]):00|(0[34569]|10):30|(0[58]|12):45))$');

function timestampOf(options: OscalOptions): string {
  if (options.timestamp !== undefined) {
    if (typeof options.timestamp !== 'string' || !OSCAL_DATE_TIME.test(options.timestamp) || Number.isNaN(Date.parse(options.timestamp))) {
      throw new ValidationError(`timestamp must be an ISO 8601 date-time with a time zone (e.g. 2026-01-31T12:00:00Z), got ${quoted(options.timestamp)}`);
    }
    return options.timestamp;
  }
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) throw new ValidationError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got '${epoch}'`);
    return new Date(Number(epoch) * 1000).toISOString();
  }
  return new Date().toISOString();
}

/** The component definition and the assessment results of a report. Equal reports and options give equal documents. */
export function oscalDocuments(report: ComplianceReportData, options: OscalOptions = {}): OscalDocuments {
  const digest = createHash('sha256').update(JSON.stringify(report)).digest('hex');
  if (options.version !== undefined && (typeof options.version !== 'string' || options.version.trim() === '' || options.version !== options.version.trim())) {
    throw new ValidationError(`version must be a non-empty string without outer spaces, got ${quoted(options.version)}`);
  }
  const ctx: OscalContext = { timestamp: timestampOf(options), version: options.version ?? `report-${digest.slice(0, 12)}`, digest };
  // A report written before enforcement was recorded, or merged from several apps, is judged from its own data.
  const enforcement = report.enforcement ?? controlEnforcement(report.stacks, report.guardrails ?? []);
  return {
    componentDefinition: componentDefinition(report, enforcement, ctx),
    assessmentResults: assessmentResults(report, enforcement, ctx),
  };
}

/** Writes `component-definition.json` and `assessment-results.json` into `outdir`. */
export function writeOscal(report: ComplianceReportData, outdir: string, options: OscalOptions = {}): OscalFiles {
  if (typeof outdir !== 'string' || outdir.trim() === '') throw new ValidationError(`outdir must be a directory path, got ${quoted(outdir)}`);
  const docs = oscalDocuments(report, options);
  mkdirSync(outdir, { recursive: true });
  const files = { componentDefinition: join(outdir, 'component-definition.json'), assessmentResults: join(outdir, 'assessment-results.json') };
  writeFileSync(files.componentDefinition, JSON.stringify(docs.componentDefinition, null, 2));
  writeFileSync(files.assessmentResults, JSON.stringify(docs.assessmentResults, null, 2));
  return files;
}
