/*
 * A CloudFormation template does not name its region; the cloud assembly's manifest.json does (the stack artifact's
 * `environment`, `aws://<account>/<region>`, `unknown-region` for an environment-agnostic stack).
 * @see https://docs.aws.amazon.com/cdk/v2/guide/environments.html
 */
import { existsSync, readFileSync } from 'fs';
import { basename, dirname, join } from 'path';

/** The region of the stack whose template is at `templatePath`, from the manifest beside it; undefined when unknown. */
export function templateRegion(templatePath: string): string | undefined {
  const manifestPath = join(dirname(templatePath), 'manifest.json');
  if (!existsSync(manifestPath)) return undefined;
  let manifest: any;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return undefined;
  }
  const file = basename(templatePath);
  for (const artifact of Object.values(manifest?.artifacts ?? {}) as any[]) {
    if (artifact?.type !== 'aws:cloudformation:stack' || artifact?.properties?.templateFile !== file) continue;
    const m = /^aws:\/\/[^/]*\/([a-z0-9-]+)$/.exec(String(artifact.environment ?? ''));
    return m && m[1] !== 'unknown-region' ? m[1] : undefined;
  }
  return undefined;
}
