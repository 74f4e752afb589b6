/* `cloud-kms check`: the KMS rule pack on a template or a synthesis output; loads no cloud SDK. */
import { RuleResult } from '../../compliance/rules/result';
import { COMMON, Command } from '../command';
import { builtInProfileNames, CheckedTemplate, checkPath, findingsTable, profileNamed } from '../compliance';

export const COMMAND: Command = {
  usage: `cloud-kms check <template.json | cdk.tf.json | cdk.out | cdktf.out | directory> [--profile <name>] [--json]

Judges each key by the compliance profile it was built under: the cloud-kms-constructs:profile metadata on the key
resource (CloudFormation), else the compliance-report.json synthesis wrote beside the templates. Resources that are not
keys (vaults, key rings, trails) are judged by every profile of the keys in their template. A template in which no key
records a profile is refused (exit 2) unless --profile names one: check never falls back to a default.

Options:
  --profile <name>   judge every key by this profile instead: ${builtInProfileNames()}
  --json             machine-readable output

A directory is searched for *.template.json and stacks/*/cdk.tf.json (asset directories skipped). The other templates of
a cloud assembly, and the other stacks of a cdktf out directory, count as evidence for cross-stack rules (a nested
stack's trail, a project's audit config). Exit 1 on a non-compliant finding.`,
  // Checked with the flags, before the path: `check --profile cdk.out` names --profile, not a missing template.
  flags: { ...COMMON, profile: { type: 'string', check: (value) => { profileNamed(value); } } },
  positional: 'a template file or a synthesis output directory',
  run: async (v) => {
    const templates = checkPath(v._path, profileNamed(v.profile));
    return { path: v._path, templates };
  },
  print: (r: any) => {
    const templates = r.templates as CheckedTemplate[];
    const sections = templates.map((t) => {
      const how = t.profileSource === 'override' ? `profile ${t.profiles[0]} (--profile)`
        : t.profileSource === 'fallback' ? `profile ${t.profiles[0]}: no key records one`
          : `each key by its own profile: ${t.profiles.join(', ')}`;
      return `${t.file} (${t.cloud}, ${how})\n${findingsTable(t.findings)}`;
    });
    const all = templates.flatMap((t) => t.findings);
    const bad = all.filter((f) => f.result === RuleResult.NON_COMPLIANT).length;
    if (templates.length > 1) sections.push(`${templates.length} templates: ${bad} non-compliant finding${bad === 1 ? '' : 's'}`);
    return sections.join('\n\n');
  },
  exitCode: (r: any) => ((r.templates as CheckedTemplate[]).some((t) => t.findings.some((f) => f.result === RuleResult.NON_COMPLIANT)) ? 1 : 0),
};
