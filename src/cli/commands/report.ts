/* `cloud-kms report`: reads a synthesis output's compliance report; loads no cloud SDK. */
import { COMMON, Command } from '../command';
import { readReport, reportTable } from '../compliance';

export const COMMAND: Command = {
  usage: `cloud-kms report <cdk.out | cdktf.out | compliance-report.json> [--json]

Reads the compliance-report.json that synthesis writes, and prints per key each required control with its status
and evidence.`,
  flags: { ...COMMON },
  positional: 'the synthesis output',
  run: async (v) => ({ report: readReport(v._path) }),
  print: (r) => reportTable(r.report as any),
  exitCode: (r) => ((r.report as any).summary.unmet.length > 0 ? 1 : 0),
};
