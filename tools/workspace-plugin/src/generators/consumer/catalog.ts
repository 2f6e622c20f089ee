import * as contracts from '@outboxed/contracts';
import { eventCatalog } from '@outboxed/contracts';
import * as contractsTesting from '@outboxed/contracts/testing';
import type { CatalogEntry } from './options';

/**
 * The name `@outboxed/contracts` exports a contract version under, by its convention: `UserCreated` v2 →
 * `userCreatedV2`. Generated code imports contracts by these names, so handlers get the version's types.
 *
 * @example contractExportName('UserCreated', 2); // 'userCreatedV2'
 */
export function contractExportName(detailType: string, version: number): string {
  return `${detailType.charAt(0).toLowerCase()}${detailType.slice(1)}V${version}`;
}

/**
 * The example-event factory `@outboxed/contracts/testing` exports for a contract version: `exampleUserCreatedV1Event`,
 * or `exampleUserCreatedEvent` for the latest version; `undefined` when it exports neither.
 *
 * @example exampleEventName('UserCreated', 2, true, exported); // 'exampleUserCreatedEvent'
 */
export function exampleEventName(
  detailType: string,
  version: number,
  latest: boolean,
  exported: Readonly<Record<string, unknown>>,
): string | undefined {
  const candidates = [
    `example${detailType}V${version}Event`,
    ...(latest ? [`example${detailType}Event`] : []),
  ];
  return candidates.find((name) => typeof exported[name] === 'function');
}

/**
 * Every event type and version of `eventCatalog` in `@outboxed/contracts` that the package exports by its
 * conventional name ({@link contractExportName}) with an example-event factory in `./testing` ({@link exampleEventName}), which
 * the generated code and tests import: what `--events` may name.
 *
 * @example contractCatalog(); // [{ detailType: 'UserCreated', version: 1, exportName: 'userCreatedV1', … }, …]
 */
export function contractCatalog(): CatalogEntry[] {
  const exported = contracts as unknown as Record<string, unknown>;
  return eventCatalog.flatMap(({ detailType, version, source }) => {
    const latest = Math.max(...eventCatalog.filter((c) => c.detailType === detailType).map((c) => c.version));
    const exportName = contractExportName(detailType, version);
    const examples = contractsTesting as unknown as Record<string, unknown>;
    const exampleName = exampleEventName(detailType, version, version === latest, examples);
    if (exported[exportName] === undefined || exampleName === undefined) return [];
    return [{ detailType, version, source, exportName, exampleName }];
  });
}
