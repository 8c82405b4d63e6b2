import { TailorError } from "#shared/errors.js";
import { ADMIN_ROUTES } from "./admin-routes.js";
import type { ApiDeps } from "./api-deps.js";
import {
  type ApiRequest,
  type ApiResponse,
  htmlResponse,
  jsonResponse,
  RETRY_AFTER_SECONDS,
} from "./api-http.js";
import { collectEvents } from "./collect-events.js";
import { confirm, showConfirm } from "./confirm-routes.js";
import { CONTENT_METHODS, CONTENT_PATH } from "./content-routes.js";
import { corsHeaders } from "./cors.js";
import {
  CUSTOMER_EXPORT_PATH,
  CUSTOMER_PATH,
  eraseCustomerRoute,
  exportCustomerRoute,
} from "./customer-routes.js";
import { errorPage, unavailablePage } from "./pages.js";
import { showPreferences, updatePreferences } from "./preference-routes.js";
import { SEGMENT_ROUTES, SEGMENT_SETTINGS_METHODS, SEGMENT_SETTINGS_PATH } from "./segment-routes.js";
import { followShortLink, SHORT_LINK_ROUTE } from "./short-link-route.js";
import { showUnsubscribe, unsubscribe } from "./unsubscribe-routes.js";

type Route = (deps: ApiDeps, request: ApiRequest) => Promise<ApiResponse>;

/**
 * A path's routes by method. Pages answer failures in HTML, the others in JSON; `cors` routes (Segment's, called
 * from browsers) carry the CORS headers on failures too.
 */
interface RouteEntry {
  readonly html: boolean;
  readonly cors?: true;
  readonly methods: Readonly<Record<string, Route>>;
}

/** The routes, by path then method; pages answer failures in HTML, `/v1/events` in JSON. */
const ROUTES: Readonly<Record<string, RouteEntry>> = {
  "/unsubscribe": { html: true, methods: { GET: showUnsubscribe, POST: unsubscribe } },
  "/preferences": { html: true, methods: { GET: showPreferences, POST: updatePreferences } },
  "/confirm": { html: true, methods: { GET: showConfirm, POST: confirm } },
  "/v1/events": { html: false, methods: { POST: collectEvents } },
  ...Object.fromEntries(
    Object.entries(SEGMENT_ROUTES).map(([path, methods]) => [path, { html: false, cors: true, methods }]),
  ),
};

/** Routes with a path parameter, tried in order after the fixed paths (admin routes, JSON). */
const PATTERN_ROUTES: readonly { readonly pattern: RegExp; readonly entry: RouteEntry }[] = [
  { pattern: CUSTOMER_PATH, entry: { html: false, methods: { DELETE: eraseCustomerRoute } } },
  { pattern: CUSTOMER_EXPORT_PATH, entry: { html: false, methods: { GET: exportCustomerRoute } } },
  { pattern: SEGMENT_SETTINGS_PATH, entry: { html: false, cors: true, methods: SEGMENT_SETTINGS_METHODS } },
  ...ADMIN_ROUTES.map(({ pattern, methods }) => ({ pattern, entry: { html: false, methods } })),

  { pattern: CONTENT_PATH, entry: { html: false, cors: true, methods: CONTENT_METHODS } },
  { pattern: SHORT_LINK_ROUTE, entry: { html: true, methods: { GET: followShortLink } } },
];

function findRoute(path: string): RouteEntry | undefined {
  if (Object.hasOwn(ROUTES, path)) return ROUTES[path];
  return PATTERN_ROUTES.find((route) => route.pattern.test(path))?.entry;
}

/** Called with every failure a route did not answer itself (for logging); the response never carries it. */
export type ApiFailureListener = (error: unknown, request: ApiRequest) => void;

/**
 * The HTTP API: routes a request and maps failures. Unknown path → 404 JSON; known path, other method → 405
 * with `Allow`. A retryable failure (the stream or table unreachable) → 503 with `Retry-After`; anything else →
 * 500. Neither says more than that: no message, no stack.
 */
export async function routeApiRequest(
  deps: ApiDeps,
  request: ApiRequest,
  onFailure: ApiFailureListener = () => undefined,
): Promise<ApiResponse> {
  const route = findRoute(request.path);
  if (route === undefined) return jsonResponse(404, { errors: [{ message: "not found", issues: [] }] });
  const method = Object.hasOwn(route.methods, request.method) ? route.methods[request.method] : undefined;
  if (method === undefined) {
    return jsonResponse(
      405,
      { errors: [{ message: "method not allowed", issues: [] }] },
      {
        allow: Object.keys(route.methods).join(", "),
      },
    );
  }
  try {
    return await method(deps, request);
  } catch (error) {
    onFailure(error, request);
    const retryable = error instanceof TailorError && error.retryable;
    const headers: Record<string, string> = {
      ...(route.cors === true && deps.segment !== undefined
        ? corsHeaders(deps.segment.corsOrigins, request)
        : {}),
      ...(retryable ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {}),
    };
    const status = retryable ? 503 : 500;
    if (route.html) {
      return htmlResponse(status, retryable ? unavailablePage(deps.shop) : errorPage(deps.shop), headers);
    }
    const message = retryable ? "temporarily unavailable; try again" : "internal error";
    return jsonResponse(status, { errors: [{ message, issues: [] }] }, headers);
  }
}
