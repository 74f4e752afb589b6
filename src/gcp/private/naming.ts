import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformProvider, TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { globalName, GlobalNameRule, NamingEnvironment } from '../../core/naming';

/**
 * Google Cloud names that are globally unique; a generated one carries the project. Key rings, EKM connections, log
 * buckets and sinks are named within a project and location, so they keep their path-only names.
 */
export const GCP_GLOBAL_NAMES = {
  /**
   * Cloud Storage buckets: 3-63 lower-case letters, digits, hyphens, underscores and dots, starting and ending with a
   * letter or digit, never starting with "goog" or containing "google" or close misspellings.
   * @see https://cloud.google.com/storage/docs/buckets#naming
   */
  storageBucket: {
    what: 'Cloud Storage bucket', prop: 'bucketName', prefix: 'kms-audit-', maxLength: 63, disallowed: /[^a-z0-9-]/g, hyphens: true, forbidden: /g[o0][o0]g(le|l3|1e)/g,
  } as GlobalNameRule,
};

/**
 * A globally unique Google Cloud name for `scope`, in `project` (the construct's own project prop): its readable id and
 * a hash of the project and construct path (or the pre-environment name under `NamingContext.LEGACY_GLOBAL_NAMES`).
 */
export function gcpGlobalName(scope: IConstruct, rule: GlobalNameRule, project: string | undefined): string {
  return globalName(scope, rule, () => projectOf(scope, project));
}

/** The construct's project, else the project of the stack's default google provider. */
function projectOf(scope: IConstruct, project: string | undefined): NamingEnvironment {
  const remedy = 'a literal project (on the construct or the stack\'s GoogleProvider)';
  if (project !== undefined && !Token.isUnresolved(project)) return { value: project, looked: 'project', remedy };
  const isDefault = (c: IConstruct): c is GoogleProvider =>
    TerraformProvider.isTerraformProvider(c) && c.terraformResourceType === 'google' && (c as GoogleProvider).alias === undefined;
  const stack = TerraformStack.of(scope);
  const provider = stack.node.children.find(isDefault) ?? stack.node.findAll().find(isDefault);
  const fromProvider = provider?.project;
  if (fromProvider !== undefined && !Token.isUnresolved(fromProvider)) return { value: fromProvider, looked: 'GoogleProvider project', remedy };
  return {
    looked: `project is ${project === undefined ? 'not set' : `a token, ${project}`} and the stack's GoogleProvider ` +
      `${provider === undefined ? 'is missing' : fromProvider === undefined ? 'has no project' : `project is a token, ${fromProvider}`}`,
    remedy,
  };
}
