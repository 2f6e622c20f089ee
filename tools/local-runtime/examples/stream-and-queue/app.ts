// A small CDK app that is not one of this workspace's apps, to show the local runtime running any CDK app's cloud
// assembly: a table whose stream feeds a function that forwards each new item to a queue, which feeds a second
// function. Each item scripts its own fate: `poison` fails the stream batch it is in, `failInQueue` makes the queue
// consumer report it as a failed item every time. Synthesize it anywhere and run the output:
//   npx cdk synth --output <dir>        (in this folder)
//   npm start -- --assembly <dir>       (at the workspace root)
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Code, Function, Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { CfnActivity } from 'aws-cdk-lib/aws-stepfunctions';
import { Queue } from 'aws-cdk-lib/aws-sqs';

const app = new App();
const stack = new Stack(app, 'StreamAndQueue');

const items = new Table(stack, 'Items', {
  partitionKey: { name: 'id', type: AttributeType.STRING },
  billingMode: BillingMode.PAY_PER_REQUEST,
  stream: StreamViewType.NEW_IMAGE,
  removalPolicy: RemovalPolicy.DESTROY,
});
const workDlq = new Queue(stack, 'WorkDlq');
const work = new Queue(stack, 'Work', {
  visibilityTimeout: Duration.seconds(2),
  deadLetterQueue: { queue: workDlq, maxReceiveCount: 2 },
});
const streamFailures = new Queue(stack, 'StreamFailures');

const forward = new Function(stack, 'Forward', {
  runtime: Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: Code.fromAsset(join(import.meta.dirname, 'functions', 'forward')),
  timeout: Duration.seconds(2),
  environment: { WORK_QUEUE_URL: work.queueUrl },
});
work.grantSendMessages(forward);
forward.addEventSource(
  new DynamoEventSource(items, {
    startingPosition: StartingPosition.TRIM_HORIZON,
    batchSize: 10,
    maxBatchingWindow: Duration.seconds(2),
    bisectBatchOnError: true,
    retryAttempts: 1,
    onFailure: new SqsDlq(streamFailures),
  }),
);

const consume = new Function(stack, 'Consume', {
  runtime: Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: Code.fromAsset(join(import.meta.dirname, 'functions', 'consume')),
  timeout: Duration.seconds(2),
});
consume.addEventSource(new SqsEventSource(work, { batchSize: 10, reportBatchItemFailures: true }));

// not run locally: the runtime lists it as an unsupported resource type in its banner and log
new CfnActivity(stack, 'Approvals', { name: 'approvals' });

app.synth();
