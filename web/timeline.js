import { html } from './common.js';
import { duration } from './format.js';

const LANE = 16;
const GAP = 8;
const LABEL = 150;
const WIDTH = 1000;

/**
 * Lanes for one worker's attempts: each goes in the first lane free at its start, so
 * attempts running side by side (a worker has several slots) do not hide each other.
 */
function lanes(attempts, end) {
  const ends = [];
  const placed = [...attempts]
    .sort((a, b) => a.startedAt - b.startedAt)
    .map((a) => {
      let lane = ends.findIndex((e) => e <= a.startedAt);
      if (lane < 0) lane = ends.push(0) - 1;
      ends[lane] = a.endedAt || end;
      return { ...a, lane };
    });
  return { placed, count: Math.max(1, ends.length) };
}

/**
 * The job's task attempts per worker on a time axis, as plain SVG: a band per worker, a
 * bar per attempt, coloured by kind and by how it ended (running ones grow until now).
 */
export function Timeline({ tasks, start, end }) {
  const attempts = tasks.flatMap((t) =>
    t.attempts.filter((a) => a.startedAt).map((a) => ({ ...a, taskId: t.taskId, kind: t.kind })),
  );
  if (!attempts.length) return html`<p class="muted" id="timeline">No attempts yet.</p>`;
  const span = Math.max(1, end - start);
  const x = (t) => LABEL + ((WIDTH - LABEL - 10) * (Math.min(Math.max(t, start), end) - start)) / span;
  let y = 0;
  const bands = [...new Set(attempts.map((a) => a.workerId))].sort().map((workerId) => {
    const band = {
      workerId,
      top: y,
      ...lanes(
        attempts.filter((a) => a.workerId === workerId),
        end,
      ),
    };
    y += band.count * LANE + GAP;
    return band;
  });
  const height = y + 16;
  return html`<svg id="timeline" class="timeline" viewBox=${`0 0 ${WIDTH} ${height}`} width="100%" role="img">
    ${bands.map(
      (b) =>
        html`<g>
          <text class="tl-worker" x="4" y=${b.top + 13}>${b.workerId}</text>
          <line
            class="tl-lane"
            x1=${LABEL}
            x2=${WIDTH - 10}
            y1=${b.top + b.count * LANE + 2}
            y2=${b.top + b.count * LANE + 2}
          />
          ${b.placed.map((a) => {
            const x0 = x(a.startedAt);
            const x1 = Math.max(x0 + 3, x(a.endedAt || end));
            const took = duration((a.endedAt || end) - a.startedAt);
            return html`<rect
              class=${`tl-bar tl-${a.kind} tl-${a.outcome}`}
              data-task=${a.taskId}
              x=${x0}
              y=${b.top + a.lane * LANE + 3}
              width=${x1 - x0}
              height=${LANE - 4}
              rx="2"
            >
              <title>${`${a.taskId} attempt ${a.attempt} on ${a.workerId}: ${a.outcome}, ${took}`}</title>
            </rect>`;
          })}
        </g>`,
    )}
    <text class="tl-axis" x=${LABEL} y=${height - 4}>0 s</text>
    <text class="tl-axis" x=${WIDTH - 10} y=${height - 4} text-anchor="end">${duration(span)}</text>
  </svg>`;
}
