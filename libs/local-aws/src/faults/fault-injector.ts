import { seededRandom } from '@outboxed/cdk-common/testing';
import { AwsServiceError, LocalAwsError } from '../errors';
import type { PutEventsRequestEntry } from '../events/put-events-entry';

/**
 * Rates, each a probability from 0 to 1 per call.
 *
 * @example const rates: FaultRates = { errorRate: 0.1, throttleRate: 0.05 };
 */
export interface FaultRates {
  /** The call fails with the service's internal error (HTTP 500). @default 0 */
  readonly errorRate?: number;
  /** The call is throttled (the service's throttling error). @default 0 */
  readonly throttleRate?: number;
}

/**
 * The calling worker process is killed (SIGKILL) just before or just after the edge applies one of its calls: the
 * crash windows of a consumer ("before its effect", "after its effect but before its idempotency record completes")
 * and of the relay ("after PutEvents but before the stream checkpoint").
 *
 * @example const crash: CrashFault = { action: 'ses:SendEmail', when: 'after', rate: 0.1 };
 */
export interface CrashFault {
  /** `ses:SendEmail` or `events:PutEvents`. */
  readonly action: 'ses:SendEmail' | 'events:PutEvents';
  readonly when: 'before' | 'after';
  /** Probability per call, 0–1. */
  readonly rate: number;
  /** Crash at most this many times. @default no limit */
  readonly limit?: number;
}

/**
 * The per-entry `ErrorCode`s PutEvents documents (`PutEventsResultEntry.ErrorCode`): `InternalFailure` and
 * `ThrottlingException` are retryable, the others are not.
 *
 * @example const code: PutEventsEntryErrorCode = 'ThrottlingException';
 */
export type PutEventsEntryErrorCode = keyof typeof PUT_EVENTS_ENTRY_ERRORS;

/** Each documented per-entry error code with the meaning AWS's API reference gives it (used as `ErrorMessage`). */
const PUT_EVENTS_ENTRY_ERRORS = {
  InternalFailure: 'The request processing has failed because of an unknown error, exception or failure.',
  ThrottlingException: 'The request was denied due to request throttling.',
  AccessDeniedException: 'You do not have sufficient access to perform this action.',
  InvalidAccountIdException: 'The account ID provided is not valid.',
  InvalidArgument: 'A specified parameter is not valid.',
  MalformedDetail: 'The JSON provided is not valid.',
  RedactionFailure: 'Redacting the CloudTrail event failed.',
  NotAuthorizedForSourceException:
    'You do not have permissions to publish events with this source onto this event bus.',
  NotAuthorizedForDetailTypeException:
    'You do not have permissions to publish events with this detail type onto this event bus.',
} as const;

/**
 * Decides the fate of one PutEvents entry: return a documented `ErrorCode` to fail it (the other entries of the
 * request are still accepted), `undefined` to let it through. `attempt` is 1 the first time the edge receives an
 * entry with this `EventBusName`, `Source`, `DetailType` and `Detail`, 2 the second time (a retry), and so on.
 *
 * @example
 * edge.faults.failPutEventsEntries((entry, attempt) =>
 *   attempt === 1 && entry.DetailType === 'UserCreated' ? 'ThrottlingException' : undefined);
 */
export type PutEventsEntryFailure = (
  entry: PutEventsRequestEntry,
  attempt: number,
) => PutEventsEntryErrorCode | undefined;

/**
 * Schema Registry faults.
 *
 * @example const schemas: SchemaRegistryFaults = { denyAccess: ['ListSchemas'] };
 */
export interface SchemaRegistryFaults {
  /**
   * Registry calls fail with `ForbiddenException` (HTTP 403), as for a caller whose IAM policy does not allow them:
   * `true` for every operation, or a list of operation names (`ListSchemas`, `DescribeSchema` …). @default none
   */
  readonly denyAccess?: boolean | readonly string[];
  /**
   * DescribeSchema answers these schema versions with their `Content` cut in half (text that is not JSON), to test
   * how a reader handles a corrupt document; `schemaVersion` omitted means every version. @default none
   */
  readonly corruptContent?: readonly { readonly schemaName: string; readonly schemaVersion?: string }[];
}

/**
 * What the edge injects, seeded so a run can be repeated.
 *
 * @example const plan: EdgeFaultPlan = { seed: 7, putEvents: { failEntryRate: 0.2 }, ses: { throttleRate: 0.1 } };
 */
export interface EdgeFaultPlan {
  /** Seed of the pseudo-random choices. @default 1 */
  readonly seed?: number;
  readonly putEvents?: {
    /** An entry fails with `InternalFailure` (retryable; the rest of the request is accepted). @default 0 */
    readonly failEntryRate?: number;
    /** An entry fails with `ThrottlingException`. @default 0 */
    readonly throttleEntryRate?: number;
    /** The whole request fails with `ThrottlingException`. @default 0 */
    readonly throttleRate?: number;
  };
  /** SQS calls fail with `InternalError` or `RequestThrottled`; `actions` limits which (e.g. `['ReceiveMessage']`). */
  readonly sqs?: FaultRates & { readonly actions?: readonly string[] };
  /** SES v2 SendEmail fails with `InternalFailure` or `TooManyRequestsException`. */
  readonly ses?: FaultRates;
  /** Schema Registry calls denied, or answered with corrupt content. */
  readonly schemas?: SchemaRegistryFaults;
  readonly crash?: readonly CrashFault[];
}

/**
 * A fault plan that cannot be used: names the field, the value and what is allowed.
 *
 * @example new FaultPlanError('ses.errorRate', 2, 'a probability from 0 to 1')
 */
export class FaultPlanError extends LocalAwsError {
  constructor(field: string, value: unknown, allowed: string) {
    super(
      `Fault plan field ${field} is ${JSON.stringify(value)}; it must be ${allowed}. Fix the plan and retry.`,
    );
  }
}

function checkRate(field: string, value: number | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw new FaultPlanError(field, value, 'a probability from 0 to 1');
}

/**
 * Checks a plan's fields and returns it.
 *
 * @example validateFaultPlan({ ses: { errorRate: 1 } })
 */
export function validateFaultPlan(plan: EdgeFaultPlan): EdgeFaultPlan {
  if (plan.seed !== undefined && !Number.isInteger(plan.seed))
    throw new FaultPlanError('seed', plan.seed, 'an integer');
  checkRate('putEvents.failEntryRate', plan.putEvents?.failEntryRate);
  checkRate('putEvents.throttleEntryRate', plan.putEvents?.throttleEntryRate);
  checkRate('putEvents.throttleRate', plan.putEvents?.throttleRate);
  checkRate('sqs.errorRate', plan.sqs?.errorRate);
  checkRate('sqs.throttleRate', plan.sqs?.throttleRate);
  checkRate('ses.errorRate', plan.ses?.errorRate);
  checkRate('ses.throttleRate', plan.ses?.throttleRate);
  validateSchemaFaults(plan.schemas);
  (plan.crash ?? []).forEach((c, i) => {
    if (!['ses:SendEmail', 'events:PutEvents'].includes(c.action))
      throw new FaultPlanError(`crash[${i}].action`, c.action, "'ses:SendEmail' or 'events:PutEvents'");
    if (!['before', 'after'].includes(c.when))
      throw new FaultPlanError(`crash[${i}].when`, c.when, "'before' or 'after'");
    checkRate(`crash[${i}].rate`, c.rate);
  });
  return plan;
}

function validateSchemaFaults(schemas: SchemaRegistryFaults | undefined): void {
  const deny = schemas?.denyAccess;
  if (
    deny !== undefined &&
    typeof deny !== 'boolean' &&
    !(Array.isArray(deny) && deny.every((d) => typeof d === 'string'))
  )
    throw new FaultPlanError('schemas.denyAccess', deny, 'true, false or a list of operation names');
  (schemas?.corruptContent ?? []).forEach((c, i) => {
    if (
      typeof c?.schemaName !== 'string' ||
      (c.schemaVersion !== undefined && typeof c.schemaVersion !== 'string')
    )
      throw new FaultPlanError(
        `schemas.corruptContent[${i}]`,
        c,
        'an object with a schemaName string and an optional schemaVersion string',
      );
  });
}

/**
 * Decides, call by call, which faults the edge injects, from a seeded plan; counts what it injected (`counts`,
 * keyed like `ses.error`, `crash.ses:SendEmail.after`). The plan can be replaced while the edge runs.
 *
 * @example
 * const faults = new FaultInjector({ seed: 3, ses: { errorRate: 1 } });
 * faults.requestFault('ses', 'SendEmail'); // an AwsServiceError
 */
export class FaultInjector {
  private current: EdgeFaultPlan = {};
  private random: () => number = seededRandom(1);
  private readonly crashes = new Map<string, number>();
  private entryFailure: PutEventsEntryFailure | undefined;
  private readonly entryAttempts = new Map<string, number>();
  readonly counts: Record<string, number> = {};

  constructor(plan: EdgeFaultPlan = {}) {
    this.set(plan);
  }

  get plan(): EdgeFaultPlan {
    return this.current;
  }

  /** Replaces the plan (and reseeds when it has a `seed`). */
  set(plan: EdgeFaultPlan): void {
    this.current = validateFaultPlan(plan);
    if (plan.seed !== undefined) this.random = seededRandom(plan.seed);
    this.crashes.clear();
  }

  /** The error a whole request fails with, if any. */
  requestFault(service: 'events' | 'sqs' | 'ses', action: string): AwsServiceError | undefined {
    if (service === 'events') {
      if (action !== 'PutEvents') return undefined;
      if (this.hit(this.current.putEvents?.throttleRate))
        return this.count(
          'events.throttle',
          new AwsServiceError('ThrottlingException', 'Rate exceeded (injected fault).'),
        );
      return undefined;
    }
    if (service === 'sqs') {
      const plan = this.current.sqs;
      if (!plan || (plan.actions && !plan.actions.includes(action))) return undefined;
      if (this.hit(plan.errorRate))
        return this.count(
          'sqs.error',
          new AwsServiceError('InternalError', 'Internal error (injected fault).', 500, 'InternalError'),
        );
      if (this.hit(plan.throttleRate))
        return this.count(
          'sqs.throttle',
          new AwsServiceError(
            'RequestThrottled',
            'Request throttled (injected fault).',
            400,
            'RequestThrottled',
          ),
        );
      return undefined;
    }
    if (action !== 'SendEmail') return undefined;
    if (this.hit(this.current.ses?.errorRate))
      return this.count(
        'ses.error',
        new AwsServiceError('InternalFailure', 'Internal failure (injected fault).', 500),
      );
    if (this.hit(this.current.ses?.throttleRate))
      return this.count(
        'ses.throttle',
        new AwsServiceError('TooManyRequestsException', 'Too many requests (injected fault).', 429),
      );
    return undefined;
  }

  /**
   * Fails chosen PutEvents entries, chosen by `failure` (see {@link PutEventsEntryFailure}), on top of the plan's
   * rates; `undefined` removes it and forgets the attempts counted. Programmatic only (a function does not travel
   * in the JSON plan of `PUT /_local/faults`).
   */
  failPutEventsEntries(failure: PutEventsEntryFailure | undefined): void {
    this.entryFailure = failure;
    this.entryAttempts.clear();
  }

  /** The failure of one PutEvents entry, if any: the `failPutEventsEntries` rule first, then the plan's rates. */
  entryFault(
    entry: PutEventsRequestEntry = {},
  ): { readonly ErrorCode: string; readonly ErrorMessage: string } | undefined {
    const chosen = this.chosenEntryFault(entry);
    if (chosen) return chosen;
    if (this.hit(this.current.putEvents?.failEntryRate)) {
      this.bump('events.entry-failure');
      return { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal failure (injected fault).' };
    }
    if (this.hit(this.current.putEvents?.throttleEntryRate)) {
      this.bump('events.entry-throttle');
      return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded (injected fault).' };
    }
    return undefined;
  }

  private chosenEntryFault(
    entry: PutEventsRequestEntry,
  ): { readonly ErrorCode: string; readonly ErrorMessage: string } | undefined {
    if (!this.entryFailure) return undefined;
    const key = JSON.stringify([
      entry.EventBusName ?? 'default',
      entry.Source,
      entry.DetailType,
      entry.Detail,
    ]);
    const attempt = (this.entryAttempts.get(key) ?? 0) + 1;
    this.entryAttempts.set(key, attempt);
    const code = this.entryFailure(entry, attempt);
    if (code === undefined) return undefined;
    const meaning = (PUT_EVENTS_ENTRY_ERRORS as Record<string, string | undefined>)[code];
    if (meaning === undefined)
      throw new FaultPlanError(
        'failPutEventsEntries result',
        code,
        `one of PutEvents' documented per-entry codes (${Object.keys(PUT_EVENTS_ENTRY_ERRORS).join(', ')})`,
      );
    this.bump(`events.entry-chosen.${code}`);
    return { ErrorCode: code, ErrorMessage: `${meaning} (injected fault)` };
  }

  /**
   * The error a Schema Registry call fails with, if any: `ForbiddenException` (403) for a denied operation.
   * `resource` is the ARN named in the message.
   */
  schemaFault(operation: string, resource: string, accountId: string): AwsServiceError | undefined {
    const deny = this.current.schemas?.denyAccess;
    if (!(deny === true || (Array.isArray(deny) && deny.includes(operation)))) return undefined;
    return this.count(
      'schemas.denied',
      new AwsServiceError(
        'ForbiddenException',
        `User: arn:aws:iam::${accountId}:user/local is not authorized to perform: schemas:${operation} on resource: ${resource} (injected fault)`,
        403,
      ),
    );
  }

  /** DescribeSchema's `Content` as answered: cut in half when the plan corrupts this schema version. */
  schemaContent(schemaName: string, schemaVersion: string, content: string): string {
    const corrupt = (this.current.schemas?.corruptContent ?? []).some(
      (c) =>
        c.schemaName === schemaName && (c.schemaVersion === undefined || c.schemaVersion === schemaVersion),
    );
    if (!corrupt) return content;
    this.bump('schemas.corrupt-content');
    return content.slice(0, Math.floor(content.length / 2));
  }

  /** Whether to crash the caller of `action` before or after applying it. */
  crashAt(action: string): 'before' | 'after' | undefined {
    for (const crash of this.current.crash ?? []) {
      if (crash.action !== action) continue;
      const key = `crash.${crash.action}.${crash.when}`;
      if ((this.crashes.get(key) ?? 0) >= (crash.limit ?? Infinity)) continue;
      if (!this.hit(crash.rate)) continue;
      this.crashes.set(key, (this.crashes.get(key) ?? 0) + 1);
      this.bump(key);
      return crash.when;
    }
    return undefined;
  }

  private hit(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.random() < rate;
  }

  private bump(key: string): void {
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }

  private count(key: string, error: AwsServiceError): AwsServiceError {
    this.bump(key);
    return error;
  }
}
