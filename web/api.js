import { useEffect, useState } from 'preact/hooks';

/** How often the pages ask the master again, ms. */
export const POLL_MS = 1000;

/** GETs a JSON API path; a lapsed login sends the browser to the login form. */
export async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (res.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    throw new Error('not logged in');
  }
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

/**
 * Polls API paths every POLL_MS and returns their latest answers ({ data: [...], error }),
 * so a page follows the cluster without a reload. One request round at a time.
 */
export function usePoll(paths) {
  const key = paths.join('\n');
  const [state, setState] = useState({ data: undefined, error: undefined });
  useEffect(() => {
    let stopped = false;
    let timer;
    const round = async () => {
      try {
        const data = await Promise.all(paths.map(getJson));
        if (!stopped) setState({ data, error: undefined });
      } catch (err) {
        if (!stopped) setState((s) => ({ data: s.data, error: String(err.message || err) }));
      }
      if (!stopped) timer = setTimeout(round, POLL_MS);
    };
    round();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key]);
  return state;
}
