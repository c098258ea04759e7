import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The web UI's files: web/ at the package root (next to dist/, shipped in the npm
 * package), and preact and htm from node_modules as the browser's ES modules. No build
 * step: what is in web/ is what the browser runs.
 */
const WEB_DIR = path.resolve(__dirname, '..', '..', '..', 'web');

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/** A file the UI serves, read once at start-up. */
export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
}

function packageFile(pkg: string, rel: string): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), rel);
}

function load(file: string): StaticFile {
  return { body: fs.readFileSync(file), type: TYPES[path.extname(file)] ?? 'application/octet-stream' };
}

/**
 * The files under `/static/` by URL path, and the HTML pages. Read at start-up: a
 * missing file (a broken install) fails the master's start, not a page view later.
 */
export interface WebFiles {
  readonly assets: ReadonlyMap<string, StaticFile>;
  readonly appPage: StaticFile;
  readonly loginPage: StaticFile;
  /** The Content-Security-Policy of every answer (the app page's import map is allowed by its hash). */
  readonly csp: string;
}

/** Loads the UI's files (see {@link WebFiles}). */
export function loadWebFiles(): WebFiles {
  const assets = new Map<string, StaticFile>();
  for (const name of fs.readdirSync(WEB_DIR)) {
    if (name.endsWith('.js') || name.endsWith('.css')) assets.set(`/static/${name}`, load(path.join(WEB_DIR, name)));
  }
  assets.set('/static/vendor/preact.mjs', load(packageFile('preact', 'dist/preact.mjs')));
  assets.set('/static/vendor/preact-hooks.mjs', load(packageFile('preact', 'hooks/dist/hooks.mjs')));
  // htm's exports name no package.json: its CommonJS entry is dist/htm.js, beside the module.
  assets.set('/static/vendor/htm.mjs', load(path.join(path.dirname(require.resolve('htm')), 'htm.mjs')));
  const appPage = load(path.join(WEB_DIR, 'index.html'));
  // The one inline script is the import map (bare `preact` for the hooks module); CSP lets it run by its hash only.
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(appPage.body.toString('utf8'))?.[1] ?? '';
  const hash = crypto.createHash('sha256').update(importMap).digest('base64');
  const csp = [
    "default-src 'none'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { assets, appPage, loginPage: load(path.join(WEB_DIR, 'login.html')), csp };
}
