import { Badge, Header, Progress, Stale, html } from './common.js';
import { usePoll } from './api.js';
import { ago, jobDuration, phase, submitter } from './format.js';

function WorkerRow({ w, now }) {
  const pct = w.slots ? Math.round((100 * w.running) / w.slots) : 0;
  return html`<tr class=${`worker worker-${w.state}`} data-worker=${w.workerId}>
    <td><a href=${`/workers/${encodeURIComponent(w.workerId)}`}>${w.workerId}</a></td>
    <td>${w.hostname}</td>
    <td>${w.dataAddress}</td>
    <td><${Badge} state=${w.state} /></td>
    <td class="num">
      ${w.running}/${w.slots} <span class="mini-bar"><span style=${{ width: `${pct}%` }}></span></span>
    </td>
    <td class="num">${Number(w.loadAverage ?? 0).toFixed(2)}</td>
    <td>${ago(w.lastSeen, now)}</td>
    <td>
      ${w.blacklistedBy.map((j) => html`<a class="blacklisted" href=${`/jobs/${encodeURIComponent(j)}`}>${j}</a> `)}
    </td>
  </tr>`;
}

function JobRow({ j, now }) {
  return html`<tr class="job" data-job=${j.jobId}>
    <td><a href=${`/jobs/${encodeURIComponent(j.jobId)}`}>${j.jobId}</a></td>
    <td class="job-name">${j.name}</td>
    <td><${Badge} state=${j.state} /></td>
    <td class="job-phase">${phase(j)}</td>
    <td>
      <${Progress} label="map" done=${j.mapsDone} total=${j.mapsTotal} />
      <${Progress} label="reduce" done=${j.reducesDone} total=${j.reducesTotal} />
    </td>
    <td>${jobDuration(j, now)}</td>
    <td>${submitter(j)}</td>
    <td class="error">${j.error}</td>
  </tr>`;
}

/** `/`: the cluster's workers and jobs, newest job first. */
export function Overview() {
  const { data, error } = usePoll(['/api/workers', '/api/jobs']);
  const now = Date.now();
  const [workers, jobs] = data ?? [[], []];
  const alive = workers.filter((w) => w.state !== 'lost');
  const slots = alive.reduce((n, w) => n + w.slots, 0);
  const busy = alive.reduce((n, w) => n + w.running, 0);
  return html`<${Header} title="Cluster" />
    <main>
      <${Stale} error=${error} />
      <p class="summary" id="cluster-summary">
        ${alive.length} workers connected, ${workers.length - alive.length} lost; ${busy} of ${slots} slots busy;
        ${jobs.filter((j) => j.state === 'running').length} jobs running
      </p>
      <h2>Workers</h2>
      <table id="workers-table">
        <thead>
          <tr>
            <th>worker</th>
            <th>host</th>
            <th>address</th>
            <th>state</th>
            <th>slots in use</th>
            <th>load</th>
            <th>last heartbeat</th>
            <th>blacklisted by</th>
          </tr>
        </thead>
        <tbody>
          ${workers.map((w) => html`<${WorkerRow} key=${w.workerId} w=${w} now=${now} />`)}
        </tbody>
      </table>
      <h2>Jobs</h2>
      <table id="jobs-table">
        <thead>
          <tr>
            <th>job</th>
            <th>name</th>
            <th>state</th>
            <th>phase</th>
            <th>progress</th>
            <th>duration</th>
            <th>submitted by</th>
            <th>error</th>
          </tr>
        </thead>
        <tbody>
          ${[...jobs].reverse().map((j) => html`<${JobRow} key=${j.jobId} j=${j} now=${now} />`)}
        </tbody>
      </table>
    </main>`;
}
