// The local AWS edge: one HTTP endpoint emulating EventBridge, SQS, SES v2, the Schema Registry and SSM behind their
// wire protocols. What tests and the local runtime need: start it, read its mailbox and log, check a rule pattern,
// plan its faults, and continue an X-Ray trace header as the services it emulates do.
export { startEdge } from './edge';
export type { Edge, EdgeRequest, StartEdgeOptions } from './edge';
export type { EdgeLogEvent } from './log';
export { readMailbox } from './ses/mailbox';
export type { MailboxMessage } from './ses/mailbox';
export { compileEventPattern } from './events/event-pattern';
export type { CompiledEventPattern } from './events/event-pattern';
export { validateFaultPlan, FaultPlanError } from './faults/fault-injector';
export type { EdgeFaultPlan } from './faults/fault-injector';
export { formatTraceHeader, newSegmentId, newTraceId, parseTraceHeader } from './sqs/trace-header';
export type { TraceHeader } from './sqs/trace-header';
export { LocalAwsError, EdgeStartError, AwsServiceError } from './errors';
export { JournalCorruptError } from './persistence/journal';
