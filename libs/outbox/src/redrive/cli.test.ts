import { describe, expect, it } from 'vitest';
import { importContracts, parseRedriveArgs } from './cli';

describe('parseRedriveArgs', () => {
  it('reads every option', () => {
    expect(
      parseRedriveArgs([
        '--table',
        'users',
        '--event-bus',
        'users-events',
        '--on-failure-queue-url',
        'https://sqs/on-failure',
        '--poison-queue-url',
        'https://sqs/poison',
        '--endpoint-url',
        'http://127.0.0.1:4566',
        '--dynamodb-endpoint-url',
        'http://127.0.0.1:8000',
        '--region',
        'eu-west-1',
        '--contracts',
        '@outboxed/contracts',
        '--dry-run',
        '--event-id',
        '01JHB7N9Q3Z5W8X2C4V6T0R1SM',
      ]),
    ).toEqual({
      options: {
        tableName: 'users',
        eventBusName: 'users-events',
        onFailureQueueUrl: 'https://sqs/on-failure',
        poisonQueueUrl: 'https://sqs/poison',
        dryRun: true,
        eventId: '01JHB7N9Q3Z5W8X2C4V6T0R1SM',
      },
      endpointUrl: 'http://127.0.0.1:4566',
      dynamodbEndpointUrl: 'http://127.0.0.1:8000',
      region: 'eu-west-1',
      contractsModule: '@outboxed/contracts',
    });
  });

  it.each([
    [['--event-bus', 'b', '--poison-queue-url', 'q'], 'Missing --table.'],
    [['--table', 't', '--poison-queue-url', 'q'], 'Missing --event-bus.'],
    [
      ['--table', 't', '--event-bus', 'b'],
      'Give --on-failure-queue-url, --poison-queue-url or --event-id: there is nothing to redrive.',
    ],
  ])('rejects %j, saying what is missing', (args, message) => {
    expect(() => parseRedriveArgs(args)).toThrow(message);
  });

  it('rejects an unknown option', () => {
    expect(() => parseRedriveArgs(['--table', 't', '--event-bus', 'b', '--queue', 'q'])).toThrow(
      "Unknown option '--queue'",
    );
  });
});

describe('importContracts', () => {
  it('takes a module whose namespace has findContract', async () => {
    const contracts = await importContracts('@outboxed/contracts');
    expect(typeof (contracts as { findContract: unknown }).findContract).toBe('function');
  });

  it.each([
    ['@outboxed/contracts#eventCatalog', 'array'],
    ['@outboxed/contracts#findContract', 'function'],
  ])('takes %s (an %s)', async (spec, kind) => {
    const contracts = await importContracts(spec);
    expect(Array.isArray(contracts) ? 'array' : typeof contracts).toBe(kind);
  });

  it('rejects an export that is no contract catalog', async () => {
    await expect(importContracts('@outboxed/contracts#USERS_EVENT_SOURCE')).rejects.toThrow(
      '--contracts @outboxed/contracts#USERS_EVENT_SOURCE: the export "USERS_EVENT_SOURCE" is no contract catalog (an array of contracts, findContract, or an object with find() or findContract()); received string.',
    );
  });
});
