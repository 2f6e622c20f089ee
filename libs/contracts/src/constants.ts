/**
 * The event source of the users service: EventBridge's `Source` on every event it publishes.
 *
 * @example new Rule(this, 'Rule', { eventPattern: { source: [USERS_EVENT_SOURCE] } });
 */
export const USERS_EVENT_SOURCE = 'outboxed.users';

/**
 * The `DetailType` of the event published when a user is committed.
 *
 * @example if (event['detail-type'] === USER_CREATED_DETAIL_TYPE) { … }
 */
export const USER_CREATED_DETAIL_TYPE = 'UserCreated';

/**
 * The registry schema name of UserCreated, EventBridge's `<source>@<DetailType>` convention.
 *
 * @example await schemas.send(new DescribeSchemaCommand({ RegistryName, SchemaName: USER_CREATED_SCHEMA_NAME }));
 */
export const USER_CREATED_SCHEMA_NAME = `${USERS_EVENT_SOURCE}@${USER_CREATED_DETAIL_TYPE}`;

/**
 * The name of the users service's EventBridge schema registry. Fixed (not generated) because codegen, the local
 * runtime and consumers look it up by name; the name is also published under
 * `USERS_SERVICE_PARAMETERS.schemaRegistryName`.
 *
 * @example new EventSchemas(this, 'Schemas', { registryName: USERS_SCHEMA_REGISTRY_NAME });
 */
export const USERS_SCHEMA_REGISTRY_NAME = 'outboxed-users';

/**
 * SSM parameter names the users service publishes and consumers read at deploy time (no CloudFormation exports).
 *
 * @example StringParameter.valueForStringParameter(this, USERS_SERVICE_PARAMETERS.eventBusName);
 */
export const USERS_SERVICE_PARAMETERS = {
  eventBusName: '/outboxed/users/event-bus-name',
  eventBusArn: '/outboxed/users/event-bus-arn',
  schemaRegistryName: '/outboxed/users/schema-registry-name',
} as const;
