import { baselineNameFindings } from './stackset-names';
import { shown, ValidationError } from '../../core/validation';

/**
 * The largest `TemplateBody` CloudFormation accepts (CreateStackSet, UpdateStackSet): 51,200 bytes.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStackSet.html
 */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

/** Properties that give an IAM resource a fixed name; IAM names are global to an account, shared by all its regions. */
const IAM_NAME_PROPS: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
};

interface Template {
  Parameters?: Record<string, { Default?: unknown }>;
  Outputs?: Record<string, { Export?: unknown }>;
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Transform?: unknown;
}

function mentions(value: unknown, pseudo: string): boolean {
  return JSON.stringify(value ?? null).includes(`"${pseudo}"`) || JSON.stringify(value ?? null).includes(`\${${pseudo}}`);
}

/**
 * What a StackSet cannot deploy from this baseline, one sentence each: assets, a body over the size limit, parameters
 * the StackSet would have to supply, exports, fixed names that collide between the stack instances, and resources the
 * organisation policy protecting the baseline would not cover (private/stackset-names.ts).
 */
export function baselineFindings(template: Template, body: string, refusedAssets: string[], regionCount: number,
  resourcePrefix: string): string[] {
  const findings: string[] = [...baselineNameFindings(template, resourcePrefix)];
  for (const asset of refusedAssets) {
    findings.push(`the StackSet baseline holds a ${asset}: member accounts have no CDK bootstrap bucket or repository ` +
      'to deploy it from; use inline code (lambda.Code.fromInline) or resources that need no asset');
  }
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_TEMPLATE_BODY_BYTES) {
    findings.push(`the StackSet baseline template is ${bytes} bytes, over the ${MAX_TEMPLATE_BODY_BYTES} bytes TemplateBody allows`);
  }
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    if (parameter.Default === undefined) {
      findings.push(`the StackSet baseline parameter ${name} has no default, and the StackSet supplies no parameter values`);
    }
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    if (output.Export !== undefined) {
      findings.push(`the StackSet baseline output ${name} is exported: an account's own stack could import it and so block ` +
        'every later update of the baseline in that account');
    }
  }
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::S3::Bucket' && props.BucketName !== undefined && !mentions(props.BucketName, 'AWS::AccountId')) {
      findings.push(`the StackSet baseline bucket ${id} has a fixed name ${shown(props.BucketName)}: bucket names are global, ` +
        'so every instance after the first would fail; leave the name to CloudFormation or include the account id');
    }
    if (resource.Type === 'AWS::CloudTrail::Trail' && props.IsMultiRegionTrail === true && regionCount > 1 && props.TrailName !== undefined
      && !mentions(props.TrailName, 'AWS::Region')) {
      findings.push(`the StackSet baseline multi-region trail ${id} has the same name in ${regionCount} regions: its shadow copies ` +
        'hold that name in every region, so the second instance would collide; include the region in the trail name');
    }
    const nameProp = IAM_NAME_PROPS[resource.Type];
    if (nameProp && props[nameProp] !== undefined && regionCount > 1 && !mentions(props[nameProp], 'AWS::Region')) {
      findings.push(`the StackSet baseline ${resource.Type} ${id} has the fixed name ${shown(props[nameProp])} in ${regionCount} regions: ` +
        'IAM names are global to an account, so the second region would fail; include the region in the name');
    }
  }
  return findings;
}

/** The capabilities the baseline needs CloudFormation to acknowledge. */
export function baselineCapabilities(template: Template): string[] {
  const resources = Object.values(template.Resources ?? {});
  const iam = resources.filter((r) => r.Type.startsWith('AWS::IAM::'));
  const named = iam.some((r) => IAM_NAME_PROPS[r.Type] !== undefined && r.Properties?.[IAM_NAME_PROPS[r.Type]] !== undefined);
  const capabilities = named ? ['CAPABILITY_NAMED_IAM'] : iam.length > 0 ? ['CAPABILITY_IAM'] : [];
  if (template.Transform !== undefined) capabilities.push('CAPABILITY_AUTO_EXPAND');
  return capabilities;
}

/** Organizational unit or root ids, as Organizations writes them. */
const TARGET_PATTERN = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function requireTargets(organizationalUnitIds: string[], regions: string[]): void {
  if (organizationalUnitIds.length === 0) {
    throw new ValidationError('organizationalUnitIds must name at least one organizational unit or root, got []');
  }
  for (const id of organizationalUnitIds) {
    if (!TARGET_PATTERN.test(id)) {
      throw new ValidationError(`organizationalUnitIds must be organizational unit ids (ou-xxxx-xxxxxxxx) or a root id (r-xxxx), got ${shown(id)}`);
    }
  }
  if (regions.length === 0) throw new ValidationError('regions must name at least one region, got []');
  for (const region of regions) {
    if (!REGION_PATTERN.test(region)) throw new ValidationError(`regions must be AWS region names such as eu-west-1, got ${shown(region)}`);
  }
  if (new Set(regions).size !== regions.length) throw new ValidationError(`regions must not repeat a region, got ${shown(regions)}`);
}
