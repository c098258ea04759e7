import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { GrooveClient } from '../../sdk/index.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';

/** Debian's chromium (scripts/test-deps.sh installs it): these tests fail, not skip, without it. */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..', '..', '..');
const GATED = path.join(ROOT, 'test', 'fixtures', 'gated-wordcount.ts');
const LOGS_STAGES = path.join(ROOT, 'test', 'fixtures', 'logs-stages.ts');
/** Markup in user data: were it ever parsed as HTML, it would set window.__xss. */
const XSS_NAME = '<img src=x onerror="window.__xss=1">';
const XSS_COUNTER = '<img src=x onerror="window.__xss=2">';
const XSS_ERROR = '<img src=x onerror="window.__xss=3"> went wrong';
const XSS_LOG = '<img src=x onerror="window.__xss=4"> logged by map';

describe('the web UI, in headless Chromium', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let browser: Browser;
  let base: string;
  let token: string;
  let gate: string;
  let gatedJob: string;
  let failedJob: string;
  let htmlJob: string;
  let gatedDone: Promise<unknown>;

  before(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/test-deps.sh (as root)`);
    cluster = await startCluster({ workers: 2, slots: 2, token: true });
    token = cluster.security.token as string;
    const port = /status page on port (\d+)/.exec(cluster.masterDaemon.log())?.[1];
    assert.ok(port, cluster.masterDaemon.log());
    base = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--disable-gpu', '--disable-background-networking', '--disable-extensions', '--no-first-run'],
    });
    client = new GrooveClient({ master: cluster.master, security: cluster.security });
    // A job whose name, counter and error carry markup: the UI must show it, not run it.
    const xssJob = path.join(cluster.dir, 'xss.ts');
    fs.writeFileSync(
      xssJob,
      `export default { name: ${JSON.stringify(XSS_NAME)}, map(line, emit, ctx) {
        ctx.counters.increment(${JSON.stringify(XSS_COUNTER)});
        ctx.log.warn(${JSON.stringify(XSS_LOG)} + ' ' + line);
        if (line === 'fail') throw new Error(${JSON.stringify(XSS_ERROR)});
        emit(line, 1);
      }, reduce(k, vs, emit) { emit(k, 1); } };\n`,
    );
    const ok = path.join(cluster.dir, 'ok.txt');
    const bad = path.join(cluster.dir, 'bad.txt');
    fs.writeFileSync(ok, 'ok\n');
    fs.writeFileSync(bad, 'fail\n');
    htmlJob = await client.submit(xssJob, { inputs: [ok], partitions: 1 });
    failedJob = await client.submit(xssJob, { inputs: [bad], partitions: 1, maxAttempts: 1 });
    // A job held in its map phase: map-00000 runs through, the others wait for the gate.
    gate = path.join(cluster.dir, 'map-gate');
    const inputs = [0, 1, 2].map((i) => {
      const f = path.join(cluster.dir, `words-${i}.txt`);
      fs.writeFileSync(f, `alpha beta ${i}\ngamma alpha\n`);
      return f;
    });
    gatedJob = await client.submit(GATED, {
      inputs,
      partitions: 2,
      packInputs: false,
      speculation: false,
      params: { mapGate: gate, ungatedMap: 'map-00000' },
    });
    gatedDone = client.wait(gatedJob);
    gatedDone.catch(() => {});
    await Promise.all([client.wait(htmlJob), assert.rejects(client.wait(failedJob))]);
  });
  after(async () => {
    if (gate) fs.writeFileSync(gate, '');
    await browser?.close();
    client?.close();
    await cluster?.stop();
  });

  let shared: BrowserContext | undefined;
  /** The browser context the page tests share, logged in through the login form once. */
  async function loggedIn(): Promise<BrowserContext> {
    if (shared) return shared;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#token', token);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
    await page.close();
    return (shared = context);
  }

  function text(page: Page, selector: string): Promise<string> {
    return page.locator(selector).first().innerText();
  }

  it('answers no page and no API without the token', async () => {
    const pages = ['/', `/jobs/${gatedJob}`, `/workers/${cluster.workers[0]?.id as string}`];
    const apis = ['/api/jobs', `/api/jobs/${gatedJob}`, `/api/jobs/${gatedJob}/tasks`, `/api/jobs/${gatedJob}/events`];
    apis.push('/api/workers', `/api/workers/${cluster.workers[0]?.id as string}`, '/api/nothing', '/nothing');
    const wrong: RequestInit[] = [
      {},
      { headers: { authorization: 'Bearer wrong-token-wrong-token' } },
      { headers: { cookie: 'groove_session=00ff' } },
    ];
    for (const p of pages) {
      for (const init of wrong) {
        const res = await fetch(base + p, { ...init, redirect: 'manual' });
        assert.ok([303, 401].includes(res.status), `${p}: ${res.status}`);
        if (res.status === 303) assert.equal(res.headers.get('location'), `/login?next=${encodeURIComponent(p)}`);
        assert.doesNotMatch(await res.text(), /alpha|gated|img/);
      }
      assert.equal((await fetch(`${base}${p}?token=wrong`, { redirect: 'manual' })).status, 303);
    }
    for (const p of [...apis, `/api/jobs?token=wrong`])
      for (const init of wrong) assert.equal((await fetch(base + p, { ...init, redirect: 'manual' })).status, 401, p);
    // With the token, the same answer: a bearer header, or ?token= for the API.
    const auth = { headers: { authorization: `Bearer ${token}` } };
    assert.equal((await fetch(`${base}/api/jobs`, auth)).status, 200);
    assert.equal((await fetch(`${base}/api/workers?token=${token}`)).status, 200);
    assert.equal((await fetch(`${base}/api/jobs/no-such-job`, auth)).status, 404);
  });

  it('serves the JSON API in the SDK shapes (workerId, jobId), with a strict CSP', async () => {
    const auth = { headers: { authorization: `Bearer ${token}` } };
    const res = await fetch(`${base}/api/workers`, auth);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self' 'sha256-/);
    const workers = (await res.json()) as { workerId: string; id?: string; state: string; loadAverage: number }[];
    assert.deepEqual(workers.map((w) => w.workerId).sort(), cluster.workers.map((w) => w.id).sort());
    assert.ok(workers.every((w) => w.id === undefined && w.state === 'alive'));
    const sdk = await client.workers();
    assert.deepEqual(
      Object.keys(workers[0] ?? {}).filter((k) => k !== 'blacklistedBy'),
      Object.keys(sdk[0] ?? {}),
    );
    const jobs = (await (await fetch(`${base}/api/jobs`, auth)).json()) as { jobId: string; state: string }[];
    assert.deepEqual(
      jobs.map((j) => [j.jobId, j.state]),
      [
        [htmlJob, 'succeeded'],
        [failedJob, 'failed'],
        [gatedJob, 'running'],
      ],
    );
    const job = (await (await fetch(`${base}/api/jobs/${htmlJob}`, auth)).json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(job).sort(), Object.keys(await client.status(htmlJob)).sort());
    assert.equal(job['submitHost'], (await import('node:os')).hostname());
    assert.equal(job['submitAddress'], '127.0.0.1');
    const tasks = (await (await fetch(`${base}/api/jobs/${htmlJob}/tasks`, auth)).json()) as {
      total: number;
      tasks: {
        taskId: string;
        state: string;
        recordsIn: number;
        bytesIn: number;
        input: string;
        attempts: unknown[];
      }[];
    };
    assert.equal(tasks.total, 2);
    assert.deepEqual(
      tasks.tasks.map((t) => [t.taskId, t.state, t.attempts.length]),
      [
        ['map-00000', 'succeeded', 1],
        ['reduce-00000', 'succeeded', 1],
      ],
    );
    assert.equal(tasks.tasks[0]?.recordsIn, 1);
    assert.equal(tasks.tasks[0]?.bytesIn, 3);
    assert.equal(tasks.tasks[0]?.input, 'storage', 'a map of a file reads it from storage, not from a worker');
  });

  it('logs in through the form into an HttpOnly, SameSite=Strict session, and out again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/jobs/${gatedJob}`);
    assert.equal(page.url(), `${base}/login?next=${encodeURIComponent(`/jobs/${gatedJob}`)}`);
    await page.fill('#token', 'not-the-token');
    await Promise.all([page.waitForURL(/failed=1/), page.click('button[type=submit]')]);
    assert.ok(await page.isVisible('#login-failed'));
    await page.fill('#token', token);
    await Promise.all([page.waitForURL(`${base}/jobs/${gatedJob}`), page.click('button[type=submit]')]);
    await page.waitForSelector('#task-table');
    const [cookie] = await context.cookies();
    assert.equal(cookie?.name, 'groove_session');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.notEqual(cookie?.value, token);
    assert.equal(await page.evaluate('document.cookie'), '', 'the session is out of scripts’ reach');
    await Promise.all([page.waitForURL(`${base}/login`), page.click('.logout button')]);
    const status = await page.evaluate("fetch('/api/jobs').then((r) => r.status)");
    assert.equal(status, 401);
    // ?token= on a page logs in too, and leaves no token in the URL.
    await page.goto(`${base}/?token=${token}`);
    assert.equal(page.url(), `${base}/`);
    await page.waitForSelector('#jobs-table tbody tr');
    await context.close();
  });

  it('shows a running job progressing on the overview and its page, without a reload', async () => {
    const context = await loggedIn();
    const overview = await context.newPage();
    const jobPage = await context.newPage();
    await overview.goto(`${base}/`);
    await jobPage.goto(`${base}/jobs/${gatedJob}`);
    const row = `#jobs-table tr[data-job="${gatedJob}"]`;
    // Held at the gate: the ungated map is done, the two others are running.
    await waitText(overview, `${row} .progress-count`, '1/3');
    assert.equal(await text(overview, `${row} .job-phase`), 'map');
    await waitText(jobPage, '#map-progress .progress-count', '1/3');
    await jobPage.waitForSelector('#task-table tr[data-task="map-00001"].task-running');
    await waitText(overview, '#cluster-summary', /\b2 of 4 slots busy/);
    for (const p of [overview, jobPage]) await p.evaluate('window.marker = 1');
    fs.writeFileSync(gate, '');
    await gatedDone;
    await waitText(jobPage, '#reduce-progress .progress-count', '2/2');
    await jobPage.waitForSelector('#job-state .badge-succeeded');
    await overview.waitForSelector(`${row} .badge-succeeded`);
    for (const p of [overview, jobPage]) assert.equal(await p.evaluate('window.marker'), 1, 'the page reloaded');
    // Every task of the finished job is in the table, and each attempt on the timeline.
    assert.equal(await jobPage.locator('#task-table tbody tr.task-succeeded').count(), 5);
    assert.equal(await jobPage.locator('#timeline rect.tl-succeeded').count(), 5);
    assert.match(await text(jobPage, '#events'), /succeeded/);
    await Promise.all([overview.close(), jobPage.close()]);
  });

  it("shows a failed job's error, its task table and timeline, and keeps markup as text", async () => {
    const context = await loggedIn();
    const page = await context.newPage();
    await page.goto(`${base}/jobs/${failedJob}`);
    await page.waitForSelector('#job-error-message');
    assert.match(await text(page, '#job-error-message'), new RegExp(escapeRe(XSS_ERROR)));
    assert.equal(await text(page, '#job-name'), XSS_NAME);
    assert.equal(await page.locator('#task-table tr[data-task="map-00000"].task-failed').count(), 1);
    assert.match(await text(page, '#task-table tr[data-task="map-00000"]'), new RegExp(escapeRe(XSS_ERROR)));
    assert.equal(await page.locator('#timeline rect.tl-failed').count(), 1);
    const shot = path.join(cluster.dir, 'job-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.deepEqual([...fs.readFileSync(shot).subarray(1, 4)], [...Buffer.from('PNG')]);
    // The overview and the succeeded job's page (its counter is named in markup) too.
    await page.goto(`${base}/jobs/${htmlJob}`);
    await page.waitForSelector('#counters');
    assert.match(await text(page, '#counters'), new RegExp(escapeRe(XSS_COUNTER)));
    await assertNoMarkup(page);
    await page.goto(`${base}/`);
    await page.waitForSelector(`#jobs-table tr[data-job="${failedJob}"]`);
    assert.match(await text(page, `#jobs-table tr[data-job="${failedJob}"]`), new RegExp(escapeRe(XSS_ERROR)));
    await assertNoMarkup(page);
    await page.close();
  });

  it("shows a task's log from its job page, as text, behind the token", async () => {
    const logs = `${base}/api/jobs/${failedJob}/logs?task=map-00000`;
    assert.equal((await fetch(logs)).status, 401);
    const answer = (await (await fetch(logs, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      lines: { taskId: string; level: string; message: string }[];
    };
    assert.deepEqual(
      answer.lines.map((l) => [l.taskId, l.level, l.message]),
      [['map-00000', 'warn', `${XSS_LOG} fail`]],
    );
    const context = await loggedIn();
    const page = await context.newPage();
    await page.goto(`${base}/jobs/${failedJob}`);
    await page.waitForSelector('#task-table tr[data-task="map-00000"] a.task-log-link');
    await Promise.all([
      page.waitForURL(`${base}/jobs/${failedJob}/tasks/map-00000/logs`),
      page.click('#task-table tr[data-task="map-00000"] a.task-log-link'),
    ]);
    await page.waitForSelector('#task-log .log-line');
    assert.equal(await page.locator('#task-log .log-line').count(), 1);
    assert.equal(await text(page, '#task-log .log-message'), `${XSS_LOG} fail`);
    await assertNoMarkup(page);
    await page.close();
  });

  it("links a staged job's task to that stage's log only", async () => {
    const input = path.join(cluster.dir, 'staged.txt');
    fs.writeFileSync(input, 'one\n');
    const staged = await client.submit(LOGS_STAGES, { inputs: [input], partitions: 1 });
    assert.equal((await client.wait(staged)).state, 'succeeded');
    const context = await loggedIn();
    const page = await context.newPage();
    await page.goto(`${base}/jobs/${staged}`);
    await page.waitForSelector('#task-table tr[data-task="map-00000"] a.task-log-link');
    // The job page shows stage 2's tasks: the link is to stage 2's map-00000, not stage 1's too.
    await Promise.all([
      page.waitForURL(`${base}/jobs/${staged}/tasks/${encodeURIComponent('stage2/map-00000')}/logs`),
      page.click('#task-table tr[data-task="map-00000"] a.task-log-link'),
    ]);
    await page.waitForSelector('#task-log .log-line');
    assert.equal(await page.locator('#task-log .log-line').count(), 1);
    assert.equal(await text(page, '#task-log .log-message'), 'stage 2 map saw one');
    await page.close();
  });

  it("shows a worker's tasks and recent failures", async () => {
    const context = await loggedIn();
    const page = await context.newPage();
    const tasks = (await (
      await fetch(`${base}/api/jobs/${failedJob}/tasks`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { tasks: { workerId: string }[] };
    const worker = cluster.workers.find((w) => w.id === tasks.tasks[0]?.workerId);
    assert.ok(worker, JSON.stringify(tasks));
    await page.goto(`${base}/`);
    await page.click(`#workers-table a[href="/workers/${worker.id}"]`);
    await page.waitForSelector('#worker-failures tbody tr');
    assert.match(await text(page, '#worker-failures'), new RegExp(`${failedJob}[\\s\\S]*map-00000`));
    assert.ok((await page.locator('#worker-attempts tbody tr').count()) >= 1);
    await page.close();
  });

  /** Screenshots the gated job's page for the README (GROOVE_UPDATE_SCREENSHOTS=1 writes docs/images/). */
  it('takes a screenshot of a job page', async () => {
    const context = await loggedIn();
    const page = await context.newPage();
    await page.goto(`${base}/jobs/${gatedJob}`);
    await page.waitForSelector('#timeline rect');
    const out = process.env['GROOVE_UPDATE_SCREENSHOTS']
      ? path.join(ROOT, 'docs', 'images', 'job-page.png')
      : path.join(cluster.dir, 'gated-job-page.png');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out, fullPage: true });
    assert.ok(fs.statSync(out).size > 10_000);
    await page.close();
  });
});

/** The little of the browser's globals the page functions below use (the tests compile without the DOM lib). */
interface BrowserGlobals {
  readonly document: { querySelector(selector: string): { readonly textContent: string | null } | null };
}

/**
 * Waits until the element's text is `expected` (or matches it): the page updates itself, no
 * reload. A function, not a string: the UI's CSP forbids eval, which a string predicate needs.
 */
async function waitText(page: Page, selector: string, expected: string | RegExp): Promise<void> {
  const [source, flags] =
    typeof expected === 'string' ? [`^${escapeRe(expected)}$`, ''] : [expected.source, expected.flags];
  await page.waitForFunction(
    ([sel, src, fl]) =>
      new RegExp(src, fl).test(
        (globalThis as unknown as BrowserGlobals).document.querySelector(sel)?.textContent ?? '',
      ),
    [selector, source, flags] as const,
  );
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** No element made of user markup, and no handler of it ran. */
async function assertNoMarkup(page: Page): Promise<void> {
  assert.equal(await page.locator('img').count(), 0, 'an <img> from user data is in the DOM');
  assert.equal(await page.evaluate('window.__xss'), undefined);
}
