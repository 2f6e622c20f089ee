import { useEffect, useState } from 'preact/hooks';
import type { JournalEntry, TraceSummary } from '../../model';
import { formatAge, formatTime, request, useData } from '../api';

interface TracePage {
  readonly total: number;
  readonly items: readonly TraceSummary[];
}

const PAGE_SIZE = 50;

/** Trace: search by user, event or correlation id; the list of traces; the selected event's timeline. */
export function TraceView({ tick, eventId, query }: { tick: number; eventId: string; query: string }) {
  const [text, setText] = useState(query);
  const [page, setPage] = useState(0);
  const list = useData<TracePage>(
    `/api/traces?q=${encodeURIComponent(query)}&page=${page}&pageSize=${PAGE_SIZE}`,
    tick,
    1000,
  );
  const go = (id: string, q = query) =>
    (location.hash = `#/trace/${encodeURIComponent(id)}${q ? `?q=${encodeURIComponent(q)}` : ''}`);
  const search = (e: Event) => {
    e.preventDefault();
    setPage(0);
    const q = text.trim();
    location.hash = `#/trace${q ? `?q=${encodeURIComponent(q)}` : ''}`;
  };
  const items = list.data?.items ?? [];
  const only = query && !eventId && items.length === 1 ? items[0]?.eventId : undefined;
  useEffect(() => {
    if (only) go(only);
  }, [only]);
  const pages = Math.max(1, Math.ceil((list.data?.total ?? 0) / PAGE_SIZE));
  return (
    <div class="cols">
      <section class="panel">
        <form onSubmit={search}>
          <input
            type="search"
            placeholder="user id, event id or correlation id"
            value={text}
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
            data-testid="trace-search"
          />
        </form>
        <p class="muted">
          {list.data ? `${list.data.total} trace(s)${query ? ` matching “${query}”` : ''}` : 'loading…'}
          {list.error && <span class="error"> {list.error}</span>}
        </p>
        <TraceList items={items} selected={eventId} onPick={(id) => go(id)} />
        <Pager page={page} pages={pages} onPage={setPage} />
      </section>
      <section class="panel">
        {eventId ? (
          <Timeline eventId={eventId} tick={tick} />
        ) : (
          <p class="muted">Pick a trace, or search for a user, event or correlation id.</p>
        )}
      </section>
    </div>
  );
}

/** The traces of one page, the selected one highlighted. */
function TraceList(props: {
  items: readonly TraceSummary[];
  selected: string;
  onPick: (eventId: string) => void;
}) {
  return (
    <table data-testid="trace-list">
      <thead>
        <tr>
          <th>event</th>
          <th>user</th>
          <th>status</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((t) => (
          <tr
            key={t.eventId}
            class={`selectable ${t.eventId === props.selected ? 'selected' : ''}`}
            onClick={() => props.onPick(t.eventId)}
          >
            <td class="id">{t.eventId}</td>
            <td class="id">{t.userId ?? ''}</td>
            <td>
              <span class={`badge ${t.status.replace(' ', '-')}`}>{t.status}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Newer and older pages of the trace list. */
function Pager({ page, pages, onPage }: { page: number; pages: number; onPage: (page: number) => void }) {
  return (
    <div class="pager">
      <button disabled={page === 0} onClick={() => onPage(page - 1)}>
        newer
      </button>
      <span class="muted">
        page {page + 1} of {pages}
      </span>
      <button disabled={page + 1 >= pages} onClick={() => onPage(page + 1)}>
        older
      </button>
    </div>
  );
}

function Timeline({ eventId, tick }: { eventId: string; tick: number }) {
  const trace = useData<{ summary: TraceSummary; entries: JournalEntry[] }>(
    `/api/trace?eventId=${encodeURIComponent(eventId)}`,
    tick,
    500,
  );
  const [payload, setPayload] = useState<{ id: string; body?: unknown; error?: string }>();
  if (trace.error && !trace.data) return <p class="error">{trace.error}</p>;
  if (!trace.data) return <p class="muted">loading…</p>;
  const { summary, entries } = trace.data;
  const start = entries[0]?.time ?? summary.firstTime;
  const open = () =>
    request(`/api/trace/payload?eventId=${encodeURIComponent(eventId)}`).then(
      (body) => setPayload({ id: eventId, body }),
      (error: Error) => setPayload({ id: eventId, error: error.message }),
    );
  return (
    <div data-testid="trace-timeline">
      <h2 style="margin-top:0;font-size:16px">
        {summary.detailType ?? 'event'} <span class="id">{summary.eventId}</span>{' '}
        <span class={`badge ${summary.status.replace(' ', '-')}`}>{summary.status}</span>
      </h2>
      <p class="muted">
        user <span class="id">{summary.userId ?? '–'}</span> · correlation{' '}
        <span class="id">{summary.correlationId ?? '–'}</span>
      </p>
      <ol class="timeline">
        {entries.map((e) => (
          <li
            key={`${e.seq}-${e.step}-${e.time}-${e.title}`}
            data-step={e.step}
            data-outcome={e.outcome ?? ''}
            data-actor={e.actor}
          >
            <span class="muted" title={formatTime(e.time)}>
              +{formatAge(Math.max(0, e.time - start))}
            </span>
            <span class="step">{e.step}</span>
            <span>
              {e.title} {e.outcome && <span class={`badge ${e.outcome}`}>{e.outcome}</span>}
              <br />
              <span class="muted">
                {e.actor}
                {Object.entries(e.details)
                  .filter(([, v]) => v !== undefined && v !== '')
                  .map(([k, v]) => ` · ${k}: ${String(v)}`)
                  .join('')}
                {e.ids.messageId ? ` · message ${e.ids.messageId}` : ''}
              </span>
            </span>
          </li>
        ))}
      </ol>
      <p>
        <button onClick={open} data-testid="open-payload">
          Open the event's payload (personal data)
        </button>
      </p>
      {payload?.id === eventId &&
        (payload.error ? (
          <p class="error">{payload.error}</p>
        ) : (
          <pre data-testid="payload">{JSON.stringify(payload.body, null, 2)}</pre>
        ))}
    </div>
  );
}
