import { html } from './common.js';
import { duration } from './format.js';

const ROW = 22;
const LABEL = 150;
const WIDTH = 1000;

/**
 * The job's task attempts per worker on a time axis, as plain SVG: one row per worker,
 * one bar per attempt, coloured by how it ended (running ones grow until now).
 */
export function Timeline({ tasks, start, end }) {
  const attempts = tasks.flatMap((t) =>
    t.attempts.filter((a) => a.startedAt).map((a) => ({ ...a, taskId: t.taskId, kind: t.kind })),
  );
  const workers = [...new Set(attempts.map((a) => a.workerId))].sort();
  if (!attempts.length) return html`<p class="muted" id="timeline">No attempts yet.</p>`;
  const span = Math.max(1, end - start);
  const x = (t) => LABEL + ((WIDTH - LABEL - 10) * (Math.min(Math.max(t, start), end) - start)) / span;
  const height = workers.length * ROW + 24;
  return html`<svg id="timeline" class="timeline" viewBox=${`0 0 ${WIDTH} ${height}`} width="100%" role="img">
    ${workers.map(
      (w, i) =>
        html`<g>
          <text class="tl-worker" x="4" y=${i * ROW + 15}>${w}</text>
          <line class="tl-lane" x1=${LABEL} x2=${WIDTH - 10} y1=${i * ROW + ROW - 2} y2=${i * ROW + ROW - 2} />
        </g>`,
    )}
    ${attempts.map((a) => {
      const row = workers.indexOf(a.workerId);
      const x0 = x(a.startedAt);
      const x1 = Math.max(x0 + 2, x(a.endedAt || end));
      const took = duration((a.endedAt || end) - a.startedAt);
      return html`<rect
        class=${`tl-bar tl-${a.kind} tl-${a.outcome}`}
        data-task=${a.taskId}
        x=${x0}
        y=${row * ROW + 3}
        width=${x1 - x0}
        height=${ROW - 8}
        rx="2"
      >
        <title>${`${a.taskId} attempt ${a.attempt} on ${a.workerId}: ${a.outcome}, ${took}`}</title>
      </rect>`;
    })}
    <text class="tl-axis" x=${LABEL} y=${height - 6}>0 s</text>
    <text class="tl-axis" x=${WIDTH - 10} y=${height - 6} text-anchor="end">${duration(span)}</text>
  </svg>`;
}
