import { DescribeTableCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { MailboxMessage } from '@outboxed/local-aws';
import type { JournalEntry } from '../model';
import type { Topology } from './topology';

/**
 * The mailbox, indexed by the event id each email is tagged with (`outboxed-event-id`), reloaded only when `version`
 * changed (the number of emails SES accepted): reading 10,000 mailbox files for every request would not be.
 */
export class MailboxIndex {
  private messages: MailboxMessage[] = [];
  private byEvent = new Map<string, MailboxMessage[]>();
  private loaded: number | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly list: () => Promise<MailboxMessage[]>,
    private readonly version: () => number,
  ) {}

  /** Every email, newest first. */
  async all(): Promise<readonly MailboxMessage[]> {
    await this.fresh();
    return this.messages;
  }

  /** The emails tagged with `eventId`. */
  async ofEvent(eventId: string): Promise<readonly MailboxMessage[]> {
    await this.fresh();
    return this.byEvent.get(eventId) ?? [];
  }

  private async fresh(): Promise<void> {
    if (this.loaded === this.version()) return;
    this.loading ??= (async () => {
      this.loaded = this.version();
      const messages = (await this.list()).sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : -1));
      const byEvent = new Map<string, MailboxMessage[]>();
      for (const m of messages) {
        const eventId = eventIdOfEmail(m);
        if (eventId) byEvent.set(eventId, [...(byEvent.get(eventId) ?? []), m]);
      }
      this.messages = messages;
      this.byEvent = byEvent;
    })().finally(() => (this.loading = undefined));
    await this.loading;
  }
}

/** The event id an email is tagged with (the welcome email's `outboxed-event-id` tag). */
export function eventIdOfEmail(message: MailboxMessage): string | undefined {
  return message.tags?.find((t) => /event-id$/i.test(t.Name ?? ''))?.Value;
}

/**
 * Journal-shaped entries for the effects an event left in the system: each email tagged with it, and each record of
 * a consumer table (not an idempotency or outbox table) whose partition is the event's user and which names the
 * event. Ids only.
 *
 * @example const effects = await effectsOf(eventId, userId, { mailbox, dynamodb, topology });
 */
export async function effectsOf(
  eventId: string,
  userId: string | undefined,
  deps: { mailbox: MailboxIndex; dynamodb: DynamoDBClient; topology: Topology },
): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  for (const email of await deps.mailbox.ofEvent(eventId)) {
    entries.push({
      seq: -1,
      time: Date.parse(email.receivedAt),
      step: 'email',
      title: 'email accepted into the local mailbox',
      actor: 'SES',
      outcome: 'ok',
      ids: { eventId, messageId: email.messageId },
      details: { template: email.template?.name, recipients: email.to.length },
    });
  }
  if (!userId) return entries;
  for (const table of recordTables(deps.topology)) {
    const items = await itemsOfPartition(deps.dynamodb, table.ref, userId).catch(() => []);
    for (const item of items.filter((i) => JSON.stringify(i).includes(eventId))) {
      const keys = Object.entries(item)
        .filter(([k]) => k === 'pk' || k === 'sk' || /id$/i.test(k))
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ');
      entries.push({
        seq: -1,
        time: Date.parse(String(item.recordedAt ?? item.occurredAt ?? '')) || 0,
        step: 'record',
        title: `record in ${table.label}`,
        actor: table.stack,
        outcome: 'ok',
        ids: { eventId },
        details: { table: table.ref, keys },
      });
    }
  }
  return entries;
}

/**
 * The outbox item of an event (its payload: personal data), read only when the developer opens it: the item of a
 * stream-enabled table whose sort key is `OUTBOX#<event id>`.
 *
 * @example await outboxItemOf(eventId, { dynamodb, topology });
 */
export async function outboxItemOf(
  eventId: string,
  deps: { dynamodb: DynamoDBClient; topology: Topology },
): Promise<Record<string, unknown> | undefined> {
  const streamTables = deps.topology.nodes.filter(
    (n) => n.kind === 'table' && deps.topology.edges.some((e) => e.from === n.id && e.label === 'stream'),
  );
  for (const table of streamTables) {
    const keys = await keySchema(deps.dynamodb, table.ref);
    if (!keys.range) continue;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await deps.dynamodb.send(
        new ScanCommand({
          TableName: table.ref,
          FilterExpression: '#sk = :sk',
          ExpressionAttributeNames: { '#sk': keys.range },
          ExpressionAttributeValues: { ':sk': { S: `OUTBOX#${eventId}` } },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const item = out.Items?.[0];
      if (item) return unmarshall(item);
      start = out.LastEvaluatedKey;
    } while (start);
  }
  return undefined;
}

function recordTables(topology: Topology) {
  const streamSources = new Set(topology.edges.filter((e) => e.label === 'stream').map((e) => e.from));
  return topology.nodes.filter(
    (n) => n.kind === 'table' && !streamSources.has(n.id) && !/idempotency/i.test(n.label),
  );
}

const keySchemas = new Map<string, { hash: string; range?: string }>();

async function keySchema(
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<{ hash: string; range?: string }> {
  const known = keySchemas.get(tableName);
  if (known) return known;
  const out = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  const schema = out.Table?.KeySchema ?? [];
  const hash = schema.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '';
  const range = schema.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  const keys = { hash, ...(range ? { range } : {}) };
  keySchemas.set(tableName, keys);
  return keys;
}

async function itemsOfPartition(
  dynamodb: DynamoDBClient,
  tableName: string,
  partition: string,
): Promise<Record<string, unknown>[]> {
  const { hash } = await keySchema(dynamodb, tableName);
  const out = await dynamodb.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#h = :h',
      ExpressionAttributeNames: { '#h': hash },
      ExpressionAttributeValues: { ':h': { S: partition } },
    }),
  );
  return (out.Items ?? []).map((i) => unmarshall(i));
}
