import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * What {@link traceInvocation} needs of Powertools Tracer (a `Tracer` in production, a fake in tests).
 *
 * @example const tracer: InvocationTracer = new Tracer(); // service name from POWERTOOLS_SERVICE_NAME
 */
export type InvocationTracer = Pick<
  Tracer,
  | 'getSegment'
  | 'setSegment'
  | 'annotateColdStart'
  | 'addServiceNameAnnotation'
  | 'addErrorAsMetadata'
  | 'putAnnotation'
>;

/**
 * Runs one Lambda invocation in its handler subsegment (`## <name>`), as Powertools' `captureLambdaHandler` does for
 * a class method or a middy handler: the cold start and service annotated, an error added as metadata and rethrown,
 * the subsegment closed and the function's segment restored whatever happens. SDK calls made meanwhile (clients
 * passed through `tracer.captureAWSv3Client`) are its subsegments. With tracing off (`POWERTOOLS_TRACE_ENABLED`
 * `false`, or outside Lambda) Tracer hands out a dummy segment and nothing is sent.
 *
 * @example export const handler = (event, context) => traceInvocation(tracer, 'relay', () => relay(event, context));
 */
export async function traceInvocation<T>(
  tracer: InvocationTracer,
  name: string,
  run: () => Promise<T>,
): Promise<T> {
  const segment = tracer.getSegment();
  const subsegment = segment?.addNewSubsegment(`## ${name}`);
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await run();
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
  }
}
