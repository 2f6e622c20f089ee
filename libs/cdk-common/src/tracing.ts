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
 * What a function's handler and its libraries need of Powertools Tracer: the invocation's segments
 * ({@link InvocationTracer}) and capturing SDK clients. {@link createTracer} gives one.
 *
 * @example const tracer: FunctionTracer = createTracer({ serviceName: 'welcome-email' });
 */
export type FunctionTracer = InvocationTracer & Pick<Tracer, 'captureAWSv3Client' | 'isTracingEnabled'>;

/**
 * Powertools Tracer's options (`serviceName`, `enabled`, `captureHTTPsRequests`).
 *
 * @example const options: FunctionTracerOptions = { serviceName: 'outbox-relay' };
 */
export type FunctionTracerOptions = NonNullable<ConstructorParameters<typeof Tracer>[0]>;

/**
 * Tracing switched off by the function's configuration, the variable Powertools itself reads. Read once, at the
 * function's initialization, as Powertools does.
 */
const TRACING_SWITCHED_OFF = process.env.POWERTOOLS_TRACE_ENABLED?.trim().toLowerCase() === 'false';

/**
 * Powertools Tracer, loaded only when tracing may be on. Importing it loads the X-Ray SDK, which (in Lambda, or in
 * its automatic mode anywhere) enables async hooks that track every promise of the process for the life of the
 * process: about a tenth of a consumer's CPU in the local pipeline's profile, spent for nothing where tracing is off.
 */
const powertools = TRACING_SWITCHED_OFF ? undefined : await import('@aws-lambda-powertools/tracer');

/** The tracer of a function whose tracing is switched off: no segment, clients left as they are. */
const SWITCHED_OFF: FunctionTracer = {
  getSegment: () => undefined,
  setSegment: () => undefined,
  annotateColdStart: () => undefined,
  addServiceNameAnnotation: () => undefined,
  addErrorAsMetadata: () => undefined,
  putAnnotation: () => undefined,
  captureAWSv3Client: (client) => client,
  isTracingEnabled: () => false,
};

/**
 * The function's tracer: Powertools Tracer, or, where `POWERTOOLS_TRACE_ENABLED` is `false` (the local runtime,
 * which runs no X-Ray daemon), a tracer that does nothing without loading the X-Ray SDK at all. Create one per
 * function at initialization and hand it to every library the function uses, so they share its segments.
 *
 * @example
 * const tracer = createTracer({ serviceName: 'outbox-relay' });
 * const eventBridge = tracer.captureAWSv3Client(new EventBridgeClient({}));
 */
export function createTracer(options: FunctionTracerOptions = {}): FunctionTracer {
  return powertools ? new powertools.Tracer(options) : SWITCHED_OFF;
}

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
