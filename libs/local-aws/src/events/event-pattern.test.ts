import { TestEventPatternCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type Edge } from '../edge';
import { clientsFor } from '../test-clients';
import { compileEventPattern } from './event-pattern';

// Every case below is taken from AWS's documentation; `doc` names the page and section it comes from.
const PATTERNS = 'eb-event-patterns.html (Creating Amazon EventBridge event patterns)';
const ARRAYS = 'eb-event-patterns-arrays.html (Event patterns with arrays)';
const NULLS = 'eb-event-patterns-null-values.html (Matching events on null values and empty strings)';
const OPERATORS = 'eb-create-pattern-operators.html (Comparison operators)';
const FILTERING = 'eb-event-patterns-content-based-filtering.html (Content filtering)';

type Case = readonly [
  doc: string,
  what: string,
  pattern: object,
  event: Record<string, unknown>,
  expected: boolean,
];

/** The sample EC2 event of the "Creating event patterns" page; tests override its fields. */
function sampleEvent(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '111122223333',
    time: '2017-12-22T18:43:48Z',
    region: 'us-west-1',
    resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
    ...fields,
  };
}
const detail = (d: Record<string, unknown>): Record<string, unknown> => ({ detail: d });

const cases: readonly Case[] = [
  [
    PATTERNS,
    'source, detail-type and detail.state all equal',
    {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    {},
    true,
  ],
  [
    PATTERNS,
    'a field of the pattern differs',
    { source: ['aws.ec2'], detail: { state: ['running'] } },
    {},
    false,
  ],
  [PATTERNS, 'fields absent from the pattern are ignored', { detail: { state: ['terminated'] } }, {}, true],
  [
    PATTERNS,
    'values in a pattern array are ORed',
    { detail: { state: ['initializing', 'terminated'] } },
    {},
    true,
  ],
  [PATTERNS, 'matching is case sensitive', { source: ['AWS.EC2'] }, {}, false],
  [
    ARRAYS,
    'an event array matches when it intersects the pattern array',
    {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0',
      ],
    },
    {},
    true,
  ],
  [
    ARRAYS,
    'an event array does not match when the intersection is empty',
    { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
    {},
    false,
  ],
  [
    NULLS,
    'an empty string matches [""]',
    { detail: { eventVersion: [''] } },
    detail({ eventVersion: '', responseElements: null }),
    true,
  ],
  [
    NULLS,
    'null matches [null]',
    { detail: { responseElements: [null] } },
    detail({ eventVersion: '', responseElements: null }),
    true,
  ],
  [
    NULLS,
    'null and empty string are not interchangeable',
    { detail: { responseElements: [''] } },
    detail({ eventVersion: '', responseElements: null }),
    false,
  ],
  [
    NULLS,
    'a missing field does not match [null]',
    { detail: { responseElements: [null] } },
    detail({ eventVersion: '' }),
    false,
  ],
  [
    OPERATORS,
    'And: both fields match',
    { detail: { Location: ['New York'], Day: ['Monday'] } },
    detail({ Location: 'New York', Day: 'Monday' }),
    true,
  ],
  [
    OPERATORS,
    'And: one field fails',
    { detail: { Location: ['New York'], Day: ['Monday'] } },
    detail({ Location: 'New York', Day: 'Tuesday' }),
    false,
  ],
  [
    OPERATORS,
    'Anything-but: another value',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    detail({ state: 'running' }),
    true,
  ],
  [
    OPERATORS,
    'Anything-but: the excluded value',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    detail({ state: 'initializing' }),
    false,
  ],
  [
    FILTERING,
    'Anything-but number: another number',
    { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    detail({ 'x-limit': 301.8 }),
    true,
  ],
  [
    FILTERING,
    'Anything-but number: the excluded number',
    { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    detail({ 'x-limit': 123 }),
    false,
  ],
  [
    FILTERING,
    'Anything-but string list: a listed value',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    detail({ state: 'stopped' }),
    false,
  ],
  [
    FILTERING,
    'Anything-but string list: an unlisted value',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    detail({ state: 'running' }),
    true,
  ],
  [
    FILTERING,
    'Anything-but number list: a listed number',
    { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    detail({ 'x-limit': 200 }),
    false,
  ],
  [
    FILTERING,
    'Anything-but number list: an unlisted number',
    { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    detail({ 'x-limit': 301.8 }),
    true,
  ],
  [
    OPERATORS,
    'Anything-but (begins with): a value with the prefix',
    { detail: { Region: [{ 'anything-but': { prefix: 'us-' } }] } },
    detail({ Region: 'us-east-1' }),
    false,
  ],
  [
    OPERATORS,
    'Anything-but (begins with): a value without it',
    { detail: { Region: [{ 'anything-but': { prefix: 'us-' } }] } },
    detail({ Region: 'eu-west-1' }),
    true,
  ],
  [
    OPERATORS,
    'Anything-but (ends with): a .png file',
    { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    detail({ FileName: 'photo.png' }),
    false,
  ],
  [
    OPERATORS,
    'Anything-but (ends with): another file',
    { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    detail({ FileName: 'notes.txt' }),
    true,
  ],
  [
    OPERATORS,
    'Anything-but (ignore case): another casing of the value',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    detail({ state: 'INITIALIZING' }),
    false,
  ],
  [
    OPERATORS,
    'Anything-but (ignore case): another value',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    detail({ state: 'running' }),
    true,
  ],
  [
    OPERATORS,
    'Anything-but using a wildcard: a path with /lib/',
    { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    detail({ FilePath: '/usr/lib/node' }),
    false,
  ],
  [
    OPERATORS,
    'Anything-but using a wildcard: a path without it',
    { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    detail({ FilePath: '/usr/bin/node' }),
    true,
  ],
  [
    OPERATORS,
    'Begins with: a US region',
    { detail: { Region: [{ prefix: 'us-' }] } },
    detail({ Region: 'us-east-1' }),
    true,
  ],
  [
    OPERATORS,
    'Begins with: a region outside the US',
    { detail: { Region: [{ prefix: 'us-' }] } },
    detail({ Region: 'eu-west-1' }),
    false,
  ],
  [
    FILTERING,
    'Prefix matching: the time field starting with a date',
    { time: [{ prefix: '2017-12-22' }] },
    {},
    true,
  ],
  [
    OPERATORS,
    'Begins with (ignore case)',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] } },
    detail({ service: 'EventBridge' }),
    true,
  ],
  [
    FILTERING,
    'Prefix matching only works on string values: a number',
    { detail: { code: [{ prefix: '12' }] } },
    detail({ code: 123 }),
    false,
  ],
  [OPERATORS, 'Empty: an empty LastName', { detail: { LastName: [''] } }, detail({ LastName: '' }), true],
  [OPERATORS, 'Equals: Name is "Alice"', { detail: { Name: ['Alice'] } }, detail({ Name: 'Alice' }), true],
  [
    OPERATORS,
    'Equals (ignore case): "ALICE"',
    { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } },
    detail({ Name: 'ALICE' }),
    true,
  ],
  [
    OPERATORS,
    'Equals (ignore case): another name',
    { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } },
    detail({ Name: 'Alicia' }),
    false,
  ],
  [
    OPERATORS,
    'Ends with: a .png file',
    { detail: { FileName: [{ suffix: '.png' }] } },
    detail({ FileName: 'photo.png' }),
    true,
  ],
  [
    OPERATORS,
    'Ends with: another file',
    { detail: { FileName: [{ suffix: '.png' }] } },
    detail({ FileName: 'photo.jpg' }),
    false,
  ],
  [
    OPERATORS,
    'Ends with (ignore case)',
    { detail: { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] } },
    detail({ service: 'EVENTBRIDGE' }),
    true,
  ],
  [
    OPERATORS,
    'Exists: the field is present',
    { detail: { ProductName: [{ exists: true }] } },
    detail({ ProductName: 'Widget' }),
    true,
  ],
  [
    OPERATORS,
    'Exists: the field is missing',
    { detail: { ProductName: [{ exists: true }] } },
    detail({}),
    false,
  ],
  [
    OPERATORS,
    'Does not exist: the field is missing',
    { detail: { ProductName: [{ exists: false }] } },
    detail({}),
    true,
  ],
  [
    OPERATORS,
    'Does not exist: the field is present',
    { detail: { ProductName: [{ exists: false }] } },
    detail({ ProductName: 'Widget' }),
    false,
  ],
  [
    FILTERING,
    'Exists matching only works on leaf nodes: an object is not a leaf',
    { detail: { 'c-count': [{ exists: true }] } },
    detail({ 'c-count': { c1: 100 } }),
    false,
  ],
  [
    OPERATORS,
    'Not: Weather is anything but "Raining"',
    { detail: { Weather: [{ 'anything-but': ['Raining'] }] } },
    detail({ Weather: 'Sunny' }),
    true,
  ],
  [OPERATORS, 'Null: UserID is null', { detail: { UserID: [null] } }, detail({ UserID: null }), true],
  [
    OPERATORS,
    'Numeric (equals): Price is 100',
    { detail: { Price: [{ numeric: ['=', 100] }] } },
    detail({ Price: 100 }),
    true,
  ],
  [
    FILTERING,
    'Numeric matching only works with JSON numbers: the string "100"',
    { detail: { Price: [{ numeric: ['=', 100] }] } },
    detail({ Price: '100' }),
    false,
  ],
  [
    OPERATORS,
    'Numeric (range): 20 is within (10, 20]',
    { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } },
    detail({ Price: 20 }),
    true,
  ],
  [
    OPERATORS,
    'Numeric (range): 10 is outside (10, 20]',
    { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } },
    detail({ Price: 10 }),
    false,
  ],
  [
    FILTERING,
    'Numeric matching: 3.018e2 equals 301.8',
    { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } },
    detail({ 'x-limit': 301.8 }),
    true,
  ],
  [
    OPERATORS,
    'Or: PaymentType is "Credit" or "Debit"',
    { detail: { PaymentType: ['Credit', 'Debit'] } },
    detail({ PaymentType: 'Debit' }),
    true,
  ],
  [
    OPERATORS,
    'Or (multiple fields, $or): only Day matches',
    { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } },
    detail({ Location: 'Boston', Day: 'Monday' }),
    true,
  ],
  [
    OPERATORS,
    'Or (multiple fields, $or): neither matches',
    { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } },
    detail({ Location: 'Boston', Day: 'Tuesday' }),
    false,
  ],
  [
    OPERATORS,
    'Wildcard: a .png file within dir',
    { detail: { FileName: [{ wildcard: 'dir/*.png' }] } },
    detail({ FileName: 'dir/photo.png' }),
    true,
  ],
  [
    OPERATORS,
    'Wildcard: a .png file elsewhere',
    { detail: { FileName: [{ wildcard: 'dir/*.png' }] } },
    detail({ FileName: 'other/photo.png' }),
    false,
  ],
  [
    FILTERING,
    'IP address matching: inside 10.0.0.0/24',
    { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    detail({ 'source-ip': '10.0.0.255' }),
    true,
  ],
  [
    FILTERING,
    'IP address matching: outside 10.0.0.0/24',
    { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    detail({ 'source-ip': '10.0.1.1' }),
    false,
  ],
  [
    FILTERING,
    'IP address matching: IPv6',
    { detail: { 'source-ip': [{ cidr: '2001:db8::/32' }] } },
    detail({ 'source-ip': '2001:db8::1' }),
    true,
  ],
  [
    FILTERING,
    'Complex example: every operator of the page together',
    {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    {
      time: '2017-10-02T16:24:49Z',
      ...detail({ 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', state: 'running' }),
    },
    true,
  ],
];

const invalidPatterns: readonly (readonly [doc: string, what: string, pattern: string])[] = [
  [PATTERNS, 'a pattern that is not JSON', '{"source": ['],
  [PATTERNS, 'a leaf value that is not in an array', '{"source": "aws.ec2"}'],
  [OPERATORS, 'an unknown comparison operator', '{"source": [{"regex": "aws.*"}]}'],
  [FILTERING, 'numeric matching with a string operand', '{"detail": {"c": [{"numeric": [">", "5"]}]}}'],
  [FILTERING, 'numeric matching with an unknown operator', '{"detail": {"c": [{"numeric": ["!=", 5]}]}}'],
  [
    OPERATORS,
    'a wildcard with consecutive wildcard characters',
    '{"detail": {"f": [{"wildcard": "dir/**.png"}]}}',
  ],
  [FILTERING, 'exists with a non-boolean', '{"detail": {"f": [{"exists": "yes"}]}}'],
  [
    FILTERING,
    'cidr with a value that is not a CIDR block',
    '{"detail": {"ip": [{"cidr": "10.0.0.300/24"}]}}',
  ],
  [
    FILTERING,
    'anything-but with a list mixing strings and numbers',
    '{"detail": {"s": [{"anything-but": ["a", 1]}]}}',
  ],
];

describe('TestEventPattern over HTTP (the event-pattern matcher)', () => {
  let edge: Edge;
  let events: EventBridgeClient;

  beforeAll(async () => {
    edge = await startEdge();
    events = clientsFor(edge).events;
  });
  afterAll(() => edge.stop());

  it.each(cases)('%s — %s', async (_doc, _what, pattern, fields, expected) => {
    const result = await events.send(
      new TestEventPatternCommand({
        EventPattern: JSON.stringify(pattern),
        Event: JSON.stringify(sampleEvent(fields)),
      }),
    );
    expect(result.Result).toBe(expected);
  });

  it.each(invalidPatterns)(
    '%s — rejects %s with InvalidEventPatternException',
    async (_doc, _what, pattern) => {
      const attempt = events.send(
        new TestEventPatternCommand({ EventPattern: pattern, Event: JSON.stringify(sampleEvent()) }),
      );
      await expect(attempt).rejects.toMatchObject({
        name: 'InvalidEventPatternException',
        message: expect.stringMatching(/^Event pattern is not valid\. Reason: /),
        $metadata: { httpStatusCode: 400 },
      });
    },
  );

  it('rejects an event that lacks the fields every EventBridge event has', async () => {
    const attempt = events.send(
      new TestEventPatternCommand({ EventPattern: '{"source":["a"]}', Event: '{"source":"a"}' }),
    );
    await expect(attempt).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('compileEventPattern (semantics documented by aws/event-ruler, the matcher EventBridge uses)', () => {
  const employees = {
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  };

  it.each([
    ['an object in an array of objects', { employees: { firstName: ['Anna'] } }, true],
    [
      'two fields of the same array element',
      { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
      true,
    ],
    [
      'two fields from different array elements (array consistency)',
      { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
      false,
    ],
    [
      '"$or" that is not an array of objects is an ordinary field',
      { $or: { metricType: ['MetricType'] } },
      false,
    ],
  ])('matches %s: %s', (_what, pattern, expected) => {
    expect(compileEventPattern(JSON.stringify(pattern)).matches(employees)).toBe(expected);
  });
});

describe('compileEventPattern wildcard escapes and numeric bounds (event-ruler README)', () => {
  it.each([
    ['J\\*n', 'J*n', true],
    ['J\\*n', 'John', false],
    ['J*n', 'John', true],
    ['C:\\\\*', 'C:\\temp', true],
  ])('wildcard %s against %s is %s (\\* is a star, \\\\ a backslash)', (wildcard, value, expected) => {
    expect(compileEventPattern(JSON.stringify({ v: [{ wildcard }] })).matches({ v: value })).toBe(expected);
  });

  it('rejects a numeric range whose bottom is not below its top', () => {
    expect(() => compileEventPattern('{"v":[{"numeric":[">",10,"<",5]}]}')).toThrow(
      /^Event pattern is not valid\. Reason: Bottom must be less than top/,
    );
  });
});
