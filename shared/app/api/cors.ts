import type { ApiRequest, ApiResponse } from "./api-http.js";

/** Request headers a browser may send cross-origin: the JSON body, the Basic credentials, a library's retry count. */
export const CORS_ALLOWED_HEADERS = "Content-Type, Authorization, X-Retry-Count";
/** How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 7200;

/**
 * The CORS headers of a response to `request`: `Access-Control-Allow-Origin: *` when any origin is allowed (no
 * credentials are ever allowed), the request's `Origin` echoed (with `Vary: Origin`) when it is one of
 * `origins`, nothing otherwise (the browser then keeps the response from the page).
 */
export function corsHeaders(origins: readonly string[], request: ApiRequest): Record<string, string> {
  if (origins.includes("*")) return { "access-control-allow-origin": "*" };
  const origin = request.headers.origin;
  if (origin !== undefined && origins.includes(origin)) {
    return { "access-control-allow-origin": origin, vary: "Origin" };
  }
  return { vary: "Origin" };
}

/** The answer to a CORS preflight (`OPTIONS`): 204, the methods of the route, the allowed headers. */
export function preflightResponse(
  origins: readonly string[],
  request: ApiRequest,
  methods: string,
): ApiResponse {
  const allowed = corsHeaders(origins, request);
  const granted: Record<string, string> =
    allowed["access-control-allow-origin"] === undefined
      ? {}
      : {
          "access-control-allow-methods": methods,
          "access-control-allow-headers": CORS_ALLOWED_HEADERS,
          "access-control-max-age": String(CORS_MAX_AGE_SECONDS),
        };
  return { status: 204, headers: { ...allowed, ...granted }, body: "" };
}
