/* `cloud-kms oscal`: a synthesis output's compliance report as OSCAL 1.0.6 JSON; loads no cloud SDK. */
import { join } from 'path';
import { OSCAL_DATE_TIME, OSCAL_VERSION, writeOscal } from '../../compliance/oscal';
import { isoDate, matching, outputDirectory, ValueCheck } from '../args';
import { COMMON, Command, FORCE, refuseToOverwrite } from '../command';
import { readReport } from '../compliance';

const FILES = ['component-definition.json', 'assessment-results.json'];

/** OSCAL dates carry a time zone, and the calendar fields must exist (isoDate checks them as written). */
const dateTime: ValueCheck = (value, flag) => {
  matching(OSCAL_DATE_TIME, 'an ISO 8601 date-time with a time zone such as 2026-01-31T12:00:00Z')(value, flag);
  isoDate(value, flag);
};

export const COMMAND: Command = {
  usage: `cloud-kms oscal <cdk.out | cdktf.out | compliance-report.json> --out <directory> [--timestamp <date-time>] [--force]

Writes the compliance report that synthesis wrote as OSCAL ${OSCAL_VERSION} JSON into the directory:
component-definition.json (how each construct class, and each cloud's organisation guardrails, implement the
controls) and assessment-results.json (each key's status per required control; partially satisfied is
not-satisfied, with the reason). --timestamp dates both documents (default: SOURCE_DATE_EPOCH, else now), so the
same report gives the same files.`,
  flags: {
    ...COMMON,
    ...FORCE,
    out: { type: 'string', required: true, check: outputDirectory },
    timestamp: { type: 'string', check: dateTime },
  },
  positional: 'the synthesis output',
  run: async (v) => {
    const report = readReport(v._path);
    refuseToOverwrite(FILES.map((f) => join(v.out, f)), '--out', v.force);
    const files = writeOscal(report, v.out, { timestamp: v.timestamp });
    return { ...files, oscalVersion: OSCAL_VERSION };
  },
  print: (r) => `wrote ${r.componentDefinition} and ${r.assessmentResults} (OSCAL ${r.oscalVersion})`,
};
