import { describe, expect, it } from 'vitest';
import { producerTraceIdOf } from './trace';

const ROOT = '1-67891233-abcdef012345678912345678';
const ATTRIBUTES = {
  ApproximateReceiveCount: '1',
  SentTimestamp: '1768471200000',
  SenderId: 'events.amazonaws.com',
  ApproximateFirstReceiveTimestamp: '1768471200001',
};

describe('producerTraceIdOf', () => {
  it.each([
    ['a full header', `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`, ROOT],
    ['Root not first, keys in lower case', `parent=53995c3f42cd8ad8; root=${ROOT}`, ROOT],
    ['a Root of another shape', 'Root=1-6789123-abcdef012345678912345678;Sampled=1', undefined],
    ['no Root', 'Parent=53995c3f42cd8ad8;Sampled=1', undefined],
    ['free text', 'hello', undefined],
  ])('reads the AWSTraceHeader of %s', (_case, header, expected) => {
    expect(producerTraceIdOf({ attributes: { ...ATTRIBUTES, AWSTraceHeader: header } })).toBe(expected);
  });

  it('reads nothing from a record sent without a trace header', () => {
    expect(producerTraceIdOf({ attributes: ATTRIBUTES })).toBeUndefined();
  });
});
