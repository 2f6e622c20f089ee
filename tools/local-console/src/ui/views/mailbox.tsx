import { useData } from '../api';

interface EmailSummary {
  readonly messageId: string;
  readonly receivedAt: string;
  readonly eventId?: string;
  readonly template?: string;
  readonly recipients: number;
}
interface Email {
  readonly messageId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly subject?: string;
  readonly text?: string;
  readonly html?: string;
}

/** Mailbox: the emails the local SES accepted, by id; an email's addresses and text only when opened. */
export function MailboxView({ tick, messageId }: { tick: number; messageId: string }) {
  const list = useData<EmailSummary[]>('/api/mailbox', tick, 1000);
  const email = useData<Email>(
    messageId ? `/api/mailbox/message?messageId=${encodeURIComponent(messageId)}` : undefined,
  );
  if (list.error && !list.data) return <p class="error">{list.error}</p>;
  return (
    <div class="cols">
      <section class="panel">
        <table data-testid="mailbox">
          <thead>
            <tr>
              <th>received</th>
              <th>email</th>
              <th>event</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((m) => (
              <tr
                key={m.messageId}
                class={`selectable ${m.messageId === messageId ? 'selected' : ''}`}
                onClick={() => (location.hash = `#/mailbox/${encodeURIComponent(m.messageId)}`)}
              >
                <td class="muted">{m.receivedAt}</td>
                <td class="id">{m.messageId.slice(0, 24)}…</td>
                <td class="id">{m.eventId ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="panel">
        {email.data ? (
          <div data-testid="email">
            <p>
              <b>From</b> {email.data.from}
              <br />
              <b>To</b> {email.data.to.join(', ')}
              <br />
              <b>Subject</b> {email.data.subject ?? ''}
            </p>
            <pre>{email.data.text ?? email.data.html ?? ''}</pre>
          </div>
        ) : (
          <p class="muted">{email.error ?? 'Open an email to see its addresses and text (personal data).'}</p>
        )}
      </section>
    </div>
  );
}
