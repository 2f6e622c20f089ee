// CDK face of @outboxed/contracts: publishes the contracts' schemas to an EventBridge schema registry.
import { Stack, Token } from 'aws-cdk-lib';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { eventCatalog } from './catalog.ts';
import { USERS_SCHEMA_REGISTRY_NAME } from './constants.ts';
import type { EventContract } from './contract.ts';
import { ContractError } from './errors.ts';

/**
 * Properties of `EventSchemas`.
 *
 * @example new EventSchemas(this, 'Schemas', { registryName: 'outboxed-users' } satisfies EventSchemasProps);
 */
export interface EventSchemasProps {
  /**
   * Name of the registry the schemas are published to.
   * @default USERS_SCHEMA_REGISTRY_NAME ('outboxed-users'): fixed, because codegen and consumers look it up by name
   */
  readonly registryName?: string;
  /**
   * Whether the registry already exists (created elsewhere). When true no `AWS::EventSchemas::Registry` is created
   * and the schemas are published into the named one.
   * @default false - the registry is created
   */
  readonly useExistingRegistry?: boolean;
  /**
   * The contracts whose schemas are published, every version of each.
   * @default eventCatalog - every contract of this library
   */
  readonly contracts?: readonly EventContract[];
  /**
   * Description of the created registry.
   * @default 'Event schemas of outboxed (published by @outboxed/contracts)'
   */
  readonly description?: string;
}

const NAME = /^[A-Za-z0-9._@-]+$/;
const MAX_REGISTRY_NAME = 64;

/**
 * Publishes every version of every contract's schema (the whole EventBridge event, JSON Schema draft 4) to an
 * EventBridge schema registry as `AWS::EventSchemas::Schema` resources of type `JSONSchemaDraft4`.
 *
 * A registry schema name holds one resource, and updating its content is what adds a registry version, so each
 * version is published twice over: pinned under `<source>@<DetailType>.v<N>` (one resource per version, present
 * from the first deploy), and the latest under the canonical `<source>@<DetailType>` (whose registry versions
 * grow with each deploy that changes it). Every schema carries its own identity in its `id`
 * (`urn:outboxed:schema:<name>:v<N>`), so codegen reads versions from the content, not from registry counters.
 *
 * @example
 * const schemas = new EventSchemas(this, 'Schemas');
 * schemas.grantRead(codegenRole);
 */
export class EventSchemas extends Construct {
  /** The registry's name. */
  readonly registryName: string;
  /** The registry's ARN. */
  readonly registryArn: string;
  /** The created registry, when `useExistingRegistry` is false. */
  readonly registry: CfnRegistry | undefined;
  /** Every published schema resource: canonical (latest) first, then pinned versions, per event type. */
  readonly schemas: readonly CfnSchema[];

  constructor(scope: Construct, id: string, props: EventSchemasProps = {}) {
    super(scope, id);
    const registryName = props.registryName ?? USERS_SCHEMA_REGISTRY_NAME;
    const contracts = props.contracts ?? eventCatalog;
    validateProps(registryName, contracts);

    this.registry = props.useExistingRegistry
      ? undefined
      : new CfnRegistry(this, 'Registry', {
          registryName,
          description: props.description ?? 'Event schemas of outboxed (published by @outboxed/contracts)',
        });
    this.registryName = this.registry ? this.registry.attrRegistryName : registryName;
    this.registryArn = this.registry
      ? this.registry.attrRegistryArn
      : Stack.of(this).formatArn({ service: 'schemas', resource: 'registry', resourceName: registryName });

    const schemas: CfnSchema[] = [];
    for (const [schemaName, versions] of groupBySchemaName(contracts)) {
      const latest = versions[versions.length - 1] as EventContract;
      schemas.push(this.schema(`${schemaName}`, latest, 'latest version'));
      for (const contract of versions) {
        schemas.push(
          this.schema(`${schemaName}.v${contract.version}`, contract, `version ${contract.version}, pinned`),
        );
      }
    }
    this.schemas = schemas;
  }

  /**
   * Lets `grantee` list, read and export the registry's schemas (what codegen needs).
   *
   * @example schemas.grantRead(role);
   */
  grantRead(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: [
        'schemas:DescribeRegistry',
        'schemas:ListSchemas',
        'schemas:ListSchemaVersions',
        'schemas:DescribeSchema',
        'schemas:ExportSchema',
      ],
      resourceArns: [this.registryArn, this.schemaArnPattern()],
    });
  }

  private schema(schemaName: string, contract: EventContract, note: string): CfnSchema {
    // A major's canonical name (`…@UserCreatedV2`) and a pinned version (`…@UserCreated.v2`) differ only in
    // punctuation, which construct ids drop: the later one takes the name's exact spelling in its id. Ids of the
    // schemas already deployed never change (a changed id would replace a resource whose name must stay).
    const plain = `Schema${logicalName(schemaName)}`;
    const id = this.node.tryFindChild(plain) ? `${plain}${exactSpelling(schemaName)}` : plain;
    const schema = new CfnSchema(this, id, {
      registryName: this.registryName,
      schemaName,
      type: 'JSONSchemaDraft4',
      content: JSON.stringify(contract.schema),
      description: `${contract.detailType} from ${contract.source}, ${note}`,
    });
    if (this.registry) schema.addDependency(this.registry);
    return schema;
  }

  private schemaArnPattern(): string {
    const stack = Stack.of(this);
    return `arn:${stack.partition}:schemas:${stack.region}:${stack.account}:schema/${this.registryName}/*`;
  }
}

function groupBySchemaName(contracts: readonly EventContract[]): Map<string, EventContract[]> {
  const groups = new Map<string, EventContract[]>();
  for (const contract of contracts) {
    const list = groups.get(contract.schemaName) ?? [];
    list.push(contract);
    groups.set(contract.schemaName, list);
  }
  for (const list of groups.values()) list.sort((a, b) => a.version - b.version);
  return groups;
}

/** The punctuation of a schema name spelled out, so two names that differ only in punctuation get two ids. */
function exactSpelling(schemaName: string): string {
  return schemaName.replace(/[^A-Za-z0-9]/g, (c) => `X${c.charCodeAt(0).toString(16)}`);
}

function logicalName(schemaName: string): string {
  return schemaName
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function validateProps(registryName: string, contracts: readonly EventContract[]): void {
  if (!Token.isUnresolved(registryName)) {
    if (!NAME.test(registryName) || registryName.length > MAX_REGISTRY_NAME) {
      throw new ContractError(
        `EventSchemas registryName "${registryName}" is not a valid registry name: use 1-${MAX_REGISTRY_NAME} characters among letters, digits, '.', '_', '@' and '-'.`,
      );
    }
  }
  if (contracts.length === 0) {
    throw new ContractError(
      'EventSchemas contracts is empty: give at least one contract, or omit it to publish eventCatalog.',
    );
  }
  const seen = new Set<string>();
  for (const contract of contracts) {
    const key = `${contract.schemaName} v${contract.version}`;
    if (seen.has(key)) {
      throw new ContractError(`EventSchemas contracts lists ${key} twice: give each version once.`);
    }
    seen.add(key);
  }
}
