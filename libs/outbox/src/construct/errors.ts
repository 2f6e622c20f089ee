import { OutboxError } from '../errors';

/**
 * Thrown at synth when an `OutboxRelay` prop is outside what AWS or the relay's guarantees allow.
 * The message names the prop, the allowed range and the value received.
 *
 * @example
 * try { new OutboxRelay(stack, 'Relay', { ...props, batchSize: 0 }); }
 * catch (error) { if (error instanceof OutboxRelayPropsError) console.error(error.message); }
 */
export class OutboxRelayPropsError extends OutboxError {}
