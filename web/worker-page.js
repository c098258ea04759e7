import { Badge, Header, Stale, html } from './common.js';
import { usePoll } from './api.js';
import { ago, clock, duration } from './format.js';

function AttemptRows({ rows, now, id }) {
  if (!rows.length) return html`<p class="muted" id=${id}>None.</p>`;
  return html`<table id=${id}>
    <thead>
      <tr>
        <th>job</th>
        <th>task</th>
        <th>attempt</th>
        <th>outcome</th>
        <th>started</th>
        <th>took</th>
        <th>error</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (a) =>
          html`<tr class=${`attempt attempt-${a.outcome}`}>
            <td><a href=${`/jobs/${encodeURIComponent(a.jobId)}`}>${a.jobId}</a></td>
            <td>${a.taskId}</td>
            <td class="num">${a.attempt}${a.speculative ? ' (backup)' : ''}</td>
            <td><${Badge} state=${a.outcome} /></td>
            <td>${clock(a.startedAt)}</td>
            <td class="num">${a.startedAt ? duration((a.endedAt || now) - a.startedAt) : ''}</td>
            <td class="error">${a.error}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** `/workers/WORKER_ID`: a worker, its recent attempts and its recent failures. */
export function WorkerPage({ workerId }) {
  const { data, error } = usePoll([`/api/workers/${encodeURIComponent(workerId)}`]);
  const title = `Worker ${workerId}`;
  if (!data)
    return html`<${Header} title=${title} />
      <main>
        <${Stale} error=${error} />
        <p>Loading…</p>
      </main>`;
  const [{ worker: w, attempts, failures }] = data;
  const now = Date.now();
  return html`<${Header} title=${title} />
    <main>
      <${Stale} error=${error} />
      <h1>${w.workerId}</h1>
      <dl class="facts">
        <dt>state</dt>
        <dd><${Badge} state=${w.state} /></dd>
        <dt>host</dt>
        <dd>${w.hostname} (${w.dataAddress})</dd>
        <dt>slots in use</dt>
        <dd>${w.running}/${w.slots}</dd>
        <dt>load</dt>
        <dd>${Number(w.loadAverage ?? 0).toFixed(2)}</dd>
        <dt>last heartbeat</dt>
        <dd>${ago(w.lastSeen, now)}</dd>
        <dt>blacklisted by</dt>
        <dd>${w.blacklistedBy.join(', ') || 'no job'}</dd>
      </dl>
      <h2>Recent failures</h2>
      <${AttemptRows} rows=${failures} now=${now} id="worker-failures" />
      <h2>Tasks</h2>
      <${AttemptRows} rows=${attempts} now=${now} id="worker-attempts" />
    </main>`;
}
