/**
 * The bulk port's protocol, shared by its two ends: the server in the daemon (serve/) and the
 * receiver in the pool process (fetch/). A reducer presents a ticket the shuffle service
 * issued over gRPC; the server answers one status byte, then exactly the ticket's range.
 */

/** Bytes of a ticket: 256 random bits, as unguessable as the cluster token. */
export const TICKET_BYTES = 32;

/** A ticket not collected within this long is forgotten. */
export const TICKET_TTL_MS = 30_000;

/** The byte a server sends once it accepted a ticket, before the data. */
export const TICKET_ACCEPTED = 0;
