import { describe, expect, it } from 'vitest';
import type { ContractGraph } from './contract-graph';
import { contractGraphDependencies, parseContractGraph } from './contract-graph';

const USERS = 'outboxed.users';

/** The contract graph CLI's output for the workspace as it is: one producer, two consumers. */
const graph: ContractGraph = {
  producers: [
    {
      project: 'users-service',
      file: 'apps/users-service/src/contract-publications.ts',
      events: [{ source: USERS, detailType: 'UserCreated', version: 2 }],
    },
  ],
  consumers: [
    {
      project: 'email-consumer',
      file: 'apps/email-consumer/src/contract-expectations.ts',
      events: [{ source: USERS, detailType: 'UserCreated', version: 1 }],
    },
    {
      project: 'audit-consumer',
      file: 'apps/audit-consumer/src/contract-expectations.ts',
      events: [
        { source: USERS, detailType: 'UserCreated', version: 2 },
        { source: USERS, detailType: 'UserCreated', version: 1 },
      ],
    },
  ],
};
const projects = new Set(['users-service', 'email-consumer', 'audit-consumer', 'contracts']);

describe('contractGraphDependencies', () => {
  it('links each consumer to the producer of the event types it reads, whatever version it reads them as', () => {
    expect(contractGraphDependencies(graph, projects)).toEqual([
      {
        source: 'audit-consumer',
        target: 'users-service',
        type: 'implicit',
      },
      {
        source: 'email-consumer',
        target: 'users-service',
        type: 'implicit',
      },
    ]);
  });

  it.each<[string, ContractGraph, ReadonlySet<string>]>([
    [
      'a consumer of an event type nobody publishes',
      {
        producers: graph.producers,
        consumers: [
          {
            project: 'billing-consumer',
            file: 'apps/billing-consumer/src/contract-expectations.ts',
            events: [{ source: USERS, detailType: 'UserDeleted', version: 1 }],
          },
        ],
      },
      new Set(['users-service', 'billing-consumer']),
    ],
    [
      'the same detail-type from another source',
      {
        producers: graph.producers,
        consumers: [
          {
            project: 'email-consumer',
            file: 'apps/email-consumer/src/contract-expectations.ts',
            events: [{ source: 'outboxed.orders', detailType: 'UserCreated', version: 1 }],
          },
        ],
      },
      projects,
    ],
    ['apps Nx does not know', graph, new Set(['contracts'])],
    [
      'an app that consumes what it publishes',
      {
        producers: graph.producers,
        consumers: [
          {
            project: 'users-service',
            file: 'apps/users-service/src/contract-expectations.ts',
            events: [{ source: USERS, detailType: 'UserCreated', version: 1 }],
          },
        ],
      },
      projects,
    ],
  ])('adds no edge for %s', (_case, input, known) => {
    expect(contractGraphDependencies(input, known)).toEqual([]);
  });
});

describe('parseContractGraph', () => {
  it('reads the CLI output', () => {
    expect(parseContractGraph(JSON.stringify(graph))).toEqual(graph);
  });

  it.each([
    ['output that is not JSON', 'cannot load', /it is not JSON/],
    ['an array', '[]', /it is \[\], not an object/],
    ['no producers', '{"consumers":[]}', /"producers" is undefined, not an array of parties/],
    [
      'an event without a version',
      '{"producers":[],"consumers":[{"project":"a","file":"f","events":[{"source":"s","detailType":"D"}]}]}',
      /consumers\[0\] is .* not \{ project, file, events: \[\{ source, detailType, version \}\] \}/,
    ],
  ])('rejects %s, naming the CLI to run', (_case, output, message) => {
    expect(() => parseContractGraph(output)).toThrow(message);
    expect(() => parseContractGraph(output)).toThrow(/libs\/contracts\/src\/cli\/contract-graph\.ts/);
  });
});
