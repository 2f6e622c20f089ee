import { AwsServiceError, validation } from '../errors';
import type { ServiceContext } from '../service-context';
import type { SqsService } from '../sqs/sqs-service';
import { ArchiveStore } from './archives';
import type { EventsPersistence } from './events-journal';
import { compileEventPattern, type CompiledEventPattern } from './event-pattern';
import {
  buildEvent,
  PUT_EVENTS_MAX_ENTRIES,
  PUT_EVENTS_MAX_REQUEST_BYTES,
  putEventsEntrySize,
  validatePutEventsEntry,
  type EventBridgeEvent,
  type PutEventsRequestEntry,
} from './put-events-entry';
import { defaultRetryDelayMs, deliver, type DeliveryDeps, type Target } from './target-delivery';

interface Rule {
  readonly Name: string;
  readonly Arn: string;
  readonly EventBusName: string;
  EventPattern?: string;
  pattern?: CompiledEventPattern;
  ScheduleExpression?: string;
  State: string;
  Description?: string;
  RoleArn?: string;
  readonly targets: Map<string, Target>;
}

interface Bus {
  readonly Name: string;
  readonly Arn: string;
  readonly Description?: string;
  readonly CreationTime: number;
  readonly rules: Map<string, Rule>;
}

type Input = Record<string, unknown>;

/** Options of {@link EventsService} beyond the shared context. */
export interface EventsServiceOptions {
  readonly invokeLambda?: (functionArn: string, payload: unknown) => Promise<unknown>;
  readonly retryDelayMs?: (attempt: number) => number;
  /** Keeps pending target retries and archived events across restarts. @default in memory only */
  readonly persistence?: EventsPersistence;
  /** Fault injection: a per-entry failure to answer instead of accepting an entry. @default none */
  readonly entryFault?: (
    entry: PutEventsRequestEntry,
  ) => { readonly ErrorCode: string; readonly ErrorMessage: string } | undefined;
}

const notFound = (message: string): AwsServiceError =>
  new AwsServiceError('ResourceNotFoundException', message);

/**
 * Amazon EventBridge, in memory, behind the JSON 1.1 protocol (`X-Amz-Target: AWSEvents.<Action>`): buses, rules,
 * targets (SQS, Lambda through `invokeLambda`, other buses) with RetryPolicy and DeadLetterConfig, PutEvents with
 * AWS's limits, TestEventPattern, archives and replays. Hand-written: no maintained library emulates EventBridge
 * without Docker. Scheduled rules are stored but never fire.
 *
 * @example
 * const events = new EventsService(context, sqs);
 * await events.handle('CreateEventBus', { Name: 'bus' });
 */
export class EventsService {
  private readonly buses = new Map<string, Bus>();
  private readonly archives: ArchiveStore;
  private readonly deliveryDeps: DeliveryDeps;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sleepers = new Set<() => void>();
  private stopped = false;
  private readonly persistence: EventsPersistence | undefined;
  private readonly entryFault: EventsServiceOptions['entryFault'];

  constructor(
    private readonly context: ServiceContext,
    sqs: SqsService,
    options: EventsServiceOptions = {},
  ) {
    this.persistence = options.persistence;
    this.entryFault = options.entryFault;
    this.addBus('default');
    this.deliveryDeps = {
      sqs,
      log: context.log,
      ...(options.invokeLambda ? { invokeLambda: options.invokeLambda } : {}),
      putOnBus: (busArn, event) => {
        const bus = this.bus(busArn);
        this.archives.record(bus.Arn, event);
        this.route(bus, event);
      },
      retryDelayMs: options.retryDelayMs ?? defaultRetryDelayMs,
      sleep: (ms) => this.sleep(ms),
      ...(options.persistence ? { journal: options.persistence } : {}),
    };
    this.archives = new ArchiveStore(
      context,
      {
        busArn: (name) => this.bus(name).Arn,
        replay: (busName, event, ruleArns) => this.route(this.bus(busName), event, ruleArns),
      },
      options.persistence,
    );
    options.persistence?.open(() => this.archives.entries());
  }

  /** One handler per EventBridge action (the route table {@link handle} dispatches on). */
  private readonly actions: Readonly<Record<string, (input: Input, action: string) => unknown>> = {
    CreateEventBus: (input) => this.createEventBus(input),
    DescribeEventBus: (input) => this.describeEventBus(input),
    ListEventBuses: (input) => this.listEventBuses(input),
    DeleteEventBus: (input) => this.deleteEventBus(input),
    PutRule: (input) => this.putRule(input),
    DescribeRule: (input) => this.describeRule(this.rule(input.Name, input.EventBusName)),
    ListRules: (input) => this.listRules(input),
    ListRuleNamesByTarget: (input) => this.listRuleNamesByTarget(input),
    EnableRule: (input) => this.setRuleState(input, 'ENABLED'),
    DisableRule: (input) => this.setRuleState(input, 'DISABLED'),
    DeleteRule: (input) => this.deleteRule(input),
    PutTargets: (input) => this.putTargets(input),
    RemoveTargets: (input) => this.removeTargets(input),
    ListTargetsByRule: (input) => ({
      Targets: [...this.rule(input.Rule, input.EventBusName).targets.values()],
    }),
    PutEvents: (input) => this.putEvents(input),
    TestEventPattern: (input) => this.testEventPattern(input),
    ...Object.fromEntries(
      [
        'CreateArchive',
        'DescribeArchive',
        'ListArchives',
        'UpdateArchive',
        'DeleteArchive',
        'StartReplay',
        'DescribeReplay',
        'ListReplays',
        'CancelReplay',
      ].map((name) => [name, (input: Input, action: string) => this.archives.handle(action, input)]),
    ),
    // tags and bus policies have no local effect (permissions are not enforced)
    ...Object.fromEntries(
      ['TagResource', 'UntagResource', 'PutPermission', 'RemovePermission'].map((name) => [name, () => ({})]),
    ),
    ListTagsForResource: () => ({ Tags: [] }),
  };

  /** Runs one EventBridge action; throws {@link AwsServiceError} as EventBridge answers. */
  async handle(action: string, input: Input): Promise<unknown> {
    const run = Object.hasOwn(this.actions, action) ? this.actions[action] : undefined;
    if (!run)
      throw new AwsServiceError(
        'UnknownOperationException',
        `Operation ${action} is not supported by the local EventBridge.`,
      );
    return run(input, action);
  }

  private describeEventBus(input: Input): unknown {
    const bus = this.bus(optionalString(input.Name) ?? 'default');
    return {
      Name: bus.Name,
      Arn: bus.Arn,
      CreationTime: bus.CreationTime,
      LastModifiedTime: bus.CreationTime,
    };
  }

  private listEventBuses(input: Input): unknown {
    const prefix = optionalString(input.NamePrefix) ?? '';
    return {
      EventBuses: [...this.buses.values()]
        .filter((b) => b.Name.startsWith(prefix))
        .map((b) => ({ Name: b.Name, Arn: b.Arn })),
    };
  }

  private deleteEventBus(input: Input): unknown {
    const name = requireString(input.Name, 'Name');
    if (name === 'default') throw validation('Cannot delete event bus default.');
    this.buses.delete(name);
    return {};
  }

  private listRules(input: Input): unknown {
    const prefix = optionalString(input.NamePrefix) ?? '';
    const rules = [...this.bus(optionalString(input.EventBusName) ?? 'default').rules.values()].filter((r) =>
      r.Name.startsWith(prefix),
    );
    return { Rules: rules.map((r) => this.describeRule(r)) };
  }

  private listRuleNamesByTarget(input: Input): unknown {
    const arn = requireString(input.TargetArn, 'TargetArn');
    const rules = [...this.bus(optionalString(input.EventBusName) ?? 'default').rules.values()].filter((r) =>
      [...r.targets.values()].some((t) => t.Arn === arn),
    );
    return { RuleNames: rules.map((r) => r.Name) };
  }

  private setRuleState(input: Input, state: 'ENABLED' | 'DISABLED'): unknown {
    this.rule(input.Name, input.EventBusName).State = state;
    return {};
  }

  private deleteRule(input: Input): unknown {
    const rule = this.rule(input.Name, input.EventBusName);
    if (rule.targets.size > 0) throw validation("Rule can't be deleted since it has targets.");
    this.bus(rule.EventBusName).rules.delete(rule.Name);
    return {};
  }

  private removeTargets(input: Input): unknown {
    const rule = this.rule(input.Rule, input.EventBusName);
    const ids = (input.Ids as string[] | undefined) ?? [];
    const FailedEntries = ids
      .filter((id) => !rule.targets.has(id))
      .map((id) => ({
        TargetId: id,
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Target ${id} does not exist on rule ${rule.Name}.`,
      }));
    for (const id of ids) rule.targets.delete(id);
    return { FailedEntryCount: FailedEntries.length, FailedEntries };
  }

  /** Abandons pending retries so no timer outlives the edge. */
  stop(): void {
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
    this.persistence?.close();
  }

  private sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve(!this.stopped);
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /** Resolves once every delivery started so far (including retries) has finished. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private addBus(name: string, description?: string): Bus {
    const bus: Bus = {
      Name: name,
      Arn: `arn:aws:events:${this.context.region}:${this.context.accountId}:event-bus/${name}`,
      ...(description ? { Description: description } : {}),
      CreationTime: Date.now() / 1000,
      rules: new Map(),
    };
    this.buses.set(name, bus);
    return bus;
  }

  /** Resolves a bus by name or ARN. */
  private bus(nameOrArn: string): Bus {
    const name = nameOrArn.startsWith('arn:') ? (nameOrArn.split('event-bus/')[1] ?? '') : nameOrArn;
    const bus = this.buses.get(name);
    if (!bus) throw notFound(`Event bus ${name} does not exist.`);
    return bus;
  }

  private rule(name: unknown, busName: unknown): Rule {
    const ruleName = requireString(name, 'Name');
    const bus = this.bus(optionalString(busName) ?? 'default');
    const rule = bus.rules.get(ruleName);
    if (!rule) throw notFound(`Rule ${ruleName} does not exist on EventBus ${bus.Name}.`);
    return rule;
  }

  private createEventBus(input: Input): unknown {
    const name = requireString(input.Name, 'Name');
    if (!/^[/.\-_A-Za-z0-9]{1,256}$/.test(name) || name === 'default') {
      throw validation(
        `Event bus name ${name} is not valid: use 1-256 characters of letters, digits, '.', '-', '_' and '/' (and not "default").`,
      );
    }
    if (this.buses.has(name))
      throw new AwsServiceError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    return { EventBusArn: this.addBus(name, optionalString(input.Description)).Arn };
  }

  private putRule(input: Input): unknown {
    const name = requireString(input.Name, 'Name');
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) {
      throw validation(
        `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`,
      );
    }
    const bus = this.bus(optionalString(input.EventBusName) ?? 'default');
    const eventPattern = optionalString(input.EventPattern);
    const schedule = optionalString(input.ScheduleExpression);
    if (!eventPattern && !schedule)
      throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    const pattern = eventPattern ? compileEventPattern(eventPattern) : undefined;
    const existing = bus.rules.get(name);
    const rule: Rule = {
      Name: name,
      Arn: `arn:aws:events:${this.context.region}:${this.context.accountId}:rule/${bus.Name === 'default' ? '' : `${bus.Name}/`}${name}`,
      EventBusName: bus.Name,
      ...(eventPattern ? { EventPattern: eventPattern, pattern } : {}),
      ...(schedule ? { ScheduleExpression: schedule } : {}),
      State: optionalString(input.State) ?? 'ENABLED',
      ...(optionalString(input.Description) ? { Description: input.Description as string } : {}),
      ...(optionalString(input.RoleArn) ? { RoleArn: input.RoleArn as string } : {}),
      targets: existing?.targets ?? new Map(),
    };
    bus.rules.set(name, rule);
    return { RuleArn: rule.Arn };
  }

  private describeRule(rule: Rule): unknown {
    return {
      Name: rule.Name,
      Arn: rule.Arn,
      EventBusName: rule.EventBusName,
      State: rule.State,
      ...(rule.EventPattern ? { EventPattern: rule.EventPattern } : {}),
      ...(rule.ScheduleExpression ? { ScheduleExpression: rule.ScheduleExpression } : {}),
      ...(rule.Description ? { Description: rule.Description } : {}),
      ...(rule.RoleArn ? { RoleArn: rule.RoleArn } : {}),
      CreatedBy: this.context.accountId,
    };
  }

  private putTargets(input: Input): unknown {
    const rule = this.rule(input.Rule, input.EventBusName);
    const targets = (input.Targets as Target[] | undefined) ?? [];
    if (targets.length < 1 || targets.length > 10) {
      throw validation(
        `1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10`,
      );
    }
    const FailedEntries: unknown[] = [];
    for (const target of targets) {
      const problem = this.targetProblem(target);
      if (problem) {
        FailedEntries.push({ TargetId: target.Id, ErrorCode: 'ValidationException', ErrorMessage: problem });
        continue;
      }
      if (!rule.targets.has(target.Id) && rule.targets.size >= 5) {
        throw new AwsServiceError(
          'LimitExceededException',
          `The requested resource exceeds the maximum number allowed: rule ${rule.Name} already has 5 targets.`,
        );
      }
      rule.targets.set(target.Id, { ...target });
      this.resumePending(rule, rule.targets.get(target.Id) as Target);
    }
    return { FailedEntryCount: FailedEntries.length, FailedEntries };
  }

  /** Resumes the deliveries to this target that were pending when the edge last stopped or crashed. */
  private resumePending(rule: Rule, target: Target): void {
    for (const pending of this.persistence?.takeResumable(rule.Arn, target.Id) ?? []) {
      this.context.log.emit(
        'events',
        'events.resumed',
        `delivery of event ${pending.event.id} to ${target.Arn} resumed after a restart (${pending.retries} retries behind it)`,
        {
          eventId: pending.event.id,
          detailId: detailId(pending.event),
          rule: rule.Name,
          targetId: target.Id,
          retries: pending.retries,
        },
      );
      this.track(
        deliver(this.deliveryDeps, { ruleName: rule.Name, ruleArn: rule.Arn, target }, pending.event, {
          retries: pending.retries,
          startedAt: pending.startedAt,
        }),
      );
    }
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private targetProblem(target: Target): string | undefined {
    if (typeof target.Id !== 'string' || !/^[.\-_A-Za-z0-9]{1,64}$/.test(target.Id))
      return `Target Id ${String(target.Id)} is not valid.`;
    if (typeof target.Arn !== 'string' || !target.Arn.startsWith('arn:'))
      return `Parameter Arn ${String(target.Arn)} is not valid.`;
    const inputs = [target.Input, target.InputPath, target.InputTransformer].filter((v) => v !== undefined);
    if (inputs.length > 1)
      return 'Only one of Input, InputPath, or InputTransformer can be specified for a target.';
    if (target.Input !== undefined) {
      try {
        JSON.parse(target.Input);
      } catch {
        return 'Parameter Input is not valid JSON.';
      }
    }
    const retry = target.RetryPolicy;
    if (
      retry?.MaximumRetryAttempts !== undefined &&
      (retry.MaximumRetryAttempts < 0 || retry.MaximumRetryAttempts > 185)
    ) {
      return `Value ${retry.MaximumRetryAttempts} for MaximumRetryAttempts must be between 0 and 185.`;
    }
    if (
      retry?.MaximumEventAgeInSeconds !== undefined &&
      (retry.MaximumEventAgeInSeconds < 60 || retry.MaximumEventAgeInSeconds > 86_400)
    ) {
      return `Value ${retry.MaximumEventAgeInSeconds} for MaximumEventAgeInSeconds must be between 60 and 86400.`;
    }
    const dlq = target.DeadLetterConfig?.Arn;
    if (dlq !== undefined && !dlq.startsWith('arn:aws:sqs:'))
      return `The dead-letter queue ${dlq} must be an SQS queue ARN.`;
    return undefined;
  }

  private putEvents(input: Input): unknown {
    const entries = (input.Entries as PutEventsRequestEntry[] | undefined) ?? [];
    if (entries.length < 1 || entries.length > PUT_EVENTS_MAX_ENTRIES) {
      throw validation(
        `1 validation error detected: Value '${JSON.stringify(entries).slice(0, 120)}' at 'entries' failed to satisfy constraint: Member must have length ${entries.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 10'}`,
      );
    }
    entries.forEach((e, i) => {
      const tooLong = (value: string | undefined, max: number): boolean =>
        value !== undefined && value.length > max;
      const member = tooLong(e.Source, 256)
        ? ['source', 256]
        : tooLong(e.DetailType, 128)
          ? ['detailType', 128]
          : undefined;
      if (member) {
        throw validation(
          `1 validation error detected: Value at 'entries.${i + 1}.member.${member[0]}' failed to satisfy constraint: Member must have length less than or equal to ${member[1]}`,
        );
      }
      if ((e.Resources?.length ?? 0) > 100) {
        throw validation(
          `1 validation error detected: Value at 'entries.${i + 1}.member.resources' failed to satisfy constraint: Member must have length less than or equal to 100`,
        );
      }
    });
    const total = entries.reduce((sum, e) => sum + putEventsEntrySize(e), 0);
    if (total > PUT_EVENTS_MAX_REQUEST_BYTES) {
      throw validation(
        `Total size of the entries in the request is over the limit: ${total} bytes, at most ${PUT_EVENTS_MAX_REQUEST_BYTES}.`,
      );
    }
    const results = entries.map((entry, index): Record<string, string> => {
      const checked = validatePutEventsEntry(entry);
      let bus: Bus | undefined;
      if (!('ErrorCode' in checked)) {
        try {
          bus = this.bus(entry.EventBusName ?? 'default');
        } catch (error) {
          const e = error as AwsServiceError;
          return this.rejected(index, entry, { ErrorCode: e.code, ErrorMessage: e.message });
        }
      }
      if ('ErrorCode' in checked || !bus)
        return this.rejected(index, entry, checked as { ErrorCode: string; ErrorMessage: string });
      const fault = this.entryFault?.(entry);
      if (fault) return this.rejected(index, entry, fault);
      const event = buildEvent(entry, checked.detail, this.context.accountId, this.context.region);
      this.context.log.emit(
        'events',
        'events.put',
        `PutEvents entry ${index}: event ${event.id} ${event.source}/${event['detail-type']} on bus ${bus.Name}`,
        {
          eventId: event.id,
          detailId: detailId(event),
          source: event.source,
          detailType: event['detail-type'],
          bus: bus.Name,
        },
      );
      this.archives.record(bus.Arn, event);
      this.route(bus, event, undefined, entry.TraceHeader);
      return { EventId: event.id };
    });
    const FailedEntryCount = results.filter((r) => 'ErrorCode' in r).length;
    return { FailedEntryCount, Entries: results };
  }

  private rejected(
    index: number,
    entry: PutEventsRequestEntry,
    error: { ErrorCode: string; ErrorMessage: string },
  ): Record<string, string> {
    this.context.log.emit(
      'events',
      'events.rejected',
      `PutEvents entry ${index} rejected: ${error.ErrorCode}: ${error.ErrorMessage}`,
      {
        index,
        source: entry.Source,
        detailType: entry.DetailType,
        errorCode: error.ErrorCode,
        reason: error.ErrorMessage,
      },
    );
    return { ErrorCode: error.ErrorCode, ErrorMessage: error.ErrorMessage };
  }

  /** Matches `event` against the bus's enabled rules and starts a delivery per target. */
  private route(
    bus: Bus,
    event: EventBridgeEvent,
    onlyRuleArns?: readonly string[],
    traceHeader?: string,
  ): void {
    for (const rule of bus.rules.values()) {
      if (rule.State === 'DISABLED' || !rule.pattern) continue;
      if (onlyRuleArns && onlyRuleArns.length > 0 && !onlyRuleArns.some((arn) => sameRule(arn, rule.Arn)))
        continue;
      if (!rule.pattern.matches(event)) continue;
      for (const target of rule.targets.values()) {
        this.context.log.emit(
          'events',
          'events.matched',
          `event ${event.id} matched rule ${rule.Name} -> target ${target.Id} (${target.Arn})`,
          {
            eventId: event.id,
            detailId: detailId(event),
            rule: rule.Name,
            targetId: target.Id,
            targetArn: target.Arn,
          },
        );
        const route = { ruleName: rule.Name, ruleArn: rule.Arn, target };
        this.track(deliver(this.deliveryDeps, route, event, undefined, traceHeader));
      }
    }
  }

  private testEventPattern(input: Input): unknown {
    const pattern = compileEventPattern(requireString(input.EventPattern, 'EventPattern'));
    let event: unknown;
    try {
      event = JSON.parse(requireString(input.Event, 'Event'));
    } catch (error) {
      if (error instanceof AwsServiceError) throw error;
      throw validation('Parameter Event is not valid: it is not valid JSON.');
    }
    const missing = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'].filter(
      (field) => typeof event !== 'object' || event === null || !(field in event),
    );
    if (missing.length > 0)
      throw validation(`Parameter Event is not valid: it lacks the field(s) ${missing.join(', ')}.`);
    return { Result: pattern.matches(event) };
  }
}

/** Compares rule ARNs by their `rule/...` path, so ARNs of another account or region spelling still match. */
function sameRule(a: string, b: string): boolean {
  return a.split(':rule/')[1] === b.split(':rule/')[1];
}

function detailId(event: EventBridgeEvent): string | undefined {
  const metadata = (event.detail as { metadata?: { id?: unknown } } | null)?.metadata;
  return typeof metadata?.id === 'string' ? metadata.id : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '')
    throw validation(
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}
