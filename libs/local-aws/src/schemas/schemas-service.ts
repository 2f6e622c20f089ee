import { AwsServiceError } from '../errors';
import type { ServiceContext } from '../service-context';

interface SchemaVersion {
  readonly SchemaVersion: string;
  readonly Content: string;
  readonly Type: string;
  readonly VersionCreatedDate: string;
}

interface Schema {
  readonly SchemaName: string;
  readonly SchemaArn: string;
  Description?: string;
  LastModified: string;
  readonly Tags: Record<string, string>;
  readonly versions: SchemaVersion[];
}

interface Registry {
  readonly RegistryName: string;
  readonly RegistryArn: string;
  Description?: string;
  readonly Tags: Record<string, string>;
  readonly schemas: Map<string, Schema>;
}

type Input = Record<string, unknown>;

/** A REST response: status and JSON body. */
export interface RestResult {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Options of {@link SchemasService} beyond the shared context.
 *
 * @example const options: SchemasServiceOptions = { pageSize: 2 };
 */
export interface SchemasServiceOptions {
  /** Items per page of ListRegistries, ListSchemas and ListSchemaVersions when the call gives no `Limit`. @default 100 */
  readonly pageSize?: number;
  /** Fault injection: the error a call fails with (`ForbiddenException` for a denied operation). @default none */
  readonly fault?: (operation: string, resource: string) => AwsServiceError | undefined;
  /** Fault injection: DescribeSchema's `Content` as answered. @default the stored content */
  readonly content?: (schemaName: string, schemaVersion: string, content: string) => string;
}

/** Default page size of the List operations. */
export const DEFAULT_SCHEMA_PAGE_SIZE = 100;

/** Each route level's operations by HTTP method (AWS's operation names, as in IAM actions `schemas:<name>`). */
const OPERATIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  registries: { GET: 'ListRegistries' },
  registry: {
    POST: 'CreateRegistry',
    GET: 'DescribeRegistry',
    PUT: 'UpdateRegistry',
    DELETE: 'DeleteRegistry',
  },
  schemas: { GET: 'ListSchemas' },
  schema: { POST: 'CreateSchema', GET: 'DescribeSchema', PUT: 'UpdateSchema', DELETE: 'DeleteSchema' },
  versions: { GET: 'ListSchemaVersions' },
  version: { DELETE: 'DeleteSchemaVersion' },
};

function routeLevel(parts: readonly string[]): string | undefined {
  switch (parts.length) {
    case 2:
      return 'registries';
    case 4:
      return 'registry';
    case 5:
      return 'schemas';
    case 7:
      return 'schema';
    case 8:
      return parts[7] === 'versions' ? 'versions' : undefined;
    case 9:
      return parts[7] === 'version' ? 'version' : undefined;
    default:
      return undefined;
  }
}

/**
 * The Schema Registry operation a REST call is (`ListSchemas`, `DescribeSchema` …), or `undefined` when the path
 * and method name none.
 *
 * @example schemaOperation('GET', '/v1/registries/name/r/schemas'); // 'ListSchemas'
 */
export function schemaOperation(method: string, path: string): string | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] !== 'v1' || parts[1] !== 'registries') return undefined;
  const level = routeLevel(parts);
  return level === undefined ? undefined : OPERATIONS[level]?.[method];
}

const SCHEMA_TYPES = new Set(['OpenApi3', 'JSONSchemaDraft4']);
const notFound = (message: string): AwsServiceError => new AwsServiceError('NotFoundException', message, 404);
const conflict = (message: string): AwsServiceError => new AwsServiceError('ConflictException', message, 409);
const badRequest = (message: string): AwsServiceError =>
  new AwsServiceError('BadRequestException', message, 400);

/**
 * The EventBridge Schema Registry, in memory, behind its REST-JSON API (`/v1/registries/...`): CreateRegistry,
 * DescribeRegistry, ListRegistries, DeleteRegistry, CreateSchema, UpdateSchema, DescribeSchema (latest or
 * `?schemaVersion=`), ListSchemas, ListSchemaVersions, DeleteSchema, DeleteSchemaVersion. Hand-written (no maintained
 * library emulates the registry without Docker). Versions are "1", "2", …; an update whose content and type equal
 * the latest version's creates no new version. Discoverers and code bindings are not emulated. As in AWS's model,
 * the `Tags` member travels as `tags` on the wire. The List operations page by
 * `Limit` (else the edge's page size) with opaque `NextToken`s; faults can deny operations (`ForbiddenException`) or
 * corrupt a version's `Content` (see `SchemasServiceOptions`).
 *
 * @example await schemas.route('POST', '/v1/registries/name/r', new URLSearchParams(), {});
 */
export class SchemasService {
  private readonly registries = new Map<string, Registry>();
  private readonly pageSize: number;

  constructor(
    private readonly context: ServiceContext,
    private readonly options: SchemasServiceOptions = {},
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_SCHEMA_PAGE_SIZE;
  }

  async route(method: string, path: string, query: URLSearchParams, input: Input): Promise<RestResult> {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const operation = schemaOperation(method, path);
    const fault = operation && this.options.fault?.(operation, this.resourceArn(parts));
    if (fault) throw fault;
    // parts: v1 registries [name R [schemas [name S [versions | version V]]]]
    if (parts[1] !== 'registries')
      throw notFound(`The local Schema Registry has no route for ${method} ${path}.`);
    if (parts.length === 2 && method === 'GET') return this.ok(this.listRegistries(query));
    const registryName = parts[3];
    if (parts[2] !== 'name' || registryName === undefined) throw notFound(`No route for ${method} ${path}.`);
    if (parts.length === 4) return this.registryRoute(method, registryName, input);
    const registry = this.registry(registryName);
    if (parts[4] !== 'schemas') throw notFound(`No route for ${method} ${path}.`);
    if (parts.length === 5 && method === 'GET') return this.ok(this.listSchemas(registry, query));
    const schemaName = parts[6];
    if (parts[5] !== 'name' || schemaName === undefined) throw notFound(`No route for ${method} ${path}.`);
    if (parts.length === 7) return this.schemaRoute(method, registry, schemaName, query, input);
    const schema = this.schema(registry, schemaName);
    if (parts.length === 8 && parts[7] === 'versions' && method === 'GET') {
      const { page, NextToken } = this.page(schema.versions, query);
      return this.ok({
        SchemaVersions: page.map((v) => ({
          SchemaArn: schema.SchemaArn,
          SchemaName: schema.SchemaName,
          SchemaVersion: v.SchemaVersion,
          Type: v.Type,
        })),
        ...(NextToken ? { NextToken } : {}),
      });
    }
    if (parts.length === 9 && parts[7] === 'version' && method === 'DELETE') {
      const index = schema.versions.findIndex((v) => v.SchemaVersion === parts[8]);
      if (index < 0) throw notFound(`Schema version ${parts[8] ?? ''} of ${schemaName} does not exist.`);
      schema.versions.splice(index, 1);
      return { status: 204, body: {} };
    }
    throw notFound(`No route for ${method} ${path}.`);
  }

  private ok(body: unknown): RestResult {
    return { status: 200, body };
  }

  /** The ARN a call acts on: `registry/*`, `registry/<name>` or `schema/<registry>/<name>`. */
  private resourceArn(parts: readonly string[]): string {
    const base = `arn:aws:schemas:${this.context.region}:${this.context.accountId}`;
    if (parts[3] === undefined) return `${base}:registry/*`;
    if (parts[6] === undefined) return `${base}:registry/${parts[3]}`;
    return `${base}:schema/${parts[3]}/${parts[6]}`;
  }

  /**
   * One page of a List operation: `Limit` items (else the edge's page size) from the offset its `NextToken` carries,
   * and the token of the next page while items remain. Tokens are opaque to callers, as on AWS.
   */
  private page<T>(items: readonly T[], query: URLSearchParams): { page: T[]; NextToken?: string } {
    const limitText = query.get('limit');
    const limit = limitText === null ? this.pageSize : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1)
      throw badRequest(`Limit ${limitText ?? ''} is not valid: use a whole number from 1, or omit it.`);
    const token = query.get('nextToken');
    const start = token === null ? 0 : decodePageToken(token);
    const end = start + limit;
    return {
      page: items.slice(start, end),
      ...(end < items.length
        ? { NextToken: Buffer.from(JSON.stringify({ offset: end })).toString('base64url') }
        : {}),
    };
  }

  private registry(name: string): Registry {
    const registry = this.registries.get(name);
    if (!registry) throw notFound(`Registry with name ${name} does not exist.`);
    return registry;
  }

  private schema(registry: Registry, name: string): Schema {
    const schema = registry.schemas.get(name);
    if (!schema)
      throw notFound(`Schema with name ${name} does not exist in registry ${registry.RegistryName}.`);
    return schema;
  }

  private describeRegistry(r: Registry): unknown {
    return {
      RegistryArn: r.RegistryArn,
      RegistryName: r.RegistryName,
      ...(r.Description ? { Description: r.Description } : {}),
      tags: r.Tags,
    };
  }

  private listRegistries(query: URLSearchParams): unknown {
    const prefix = query.get('registryNamePrefix') ?? '';
    const registries = [...this.registries.values()]
      .filter((r) => r.RegistryName.startsWith(prefix))
      .sort((a, b) => a.RegistryName.localeCompare(b.RegistryName));
    const { page, NextToken } = this.page(registries, query);
    return {
      Registries: page.map((r) => ({
        RegistryArn: r.RegistryArn,
        RegistryName: r.RegistryName,
        tags: r.Tags,
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private registryRoute(method: string, name: string, input: Input): RestResult {
    switch (method) {
      case 'POST': {
        if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name) || name.startsWith('aws.')) {
          throw badRequest(
            `Registry name ${name} is not valid: 1-64 letters, digits, '.', '-' or '_', not starting with "aws.".`,
          );
        }
        if (this.registries.has(name)) throw conflict(`Registry with name ${name} already exists.`);
        const registry: Registry = {
          RegistryName: name,
          RegistryArn: `arn:aws:schemas:${this.context.region}:${this.context.accountId}:registry/${name}`,
          ...(typeof input.Description === 'string' ? { Description: input.Description } : {}),
          Tags: (input.tags as Record<string, string>) ?? {},
          schemas: new Map(),
        };
        this.registries.set(name, registry);
        return { status: 201, body: this.describeRegistry(registry) };
      }
      case 'GET':
        return this.ok(this.describeRegistry(this.registry(name)));
      case 'PUT': {
        const registry = this.registry(name);
        if (typeof input.Description === 'string') registry.Description = input.Description;
        return this.ok(this.describeRegistry(registry));
      }
      case 'DELETE':
        this.registry(name);
        this.registries.delete(name);
        return { status: 204, body: {} };
      default:
        throw notFound(`No route for ${method} registry ${name}.`);
    }
  }

  private listSchemas(registry: Registry, query: URLSearchParams): unknown {
    const prefix = query.get('schemaNamePrefix') ?? '';
    const schemas = [...registry.schemas.values()]
      .filter((s) => s.SchemaName.startsWith(prefix))
      .sort((a, b) => a.SchemaName.localeCompare(b.SchemaName));
    const { page, NextToken } = this.page(schemas, query);
    return {
      Schemas: page.map((s) => ({
        LastModified: s.LastModified,
        SchemaArn: s.SchemaArn,
        SchemaName: s.SchemaName,
        tags: s.Tags,
        VersionCount: s.versions.length,
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private validateContent(input: Input, required: boolean): { Content?: string; Type?: string } {
    const content = input.Content;
    const type = input.Type;
    if (required && (typeof content !== 'string' || typeof type !== 'string'))
      throw badRequest('Content and Type are required.');
    if (type !== undefined && (typeof type !== 'string' || !SCHEMA_TYPES.has(type))) {
      throw badRequest(`Type ${String(type)} is not valid: use OpenApi3 or JSONSchemaDraft4.`);
    }
    if (content !== undefined) {
      if (typeof content !== 'string' || content.length > 100_000)
        throw badRequest('Content must be a string of at most 100000 characters.');
      try {
        JSON.parse(content);
      } catch {
        throw badRequest('Content is not valid JSON.');
      }
    }
    return {
      ...(typeof content === 'string' ? { Content: content } : {}),
      ...(typeof type === 'string' ? { Type: type } : {}),
    };
  }

  private render(schema: Schema, version: SchemaVersion, withContent: boolean): unknown {
    const content = (): string =>
      this.options.content?.(schema.SchemaName, version.SchemaVersion, version.Content) ?? version.Content;
    return {
      ...(withContent ? { Content: content() } : {}),
      ...(schema.Description ? { Description: schema.Description } : {}),
      LastModified: schema.LastModified,
      SchemaArn: schema.SchemaArn,
      SchemaName: schema.SchemaName,
      SchemaVersion: version.SchemaVersion,
      tags: schema.Tags,
      Type: version.Type,
      VersionCreatedDate: version.VersionCreatedDate,
    };
  }

  private schemaRoute(
    method: string,
    registry: Registry,
    name: string,
    query: URLSearchParams,
    input: Input,
  ): RestResult {
    const now = new Date().toISOString();
    switch (method) {
      case 'POST': {
        if (!/^[.\-_@A-Za-z0-9]{1,385}$/.test(name)) throw badRequest(`Schema name ${name} is not valid.`);
        if (registry.schemas.has(name)) throw conflict(`Schema with name ${name} already exists.`);
        const { Content, Type } = this.validateContent(input, true) as { Content: string; Type: string };
        const schema: Schema = {
          SchemaName: name,
          SchemaArn: `arn:aws:schemas:${this.context.region}:${this.context.accountId}:schema/${registry.RegistryName}/${name}`,
          ...(typeof input.Description === 'string' ? { Description: input.Description } : {}),
          LastModified: now,
          Tags: (input.tags as Record<string, string>) ?? {},
          versions: [{ SchemaVersion: '1', Content, Type, VersionCreatedDate: now }],
        };
        registry.schemas.set(name, schema);
        return { status: 201, body: this.render(schema, schema.versions[0] as SchemaVersion, false) };
      }
      case 'PUT': {
        const schema = this.schema(registry, name);
        const { Content, Type } = this.validateContent(input, false);
        const latest = schema.versions.at(-1) as SchemaVersion;
        if (typeof input.Description === 'string') schema.Description = input.Description;
        schema.LastModified = now;
        const content = Content ?? latest.Content;
        const type = Type ?? latest.Type;
        if (content !== latest.Content || type !== latest.Type) {
          const next = Math.max(0, ...schema.versions.map((v) => Number(v.SchemaVersion))) + 1;
          schema.versions.push({
            SchemaVersion: String(next),
            Content: content,
            Type: type,
            VersionCreatedDate: now,
          });
        }
        return this.ok(this.render(schema, schema.versions.at(-1) as SchemaVersion, false));
      }
      case 'GET': {
        const schema = this.schema(registry, name);
        const wanted = query.get('schemaVersion');
        const version = wanted
          ? schema.versions.find((v) => v.SchemaVersion === wanted)
          : schema.versions.at(-1);
        if (!version) throw notFound(`Schema version ${wanted ?? ''} of ${name} does not exist.`);
        return this.ok(this.render(schema, version, true));
      }
      case 'DELETE':
        this.schema(registry, name);
        registry.schemas.delete(name);
        return { status: 204, body: {} };
      default:
        throw notFound(`No route for ${method} schema ${name}.`);
    }
  }
}

function decodePageToken(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // answered below
  }
  throw badRequest(
    'NextToken is not valid: pass the NextToken of the previous page, or none for the first page.',
  );
}
