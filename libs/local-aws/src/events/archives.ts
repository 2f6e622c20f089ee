import { AwsServiceError, validation } from '../errors';
import type { ServiceContext } from '../service-context';
import { compileEventPattern, type CompiledEventPattern } from './event-pattern';
import type { EventBridgeEvent } from './put-events-entry';

interface Archive {
  readonly ArchiveName: string;
  readonly ArchiveArn: string;
  readonly EventSourceArn: string;
  Description?: string;
  EventPattern?: string;
  pattern?: CompiledEventPattern;
  RetentionDays: number;
  readonly CreationTime: number;
  readonly events: { readonly archivedAt: number; readonly event: EventBridgeEvent }[];
}

interface Replay {
  readonly ReplayName: string;
  readonly ReplayArn: string;
  readonly Description?: string;
  readonly EventSourceArn: string;
  readonly Destination: { readonly Arn: string; readonly FilterArns?: readonly string[] };
  readonly EventStartTime: number;
  readonly EventEndTime: number;
  readonly ReplayStartTime: number;
  State: 'STARTING' | 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
  StateReason?: string;
  EventLastReplayedTime?: number;
  ReplayEndTime?: number;
}

/** How archives reach their buses. */
export interface ArchiveHooks {
  /** The ARN of a bus given by name or ARN (throws ResourceNotFoundException). */
  busArn(nameOrArn: string): string;
  /** Routes a replayed event on a bus, optionally only to the given rules. */
  replay(busNameOrArn: string, event: EventBridgeEvent, ruleArns?: readonly string[]): void;
}

type Input = Record<string, unknown>;

/** An archived event as the data directory keeps it. */
export interface ArchivedEvent {
  readonly archive: string;
  readonly archivedAt: number;
  readonly event: EventBridgeEvent;
}

/** How archives keep their events across restarts. */
export interface ArchivePersistence {
  /** Events archived before the restart, by archive name; given back to the archive when it is created again. */
  readonly restored: Map<string, { readonly archivedAt: number; readonly event: EventBridgeEvent }[]>;
  /** Writes one archived event before the PutEvents that archived it is answered. */
  record(entry: ArchivedEvent): void;
}

const notFound = (what: string): AwsServiceError =>
  new AwsServiceError('ResourceNotFoundException', `${what} does not exist.`);
const seconds = (ms: number): number => ms / 1000;
const toMs = (value: unknown): number =>
  typeof value === 'number' ? value * 1000 : new Date(String(value)).getTime();

/**
 * EventBridge archives and replays, in memory. An archive records each event put on its source bus that matches its
 * pattern (all events without one); StartReplay re-sends the events archived in [EventStartTime, EventEndTime) to the
 * destination bus's rules (only `FilterArns` if given), each carrying a `replay-name` field, as AWS documents.
 * Hand-written emulation (no maintained library emulates EventBridge without Docker).
 *
 * @example store.record(busArn, event);
 */
export class ArchiveStore {
  private readonly archives = new Map<string, Archive>();
  private readonly replays = new Map<string, Replay>();

  constructor(
    private readonly context: ServiceContext,
    private readonly hooks: ArchiveHooks,
    private readonly persistence?: ArchivePersistence,
  ) {}

  /** Every archived event, including those restored for an archive not created again yet. */
  entries(): ArchivedEvent[] {
    const out: ArchivedEvent[] = [];
    for (const archive of this.archives.values())
      for (const e of archive.events) out.push({ archive: archive.ArchiveName, ...e });
    for (const [name, events] of this.persistence?.restored ?? [])
      if (!this.archives.has(name)) for (const e of events) out.push({ archive: name, ...e });
    return out;
  }

  /** Records an event put on `busArn` in every archive of that bus whose pattern matches. */
  record(busArn: string, event: EventBridgeEvent): void {
    for (const archive of this.archives.values()) {
      if (archive.EventSourceArn !== busArn) continue;
      if (archive.pattern && !archive.pattern.matches(event)) continue;
      const archivedAt = Date.now();
      this.persistence?.record({ archive: archive.ArchiveName, archivedAt, event });
      archive.events.push({ archivedAt, event });
    }
  }

  handle(action: string, input: Input): unknown {
    switch (action) {
      case 'CreateArchive':
        return this.createArchive(input);
      case 'DescribeArchive':
        return this.describe(this.archive(input.ArchiveName));
      case 'ListArchives': {
        const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
        const archives = [...this.archives.values()].filter(
          (a) =>
            a.ArchiveName.startsWith(prefix) &&
            (!input.EventSourceArn || a.EventSourceArn === input.EventSourceArn),
        );
        return { Archives: archives.map((a) => this.describe(a)) };
      }
      case 'UpdateArchive': {
        const archive = this.archive(input.ArchiveName);
        if (typeof input.EventPattern === 'string') {
          archive.pattern = compileEventPattern(input.EventPattern);
          archive.EventPattern = input.EventPattern;
        }
        if (typeof input.Description === 'string') archive.Description = input.Description;
        if (typeof input.RetentionDays === 'number') archive.RetentionDays = input.RetentionDays;
        return { ArchiveArn: archive.ArchiveArn, State: 'ENABLED', CreationTime: archive.CreationTime };
      }
      case 'DeleteArchive':
        this.archives.delete(this.archive(input.ArchiveName).ArchiveName);
        return {};
      case 'StartReplay':
        return this.startReplay(input);
      case 'DescribeReplay':
        return this.describeReplay(this.replay(input.ReplayName));
      case 'ListReplays':
        return { Replays: [...this.replays.values()].map((r) => this.describeReplay(r)) };
      case 'CancelReplay': {
        const replay = this.replay(input.ReplayName);
        if (replay.State === 'COMPLETED') {
          throw new AwsServiceError(
            'IllegalStatusException',
            `Replay ${replay.ReplayName} is already COMPLETED.`,
          );
        }
        replay.State = 'CANCELLED';
        return { ReplayArn: replay.ReplayArn, State: 'CANCELLED' };
      }
      default:
        throw new AwsServiceError('UnknownOperationException', `Operation ${action} is not supported.`);
    }
  }

  private archive(name: unknown): Archive {
    const archive = this.archives.get(String(name));
    if (!archive) throw notFound(`Archive ${String(name)}`);
    return archive;
  }

  private replay(name: unknown): Replay {
    const replay = this.replays.get(String(name));
    if (!replay) throw notFound(`Replay ${String(name)}`);
    return replay;
  }

  private createArchive(input: Input): unknown {
    const name = String(input.ArchiveName ?? '');
    if (!/^[.\-_A-Za-z0-9]{1,48}$/.test(name))
      throw validation(`Archive name ${name} is not valid: 1-48 letters, digits, '.', '-' or '_'.`);
    if (this.archives.has(name))
      throw new AwsServiceError('ResourceAlreadyExistsException', `Archive ${name} already exists.`);
    const source = this.hooks.busArn(String(input.EventSourceArn ?? ''));
    const pattern =
      typeof input.EventPattern === 'string' && input.EventPattern !== '' ? input.EventPattern : undefined;
    const archive: Archive = {
      ArchiveName: name,
      ArchiveArn: `arn:aws:events:${this.context.region}:${this.context.accountId}:archive/${name}`,
      EventSourceArn: source,
      ...(typeof input.Description === 'string' ? { Description: input.Description } : {}),
      ...(pattern ? { EventPattern: pattern, pattern: compileEventPattern(pattern) } : {}),
      RetentionDays: typeof input.RetentionDays === 'number' ? input.RetentionDays : 0,
      CreationTime: seconds(Date.now()),
      events: [...(this.persistence?.restored.get(name) ?? [])],
    };
    this.archives.set(name, archive);
    this.persistence?.restored.delete(name);
    return { ArchiveArn: archive.ArchiveArn, State: 'ENABLED', CreationTime: archive.CreationTime };
  }

  private describe(archive: Archive): unknown {
    return {
      ArchiveName: archive.ArchiveName,
      ArchiveArn: archive.ArchiveArn,
      EventSourceArn: archive.EventSourceArn,
      ...(archive.Description ? { Description: archive.Description } : {}),
      ...(archive.EventPattern ? { EventPattern: archive.EventPattern } : {}),
      State: 'ENABLED',
      RetentionDays: archive.RetentionDays,
      EventCount: archive.events.length,
      SizeBytes: archive.events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.event)), 0),
      CreationTime: archive.CreationTime,
    };
  }

  private startReplay(input: Input): unknown {
    const name = String(input.ReplayName ?? '');
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) throw validation(`Replay name ${name} is not valid.`);
    if (this.replays.has(name))
      throw new AwsServiceError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
    const sourceArn = String(input.EventSourceArn ?? '');
    const archive = [...this.archives.values()].find((a) => a.ArchiveArn === sourceArn);
    if (!archive) throw notFound(`Archive ${sourceArn}`);
    const destination = input.Destination as { Arn?: string; FilterArns?: string[] } | undefined;
    if (!destination?.Arn) throw validation('Parameter Destination.Arn must be specified.');
    if (this.hooks.busArn(destination.Arn) !== archive.EventSourceArn) {
      throw validation(
        'Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.',
      );
    }
    const start = toMs(input.EventStartTime);
    const end = toMs(input.EventEndTime);
    if (!(start < end)) throw validation('Parameter EventStartTime must be before EventEndTime.');
    const replay: Replay = {
      ReplayName: name,
      ReplayArn: `arn:aws:events:${this.context.region}:${this.context.accountId}:replay/${name}`,
      ...(typeof input.Description === 'string' ? { Description: input.Description } : {}),
      EventSourceArn: sourceArn,
      Destination: {
        Arn: destination.Arn,
        ...(destination.FilterArns ? { FilterArns: destination.FilterArns } : {}),
      },
      EventStartTime: seconds(start),
      EventEndTime: seconds(end),
      ReplayStartTime: seconds(Date.now()),
      State: 'STARTING',
    };
    this.replays.set(name, replay);
    const events = archive.events.filter((e) => e.archivedAt >= start && e.archivedAt < end);
    setImmediate(() => {
      if (replay.State === 'CANCELLED') return;
      replay.State = 'RUNNING';
      for (const { event, archivedAt } of events) {
        if (replay.State !== 'RUNNING') break;
        this.hooks.replay(
          destination.Arn as string,
          { ...event, 'replay-name': name },
          destination.FilterArns,
        );
        replay.EventLastReplayedTime = seconds(archivedAt);
      }
      this.context.log.emit(
        'events',
        'events.replayed',
        `replay ${name} re-sent ${events.length} event(s) from archive ${archive.ArchiveName}`,
        {
          replay: name,
          archive: archive.ArchiveName,
          count: events.length,
        },
      );
      if (replay.State === 'RUNNING') replay.State = 'COMPLETED';
      replay.ReplayEndTime = seconds(Date.now());
    });
    return { ReplayArn: replay.ReplayArn, State: replay.State, ReplayStartTime: replay.ReplayStartTime };
  }

  private describeReplay(replay: Replay): unknown {
    return { ...replay };
  }
}
