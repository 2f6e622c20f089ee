/** A CloudFormation template as `cdk synth` writes it (the parts the local runtime reads). */
export interface CfnTemplate {
  readonly Parameters?: Record<string, CfnParameter>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Condition?: string }>;
  readonly Rules?: Record<string, unknown>;
}

/** A template parameter. */
export interface CfnParameter {
  readonly Type: string;
  readonly Default?: unknown;
  readonly Description?: string;
}

/** A template resource. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | readonly string[];
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
}

/** What `Ref` and `Fn::GetAtt` return for a resource once it exists. */
export interface ResourceIdentity {
  /** The value of `Ref`. */
  readonly ref: string;
  /** The values of `Fn::GetAtt` by attribute name. */
  readonly attributes: Readonly<Record<string, unknown>>;
}
