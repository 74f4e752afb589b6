import { CfnResource, NestedStack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ValidationError } from '../../core/validation';

/** CloudFormation's per-template limits. */
const CFN_MAX_RESOURCES = 500;
const CFN_MAX_TEMPLATE_BYTES = 1_000_000;

/**
 * A nested stack of tenant keys that renders its template once. CDK renders a nested stack's template twice: to hash
 * it for the template asset, and again to write it; for thousands of key policies that second pass costs as much as
 * the first (measured by `npm run bench:synth`). The asset step runs after every reference is resolved (or the hash
 * would be wrong), and a shard has no nested stacks of its own whose assets could change it, so the first rendering
 * is the final one.
 */
export class ShardStack extends NestedStack {
  private rendering = false;
  private rendered?: unknown;

  /** @internal */
  public _prepareTemplateAsset(): boolean {
    this.rendering = true;
    try {
      return super._prepareTemplateAsset();
    } finally {
      this.rendering = false;
    }
  }

  /** @internal */
  protected _toCloudFormation(): any {
    if (this.rendered !== undefined) return this.rendered;
    const template = super._toCloudFormation();
    if (this.rendering) this.rendered = template;
    return template;
  }
}

/** A dedicated tenant is at most a key, an alias and a deletion resource; the deletion provider adds a dozen. */
export function requireMaxResources(prop: string, perShard: number): void {
  const max = Math.floor((CFN_MAX_RESOURCES - 20) / 3);
  if (!Token.isUnresolved(perShard) && perShard > max) {
    throw new ValidationError(`${prop} must be at most ${max}, so a shard of offboarded dedicated tenants stays within CloudFormation's ${CFN_MAX_RESOURCES} resources, got ${perShard}`);
  }
}

/** Every shard within CloudFormation's limits: resources counted, bytes estimated from the largest key. */
export function shardFindings(shardStacks: readonly NestedStack[], tenantsPerShard: number): string[] {
  const errors: string[] = [];
  for (const shard of shardStacks) {
    const resources = shard.node.findAll().filter((c) => CfnResource.isCfnResource(c)) as CfnResource[];
    if (resources.length > CFN_MAX_RESOURCES) {
      errors.push(`shard ${shard.node.path} has ${resources.length} resources, over CloudFormation's ${CFN_MAX_RESOURCES}: lower tenantsPerShard`);
    }
    const first = resources.find((r) => r instanceof kms.CfnKey);
    if (!first) continue;
    // Under dual control a key's template holds only its small genesis policy; its custodian policy is in the gate's
    // policy resource beside it, which is as large as the policy and counts with the key.
    const gated = first.node.scope?.node.tryFindChild('GatedPolicy')?.node.defaultChild as CfnResource | undefined;
    const rendered = (r: CfnResource) => JSON.stringify(shard.resolve((r as any)._toCloudFormation()), undefined, 1).length;
    const bytesPerKey = rendered(first) + (gated ? rendered(gated) : 0) + 512;
    const keys = resources.filter((r) => r instanceof kms.CfnKey).length;
    const estimate = keys * bytesPerKey + (resources.length - keys * (gated ? 2 : 1)) * 600;
    if (estimate > CFN_MAX_TEMPLATE_BYTES * 0.9) {
      errors.push(`shard ${shard.node.path} would be about ${estimate} bytes, near CloudFormation's ${CFN_MAX_TEMPLATE_BYTES}-byte template ` +
        `limit: lower tenantsPerShard (now ${tenantsPerShard}) or name fewer custodians`);
    }
  }
  return errors;
}
