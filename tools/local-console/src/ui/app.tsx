import { useEffect, useState } from 'preact/hooks';
import { useLive } from './api';
import { AlarmsView } from './views/alarms';
import { DeadLettersView } from './views/dead-letters';
import { FlowView } from './views/flow';
import { MailboxView } from './views/mailbox';
import { SchemasView } from './views/schemas';
import { TraceView } from './views/trace';

const VIEWS = [
  ['trace', 'Trace'],
  ['flow', 'Flow'],
  ['dead-letters', 'Dead letters'],
  ['schemas', 'Schemas'],
  ['mailbox', 'Mailbox'],
  ['alarms', 'Alarms'],
] as const;

/** `#/trace/<event id>?q=…` → { view: 'trace', arg: '<event id>', query: '…' } */
function readHash(): { view: string; arg: string; query: string } {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [view = 'trace', arg = ''] = path.split('/');
  return { view, arg: decodeURIComponent(arg), query: new URLSearchParams(query).get('q') ?? '' };
}

/** The console: one view at a time, chosen by the URL's hash, all fed by one live tick. */
export function App() {
  const [route, setRoute] = useState(readHash());
  useEffect(() => {
    const onHash = () => setRoute(readHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const tick = useLive();
  return (
    <div>
      <header>
        <h1>outboxed · local console</h1>
        <nav>
          {VIEWS.map(([id, label]) => (
            <a key={id} href={`#/${id}`} class={route.view === id ? 'active' : ''} data-testid={`nav-${id}`}>
              {label}
            </a>
          ))}
        </nav>
      </header>
      <main>
        {route.view === 'trace' && <TraceView tick={tick} eventId={route.arg} query={route.query} />}
        {route.view === 'flow' && <FlowView tick={tick} />}
        {route.view === 'dead-letters' && <DeadLettersView tick={tick} />}
        {route.view === 'schemas' && <SchemasView tick={tick} />}
        {route.view === 'mailbox' && <MailboxView tick={tick} messageId={route.arg} />}
        {route.view === 'alarms' && <AlarmsView tick={tick} />}
      </main>
    </div>
  );
}
