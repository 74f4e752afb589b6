import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Lazy, Names, Stack } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';
import { KeyBaselineStack, KeyBaselineStackProps } from './key-baseline-stack';
import { EvidenceLedger } from '../core/evidence';
import { Enforcement } from '../core/guardrails';
import { AUDIT_LOGGING_CONTROLS } from '../core/key-evidence';
import { checkResidency } from '../core/residency';
import { requireInteger, shown, ValidationError } from '../core/validation';
import { baselineCapabilities, baselineFindings, requireTargets } from './private/stackset-checks';


/**
 * Whose authority creates the StackSet: the management account itself, or a member account registered as a
 * delegated administrator for StackSets.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stackset.html#cfn-cloudformation-stackset-callas
 */
export enum StackSetCallAs {
  /** The management account (the default). */
  SELF = 'SELF',
  /** A delegated administrator account. */
  DELEGATED_ADMIN = 'DELEGATED_ADMIN',
}

/**
 * Properties of a `BaselineStackSet`.
 */
export interface BaselineStackSetProps {
  /** What every member account gets. */
  readonly baseline: KeyBaselineStackProps;

  /** Organizational units (or the root) whose accounts, present and future, get the baseline. */
  readonly organizationalUnitIds: string[];

  /** Regions each account gets the baseline in (EventBridge sees KMS events only in their own region). */
  readonly regions: string[];

  /**
   * Whether the StackSet is created by the management account or by a delegated administrator.
   * @default StackSetCallAs.SELF
   */
  readonly callAs?: StackSetCallAs;

  /**
   * Name of the StackSet, unique in its region of the administrator account.
   * @default - a name unique to this construct
   */
  readonly stackSetName?: string;

  /**
   * Keep the baseline's resources in an account that leaves the target OUs. `true` by default: its audit trail,
   * Object Lock bucket and drift alarm keep working (and the records stay where their retention holds them) instead of
   * the stack being deleted the moment an account is moved; remove them deliberately if wanted.
   * @default true
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudformation-stackset-autodeployment.html
   */
  readonly retainStacksOnAccountRemoval?: boolean;

  /**
   * Percentage of accounts per region deployed to at once.
   * @default 25
   */
  readonly maxConcurrentPercentage?: number;

  /**
   * Percentage of accounts per region that may fail before the operation stops in that region.
   * @default 10
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetOperationPreferences.html
   */
  readonly failureTolerancePercentage?: number;
}

/**
 * Rolls the key baseline (`KeyBaselineStack`: audit sink, key-policy drift alarm, and whatever is added to it) out to
 * every account of the target OUs, in every target region, with a service-managed `AWS::CloudFormation::StackSet` that
 * deploys automatically to accounts that join the OUs later.
 *
 * The baseline is a stack of its own, in an app private to this construct (never deployed by the CDK CLI), synthesized
 * when this stack is; its template becomes the StackSet's `TemplateBody`. Synthesis refuses what a StackSet cannot
 * deploy: assets, a body over 51,200 bytes, parameters without defaults, exports, fixed names that collide.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stackset.html
 */
export class BaselineStackSet extends Construct {
  /** The baseline stack; add constructs to it before synthesis. */
  public readonly baseline: KeyBaselineStack;
  public readonly stackSet: cloudformation.CfnStackSet;
  public readonly stackSetName: string;
  public readonly organizationalUnitIds: string[];
  public readonly regions: string[];
  private readonly baselineApp: App;
  private rendered?: { template: Record<string, any>; body: string };

  constructor(scope: Construct, id: string, props: BaselineStackSetProps) {
    super(scope, id);
    requireTargets(props.organizationalUnitIds, props.regions);
    this.organizationalUnitIds = [...props.organizationalUnitIds];
    this.regions = [...props.regions];
    this.stackSetName = props.stackSetName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(this.stackSetName)) {
      throw new ValidationError(`stackSetName must start with a letter and hold up to 128 letters, digits and hyphens, got ${shown(this.stackSetName)}`);
    }
    const maxConcurrent = props.maxConcurrentPercentage ?? 25;
    const failureTolerance = props.failureTolerancePercentage ?? 10;
    requireInteger('maxConcurrentPercentage', maxConcurrent, 1, 100);
    requireInteger('failureTolerancePercentage', failureTolerance, 0, 100);

    // Its own app, never synthesized into this app's assembly (autoSynth off, a private output directory), so the CDK
    // CLI cannot deploy the baseline as an ordinary stack.
    this.baselineApp = new App({ autoSynth: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-stackset-baseline-')) });
    this.baseline = new KeyBaselineStack(this.baselineApp, 'KeyBaseline', props.baseline);
    // The template's own rule would refuse these regions stack instance by stack instance, at deployment: refused here first.
    for (const region of this.regions) checkResidency(this.baseline.profile, 'regions', region, '');

    this.stackSet = new cloudformation.CfnStackSet(this, 'Resource', {
      stackSetName: this.stackSetName,
      description: `KMS key baseline (${props.baseline.profile.name}) for ${this.organizationalUnitIds.join(', ')}`,
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.callAs ?? StackSetCallAs.SELF,
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: props.retainStacksOnAccountRemoval ?? true },
      // Managed execution queues non-conflicting operations instead of failing them while an auto-deployment runs.
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: maxConcurrent,
        failureTolerancePercentage: failureTolerance,
        concurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      },
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: this.organizationalUnitIds }, regions: this.regions }],
      capabilities: Lazy.list({ produce: () => baselineCapabilities(this.render().template) }, { omitEmpty: true }),
      templateBody: Lazy.string({ produce: () => this.render().body }),
    });
    this.node.addValidation({ validate: () => this.validateBaseline() });
  }

  /** The baseline's template, synthesized once, as the StackSet receives it. */
  public baselineTemplate(): Record<string, any> {
    return this.render().template;
  }

  private render(): { template: Record<string, any>; body: string } {
    if (!this.rendered) {
      const assembly = this.baselineApp.synth();
      const template = assembly.getStackArtifact(this.baseline.artifactId).template as Record<string, any>;
      this.rendered = { template, body: JSON.stringify(template) };
    }
    return this.rendered;
  }

  private validateBaseline(): string[] {
    const { template, body } = this.render();
    const findings = baselineFindings(template, body, this.baseline.refusedAssets, this.regions.length, this.baseline.resourcePrefix);
    if (findings.length === 0) this.recordEvidence();
    return findings;
  }

  /** The baseline's guardrails, as deployed: in every account of the target OUs and regions, by this StackSet. */
  private recordEvidence(): void {
    const ledger = EvidenceLedger.of(this);
    const stack = Stack.of(this).node.path;
    const targets = this.organizationalUnitIds.flatMap((ou) => this.regions.map((region) => `${ou}/${region}`));
    const profile = this.baseline.profile.name;
    ledger.registerGuardrail({
      path: this.stackSet.node.path,
      stack,
      cloud: 'aws',
      enforcement: Enforcement.DETECTIVE,
      mechanism: 'AWS CloudFormation StackSet (service-managed, automatic deployment): KeyAuditSink',
      name: this.stackSetName,
      description: 'Deploys the KMS audit sink (multi-region trail with log-file validation, write-once bucket, alarms on critical ' +
        'key events) to every account of the target OUs, including accounts that join later; an account administrator ' +
        'can only change it where the organisation policy does not reserve the baseline to the StackSet execution role',
      controls: [...AUDIT_LOGGING_CONTROLS],
      targets,
      profile,
    });
    for (const record of EvidenceLedger.of(this.baseline).guardrails) {
      ledger.registerGuardrail({
        ...record,
        path: `${this.stackSet.node.path}/${record.path}`,
        stack,
        mechanism: `${record.mechanism}, rolled out by StackSet ${this.stackSetName}`,
        targets,
      });
    }
  }
}
