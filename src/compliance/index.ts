import { IConstruct } from 'constructs';
import { buildCbom, writeCbom } from './cbom';
import { writeOscal } from './oscal';
import { OscalFiles, OscalOptions } from './oscal-options';
import { acknowledgeControl, buildReport, requireConstruct, writeReport } from './report';
import { Control } from '../core/controls';
import { EvidenceLedger } from '../core/evidence';

export { KmsRulesPlugin } from './validation-plugin';
export { KmsRulePack } from './pack';
export * from './oscal-options';
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

  /**
   * Writes the cryptographic inventory of the app `scope` belongs to, a CycloneDX 1.6 CBOM with one asset per key
   * (synthesis writes it by itself), as `cbom.cdx.json` into `outdir`; returns the file's path.
   * @see https://cyclonedx.org/capabilities/cbom/
   */
  public static writeCbomTo(scope: IConstruct, outdir: string): string {
    requireConstruct('scope', scope);
    return writeCbom(buildCbom([EvidenceLedger.of(scope)]), outdir);
  }

  /**
   * Writes the report of the app `scope` belongs to as OSCAL 1.0.6 JSON into `outdir`: `component-definition.json`
   * (how each construct class and each cloud's organisation guardrails implement the controls) and
   * `assessment-results.json` (each key's status per required control).
   * @see https://pages.nist.gov/OSCAL/
   */
  public static writeOscalTo(scope: IConstruct, outdir: string, options: OscalOptions = {}): OscalFiles {
    requireConstruct('scope', scope);
    return writeOscal(buildReport(EvidenceLedger.of(scope)), outdir, options);
  }

  private constructor() {}
}
