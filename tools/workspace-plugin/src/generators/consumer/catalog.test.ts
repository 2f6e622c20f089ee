import { eventCatalog } from '@outboxed/contracts';
import { describe, expect, it } from 'vitest';
import { contractCatalog, contractExportName, exampleEventName } from './catalog';

describe('contractCatalog', () => {
  it('offers every contract of eventCatalog, with the names generated code imports', () => {
    expect(contractCatalog()).toEqual(
      eventCatalog.map((c) => ({
        detailType: c.detailType,
        version: c.version,
        source: c.source,
        exportName: contractExportName(c.detailType, c.version),
        exampleName: expect.stringMatching(new RegExp(`^example${c.detailType}(V${c.version})?Event$`)),
      })),
    );
  });
});

describe('contractExportName', () => {
  it.each([
    ['UserCreated', 1, 'userCreatedV1'],
    ['UserCreated', 2, 'userCreatedV2'],
    ['OrderPlaced', 10, 'orderPlacedV10'],
  ])('names %s v%i %s', (detailType, version, expected) => {
    expect(contractExportName(detailType, version)).toBe(expected);
  });
});

describe('exampleEventName', () => {
  const exported = { exampleUserCreatedEvent: () => ({}), exampleUserCreatedV1Event: () => ({}) };

  it.each([
    ['a version with its own factory', 1, false, 'exampleUserCreatedV1Event'],
    ['the latest version, by the unversioned factory', 2, true, 'exampleUserCreatedEvent'],
    ['an older version without a factory', 3, false, undefined],
  ])('finds %s', (_case, version, latest, expected) => {
    expect(exampleEventName('UserCreated', version, latest, exported)).toBe(expected);
  });
});
