import type { Server } from "node:http";

/**
 * How long the local servers keep an idle connection open (65 s, as AWS's load balancers default to 60 s and more).
 * Node's default is 5 s: an SDK client reusing a pooled socket at the moment the server closes it gets a reset
 * (`ECONNRESET`, "socket hang up") after the request may have arrived, which the mailer must treat as "maybe sent"
 * and never retry. Real endpoints hold idle connections far longer than a burst's pauses; so do the local ones.
 */
export const LOCAL_KEEP_ALIVE_MS = 65_000;

/** Gives `server` the local keep-alive (and a headers timeout above it, as Node requires). */
export function holdIdleConnections<S extends Pick<Server, "keepAliveTimeout" | "headersTimeout">>(
  server: S,
): S {
  server.keepAliveTimeout = LOCAL_KEEP_ALIVE_MS;
  server.headersTimeout = LOCAL_KEEP_ALIVE_MS + 1_000;
  return server;
}
