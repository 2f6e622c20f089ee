import { useState } from 'preact/hooks';
import type { DeadLetterQueue } from '../../model';
import { request, useData } from '../api';

const KIND_LABEL: Readonly<Record<DeadLetterQueue['kind'], string>> = {
  'consumer-dlq': 'consumer DLQ',
  'rule-dlq': 'rule DLQ',
  'relay-poison': 'relay poison queue',
  'relay-on-failure': 'relay on-failure queue',
};

/** Dead letters: every DLQ and the relay's poison and on-failure queues, each message with its reason; redrive. */
export function DeadLettersView({ tick }: { tick: number }) {
  const queues = useData<DeadLetterQueue[]>('/api/dead-letters', tick, 2000);
  const [status, setStatus] = useState<string>();
  const [opened, setOpened] = useState<{ key: string; body?: unknown; error?: string }>();
  const redrive = (queueUrl: string, eventId?: string) => {
    setStatus('redriving…');
    request<{ how: string }>('/api/dead-letters/redrive', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ queueUrl, ...(eventId ? { eventId } : {}) }),
    }).then(
      (r) => {
        setStatus(`Redrive started: ${r.how}.`);
        queues.reload();
      },
      (error: Error) => setStatus(`Redrive failed: ${error.message}`),
    );
  };
  const open = (queueUrl: string, messageId: string) =>
    request(
      `/api/dead-letters/message?queueUrl=${encodeURIComponent(queueUrl)}&messageId=${encodeURIComponent(messageId)}`,
    ).then(
      (body) => setOpened({ key: messageId, body }),
      (error: Error) => setOpened({ key: messageId, error: error.message }),
    );
  if (queues.error && !queues.data) return <p class="error">{queues.error}</p>;
  if (!queues.data) return <p class="muted">loading…</p>;
  return (
    <div>
      {status && (
        <p data-testid="redrive-status" class="muted">
          {status}
        </p>
      )}
      {queues.data.map((q) => (
        <section class="panel" style="margin-bottom:12px" key={q.url} data-testid="dlq" data-queue={q.name}>
          <h3 style="margin:0 0 6px;font-size:15px">
            {q.name} <span class="badge">{KIND_LABEL[q.kind]}</span> <span class="muted">{q.stack}</span>{' '}
            <span class="badge" data-testid="dlq-count">
              {q.messages.length} message(s)
            </span>{' '}
            {q.redrive !== 'none' && q.messages.length > 0 && (
              <button class="primary" onClick={() => redrive(q.url)} data-testid="redrive">
                {q.redrive === 'message-move' ? 'Redrive all to the source queue' : 'Run the relay redrive'}
              </button>
            )}
          </h3>
          {q.messages.length > 0 && (
            <MessageTable
              queue={q}
              onOpen={(messageId) => open(q.url, messageId)}
              onRedrive={(eventId) => redrive(q.url, eventId)}
            />
          )}
          {opened && q.messages.some((m) => m.messageId === opened.key) && (
            <pre>{opened.error ?? JSON.stringify(opened.body, null, 2)}</pre>
          )}
        </section>
      ))}
    </div>
  );
}

/** A dead-letter queue's messages, each with its reason; open one, or redrive one event of the relay's poison queue. */
function MessageTable(props: {
  queue: DeadLetterQueue;
  onOpen: (messageId: string) => void;
  onRedrive: (eventId: string) => void;
}) {
  const { queue } = props;
  return (
    <table>
      <thead>
        <tr>
          <th>message</th>
          <th>event</th>
          <th>reason</th>
          <th>sent</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {queue.messages.map((m) => (
          <tr key={m.messageId}>
            <td class="id">{m.messageId}</td>
            <td class="id">
              {m.eventId ? <a href={`#/trace/${encodeURIComponent(m.eventId)}`}>{m.eventId}</a> : '–'}
            </td>
            <td data-testid="dlq-reason">{m.reason}</td>
            <td class="muted">{m.sentAt ?? ''}</td>
            <td>
              <button onClick={() => props.onOpen(m.messageId)}>open</button>
              {queue.kind === 'relay-poison' && m.eventId && (
                <button onClick={() => props.onRedrive(m.eventId ?? '')}>redrive this event</button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
