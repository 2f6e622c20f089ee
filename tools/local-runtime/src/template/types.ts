/**
 * A CloudFormation template as `cdk synth` writes it (the parts the local runtime reads).
 *
 * @example const template = JSON.parse(readFileSync('cdk.out/UsersService.template.json', 'utf8')) as CfnTemplate;
 */
export interface CfnTemplate {
  readonly Parameters?: Record<string, CfnParameter>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Condition?: string }>;
  readonly Rules?: Record<string, unknown>;
}

/**
 * A template parameter.
 *
 * @example template.Parameters?.BootstrapVersion?.Type // 'AWS::SSM::Parameter::Value<String>'
 */
export interface CfnParameter {
  readonly Type: string;
  readonly Default?: unknown;
  readonly Description?: string;
}

/**
 * A template resource.
 *
 * @example template.Resources?.UsersTable6D91A5EE?.Type // 'AWS::DynamoDB::Table'
 */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | readonly string[];
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
}

/**
 * What `Ref` and `Fn::GetAtt` return for a resource once it exists.
 *
 * @example const identity: ResourceIdentity = { ref: 'users-table', attributes: { Arn: 'arn:aws:dynamodb:…' } };
 */
export interface ResourceIdentity {
  /** The value of `Ref`. */
  readonly ref: string;
  /** The values of `Fn::GetAtt` by attribute name. */
  readonly attributes: Readonly<Record<string, unknown>>;
}
