import * as crypto from 'node:crypto';

/** How long a login lasts without use, ms. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** The most sessions kept; logging in past it ends the least recently used one. */
export const MAX_SESSIONS = 1000;
/** The cookie that holds a session id (never the token). */
export const SESSION_COOKIE = 'groove_session';

/**
 * The web UI's logins: a random session id per login, kept only in this process's
 * memory, so the cluster token never travels again after the login form (nor sits in a
 * URL, a browser history or a log) and a master restart logs everyone out. Bounded in
 * number and in idle time.
 */
export class WebSessions {
  /** Session id -> last use (ms); a Map keeps insertion order, refreshed on use, so the first is the least recent. */
  private readonly sessions = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new session's id (64 hex digits). */
  create(): string {
    this.expire();
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
    const id = crypto.randomBytes(32).toString('hex');
    this.sessions.set(id, this.now());
    return id;
  }

  /** Whether `id` is a live session; using it keeps it alive. */
  check(id: string | undefined): boolean {
    if (id === undefined || !this.sessions.has(id)) return false;
    const last = this.sessions.get(id) as number;
    this.sessions.delete(id);
    if (this.now() - last > SESSION_IDLE_MS) return false;
    this.sessions.set(id, this.now());
    return true;
  }

  /** Ends a session (logout). */
  end(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private expire(): void {
    const now = this.now();
    for (const [id, last] of this.sessions) {
      if (now - last <= SESSION_IDLE_MS) break;
      this.sessions.delete(id);
    }
  }
}

/** The session id a request's Cookie header carries, if any. */
export function sessionCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}
