import { useState } from 'preact/hooks';
import { useData } from '../api';

interface RegistrySchema {
  readonly registry: string;
  readonly name: string;
  readonly type?: string;
  readonly versions: readonly string[];
}
interface SchemaReader {
  readonly consumer: string;
  readonly detailType: string;
  readonly readsAs?: number;
  readonly source: string;
  readonly seen?: Readonly<Record<string, number>>;
}
interface JsonChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before?: unknown;
  readonly after?: unknown;
}

/** A pair of schema versions to compare, each `<registry>|<schema>|<version>`. */
interface VersionPair {
  readonly from: string;
  readonly to: string;
}

/** Schemas: the registry's schemas and versions, a diff of two versions, and who reads which version. */
export function SchemasView({ tick }: { tick: number }) {
  const list = useData<{ schemas: RegistrySchema[]; readers: SchemaReader[] }>('/api/schemas', tick, 5000);
  const [pair, setPair] = useState<VersionPair>();
  if (list.error && !list.data) return <p class="error">{list.error}</p>;
  if (!list.data) return <p class="muted">loading…</p>;
  // every schema version as `<registry>|<schema>|<version>`, in registry, name and version order
  const keys = list.data.schemas.flatMap((s) => s.versions.map((v) => `${s.registry}|${s.name}|${v}`));
  return (
    <div class="cols">
      <section class="panel">
        <h3 style="margin-top:0;font-size:15px">Registry schemas</h3>
        <SchemasTable
          schemas={list.data.schemas}
          selected={pair?.to.split('|')[1]}
          onPick={(schema) => setPair(comparedWithPrevious(schema, keys))}
        />
        <h3 style="font-size:15px">Who reads what</h3>
        <ReadersTable readers={list.data.readers} />
      </section>
      <section class="panel">
        {pair ? (
          <SchemaDiff keys={keys} pair={pair} onChange={setPair} />
        ) : (
          <p class="muted">Pick a schema to compare it with its previous version.</p>
        )}
      </section>
    </div>
  );
}

/**
 * A schema's latest version and the one to compare it with: its version before, else the schema before it of the
 * same event (`X.v1` before `X.v2`), else itself.
 */
function comparedWithPrevious(schema: RegistrySchema, keys: readonly string[]): VersionPair {
  const latest = `${schema.registry}|${schema.name}|${schema.versions[schema.versions.length - 1] ?? '1'}`;
  const index = keys.indexOf(latest);
  const before =
    schema.versions.length > 1
      ? `${schema.registry}|${schema.name}|${schema.versions[schema.versions.length - 2] ?? ''}`
      : keys[index - 1];
  const sameEvent = before && before.split('|')[1]?.split('.v')[0] === schema.name.split('.v')[0];
  return { from: sameEvent && before ? before : latest, to: latest };
}

function SchemasTable(props: {
  schemas: readonly RegistrySchema[];
  selected: string | undefined;
  onPick: (schema: RegistrySchema) => void;
}) {
  return (
    <table data-testid="schemas">
      <thead>
        <tr>
          <th>registry</th>
          <th>schema</th>
          <th>versions</th>
        </tr>
      </thead>
      <tbody>
        {props.schemas.map((s) => (
          <tr
            key={`${s.registry}/${s.name}`}
            class={`selectable ${props.selected === s.name ? 'selected' : ''}`}
            onClick={() => props.onPick(s)}
          >
            <td>{s.registry}</td>
            <td class="id">{s.name}</td>
            <td>{s.versions.join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ReadersTable({ readers }: { readers: readonly SchemaReader[] }) {
  return (
    <table data-testid="readers">
      <thead>
        <tr>
          <th>consumer</th>
          <th>event</th>
          <th>reads as</th>
          <th>seen in this run</th>
          <th>source</th>
        </tr>
      </thead>
      <tbody>
        {readers.map((r) => (
          <tr key={`${r.consumer}|${r.detailType}|${r.source}`}>
            <td>{r.consumer}</td>
            <td>{r.detailType}</td>
            <td>{r.readsAs !== undefined ? `v${r.readsAs}` : ''}</td>
            <td>
              {r.seen
                ? Object.entries(r.seen)
                    .map(([v, n]) => `${v} ×${n}`)
                    .join(', ')
                : ''}
            </td>
            <td class="muted">{r.source}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The two versions picked and what changed between them. */
function SchemaDiff(props: {
  keys: readonly string[];
  pair: VersionPair;
  onChange: (pair: VersionPair) => void;
}) {
  const { keys, pair, onChange } = props;
  const diff = useData<{ changes: JsonChange[] }>(
    pair.from !== pair.to
      ? `/api/schemas/diff?from=${encodeURIComponent(pair.from)}&to=${encodeURIComponent(pair.to)}`
      : undefined,
  );
  return (
    <div>
      <h3 style="margin-top:0;font-size:15px">
        <VersionPicker keys={keys} value={pair.from} onChange={(from) => onChange({ ...pair, from })} /> →{' '}
        <VersionPicker keys={keys} value={pair.to} onChange={(to) => onChange({ ...pair, to })} />
      </h3>
      {pair.from === pair.to ? (
        <p class="muted">Pick two different versions to compare.</p>
      ) : diff.data ? (
        <table data-testid="schema-diff">
          <tbody>
            {diff.data.changes.map((c) => (
              <tr key={c.path}>
                <td class={c.change}>{c.change}</td>
                <td class="id">{c.path}</td>
                <td class="id">{c.before !== undefined ? JSON.stringify(c.before) : ''}</td>
                <td class="id">{c.after !== undefined ? JSON.stringify(c.after) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">{diff.error ?? 'loading…'}</p>
      )}
    </div>
  );
}

function VersionPicker(props: { keys: readonly string[]; value: string; onChange: (v: string) => void }) {
  return (
    <select value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
      {props.keys.map((k) => {
        const [, name, version] = k.split('|');
        return (
          <option key={k} value={k}>
            {name} @ {version}
          </option>
        );
      })}
    </select>
  );
}
