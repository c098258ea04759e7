import { h } from 'preact';
import htm from 'htm';

/** Tagged templates for preact: interpolated values become text, never markup. */
export const html = htm.bind(h);

/** A labelled progress bar: done of total. */
export function Progress({ id, label, done, total }) {
  const pct = total ? Math.round((100 * done) / total) : 100;
  return html`<div class="progress" id=${id}>
    <span class="progress-label">${label}</span>
    <span class="progress-track"><span class="progress-fill" style=${{ width: `${pct}%` }}></span></span>
    <span class="progress-count">${done}/${total}</span>
  </div>`;
}

/** A state as a coloured badge. */
export function Badge({ state }) {
  return html`<span class=${`badge badge-${state}`}>${state}</span>`;
}

/** The top bar every page has. */
export function Header({ title }) {
  return html`<header class="top">
    <a class="brand" href="/">Groove</a>
    <span class="title">${title}</span>
    <form method="post" action="/logout" class="logout"><button type="submit">Log out</button></form>
  </header>`;
}

/** A line that says the last poll failed (the page keeps the data it had). */
export function Stale({ error }) {
  return error ? html`<p class="error stale">Not updating: ${error}</p>` : null;
}
