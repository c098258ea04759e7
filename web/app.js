// The Groove web UI: one page shell, routed by path; every view polls the JSON API
// (docs/web-ui.md). Everything from the cluster is rendered as text by preact.
import { render } from 'preact';
import { html } from './common.js';
import { JobPage } from './job-page.js';
import { Overview } from './overview.js';
import { TaskLogPage } from './task-log-page.js';
import { WorkerPage } from './worker-page.js';

function route(path) {
  const log = /^\/jobs\/([^/]+)\/tasks\/([^/]+)\/logs$/.exec(path);
  if (log) return html`<${TaskLogPage} jobId=${decodeURIComponent(log[1])} taskId=${decodeURIComponent(log[2])} />`;
  const job = /^\/jobs\/([^/]+)$/.exec(path);
  if (job) return html`<${JobPage} jobId=${decodeURIComponent(job[1])} />`;
  const worker = /^\/workers\/([^/]+)$/.exec(path);
  if (worker) return html`<${WorkerPage} workerId=${decodeURIComponent(worker[1])} />`;
  return html`<${Overview} />`;
}

const root = document.getElementById('app');
root.textContent = '';
render(route(location.pathname), root);
