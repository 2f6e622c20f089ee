export { consumerGenerator } from './generators/consumer/generator';
export type { ConsumerGeneratorSchema } from './generators/consumer/schema';
export {
  consumerBaseName,
  parseFilter,
  parseSubscriptions,
  MAX_NAME_LENGTH,
} from './generators/consumer/options';
export type { CatalogEntry, NormalizedConsumerOptions, Subscription } from './generators/consumer/options';
export {
  WorkspacePluginError,
  InvalidConsumerNameError,
  ConsumerExistsError,
  DuplicateEventTypeError,
  UnknownEventTypeError,
  UnknownEventVersionError,
  InvalidFilterError,
} from './errors';
