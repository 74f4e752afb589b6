import { DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { ValidationError } from '../../core/validation';

/**
 * CloudFormation's execution role under the default synthesizer. Other synthesizers deploy with credentials
 * we cannot know at synthesis, so the caller must name the principal.
 */
export function defaultDeploymentPrincipal(scope: IConstruct, subject: string, what: string): iam.IPrincipal {
  const synthesizer = Stack.of(scope).synthesizer;
  if (synthesizer instanceof DefaultStackSynthesizer) {
    // The synthesizer leaves CloudFormation placeholders such as ${AWS::Partition} for the CLI to fill in.
    const arn = synthesizer.cloudFormationExecutionRoleArn;
    return new iam.ArnPrincipal(arn.includes('${') ? Fn.sub(arn) : arn);
  }
  throw new ValidationError(
    `deploymentPrincipal is required for ${subject} because the stack uses ${synthesizer.constructor.name}, ` +
    `not DefaultStackSynthesizer: name ${what}`);
}
