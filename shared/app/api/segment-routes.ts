import type { ApiDeps, SegmentApiDeps } from "./api-deps.js";
import { type ApiRequest, type ApiResponse, jsonResponse, RETRY_AFTER_SECONDS } from "./api-http.js";
import { corsHeaders, preflightResponse } from "./cors.js";
import { readSegmentBody, SEGMENT_BATCH_MAX_BYTES, SEGMENT_CALL_MAX_BYTES } from "./segment-body.js";
import { fillCalls, type SegmentCallType } from "./segment-calls.js";
import { recordWaves } from "./segment-records.js";
import { segmentSettings } from "./segment-settings.js";
import { basicAuthUser, type VerifiedWriteKey } from "./write-key-auth.js";

/** The single-call routes, by path: Segment's (`/v1/track`) and the short ones its browser library posts to (`/v1/t`). */
export const SEGMENT_CALL_PATHS: Readonly<Record<string, SegmentCallType>> = {
  "/v1/identify": "identify",
  "/v1/track": "track",
  "/v1/page": "page",
  "/v1/screen": "screen",
  "/v1/group": "group",
  "/v1/alias": "alias",
  "/v1/i": "identify",
  "/v1/t": "track",
  "/v1/p": "page",
  "/v1/s": "screen",
  "/v1/g": "group",
  "/v1/a": "alias",
};

/** The batch routes, by path, and whether their calls are historical (`/v1/import`). `/v1/b`: the browser's. */
export const SEGMENT_BATCH_PATHS: Readonly<Record<string, { readonly historical: boolean }>> = {
  "/v1/batch": { historical: false },
  "/v1/b": { historical: false },
  "/v1/import": { historical: true },
};

/** Every path that takes `POST` calls (and answers the browsers' `OPTIONS` preflight). */
export const SEGMENT_POST_PATHS: readonly string[] = [
  ...Object.keys(SEGMENT_BATCH_PATHS),
  ...Object.keys(SEGMENT_CALL_PATHS),
];

/** The settings the browser library fetches (`${cdnURL}/v1/projects/${writeKey}/settings`). */
export const SEGMENT_SETTINGS_PATH = /^\/v1\/projects\/([^/]+)\/settings$/;

/** A request path fit for a log line: the write key of a settings path replaced by a placeholder. */
export function loggablePath(path: string): string {
  return SEGMENT_SETTINGS_PATH.test(path) ? "/v1/projects/{writeKey}/settings" : path;
}

type SegmentRoute = (deps: ApiDeps, request: ApiRequest) => Promise<ApiResponse>;

function withSegment(
  run: (segment: SegmentApiDeps, deps: ApiDeps, request: ApiRequest) => Promise<ApiResponse>,
): SegmentRoute {
  return async (deps, request) =>
    deps.segment === undefined
      ? jsonResponse(404, { errors: [{ message: "not found", issues: [] }] })
      : run(deps.segment, deps, request);
}

function answer(segment: SegmentApiDeps, request: ApiRequest) {
  const cors = corsHeaders(segment.corsOrigins, request);
  return (status: number, value: unknown, extra: Readonly<Record<string, string>> = {}) =>
    jsonResponse(status, value, { ...cors, ...extra });
}

const unauthorized = { success: false, message: "Unauthorized" } as const;

function bodyWriteKey(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const key: unknown = Reflect.get(body, "writeKey");
  return typeof key === "string" ? key : undefined;
}

/**
 * Takes the calls of one request onto the stream, as Segment's HTTP Tracking API does: the write key from Basic
 * auth (user name, empty password) or the body's `writeKey`, 401 without detail when it is missing, unknown or
 * revoked; 400 for a body that is too large (32 KB per call, 500 KB per batch), not JSON, or of the wrong
 * shape; otherwise every call is filled and put, valid or not (the ingest validates each and quarantines the
 * invalid ones with their raw bytes and the reason), and the answer is 200 `{"success":true}`. A stream that
 * refuses records gives 503 with `Retry-After`: the library sends the request again, and the calls already put
 * count once (same `messageId`).
 */
function collect(pathType: SegmentCallType | undefined, historical: boolean): SegmentRoute {
  return withSegment(async (segment, deps, request) => {
    const reply = answer(segment, request);
    const maxBytes = pathType === undefined ? SEGMENT_BATCH_MAX_BYTES : SEGMENT_CALL_MAX_BYTES;
    if (request.body.byteLength > maxBytes) {
      return reply(400, { success: false, message: `the body is over ${maxBytes} bytes` });
    }
    const headerKey = basicAuthUser(request.headers.authorization);
    let key: VerifiedWriteKey | undefined;
    if (headerKey !== undefined) {
      key = await segment.writeKeys.verify(headerKey);
      if (key === undefined) return reply(401, unauthorized);
    }
    const body = readSegmentBody(request.body, request.headers["content-encoding"], maxBytes);
    if (!body.ok) return reply(400, { success: false, message: body.message });
    if (key === undefined) {
      const bodyKey = bodyWriteKey(body.value);
      key = bodyKey === undefined ? undefined : await segment.writeKeys.verify(bodyKey);
      if (key === undefined) return reply(401, unauthorized);
    }
    const filled = fillCalls(body.value, pathType, {
      keyId: key.id,
      receivedAt: deps.clock.now(),
      historical,
    });
    if (!filled.ok) return reply(400, { success: false, message: filled.message });
    for (const wave of recordWaves(filled.calls)) {
      const outcome = await deps.events.put(wave);
      if (outcome.rejected.length > 0) {
        return reply(
          503,
          { success: false, message: "the event stream is busy; send the request again" },
          { "retry-after": String(RETRY_AFTER_SECONDS) },
        );
      }
    }
    return reply(200, { success: true });
  });
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * `GET /v1/projects/{writeKey}/settings`: what Segment's CDN gives the browser library for a write key, pointing
 * it here: the "Segment.io" integration alone, with the key, `apiHost` = this API's host + `/v1` and the
 * protocol it was reached by; no other destination, no remote plugin, no middleware, no metrics. 401 for a key
 * that is unknown or revoked.
 */
const settings: SegmentRoute = withSegment(async (segment, _deps, request) => {
  const reply = answer(segment, request);
  const match = SEGMENT_SETTINGS_PATH.exec(request.path);
  let writeKey = "";
  try {
    writeKey = decodeURIComponent(match?.[1] ?? "");
  } catch {
    return reply(401, unauthorized);
  }
  if ((await segment.writeKeys.verify(writeKey)) === undefined) return reply(401, unauthorized);
  const host = request.headers.host ?? "";
  if (!HOST.test(host)) return reply(400, { success: false, message: "the Host header is not a host name" });
  const forwarded = request.headers["x-forwarded-proto"]?.split(",")[0]?.trim().toLowerCase();
  // API Gateway says how it was reached; the local stack serves plain HTTP and says nothing.
  const protocol = forwarded === "https" ? "https" : "http";
  return reply(200, segmentSettings(writeKey, `${host}/v1`, protocol), {
    "cache-control": "public, max-age=60",
  });
});

/** The routes by method for one path. */
export type SegmentMethods = Readonly<Record<string, SegmentRoute>>;

function preflight(methods: string): SegmentRoute {
  return withSegment(async (segment, _deps, request) =>
    preflightResponse(segment.corsOrigins, request, methods),
  );
}

/** The methods of each Segment path: `POST` and the preflight. */
export const SEGMENT_ROUTES: Readonly<Record<string, SegmentMethods>> = Object.fromEntries([
  ...Object.entries(SEGMENT_BATCH_PATHS).map(([path, { historical }]) => [
    path,
    { POST: collect(undefined, historical), OPTIONS: preflight("POST, OPTIONS") },
  ]),
  ...Object.entries(SEGMENT_CALL_PATHS).map(([path, type]) => [
    path,
    { POST: collect(type, false), OPTIONS: preflight("POST, OPTIONS") },
  ]),
]);

/** The methods of the settings path. */
export const SEGMENT_SETTINGS_METHODS: SegmentMethods = {
  GET: settings,
  OPTIONS: preflight("GET, OPTIONS"),
};
