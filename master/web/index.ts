export { createWebHandler } from './web-server.js';
export type { WebContext } from './web-server.js';
export { MAX_TASKS_PER_PAGE, WORKER_ATTEMPTS_SHOWN } from './web-api.js';
export type { WebWorker, WebWorkerDetail } from './web-api.js';
export type { AttemptOutcome, AttemptRow, TaskPage, TaskRow, WorkerAttemptRow } from './task-rows.js';
export { MAX_SESSIONS, SESSION_COOKIE, SESSION_IDLE_MS, WebSessions, sessionCookie } from './web-sessions.js';
