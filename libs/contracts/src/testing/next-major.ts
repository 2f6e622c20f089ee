import { defineContract } from '../contract.ts';
import type { EventContract } from '../contract.ts';
import { userCreated } from '../user-created.ts';
import type { JsonSchema } from '../validation.ts';

/**
 * The `detail` of the rehearsal major: UserCreated with `name` renamed `displayName` (a breaking change).
 *
 * @example const detail: NextMajorDetail = { metadata, data: { userId, email, displayName, createdAt } };
 */
export interface NextMajorDetail {
  readonly metadata: { readonly id: string; readonly version: number; readonly type: string };
  readonly data: {
    readonly userId: string;
    readonly email: string;
    readonly displayName: string;
    readonly createdAt: string;
  };
}

/**
 * A breaking change of UserCreated as the evolution rule says to publish it: a new major, the detail-type
 * `UserCreatedV2`, version 1 of its own schema, whose `data` renames `name` to `displayName`. Tests use it to
 * rehearse a transition window (dual publish, rules that keep the majors apart) without shipping a real major.
 *
 * @example const events = [userCreated, userCreatedNextMajor]; // both written in one transaction
 */
export const userCreatedNextMajor: EventContract<NextMajorDetail, unknown, NextMajorDetail> = defineContract({
  source: userCreated.source,
  detailType: `${userCreated.detailType}V2`,
  version: 1,
  schema: nextMajorSchema(userCreated.schema),
});

function nextMajorSchema(latest: JsonSchema): JsonSchema {
  const schema = structuredClone(latest) as JsonSchema & {
    properties: Record<string, Record<string, unknown>>;
    definitions: Record<string, { properties: Record<string, Record<string, unknown>>; required: string[] }>;
  };
  const detailType = `${String(userCreated.detailType)}V2`;
  schema['id'] = `urn:outboxed:schema:${userCreated.source}@${detailType}:v1`;
  schema['description'] = 'Rehearsal major of UserCreated: data.name renamed data.displayName (breaking).';
  schema.properties['detail-type'] = { type: 'string', enum: [detailType] };
  const { UserCreatedMetadata: metadata, UserCreatedData: data } = schema.definitions;
  if (!metadata || !data) throw new TypeError('UserCreated lost its metadata or data definition.');
  metadata.properties['type'] = { type: 'string', enum: [detailType] };
  const { name, ...others } = data.properties;
  data.properties = { ...others, displayName: name ?? { type: 'string' } };
  data.required = data.required.map((field) => (field === 'name' ? 'displayName' : field));
  return schema;
}
