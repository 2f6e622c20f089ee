import { checkDuration, checkRange } from '@outboxed/cdk-common';
import { Duration } from 'aws-cdk-lib';
import { EventConsumerPropsError } from '../errors';
import type { EventConsumerProps } from './event-consumer';

/**
 * Validates {@link EventConsumerProps} at synth, as aws-cdk-lib does with its ranges; unresolved tokens are left
 * to CloudFormation.
 *
 * @example validateProps({ expectations, entry, batchSize: 10 }, 'EventConsumer Stack/Consumer');
 */
export function validateProps(props: EventConsumerProps, construct = 'EventConsumer'): void {
  if (props.expectations.subscriptions.length === 0) {
    throw new EventConsumerPropsError(
      'expectations.subscriptions',
      '[]',
      'at least one subscription',
      'subscribe to the events the consumer handles in contract-expectations.ts',
    );
  }
  const at = (seconds: number) => Duration.seconds(seconds);
  const fortnight = Duration.days(14);
  checkDuration(construct, 'maxBatchingWindow', props.maxBatchingWindow, { min: at(0), max: at(300) });
  checkDuration(construct, 'timeout', props.timeout, { min: at(1), max: at(900) });
  checkDuration(construct, 'retentionPeriod', props.retentionPeriod, { min: at(60), max: fortnight });
  checkDuration(construct, 'idempotencyExpiration', props.idempotencyExpiration, { min: at(60) });
  checkDuration(construct, 'messageAgeAlarmThreshold', props.messageAgeAlarmThreshold, {
    min: at(60),
    max: fortnight,
  });
  const window = props.maxBatchingWindow?.toSeconds() ?? 0;
  const hint = window > 0 ? '' : ' (set maxBatchingWindow for more than 10)';
  checkRange(construct, 'batchSize', props.batchSize, { min: 1, max: window > 0 ? 10_000 : 10, hint });
  checkRange(construct, 'memorySize', props.memorySize, { min: 128, max: 10_240 });
  checkRange(construct, 'maxReceiveCount', props.maxReceiveCount, { min: 1, max: 1000 });
  checkRange(construct, 'maxConcurrency', props.maxConcurrency, { min: 2, max: 1000 });
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
