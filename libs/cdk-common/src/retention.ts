import type { Template } from 'aws-cdk-lib/assertions';

/**
 * CloudFormation types that hold state a stack deletion must not destroy: tables, queues (messages in flight and
 * dead letters), the bus and its archive (the replay history), schema registries and their schemas, log groups.
 *
 * @example STATEFUL_RESOURCE_TYPES.includes('AWS::SQS::Queue') // true
 */
export const STATEFUL_RESOURCE_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::SQS::Queue',
  'AWS::Events::EventBus',
  'AWS::Events::Archive',
  'AWS::EventSchemas::Registry',
  'AWS::EventSchemas::Schema',
  'AWS::Logs::LogGroup',
] as const;

/** A stateful resource of a template that a stack deletion would destroy, and why. */
export interface UnretainedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly problem: string;
}

/**
 * Every stateful resource of `template` ({@link STATEFUL_RESOURCE_TYPES}) that a stack deletion or replacement
 * would destroy: not `DeletionPolicy` and `UpdateReplacePolicy` `Retain`, or a DynamoDB table without deletion
 * protection. `[]` when everything survives.
 *
 * @example expect(unretainedStatefulResources(Template.fromStack(stack))).toEqual([]);
 */
export function unretainedStatefulResources(template: Template): UnretainedResource[] {
  const resources = template.toJSON()['Resources'] as Record<
    string,
    {
      Type: string;
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
      Properties?: Record<string, unknown>;
    }
  >;
  return Object.entries(resources).flatMap(([logicalId, resource]) => {
    if (!(STATEFUL_RESOURCE_TYPES as readonly string[]).includes(resource.Type)) return [];
    const problems: string[] = [];
    if (resource.DeletionPolicy !== 'Retain')
      problems.push(`DeletionPolicy ${resource.DeletionPolicy ?? 'Delete'}`);
    if (resource.UpdateReplacePolicy !== 'Retain')
      problems.push(`UpdateReplacePolicy ${resource.UpdateReplacePolicy ?? 'Delete'}`);
    if (
      resource.Type === 'AWS::DynamoDB::Table' &&
      resource.Properties?.['DeletionProtectionEnabled'] !== true
    )
      problems.push('no DeletionProtectionEnabled');
    return problems.map((problem) => ({ logicalId, type: resource.Type, problem }));
  });
}
