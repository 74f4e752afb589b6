import { IConstruct } from 'constructs';
import { acknowledgeControl, buildReport, requireConstruct, writeReport } from './report';
import { Control } from '../core/controls';
import { EvidenceLedger } from '../core/evidence';

export { KmsRulesPlugin } from './validation-plugin';
export { KmsRulePack } from './pack';
export * from './rules/result';

/** Paths of a written report. */
export interface ReportFiles {
  readonly json: string;
  readonly markdown: string;
  /** The self-contained page an assessor opens in a browser (diagrams rendered, no network needed). */
  readonly html: string;
}

/**
 * The compliance report: per stack and key, the deployment model, custody, profile, each required control with its
 * status and evidence, accepted exceptions, and a Mermaid diagram of the key hierarchy. It is written as
 * `compliance-report.json`, `compliance-report.md` and a self-contained `compliance-report.html` into the output
 * directory at every synthesis (cloud assembly or cdktf.out), whatever path the constructs were imported from, and a required control that nothing satisfies fails synthesis unless acknowledged.
 */
export class ComplianceReport {
  /**
   * Accepts, with a reason an auditor will read, that a required control is not satisfied for the keys at or under
   * `scope` (a key, its vault or key ring, or its audit sink). The report lists it as acknowledged.
   */
  public static acknowledgeControl(scope: IConstruct, control: Control, reason: string): void {
    acknowledgeControl(scope, control, reason);
  }

  /** Writes the report of the app `scope` belongs to into `outdir` now (synthesis does this by itself). */
  public static writeTo(scope: IConstruct, outdir: string): ReportFiles {
    requireConstruct('scope', scope);
    return writeReport(buildReport(EvidenceLedger.of(scope)), outdir);
  }

  private constructor() {}
}
