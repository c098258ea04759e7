import { Header, Stale, html } from './common.js';
import { usePoll } from './api.js';
import { clock } from './format.js';

/** One line a task attempt logged: time, attempt, level and the message, all as text. */
function LogLine({ line }) {
  return html`<li class=${`log-line log-${line.level}`}>
    <span class="log-time">${clock(line.time)}</span>
    <span class="log-attempt">a${line.attempt}</span>
    <span class="log-level">${line.level}</span>
    <span class="log-worker muted">${line.workerId}</span>
    <span class="log-message">${line.message}</span>
  </li>`;
}

/**
 * `/jobs/JOB_ID/tasks/TASK_ID/logs`: what the task's attempts logged (`/api/jobs/ID/logs?task=`,
 * docs/logs.md), polled like every page, so a running task's new lines appear.
 */
export function TaskLogPage({ jobId, taskId }) {
  const api = `/api/jobs/${encodeURIComponent(jobId)}/logs?task=${encodeURIComponent(taskId)}`;
  const { data, error } = usePoll([api]);
  const title = `Log of ${taskId}`;
  const back = html`<a href=${`/jobs/${encodeURIComponent(jobId)}`}>${jobId}</a>`;
  if (!data)
    return html`<${Header} title=${title} />
      <main>
        <${Stale} error=${error} />
        <p>Loading…</p>
      </main>`;
  const [logs] = data;
  return html`<${Header} title=${title} />
    <main>
      <${Stale} error=${error} />
      <h1>${taskId} <span class="muted">of ${back}</span></h1>
      ${logs.unavailable.map((u) => html`<p class="error log-unavailable">${u}</p>`)}
      ${logs.dropped ? html`<p class="muted">${logs.dropped} earlier lines not shown (mr logs shows all).</p>` : ''}
      ${
        logs.lines.length
          ? html`<ol id="task-log" class="task-log">
              ${logs.lines.map((l) => html`<${LogLine} line=${l} />`)}
            </ol>`
          : html`<p class="muted" id="task-log-empty">Nothing logged yet.</p>`
      }
    </main>`;
}
