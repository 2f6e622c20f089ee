import type { Duration } from 'aws-cdk-lib';
import { Token } from 'aws-cdk-lib';
import { EventConsumerPropsError } from '../errors';
import type { EventConsumerProps } from './event-consumer';

/**
 * Validates {@link EventConsumerProps} at synth, as aws-cdk-lib does with its ranges; unresolved tokens are left
 * to CloudFormation.
 *
 * @example validateProps({ expectations, entry, batchSize: 10 });
 */
export function validateProps(props: EventConsumerProps): void {
  if (props.expectations.subscriptions.length === 0) {
    throw new EventConsumerPropsError(
      'expectations.subscriptions',
      '[]',
      'at least one subscription',
      'subscribe to the events the consumer handles in contract-expectations.ts',
    );
  }
  const window = props.maxBatchingWindow?.toSeconds() ?? 0;
  const maxBatch = window > 0 ? 10_000 : 10;
  checkRange(
    'batchSize',
    props.batchSize,
    1,
    maxBatch,
    window > 0 ? '' : ' (set maxBatchingWindow for more than 10)',
  );
  checkRange('memorySize', props.memorySize, 128, 10_240);
  checkRange('maxReceiveCount', props.maxReceiveCount, 1, 1000);
  checkRange('maxConcurrency', props.maxConcurrency, 2, 1000);
  checkDuration('maxBatchingWindow', props.maxBatchingWindow, 0, 300);
  checkDuration('timeout', props.timeout, 1, 900);
  checkDuration('retentionPeriod', props.retentionPeriod, 60, 14 * 24 * 3600);
  checkDuration('idempotencyExpiration', props.idempotencyExpiration, 60, Number.MAX_SAFE_INTEGER);
  checkDuration('messageAgeAlarmThreshold', props.messageAgeAlarmThreshold, 60, 14 * 24 * 3600);
  const timeout = props.timeout?.toSeconds() ?? 30;
  if (timeout * 6 + window > 43_200) {
    throw new EventConsumerPropsError(
      'timeout',
      `${timeout} s`,
      'a timeout whose six-fold plus maxBatchingWindow fits the 12-hour SQS visibility timeout',
      'lower the timeout or the batching window',
    );
  }
}

function checkRange(prop: string, value: number | undefined, min: number, max: number, hint = ''): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EventConsumerPropsError(prop, String(value), `a whole number from ${min} to ${max}${hint}`);
  }
}

function checkDuration(
  prop: string,
  value: Duration | undefined,
  minSeconds: number,
  maxSeconds: number,
): void {
  if (value === undefined || value.isUnresolved()) return;
  const seconds = value.toSeconds();
  if (seconds < minSeconds || seconds > maxSeconds) {
    const max = maxSeconds === Number.MAX_SAFE_INTEGER ? '' : ` and ${maxSeconds} s`;
    throw new EventConsumerPropsError(prop, `${seconds} s`, `between ${minSeconds} s${max}`);
  }
}
