export { startDynamoDbLocal } from './start-dynamodb-local';
export type { DynamoDbLocal, StartDynamoDbLocalOptions } from './start-dynamodb-local';
export { DYNAMODB_LOCAL_JVM_OPTIONS, dynamoDbLocalCommand } from './jvm';
export type { DynamoDbLocalCommand, DynamoDbLocalCommandOptions } from './jvm';
export { assertJavaAvailable, parseJavaMajorVersion, MINIMUM_JAVA_VERSION } from './java';
export { findFreePort, isPortInUse } from './free-port';
export { startReaper } from './reaper';
export { DynamoDbLocalError, JavaNotFoundError, DynamoDbLocalStartError } from './errors';
