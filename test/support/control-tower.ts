import { spawn, spawnSync } from 'child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join } from 'path';
import { CfnResource, NestedStack, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

const PACKAGE = join(__dirname, '..', '..', 'node_modules', '@cdklabs', 'cdk-validator-cfnguard');
const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
/** The cfn-guard binary `@cdklabs/cdk-validator-cfnguard` ships (the one its CfnGuardValidator plugin runs). */
export const CFN_GUARD = join(PACKAGE, 'bin', process.platform === 'darwin' ? 'macos' : 'ubuntu', ARCH, 'cfn-guard');
/** AWS Control Tower's proactive controls as cfn-guard rules, one folder per service. */
export const CONTROL_TOWER_RULES = join(PACKAGE, 'rules', 'control-tower', 'cfn-guard');

/**
 * The services whose Control Tower proactive controls the build runs. The bundled rule set has no SNS folder:
 * Control Tower publishes no proactive (CloudFormation hook) control for SNS topics.
 */
export const CONTROL_TOWER_SERVICES = ['keymanagementservice', 'cloudtrail', 's3', 'cloudwatch', 'lambda', 'identityandaccessmanagement'];

/**
 * The namespace CDK gives the CfnGuardValidator plugin's findings: `Validations.of(x).acknowledge({ id:
 * 'cdk-validator-cfnguard::<guard rule name>' })` suppresses them in a CDK app that runs the plugin, and this
 * harness honours the same acknowledgements.
 */
export const CFN_GUARD_NAMESPACE = 'cdk-validator-cfnguard';

export interface ControlTowerFailure {
  /** The template's name. */
  readonly template: string;
  /** The logical id of the failing resource. */
  readonly resource: string;
  /** The guard rule's name, e.g. `kms_create_grant_aws_service_check`. */
  readonly rule: string;
  /** The Control Tower control id, e.g. `CT.KMS.PR.3`. */
  readonly control: string;
  /** The acknowledgement's reason, when the finding was acknowledged on the resource or one of its scopes. */
  readonly acknowledged?: string;
}

interface GuardCheck {
  readonly Rule?: { name?: string; checks?: GuardCheck[]; messages?: { custom_message?: string; error_message?: string } };
  readonly Clause?: any;
  readonly Block?: any;
}

/** Every resource logical id a failing check names, with the Control Tower id its message carries. */
function walk(check: any, out: Array<{ resource?: string; control?: string }>, control?: string): void {
  if (check === null || typeof check !== 'object') return;
  const message: string | undefined = check.messages?.custom_message ?? check.message;
  const ct = typeof message === 'string' ? /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(message)?.[1] : undefined;
  const path: string | undefined = check.check?.Resolved?.from?.path ?? check.check?.UnResolved?.value?.traversed_to?.path
    ?? check.check?.Resolved?.value?.path ?? check.value?.path ?? check.from?.path;
  const resource = typeof path === 'string' ? /^\/Resources\/([^/]+)/.exec(path)?.[1] : undefined;
  if (resource) out.push({ resource, control: ct ?? control });
  for (const v of Object.values(check)) {
    if (Array.isArray(v)) v.forEach((x) => walk(x, out, ct ?? control));
    else if (v && typeof v === 'object') walk(v, out, ct ?? control);
  }
}

interface GuardRun {
  readonly dir: string;
  readonly args: string[];
  /** Template file name -> template name. */
  readonly names: Map<string, string>;
}

function prepare(templates: Record<string, unknown>, services: string[]): GuardRun {
  const dir = mkdtempSync(join(tmpdir(), 'control-tower-'));
  const names = new Map<string, string>();
  try {
    for (const [name, template] of Object.entries(templates)) {
      const file = `${name.replace(/[^A-Za-z0-9_-]/g, '_')}.template.json`;
      if (names.has(file)) throw new Error(`two templates map to the file name ${file}`);
      names.set(file, name);
      writeFileSync(join(dir, file), JSON.stringify(template));
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const args = ['validate', ...services.flatMap((s) => ['--rules', join(CONTROL_TOWER_RULES, s)]), '--data', dir,
    '--output-format', 'json', '--show-summary', 'none', '--structured'];
  return { dir, args, names };
}

function failuresOf(run: GuardRun, status: number | null, stdout: string, stderr: string): ControlTowerFailure[] {
  // cfn-guard exits 0 (all pass), 19 (a rule failed) or 5 (a rule failed, older releases); anything else is an error.
  if (![0, 5, 19].includes(status ?? -1)) {
    throw new Error(`cfn-guard failed (status ${status}): ${stderr}`);
  }
  const reports = JSON.parse(stdout || '[]') as Array<{ name: string; not_compliant?: GuardCheck[] }>;
  const failures = new Map<string, ControlTowerFailure>();
  for (const report of reports) {
    const template = run.names.get(basename(report.name)) ?? report.name;
    for (const check of report.not_compliant ?? []) {
      const rule = (check as any).Rule?.name ?? 'unknown';
      const found: Array<{ resource?: string; control?: string }> = [];
      walk(check, found);
      const control = found.find((f) => f.control)?.control ?? rule;
      const resources = [...new Set(found.map((f) => f.resource).filter((r): r is string => !!r))];
      for (const resource of resources.length > 0 ? resources : ['(template)']) {
        failures.set(`${template}|${resource}|${rule}`, { template, resource, rule, control });
      }
    }
  }
  return [...failures.values()];
}

/**
 * Runs Control Tower's cfn-guard rules for `services` over every template in ONE cfn-guard process (a directory of
 * templates, every rule folder) and returns each failing resource once per rule.
 */
export function controlTower(templates: Record<string, unknown>, services: string[] = CONTROL_TOWER_SERVICES): ControlTowerFailure[] {
  const run = prepare(templates, services);
  try {
    const result = spawnSync(CFN_GUARD, run.args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (result.error) throw result.error;
    return failuresOf(run, result.status, result.stdout, result.stderr);
  } finally {
    rmSync(run.dir, { recursive: true, force: true });
  }
}

/** `controlTower` without blocking (the main job runs it on the second core); the templates are written before it returns. */
export function controlTowerAsync(templates: Record<string, unknown>, services: string[] = CONTROL_TOWER_SERVICES): Promise<ControlTowerFailure[]> {
  const run = prepare(templates, services);
  // Output to a file, not a pipe: the caller's thread may be busy synthesizing when cfn-guard writes its report.
  // Not in run.dir: cfn-guard reads every file there as a template.
  const outDir = mkdtempSync(join(tmpdir(), 'control-tower-out-'));
  const outFile = join(outDir, 'out.json');
  const errFile = join(outDir, 'err.txt');
  const fds = [openSync(outFile, 'w'), openSync(errFile, 'w')];
  return new Promise<ControlTowerFailure[]>((resolve, reject) => {
    const child = spawn(CFN_GUARD, run.args, { stdio: ['ignore', fds[0], fds[1]] });
    child.on('error', reject);
    child.on('close', (status) => {
      try {
        resolve(failuresOf(run, status, readFileSync(outFile, 'utf8'), readFileSync(errFile, 'utf8')));
      } catch (e) {
        reject(e);
      }
    });
  }).finally(() => {
    fds.forEach((fd) => closeSync(fd));
    rmSync(run.dir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  });
}

/**
 * The acknowledged Control Tower findings of a stack (and its nested stacks), by `<template path>|<logical id>|<rule>`:
 * an acknowledgement on a resource or any construct above it, as CDK applies them to plugin findings.
 */
export function controlTowerAcknowledgements(stack: Stack): Map<string, string> {
  const acks = new Map<string, string>();
  const prefix = `${CFN_GUARD_NAMESPACE}::`;
  const scopesOf = (c: IConstruct): IConstruct[] => c.node.scopes;
  for (const c of stack.node.findAll()) {
    if (!(c instanceof CfnResource)) continue;
    const owner = Stack.of(c);
    const template = owner instanceof NestedStack ? owner.node.path : stack.node.path;
    for (const scope of scopesOf(c)) {
      for (const entry of scope.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          if (id.startsWith(prefix)) acks.set(`${template}|${owner.getLogicalId(c)}|${id.slice(prefix.length)}`, reason);
        }
      }
    }
  }
  return acks;
}
