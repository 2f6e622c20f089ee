import { useEffect, useRef, useState } from 'preact/hooks';

/** Result of {@link useData}: the last data, the last error, and whether a request is running. */
export interface Data<T> {
  readonly data?: T;
  readonly error?: string;
  readonly loading: boolean;
  readonly reload: () => void;
}

/**
 * Sends a request to the console's server; rejects with the server's error text.
 *
 * @example const traces = await request<{ total: number }>('/api/traces?q=01J…');
 */
export async function request<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

/** The live tick: grows each time the server says the runtime's journal changed (server-sent events). */
export function useLive(): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const source = new EventSource('/api/live');
    source.addEventListener('change', () => setTick((t) => t + 1));
    return () => source.close();
  }, []);
  return tick;
}

/**
 * Fetches `url` (JSON) again whenever it or `tick` changes, at most once per `minIntervalMs`.
 *
 * @example const flow = useData<Flow>('/api/flow', tick);
 */
export function useData<T>(url: string | undefined, tick = 0, minIntervalMs = 0): Data<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: false });
  const [reloads, setReloads] = useState(0);
  const last = useRef(0);
  const shownUrl = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!url) return;
    let cancelled = false;
    const run = () => {
      last.current = Date.now();
      setState((s) => ({ ...s, loading: true }));
      request<T>(url).then(
        (data) => {
          if (cancelled) return;
          shownUrl.current = url;
          setState({ data, loading: false });
        },
        (error: Error) => !cancelled && setState((s) => ({ ...s, error: error.message, loading: false })),
      );
    };
    const wait = shownUrl.current === url ? last.current + minIntervalMs - Date.now() : 0;
    if (wait <= 0) run();
    const timer = wait > 0 ? setTimeout(run, wait) : undefined;
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [url, tick, reloads]);
  return { ...state, reload: () => setReloads((r) => r + 1) };
}

/** `12 ms`, `3.4 s`, `2 min`. */
export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** `14:03:07.123` in local time. */
export function formatTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
