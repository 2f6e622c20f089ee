import { join } from 'node:path';
import {
  acknowledgeFunctionBaseline,
  acknowledgeNag,
  checkDuration,
  checkRange,
  functionAlarms,
  functionLogGroup,
  metricAlarm,
  nodeFunctionDefaults,
  type FunctionAlarms,
  type NagAcknowledgment,
} from '@outboxed/cdk-common';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_ENV, METRICS_NAMESPACE, SERVICE_NAME } from '../../config';

/** Properties of {@link UsersApi}. */
export interface UsersApiProps {
  /** The users table; the function may get and put its items (in transactions too), nothing else. */
  readonly table: ITable;
  /** Steady-state requests per second the stage accepts, 1–10,000. @default 50 */
  readonly throttlingRateLimit?: number;
  /** Burst of requests the stage accepts, 1–5,000. @default 100 */
  readonly throttlingBurstLimit?: number;
  /** How long a `POST /users` answer is replayed for the same `Idempotency-Key`, 1 minute to 7 days. @default Duration.hours(24) */
  readonly idempotencyTtl?: Duration;
  /** How long access logs are kept. @default RetentionDays.ONE_YEAR */
  readonly accessLogRetention?: RetentionDays;
  /** How long the function's logs are kept. @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /** Actions of every alarm (e.g. the stack's operations topic). @default none: the alarms show in CloudWatch only */
  readonly alarmActions?: readonly IAlarmAction[];
  /** p90 latency of the stage at which the latency alarm fires, 5 minutes in a row, 100 ms–29 s. @default Duration.millis(2500) */
  readonly latencyAlarmThreshold?: Duration;
}

/**
 * The users HTTP API: an API Gateway HTTP API (payload format 2.0) with `POST /users` (public sign-up) and
 * `GET /users/{id}` (IAM-authorized: it returns an email), both proxied to one function; a `$default` stage
 * with JSON access logs and throttling.
 *
 * @example
 * const api = new UsersApi(this, 'Api', { table });
 * new CfnOutput(this, 'Url', { value: api.httpApi.apiEndpoint });
 */
export class UsersApi extends Construct {
  /** The HTTP API. */
  readonly httpApi: HttpApi;
  /** Its `$default` stage. */
  readonly stage: HttpStage;
  /** The function serving every route. */
  readonly function: NodejsFunction;
  /** The access log group of the stage. */
  readonly accessLogGroup: LogGroup;
  /** Fires when more than 5 % of requests end in a 5xx, 3 minutes in a row (AWS's recommended alarm). */
  readonly serverErrorAlarm: Alarm;
  /** Fires when the p90 latency stays at or above `latencyAlarmThreshold` for 5 minutes (AWS's recommended alarm). */
  readonly latencyAlarm: Alarm;
  /** Errors and Throttles alarms of the function. */
  readonly functionAlarms: FunctionAlarms;

  constructor(scope: Construct, id: string, props: UsersApiProps) {
    super(scope, id);
    const rateLimit = props.throttlingRateLimit ?? 50;
    const burstLimit = props.throttlingBurstLimit ?? 100;
    const ttl = props.idempotencyTtl ?? Duration.hours(24);
    const at = `UsersApi ${this.node.path}`;
    checkRange(at, 'throttlingRateLimit', rateLimit, { min: 1, max: 10_000 });
    checkRange(at, 'throttlingBurstLimit', burstLimit, { min: 1, max: 5_000 });
    checkDuration(at, 'idempotencyTtl', ttl, { min: Duration.minutes(1), max: Duration.days(7) });
    const latencyThreshold = props.latencyAlarmThreshold ?? Duration.millis(2500);
    checkDuration(at, 'latencyAlarmThreshold', latencyThreshold, {
      min: Duration.millis(100),
      max: Duration.seconds(29),
      wholeSeconds: false,
    });

    this.function = new NodejsFunction(this, 'Function', {
      ...nodeFunctionDefaults(),
      entry: join(import.meta.dirname, 'handler.ts'),
      description: 'users-service API: POST /users, GET /users/{id}',
      // A caller waits on it: `npm run bench cost` finds 512 MB the cheapest size answering warm within 60 ms.
      memorySize: 512,
      logGroup: functionLogGroup(this, 'FunctionLogs', props.logRetention),
      environment: {
        [API_ENV.tableName]: props.table.tableName,
        [API_ENV.idempotencyTtlSeconds]: String(ttl.toSeconds()),
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    // Transactions are authorized per action: Put for the items it writes (their conditions included: the
    // transaction has no ConditionCheck action), GetItem for reads and idempotency replays.
    props.table.grant(this.function, 'dynamodb:GetItem', 'dynamodb:PutItem');

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'users-service: create and read users',
      createDefaultStage: false,
    });
    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit, burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const integration = new HttpLambdaIntegration('Integration', this.function);
    const [postRoute] = this.httpApi.addRoutes({ path: '/users', methods: [HttpMethod.POST], integration });
    this.httpApi.addRoutes({
      path: '/users/{id}',
      methods: [HttpMethod.GET],
      integration,
      authorizer: new HttpIamAuthorizer(),
    });
    if (postRoute) {
      acknowledgeNag(postRoute, PUBLIC_SIGN_UP_ACKNOWLEDGMENT);
    }
    acknowledgeFunctionBaseline(this.function, { scopedTo: 'the users table' });

    const actions = props.alarmActions ?? [];
    this.serverErrorAlarm = metricAlarm(this, 'ServerErrorAlarm', {
      description:
        'More than 5 % of users API requests end in a 5xx for 3 minutes: sign-ups fail. Read the function log by correlation id (x-correlation-id) and the access log.',
      metric: this.stage.metricServerError({ statistic: 'Average', period: Duration.minutes(1) }),
      threshold: 0.05,
      evaluationPeriods: 3,
      actions,
    });
    this.latencyAlarm = metricAlarm(this, 'LatencyAlarm', {
      description: `The users API's p90 latency stays at or above ${latencyThreshold.toMilliseconds()} ms for 5 minutes.`,
      metric: this.stage.metricLatency({ statistic: 'p90', period: Duration.minutes(1) }),
      threshold: latencyThreshold.toMilliseconds(),
      evaluationPeriods: 5,
      actions,
    });
    this.functionAlarms = functionAlarms(this.function, 'The users API function', { actions });
  }

  /** Every alarm of the API. */
  get alarms(): Alarm[] {
    return [
      this.serverErrorAlarm,
      this.latencyAlarm,
      this.functionAlarms.errors,
      this.functionAlarms.throttles,
    ];
  }
}

/** The JSON access log line of each request: ids, route, status, size and latency, never a body. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  sourceIp: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
};

/** Why POST /users has no authorizer (cdk-nag APIG4). */
const PUBLIC_SIGN_UP_ACKNOWLEDGMENT: NagAcknowledgment = {
  rule: 'AwsSolutions-APIG4',
  reason:
    'POST /users is public sign-up: anyone may create a user. Abuse is bounded by stage throttling, the 4 KB body limit and email uniqueness, and the welcome email carries no text the caller chose in its subject; the remaining risk and its options (WAF, double opt-in) are in the users-service README. GET, which returns emails, is IAM-authorized.',
};
