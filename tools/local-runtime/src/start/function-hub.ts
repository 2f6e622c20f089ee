import type { EdgeLogEvent } from '@outboxed/local-aws';
import type { AlarmMonitor } from '../alarms/alarm-monitor';
import { LocalRuntimeError } from '../errors';
import type { RuntimeLog } from '../esm/types';
import type { FunctionRegistry } from '../lambda/function-registry';

/**
 * Where the edge, the event source mappings and the HTTP APIs reach the functions and the alarms. The edge starts
 * before the stacks are planned (beside `cdk synth`), so the functions and the alarm monitor are handed over to it
 * once they exist ({@link FunctionHub.connectFunctions}, {@link FunctionHub.connectAlarms}); until then an invocation
 * fails with a message saying so and nothing is observed.
 *
 * @example const hub = new FunctionHub(log); startEdge({ invokeLambda: (arn, p) => hub.invoke(arn, p) });
 */
export class FunctionHub {
  private functions: FunctionRegistry | undefined;
  private monitor: AlarmMonitor | undefined;

  constructor(private readonly log: RuntimeLog) {}

  /** Hands the registered functions over: invocations reach them from now on. */
  connectFunctions(functions: FunctionRegistry): void {
    this.functions = functions;
  }

  /** Hands the alarm monitor over: invocations, function output, HTTP requests and edge events are observed. */
  connectAlarms(monitor: AlarmMonitor): void {
    this.monitor = monitor;
  }

  /** Invokes a function by ARN or name, through the alarms' observer (Invocations, Errors, Duration…). */
  invoke(arn: string, payload: unknown): Promise<unknown> {
    const functions = this.functions;
    if (!functions) return Promise.reject(new LocalRuntimeError(`function ${arn} is not deployed yet`));
    const name = functions.find(arn)?.definition.name;
    return this.monitor && name
      ? this.monitor.observeInvocation(name, payload, () => functions.invoke(arn, payload))
      : functions.invoke(arn, payload);
  }

  /** The edge's crash fault: kills the worker of `appId` (SIGKILL) and logs which function it ran. */
  killWorker(appId: string): void {
    const name = this.functions?.killWorker(appId);
    if (!name) return;
    this.log({
      kind: 'fault.crash',
      message: `fault: worker ${appId} of ${this.displayName(name)} killed (SIGKILL)`,
      details: { appId, function: name },
    });
  }

  /** An edge event: observed by the alarms, then logged. */
  edgeEvent(event: EdgeLogEvent): void {
    this.monitor?.observeEdgeEvent(event);
    this.log({ kind: event.kind, message: event.message, details: event.details });
  }

  /** A function's output line, observed by the alarms (EMF metrics). */
  functionLine(name: string, line: string): void {
    this.monitor?.observeFunctionLine(this.displayName(name), line);
  }

  /** An HTTP API's answer, observed by the alarms. */
  httpRequest(apiId: string, status: number, ms: number): void {
    this.monitor?.observeHttpRequest(apiId, status, ms);
  }

  /** A function's logical id without CDK's hash, or its name when it is unknown. */
  displayName(name: string): string {
    return this.functions?.displayNames.get(name) ?? name;
  }

  /** The display name of the function an ARN names, or the ARN when no function has it. */
  labelOf(arn: string): string {
    const fn = this.functions?.find(arn);
    return fn ? this.displayName(fn.definition.name) : arn;
  }
}
