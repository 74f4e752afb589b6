/* The OSCAL export's options and result, apart so the package entry exports them without the export's functions. */

/** How the OSCAL documents are dated and versioned. */
export interface OscalOptions {
  /**
   * The documents' time (`metadata.last-modified`, the result's start and end, each observation's collection time): an
   * ISO 8601 date-time with a time zone. Pass the build's time for output that is the same at every run.
   * @default - `SOURCE_DATE_EPOCH` (seconds) when set, otherwise the current time
   */
  readonly timestamp?: string;
  /**
   * The documents' `metadata.version`.
   * @default - `report-` and the first 12 hex digits of the report's SHA-256: a new version whenever the report changes
   */
  readonly version?: string;
}

/** Paths of the written OSCAL documents. */
export interface OscalFiles {
  readonly componentDefinition: string;
  readonly assessmentResults: string;
}
