// List prices of AWS in us-east-1 (US East, N. Virginia), in USD, used by `npm run bench cost`.
//
// Where they come from, honestly: the public pricing pages named beside each price, as the author knew them on
// 2026-12-04 (no web access from this machine: the AWS pages could not be re-read that day). Stored third-party
// copies corroborate the Lambda prices (arm64 $0.0000133334 per GB-second, $0.20 per million requests) and
// EventBridge's (custom events $1.00 per million, Pipes $0.40 per million, archive $0.10 per GB and $0.023 per
// GB-month; a guide dated 2026-03-13). DynamoDB's on-demand request prices are those since AWS halved them on
// 2024-11-01. Lambda's are arm64 (the functions' architecture), first tier. Free tiers are left out (a million users
// is past most of them). Check them against the pages before quoting a figure: `PRICES_DATE` is printed beside every
// result.

/** The day the prices below were taken. */
export const PRICES_DATE = '2026-12-04';
export const PRICES_REGION = 'us-east-1';

export const PRICES = {
  /** aws.amazon.com/dynamodb/pricing/on-demand: per write request unit (1 KB; a transactional write is 2 per KB). */
  dynamoDbWriteRequestUnit: 0.625 / 1e6,
  /** Same page: per read request unit (4 KB strongly consistent). */
  dynamoDbReadRequestUnit: 0.125 / 1e6,
  /** Same page: Standard table class, per GB-month. */
  dynamoDbStorageGbMonth: 0.25,
  /** Same page: DynamoDB Streams GetRecords made by a Lambda event source mapping are not charged. */
  dynamoDbStreamsReadByLambda: 0,
  /** aws.amazon.com/lambda/pricing: per request. */
  lambdaRequest: 0.2 / 1e6,
  /** Same page: arm64, per GB-second. */
  lambdaGbSecond: 0.0000133334,
  /** aws.amazon.com/eventbridge/pricing: custom events put on a bus, per event (each 64 KB chunk is one). */
  eventBridgeEvent: 1.0 / 1e6,
  /** Same page: archive, per GB of events processed into it. */
  eventBridgeArchiveGb: 0.1,
  /** Same page: archive storage, per GB-month. */
  eventBridgeArchiveStorageGbMonth: 0.023,
  /** Same page: EventBridge Pipes, per request (event after filtering, per 64 KB chunk). */
  pipesRequest: 0.4 / 1e6,
  /** aws.amazon.com/sqs/pricing: standard queue, per request (64 KB chunk). */
  sqsRequest: 0.4 / 1e6,
  /** aws.amazon.com/ses/pricing: outbound email, per message. */
  sesEmail: 0.1 / 1e3,
  /** aws.amazon.com/api-gateway/pricing: HTTP API, per request (first 300 million a month). */
  httpApiRequest: 1.0 / 1e6,
  /** aws.amazon.com/cloudwatch/pricing: Logs ingestion (Standard class), per GB. */
  logsIngestionGb: 0.5,
  /** Same page: Logs storage, per GB-month. */
  logsStorageGbMonth: 0.03,
  /** Same page: custom metric (EMF included), per metric per month (first 10,000). */
  customMetricMonth: 0.3,
  /** Same page: standard-resolution alarm, per alarm per month. */
  alarmMonth: 0.1,
  /** Same page: dashboard per month (beyond the first 3). */
  dashboardMonth: 3.0,
  /** aws.amazon.com/xray/pricing: traces recorded, per trace. */
  xrayTrace: 5.0 / 1e6,
} as const;
