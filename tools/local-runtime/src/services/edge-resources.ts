import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import type { Target } from '@aws-sdk/client-eventbridge';
import {
  CreateRegistryCommand,
  CreateSchemaCommand,
  SchemasClient,
  UpdateSchemaCommand,
} from '@aws-sdk/client-schemas';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateEmailTemplateCommand, SESv2Client, UpdateEmailTemplateCommand } from '@aws-sdk/client-sesv2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { ProvisionRequest, Provisioner } from '../template/deploy';

/**
 * SDK clients pointed at the local edge.
 *
 * @example const { sqs } = edgeClients(edge.endpoint);
 */
export interface EdgeClients {
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly schemas: SchemasClient;
  readonly ssm: SSMClient;
  readonly ses: SESv2Client;
  destroy(): void;
}

/**
 * Creates the SDK clients of the edge's services.
 *
 * @example const clients = edgeClients('http://127.0.0.1:4566');
 */
export function edgeClients(endpoint: string): EdgeClients {
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const clients = {
    events: new EventBridgeClient(config),
    sqs: new SQSClient(config),
    schemas: new SchemasClient(config),
    ssm: new SSMClient(config),
    ses: new SESv2Client(config),
  };
  return { ...clients, destroy: () => Object.values(clients).forEach((c) => c.destroy()) };
}

const tolerateExisting = async (send: () => Promise<unknown>): Promise<void> => {
  try {
    await send();
  } catch (error) {
    if (!/AlreadyExists|Conflict|QueueNameExists/.test((error as Error).name)) throw error;
  }
};

const json = (value: unknown): string | undefined =>
  value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);

const QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
] as const;

/**
 * Provisioners creating EventBridge buses, rules (with targets) and archives, SQS queues (attributes and redrive
 * policy), schema registries and schemas, and SSM parameters in the local edge, through the services' own APIs.
 *
 * @example const provisioners = edgeProvisioners(clients, (arn, url) => queueUrls.set(arn, url));
 */
export function edgeProvisioners(
  clients: EdgeClients,
  onQueue: (arn: string, url: string) => void,
): Record<string, Provisioner> {
  return {
    'AWS::Events::EventBus': async ({ identity }) => {
      if (identity.ref === 'default') return;
      await tolerateExisting(() => clients.events.send(new CreateEventBusCommand({ Name: identity.ref })));
    },
    'AWS::Events::Rule': (request) => provisionRule(clients, request),
    'AWS::Events::Archive': async ({ properties: p, identity }) => {
      await tolerateExisting(() =>
        clients.events.send(
          new CreateArchiveCommand({
            ArchiveName: identity.ref,
            EventSourceArn: p.SourceArn as string,
            EventPattern: json(p.EventPattern),
            RetentionDays: p.RetentionDays as number | undefined,
            Description: p.Description as string | undefined,
          }),
        ),
      );
    },
    'AWS::SQS::Queue': async ({ properties: p, identity }: ProvisionRequest) => {
      const attributes: Record<string, string> = {};
      for (const key of QUEUE_ATTRIBUTES) if (p[key] !== undefined) attributes[key] = String(p[key]);
      if (p.RedrivePolicy !== undefined) attributes.RedrivePolicy = json(p.RedrivePolicy) as string;
      if (p.RedriveAllowPolicy !== undefined)
        attributes.RedriveAllowPolicy = json(p.RedriveAllowPolicy) as string;
      const name = identity.attributes.QueueName as string;
      const out = await clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      const url = out.QueueUrl as string;
      onQueue(identity.attributes.Arn as string, url);
      return { ref: url, attributes: { ...identity.attributes, QueueUrl: url } };
    },
    'AWS::EventSchemas::Registry': async ({ properties: p, identity }) => {
      await tolerateExisting(() =>
        clients.schemas.send(
          new CreateRegistryCommand({
            RegistryName: identity.attributes.RegistryName as string,
            Description: p.Description as string | undefined,
          }),
        ),
      );
    },
    'AWS::EventSchemas::Schema': (request) => provisionSchema(clients, request),
    'AWS::SES::Template': (request) => provisionEmailTemplate(clients, request),
    'AWS::SSM::Parameter': async ({ properties: p, identity }) => {
      await clients.ssm.send(
        new PutParameterCommand({
          Name: identity.ref,
          Value: String(p.Value),
          Type: (p.Type as 'String' | 'StringList' | undefined) ?? 'String',
          Description: p.Description as string | undefined,
          Overwrite: true,
        }),
      );
    },
  };
}

/** A rule and its targets, on its bus (the rule's physical id is `<bus>|<name>` on a custom bus). */
async function provisionRule(
  clients: EdgeClients,
  { properties: p, identity }: ProvisionRequest,
): Promise<void> {
  const name = identity.ref.split('|').at(-1) as string;
  const bus = typeof p.EventBusName === 'string' ? p.EventBusName : undefined;
  await clients.events.send(
    new PutRuleCommand({
      Name: name,
      EventBusName: bus,
      EventPattern: json(p.EventPattern),
      ScheduleExpression: p.ScheduleExpression as string | undefined,
      State: (p.State as 'ENABLED' | 'DISABLED' | undefined) ?? 'ENABLED',
      Description: p.Description as string | undefined,
    }),
  );
  const targets = ((p.Targets as Record<string, unknown>[] | undefined) ?? []).map((t): Target => ({
    Id: t.Id as string,
    Arn: t.Arn as string,
    Input: t.Input as string | undefined,
    InputPath: t.InputPath as string | undefined,
    InputTransformer: t.InputTransformer as Target['InputTransformer'],
    RetryPolicy: t.RetryPolicy as Target['RetryPolicy'],
    DeadLetterConfig: t.DeadLetterConfig as Target['DeadLetterConfig'],
    SqsParameters: t.SqsParameters as Target['SqsParameters'],
  }));
  if (targets.length > 0)
    await clients.events.send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: targets }));
}

/** A schema: created, or updated when it exists (a new deploy of a changed schema). */
async function provisionSchema(
  clients: EdgeClients,
  { properties: p, identity }: ProvisionRequest,
): Promise<void> {
  const input = {
    RegistryName: p.RegistryName as string,
    SchemaName: identity.attributes.SchemaName as string,
    Type: p.Type as 'JSONSchemaDraft4' | 'OpenApi3',
    Content: json(p.Content) as string,
    Description: p.Description as string | undefined,
  };
  try {
    await clients.schemas.send(new CreateSchemaCommand(input));
  } catch (error) {
    if (!/Conflict|AlreadyExists/.test((error as Error).name)) throw error;
    await clients.schemas.send(new UpdateSchemaCommand(input));
  }
}

/** An SES template (CloudFormation's v1 shape) as an SES v2 email template: created, or updated when it exists. */
async function provisionEmailTemplate(
  clients: EdgeClients,
  { properties: p, identity }: ProvisionRequest,
): Promise<void> {
  const t = (p.Template ?? {}) as { SubjectPart?: string; TextPart?: string; HtmlPart?: string };
  const input = {
    TemplateName: identity.ref,
    TemplateContent: { Subject: t.SubjectPart, Text: t.TextPart, Html: t.HtmlPart },
  };
  try {
    await clients.ses.send(new CreateEmailTemplateCommand(input));
  } catch (error) {
    if (!/AlreadyExists/.test((error as Error).name)) throw error;
    await clients.ses.send(new UpdateEmailTemplateCommand(input));
  }
}
