export { startEdge } from './edge';
export type { Edge, EdgeRequest, StartEdgeOptions } from './edge';
export type { EdgeLogEvent, EdgeLogListener, EdgeService } from './log';
export { Mailbox, readMailbox } from './ses/mailbox';
export type { MailboxMessage } from './ses/mailbox';
export { compileEventPattern } from './events/event-pattern';
export type { CompiledEventPattern } from './events/event-pattern';
export {
  putEventsEntrySize,
  PUT_EVENTS_MAX_ENTRIES,
  PUT_EVENTS_MAX_REQUEST_BYTES,
} from './events/put-events-entry';
export type { EventBridgeEvent, PutEventsRequestEntry } from './events/put-events-entry';
export { md5OfBody, md5OfMessageAttributes } from './sqs/md5';
export { formatTraceHeader, newSegmentId, newTraceId, parseTraceHeader } from './sqs/trace-header';
export type { TraceHeader } from './sqs/trace-header';
export type { MessageAttributeValue } from './sqs/md5';
export { LocalAwsError, EdgeStartError, AwsServiceError } from './errors';
export { FaultInjector, FaultPlanError, validateFaultPlan } from './faults/fault-injector';
export type {
  CrashFault,
  EdgeFaultPlan,
  FaultRates,
  PutEventsEntryErrorCode,
  PutEventsEntryFailure,
  SchemaRegistryFaults,
} from './faults/fault-injector';
export { JournalCorruptError } from './persistence/journal';
