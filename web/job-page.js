import { Badge, Header, Progress, Stale, html } from './common.js';
import { usePoll } from './api.js';
import { bytes, clock, count, duration, jobDuration, phase, submitter } from './format.js';
import { Timeline } from './timeline.js';

/** How many of the job's latest events the page shows. */
const EVENTS_SHOWN = 300;

function TaskRow({ t, jobId, stage }) {
  // A staged job's tasks are its running stage's; their logs are named by stage (docs/logs.md).
  const logTask = stage ? `stage${stage}/${t.taskId}` : t.taskId;
  const log = `/jobs/${encodeURIComponent(jobId)}/tasks/${encodeURIComponent(logTask)}/logs`;
  return html`<tr class=${`task task-${t.state}`} data-task=${t.taskId}>
    <td>${t.taskId} <a class="task-log-link" href=${log}>log</a></td>
    <td><${Badge} state=${t.state} /></td>
    <td class="num">${t.attempts.length}${t.failures ? ` (${t.failures} failed)` : ''}</td>
    <td>${t.workerId ? html`<a href=${`/workers/${encodeURIComponent(t.workerId)}`}>${t.workerId}</a>` : ''}</td>
    <td class="num">${t.millis ? duration(t.millis) : ''}</td>
    <td class="num">${count(t.recordsIn)}</td>
    <td class="num">${count(t.recordsOut)}</td>
    <td class="num">${bytes(t.bytesIn)}</td>
    <td class="num">${bytes(t.bytesOut)}</td>
    <td>${t.input}</td>
    <td class="error">${t.error}</td>
  </tr>`;
}

function Counters({ counters }) {
  const names = Object.keys(counters).sort();
  if (!names.length) return html`<p class="muted">No counters yet.</p>`;
  return html`<table id="counters">
    <thead>
      <tr>
        <th>counter</th>
        <th>value</th>
      </tr>
    </thead>
    <tbody>
      ${names.map(
        (n) =>
          html`<tr>
            <td class="counter-name">${n}</td>
            <td class="num">${count(counters[n])}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function JobError({ job }) {
  if (!job.error) return null;
  return html`<section class="job-error" id="job-error">
    <h2>Error</h2>
    <p class="error" id="job-error-message">${job.error}</p>
    ${
      job.errorDetail &&
      html`<details>
        <summary>stack</summary>
        <pre>${job.errorDetail}</pre>
      </details>`
    }
  </section>`;
}

function Facts({ job, now }) {
  return html`<dl class="facts">
    <dt>state</dt>
    <dd id="job-state"><${Badge} state=${job.state} /></dd>
    <dt>phase</dt>
    <dd id="job-phase">${job.stages ? `stage ${job.stage}/${job.stages}, ` : ''}${phase(job)}</dd>
    <dt>submitted</dt>
    <dd>${clock(job.submittedAt)} by ${submitter(job) || 'unknown'}</dd>
    <dt>duration</dt>
    <dd>${jobDuration(job, now)}</dd>
    <dt>inputs</dt>
    <dd>${job.inputs.join(', ')}</dd>
    <dt>output</dt>
    <dd>${job.outputUrl || 'on the workers'}</dd>
    <dt>attempts</dt>
    <dd>${job.failedAttempts} failed, ${job.speculativeAttempts} backups; at most ${job.maxAttempts} per task</dd>
  </dl>`;
}

/** `/jobs/JOB_ID`: a job's progress, error, counters, timeline, tasks and events. */
export function JobPage({ jobId }) {
  const base = `/api/jobs/${encodeURIComponent(jobId)}`;
  const { data, error } = usePoll([base, `${base}/tasks`, `${base}/events`]);
  if (!data)
    return html`<${Header} title=${`Job ${jobId}`} />
      <main>
        <${Stale} error=${error} />
        <p>Loading…</p>
      </main>`;
  const [job, page, events] = data;
  const now = Date.now();
  return html`<${Header} title=${`Job ${jobId}`} />
    <main>
      <${Stale} error=${error} />
      <h1><span id="job-name">${job.name}</span> <span class="muted">${job.jobId}</span></h1>
      <${Facts} job=${job} now=${now} />
      <${Progress} id="map-progress" label="map" done=${job.mapsDone} total=${job.mapsTotal} />
      <${Progress} id="reduce-progress" label="reduce" done=${job.reducesDone} total=${job.reducesTotal} />
      <${JobError} job=${job} />
      <h2>Timeline</h2>
      <${Timeline} tasks=${page.tasks} start=${job.submittedAt} end=${job.finishedAt || now} />
      <h2>
        Tasks
        <span class="muted"
          >${page.total}${page.total > page.tasks.length ? `, first ${page.tasks.length} shown` : ''}</span
        >
      </h2>
      <table id="task-table">
        <thead>
          <tr>
            <th>task</th>
            <th>state</th>
            <th>attempts</th>
            <th>worker</th>
            <th>duration</th>
            <th>records in</th>
            <th>records out</th>
            <th>bytes in</th>
            <th>bytes out</th>
            <th>input</th>
            <th>error</th>
          </tr>
        </thead>
        <tbody>
          ${page.tasks.map((t) => html`<${TaskRow} key=${t.taskId} t=${t} jobId=${jobId} stage=${job.stages ? job.stage : 0} />`)}
        </tbody>
      </table>
      <h2>Counters</h2>
      <${Counters} counters=${job.counters} />
      <h2>Events</h2>
      <ol id="events" class="events">
        ${events.slice(-EVENTS_SHOWN).map(
          (e) =>
            html`<li>
              <span class="ev-time">${clock(e.time)}</span> <span class="ev-type">${e.type}</span>
              <span class="ev-message">${e.message}</span>
            </li>`,
        )}
      </ol>
    </main>`;
}
