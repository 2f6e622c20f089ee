import { generatePhysicalName, shortId, stableUuid } from './names';
import type { ResourceIdentity } from './types';

/**
 * Where a resource lives: its stack, logical id and (resolved) properties.
 *
 * @example SUPPORTED_RESOURCE_TYPES['AWS::SQS::Queue']?.({ stackName, logicalId, account, region, properties: {} });
 */
export interface IdentityInput {
  readonly stackName: string;
  readonly logicalId: string;
  readonly account: string;
  readonly region: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

type IdentityFn = (input: IdentityInput) => ResourceIdentity;

const named = (input: IdentityInput, property: string, maxLength: number): string => {
  const given = input.properties[property];
  return typeof given === 'string' && given !== ''
    ? given
    : generatePhysicalName(input.stackName, input.logicalId, maxLength);
};

const table: IdentityFn = (i) => {
  const name = named(i, 'TableName', 255);
  const arn = `arn:aws:dynamodb:${i.region}:${i.account}:table/${name}`;
  return { ref: name, attributes: { Arn: arn, StreamArn: `${arn}/stream/pending`, TableId: name } };
};

/**
 * Resource types the local runtime runs, each with CloudFormation's `Ref` and `Fn::GetAtt` values for it
 * (provisioners may replace them with what the local service returned, e.g. the real stream ARN or queue URL).
 *
 * @example SUPPORTED_RESOURCE_TYPES['AWS::SQS::Queue']!(input).attributes.Arn
 */
export const SUPPORTED_RESOURCE_TYPES: Readonly<Record<string, IdentityFn>> = {
  'AWS::DynamoDB::Table': table,
  'AWS::DynamoDB::GlobalTable': table,
  'AWS::Lambda::Function': (i) => {
    const name = named(i, 'FunctionName', 64);
    return { ref: name, attributes: { Arn: `arn:aws:lambda:${i.region}:${i.account}:function:${name}` } };
  },
  'AWS::Lambda::EventSourceMapping': (i) => {
    const id = stableUuid(`${i.stackName}/${i.logicalId}`);
    return {
      ref: id,
      attributes: {
        Id: id,
        EventSourceMappingArn: `arn:aws:lambda:${i.region}:${i.account}:event-source-mapping:${id}`,
      },
    };
  },
  'AWS::SQS::Queue': (i) => {
    let name = named(i, 'QueueName', 80);
    if (i.properties.FifoQueue === true && !name.endsWith('.fifo')) name = `${name.slice(0, 75)}.fifo`;
    const url = `http://localhost/${i.account}/${name}`;
    return {
      ref: url,
      attributes: { Arn: `arn:aws:sqs:${i.region}:${i.account}:${name}`, QueueName: name, QueueUrl: url },
    };
  },
  'AWS::Events::EventBus': (i) => {
    const name = named(i, 'Name', 256);
    return {
      ref: name,
      attributes: { Arn: `arn:aws:events:${i.region}:${i.account}:event-bus/${name}`, Name: name },
    };
  },
  'AWS::Events::Rule': (i) => {
    const name = named(i, 'Name', 64);
    const bus =
      typeof i.properties.EventBusName === 'string' ? busName(i.properties.EventBusName) : 'default';
    const path = bus === 'default' ? name : `${bus}/${name}`;
    return {
      ref: bus === 'default' ? name : `${bus}|${name}`,
      attributes: { Arn: `arn:aws:events:${i.region}:${i.account}:rule/${path}` },
    };
  },
  'AWS::Events::Archive': (i) => {
    const name = named(i, 'ArchiveName', 48);
    return { ref: name, attributes: { Arn: `arn:aws:events:${i.region}:${i.account}:archive/${name}` } };
  },
  'AWS::EventSchemas::Registry': (i) => {
    const name = named(i, 'RegistryName', 64);
    const arn = `arn:aws:schemas:${i.region}:${i.account}:registry/${name}`;
    return { ref: arn, attributes: { RegistryArn: arn, RegistryName: name } };
  },
  'AWS::EventSchemas::Schema': (i) => {
    const name = named(i, 'SchemaName', 385);
    const arn = `arn:aws:schemas:${i.region}:${i.account}:schema/${String(i.properties.RegistryName)}/${name}`;
    return { ref: arn, attributes: { SchemaArn: arn, SchemaName: name, SchemaVersion: '1' } };
  },
  'AWS::SSM::Parameter': (i) => {
    const name = named(i, 'Name', 2048);
    return {
      ref: name,
      attributes: { Type: i.properties.Type ?? 'String', Value: i.properties.Value },
    };
  },
  'AWS::SES::Template': (i) => {
    const template = (i.properties.Template ?? {}) as { TemplateName?: string };
    const name = template.TemplateName ?? generatePhysicalName(i.stackName, i.logicalId, 64);
    return { ref: name, attributes: { Id: name } };
  },
  'AWS::ApiGatewayV2::Api': (i) => {
    const id = shortId(`${i.stackName}/${i.logicalId}`);
    return {
      ref: id,
      attributes: {
        ApiId: id,
        ApiEndpoint: `http://localhost`,
        Arn: `arn:aws:apigateway:${i.region}::/apis/${id}`,
      },
    };
  },
  'AWS::ApiGatewayV2::Integration': (i) => {
    const id = shortId(`${i.stackName}/${i.logicalId}`, 7);
    return { ref: id, attributes: { IntegrationId: id } };
  },
  'AWS::ApiGatewayV2::Route': (i) => {
    const id = shortId(`${i.stackName}/${i.logicalId}`, 7);
    return { ref: id, attributes: { RouteId: id } };
  },
  'AWS::CloudWatch::Alarm': (i) => {
    const name = named(i, 'AlarmName', 255);
    return { ref: name, attributes: { Arn: `arn:aws:cloudwatch:${i.region}:${i.account}:alarm:${name}` } };
  },
  'AWS::ApiGatewayV2::Stage': (i) => {
    const name = typeof i.properties.StageName === 'string' ? i.properties.StageName : '$default';
    return { ref: name, attributes: {} };
  },
};

function busName(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:')
    ? nameOrArn.slice(nameOrArn.indexOf('event-bus/') + 'event-bus/'.length)
    : nameOrArn;
}

/**
 * Resource types with no local meaning, each with the reason the runtime skips it (shown in `--verbose`).
 * `Ref`/`Fn::GetAtt` on them still resolve, to placeholder names and ARNs.
 *
 * @example IGNORED_RESOURCE_TYPES['AWS::IAM::Role'] // 'permissions are not enforced locally'
 */
export const IGNORED_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'permissions are not enforced locally',
  'AWS::IAM::Policy': 'permissions are not enforced locally',
  'AWS::IAM::ManagedPolicy': 'permissions are not enforced locally',
  'AWS::Lambda::Permission': 'permissions are not enforced locally',
  'AWS::SQS::QueuePolicy': 'permissions are not enforced locally',
  'AWS::Events::EventBusPolicy': 'permissions are not enforced locally',
  'AWS::KMS::Key': 'local data is not encrypted',
  'AWS::KMS::Alias': 'local data is not encrypted',
  'AWS::Logs::LogGroup': 'functions log to the terminal',
  'AWS::Logs::MetricFilter': 'no CloudWatch locally',
  'AWS::CloudWatch::CompositeAlarm':
    'composite alarm rules are not evaluated locally (their metric alarms are)',
  'AWS::CloudWatch::Dashboard': 'no CloudWatch locally',
  'AWS::SNS::Topic': 'operations notifications go to people on AWS; locally nobody is paged',
  'AWS::SNS::TopicPolicy': 'permissions are not enforced locally',
  'AWS::SNS::Subscription': 'operations notifications go to people on AWS; locally nobody is paged',
  'AWS::CDK::Metadata': 'CDK usage metadata',
  'AWS::SES::EmailIdentity': 'the local SES accepts every sender',
  'AWS::SES::ConfigurationSet': 'the local SES has no configuration sets',
  'AWS::Lambda::EventInvokeConfig': 'no asynchronous invocations locally',
  'AWS::XRay::Group': 'no tracing locally',
  'AWS::XRay::SamplingRule': 'no tracing locally',
  'Custom::LogRetention': 'functions log to the terminal',
};

/**
 * `Ref`/`Fn::GetAtt` values for an ignored resource: its generated name and a placeholder ARN.
 *
 * @example ignoredIdentity('AWS::IAM::Role', input).attributes.Arn // 'arn:aws:iam::000000000000:role/…'
 */
export function ignoredIdentity(type: string, input: IdentityInput): ResourceIdentity {
  const name = generatePhysicalName(input.stackName, input.logicalId, 64);
  const service = (type.split('::')[1] ?? 'local').toLowerCase();
  const kind = (type.split('::')[2] ?? 'resource').toLowerCase();
  const arn = `arn:aws:${service}:${service === 'iam' ? '' : input.region}:${input.account}:${kind}/${name}`;
  return {
    ref: name,
    attributes: new Proxy({ Arn: arn }, { has: () => true, get: (t, p) => (p === 'Arn' ? t.Arn : name) }),
  };
}
