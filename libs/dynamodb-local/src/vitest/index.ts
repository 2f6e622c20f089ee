export { sharedDynamoDbLocal, uniqueTableName } from './shared';
export type { SharedDynamoDbLocal } from './shared';
