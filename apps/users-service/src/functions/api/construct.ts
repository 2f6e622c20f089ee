import { join } from 'node:path';
import { nodeFunctionDefaults } from '@outboxed/cdk-common';
import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_ENV, METRICS_NAMESPACE, SERVICE_NAME } from '../../config';
import { UsersServiceError } from '../../errors';

/** Properties of {@link UsersApi}. */
export interface UsersApiProps {
  /** The users table; the function may get, put and condition-check its items, nothing else. */
  readonly table: ITable;
  /** Steady-state requests per second the stage accepts, 1–10,000. @default 50 */
  readonly throttlingRateLimit?: number;
  /** Burst of requests the stage accepts, 1–5,000. @default 100 */
  readonly throttlingBurstLimit?: number;
  /** How long a `POST /users` answer is replayed for the same `Idempotency-Key`, 1 minute to 7 days. @default Duration.hours(24) */
  readonly idempotencyTtl?: Duration;
  /** How long access logs are kept. @default RetentionDays.ONE_YEAR */
  readonly accessLogRetention?: RetentionDays;
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

  constructor(scope: Construct, id: string, props: UsersApiProps) {
    super(scope, id);
    const rateLimit = props.throttlingRateLimit ?? 50;
    const burstLimit = props.throttlingBurstLimit ?? 100;
    const ttl = props.idempotencyTtl ?? Duration.hours(24);
    checkRange('throttlingRateLimit', rateLimit, 1, 10_000);
    checkRange('throttlingBurstLimit', burstLimit, 1, 5_000);
    checkRange('idempotencyTtl (seconds)', ttl.toSeconds(), 60, 7 * 24 * 3600);

    this.function = new NodejsFunction(this, 'Function', {
      ...nodeFunctionDefaults(),
      entry: join(import.meta.dirname, 'handler.ts'),
      description: 'users-service API: POST /users, GET /users/{id}',
      logGroup: new LogGroup(this, 'FunctionLogs', {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      environment: {
        [API_ENV.tableName]: props.table.tableName,
        [API_ENV.idempotencyTtlSeconds]: String(ttl.toSeconds()),
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    // Transactions are authorized per action: Put for the items it writes, GetItem for reads and idempotency replays.
    props.table.grant(this.function, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem');

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
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTimeEpoch',
            sourceIp: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
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
      Validations.of(postRoute).acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'POST /users is public sign-up: anyone may create a user. Abuse is bounded by stage throttling, the 4 KB body limit and email uniqueness; GET, which returns emails, is IAM-authorized.',
        },
        {
          id: 'AwsSolutions-COG4',
          reason: 'Public sign-up has no Cognito user yet; see AwsSolutions-APIG4.',
        },
      );
    }
    Validations.of(this.function).acknowledge(...FUNCTION_ACKNOWLEDGMENTS);
  }
}

const FUNCTION_ACKNOWLEDGMENTS = [
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch Logs.',
  },
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; the table actions are scoped to the users table.',
  },
  {
    id: 'AwsSolutions-L1',
    reason:
      'The workspace pins one runtime for every function (nodeFunctionDefaults: Node.js 22, the version the local toolchain builds and tests for).',
  },
];

function checkRange(prop: string, value: number, minimum: number, maximum: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new UsersServiceError(
      `UsersApi: ${prop} must be an integer from ${minimum} to ${maximum}; received ${value}.`,
    );
  }
}
