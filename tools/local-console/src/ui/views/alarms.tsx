import { useData } from '../api';

type Alarm = Readonly<Record<string, unknown>>;

/** Alarms: the states of the alarms the runtime evaluates, where it does. */
export function AlarmsView({ tick }: { tick: number }) {
  const alarms = useData<{ supported: boolean; alarms: Alarm[] }>('/api/alarms', tick, 1000);
  if (alarms.error && !alarms.data) return <p class="error">{alarms.error}</p>;
  if (!alarms.data) return <p class="muted">loading…</p>;
  const text = (a: Alarm, k: string) => (a[k] === undefined ? '' : String(a[k]));
  return (
    <section class="panel" data-testid="alarms">
      {!alarms.data.supported && (
        <p class="muted">
          This runtime does not evaluate alarms yet: states appear here as the runtime reports them
          (alarm.state events).
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>alarm</th>
            <th>stack</th>
            <th>state</th>
            <th>previous</th>
            <th>reason</th>
          </tr>
        </thead>
        <tbody>
          {alarms.data.alarms.map((a) => (
            <tr key={`${text(a, 'stackName')}/${text(a, 'logicalId')}/${text(a, 'alarmName')}`}>
              <td>{text(a, 'alarmName') || text(a, 'logicalId')}</td>
              <td>{text(a, 'stackName')}</td>
              <td>
                <span class={`badge ${text(a, 'state')}`}>{text(a, 'state')}</span>
              </td>
              <td>{text(a, 'previousState')}</td>
              <td class="muted">{text(a, 'reason')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
