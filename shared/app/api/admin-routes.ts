import { consoleDryRun } from "../console/campaign-dry-run-view.js";
import { campaignOutcomes, MAX_OUTCOME_DAYS } from "../console/campaign-outcome-views.js";
import { campaignDetail, listCampaigns } from "../console/campaign-views.js";
import type { ConsoleDeps } from "../console/console-deps.js";
import { auditView, customerDetail, findCustomer } from "../console/customer-views.js";
import { segmentChanges } from "../console/segment-change-views.js";
import { listSegments, previewSegment, segmentDetail, utcDay } from "../console/segment-views.js";
import { listTemplates, previewTemplate, TemplateRenderers } from "../console/template-views.js";
import type { ApiDeps } from "./api-deps.js";
import { type ApiRequest, type ApiResponse, jsonResponse } from "./api-http.js";
import { eraseCustomerRoute, exportCustomerRoute } from "./customer-routes.js";

type Route = (deps: ApiDeps, request: ApiRequest) => Promise<ApiResponse>;

/** Longest id accepted in a path or a query (customer ids are Kinesis partition keys: 256 characters). */
const MAX_ID_LENGTH = 256;
/** Largest segment definition a preview accepts. */
const MAX_DEFINITION_BYTES = 64 * 1024;

const failure = (status: number, message: string): ApiResponse =>
  jsonResponse(status, { errors: [{ message, issues: [] }] });

/** The renderers of each console's templates, kept with the deps they read (one per container). */
const renderersOf = new WeakMap<ConsoleDeps, TemplateRenderers>();
function renderers(deps: ConsoleDeps): TemplateRenderers {
  let found = renderersOf.get(deps);
  if (found === undefined) {
    found = new TemplateRenderers(deps.templates);
    renderersOf.set(deps, found);
  }
  return found;
}

/** Who read: the signed-in operator (the authorizer's claims on AWS), `local` on the loopback console. */
const actorOf = (request: ApiRequest) => `console:${request.caller ?? "local"}`;

/** The decoded path parameter `index` of `pattern`, or `undefined` when it is not a valid id. */
function param(pattern: RegExp, path: string, index = 1): string | undefined {
  const encoded = pattern.exec(path)?.[index];
  try {
    const value = encoded === undefined ? undefined : decodeURIComponent(encoded);
    return value === undefined || value.trim() === "" || value.length > MAX_ID_LENGTH ? undefined : value;
  } catch {
    return undefined;
  }
}

/** A route of the console's API: answers 404 when the API has no console deps. */
function consoleRoute(
  pattern: RegExp,
  run: (deps: ConsoleDeps, request: ApiRequest, id: string) => Promise<ApiResponse>,
): Route {
  return async (deps, request) => {
    if (deps.console === undefined) return failure(404, "not found");
    const id = pattern.source.includes("(") ? param(pattern, request.path) : "";
    if (id === undefined) return failure(400, "the path does not hold a valid id");
    return run(deps.console, request, id);
  };
}

const CUSTOMERS = /^\/v1\/admin\/customers$/;
const CUSTOMER = /^\/v1\/admin\/customers\/([^/]+)$/;
const CUSTOMER_EXPORT = /^\/v1\/admin\/customers\/([^/]+)\/export$/;
const SEGMENTS = /^\/v1\/admin\/segments$/;
const SEGMENT = /^\/v1\/admin\/segments\/([^/]+)$/;
const SEGMENT_CHANGES = /^\/v1\/admin\/segments\/([^/]+)\/changes$/;
const SEGMENT_PREVIEW = /^\/v1\/admin\/segment-preview$/;
const TEMPLATES = /^\/v1\/admin\/templates$/;
const TEMPLATES_VERSION = /^\/v1\/admin\/templates-version$/;
const TEMPLATE_PREVIEW = /^\/v1\/admin\/templates\/([^/]+)\/preview$/;
const CAMPAIGNS = /^\/v1\/admin\/campaigns$/;
const CAMPAIGN = /^\/v1\/admin\/campaigns\/([^/]+)$/;
const CAMPAIGN_OUTCOMES = /^\/v1\/admin\/campaigns\/([^/]+)\/outcomes$/;
const CAMPAIGN_DRY_RUN = /^\/v1\/admin\/campaigns\/([^/]+)\/dry-run$/;
/** Largest body a dry run accepts (`{"at": "<ISO time>"}`). */
const MAX_DRY_RUN_BODY_BYTES = 1024;

/** `GET /v1/admin/customers?q=<any id or email>`: the customer found (200) or 404. */
const searchCustomers = consoleRoute(CUSTOMERS, async (deps, request) => {
  const query = request.query.get("q") ?? "";
  if (query.trim() === "" || query.length > MAX_ID_LENGTH) {
    return failure(400, `q: an id or an email address of 1 to ${MAX_ID_LENGTH} characters`);
  }
  const match = await findCustomer(deps, query);
  return match === undefined
    ? failure(404, `no customer has the id or email "${query.trim()}"`)
    : jsonResponse(200, match);
});

/** `GET /v1/admin/customers/{id}`: the customer's page (the read audited). */
const showCustomer = consoleRoute(CUSTOMER, async (deps, request, id) => {
  const detail = await customerDetail(deps, id, actorOf(request));
  return detail === undefined ? failure(404, `no profile for ${id}`) : jsonResponse(200, detail);
});

/** The privacy routes under the console's path (behind its authorizer on AWS), with the console's actor. */
function privacyAlias(pattern: RegExp, route: Route, target: (id: string) => string): Route {
  return async (deps, request) => {
    const id = param(pattern, request.path);
    if (id === undefined) return failure(400, "the path does not hold a valid customer id");
    return route(deps, { ...request, path: target(id), caller: `console:${request.caller ?? "local"}` });
  };
}

/** `GET /v1/admin/segments`: every segment with its size and size history. */
const segments = consoleRoute(SEGMENTS, async (deps) =>
  jsonResponse(200, { segments: await listSegments(deps) }),
);

/** `GET /v1/admin/segments/{id}`. */
const segment = consoleRoute(SEGMENT, async (deps, _request, id) => {
  const detail = await segmentDetail(deps, id);
  return detail === undefined ? failure(404, `no segment ${id}`) : jsonResponse(200, detail);
});

/** `GET /v1/admin/segments/{id}/changes?day=YYYY-MM-DD` (default today, UTC): who entered and left that day. */
const changes = consoleRoute(SEGMENT_CHANGES, async (deps, request, id) => {
  const day = request.query.get("day") ?? utcDay(deps.clock.now());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
    return failure(400, "day: a UTC day as YYYY-MM-DD, such as 2026-12-06");
  }
  const found = await segmentChanges(deps, id, day);
  return found === undefined ? failure(404, `no segment ${id}`) : jsonResponse(200, found);
});

/** `POST /v1/admin/segment-preview` (the YAML being written): problems (422) or the estimate (200). */
const segmentPreview = consoleRoute(SEGMENT_PREVIEW, async (deps, request) => {
  if (request.body.byteLength > MAX_DEFINITION_BYTES) {
    return failure(413, `body: a segment definition of at most ${MAX_DEFINITION_BYTES} bytes`);
  }
  const preview = await previewSegment(deps, new TextDecoder().decode(request.body));
  return jsonResponse(preview.ok ? 200 : 422, preview);
});

/** `GET /v1/admin/templates`: templates, variants, locales, sample profiles and the version. */
const templates = consoleRoute(TEMPLATES, async (deps) =>
  jsonResponse(200, await listTemplates(deps, renderers(deps))),
);

/** `GET /v1/admin/templates-version`: polled by the page, which reloads its preview when it changes. */
const templatesVersion = consoleRoute(TEMPLATES_VERSION, async (deps) =>
  jsonResponse(200, { version: await deps.templates.version() }),
);

/**
 * `GET /v1/admin/templates/{name}/preview?variant=a&locale=fr-FR&customer=<id>` (or `&sample=<name>`): the email
 * rendered; a customer's read is audited.
 */
const templatePreview = consoleRoute(TEMPLATE_PREVIEW, async (deps, request, name) => {
  const customerId = request.query.get("customer") ?? undefined;
  const sample = request.query.get("sample") ?? undefined;
  if ((customerId === undefined) === (sample === undefined)) {
    return failure(400, "customer or sample: name exactly one recipient");
  }
  if (customerId !== undefined && (customerId.trim() === "" || customerId.length > MAX_ID_LENGTH)) {
    return failure(400, "customer: a customer id");
  }
  const locale = request.query.get("locale") ?? undefined;
  if (locale !== undefined && !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(locale)) {
    return failure(400, "locale: a BCP 47 locale such as fr-FR");
  }
  const preview = await previewTemplate(deps, renderers(deps), {
    template: name,
    variant: request.query.get("variant") ?? "a",
    ...(locale === undefined ? {} : { locale }),
    recipient: customerId !== undefined ? { customerId } : { sample: sample ?? "" },
  });
  if (!preview.ok) return failure(preview.status, preview.message);
  if (customerId !== undefined)
    await auditView(deps, customerId, actorOf(request), `template ${name} preview`);
  return jsonResponse(200, preview);
});

/** `GET /v1/admin/campaigns`. */
const campaigns = consoleRoute(CAMPAIGNS, async (deps) =>
  jsonResponse(200, { campaigns: listCampaigns(deps) }),
);

/** `GET /v1/admin/campaigns/{id}`: definition and experiment report. */
const campaign = consoleRoute(CAMPAIGN, async (deps, _request, id) => {
  const detail = await campaignDetail(deps, id);
  return detail === undefined ? failure(404, `no campaign ${id}`) : jsonResponse(200, detail);
});

/** `GET /v1/admin/campaigns/{id}/outcomes?days=30`: decisions per day (sent, held out, skipped by reason, …). */
const outcomes = consoleRoute(CAMPAIGN_OUTCOMES, async (deps, request, id) => {
  const text = request.query.get("days") ?? "30";
  const days = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(days >= 1 && days <= MAX_OUTCOME_DAYS)) {
    return failure(400, `days: a whole number of days from 1 to ${MAX_OUTCOME_DAYS}, such as 30`);
  }
  const found = await campaignOutcomes(deps, id, days);
  return found === undefined ? failure(404, `no campaign ${id}`) : jsonResponse(200, found);
});

/** The `at` of a dry run's body (`{"at": "<ISO time>"}`, or none: now), or why it is not one. */
function dryRunTime(body: Uint8Array, now: number): number | string {
  const text = new TextDecoder().decode(body).trim();
  if (text === "") return now;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'body: JSON such as {"at": "2026-12-07T09:00:00Z"}, or none for now';
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return 'body: an object such as {"at": "2026-12-07T09:00:00Z"}';
  }
  const at: unknown = "at" in parsed ? parsed.at : undefined;
  if (at === undefined) return now;
  const time = typeof at === "string" ? Date.parse(at) : Number.NaN;
  return Number.isNaN(time) ? "at: an ISO time such as 2026-12-07T09:00:00Z" : time;
}

/**
 * `POST /v1/admin/campaigns/{id}/dry-run` (`{"at": ISO}`, default now): who the campaign's tick would reach,
 * sending and writing nothing, bounded for an API call (a sample past its bounds, said so); the customers whose
 * subjects it shows are audited.
 */
const dryRun = consoleRoute(CAMPAIGN_DRY_RUN, async (deps, request, id) => {
  if (deps.dryRun === undefined) return failure(404, "the dry run is not configured in this API");
  if (request.body.byteLength > MAX_DRY_RUN_BODY_BYTES) {
    return failure(413, `body: at most ${MAX_DRY_RUN_BODY_BYTES} bytes`);
  }
  const at = dryRunTime(request.body, deps.clock.now());
  if (typeof at === "string") return failure(400, at);
  const found = await consoleDryRun(deps, deps.dryRun, renderers(deps), {
    campaignId: id,
    at,
    actor: actorOf(request),
  });
  return "status" in found ? failure(found.status, found.message) : jsonResponse(200, found);
});

/**
 * The console's admin API, by path pattern then method (JSON). On AWS these routes sit behind the console's
 * authorizer; on the local stack the API is on loopback. Every read of one customer's data is audited.
 */
export const ADMIN_ROUTES: readonly {
  readonly pattern: RegExp;
  readonly methods: Readonly<Record<string, Route>>;
}[] = [
  { pattern: CUSTOMERS, methods: { GET: searchCustomers } },
  {
    pattern: CUSTOMER,
    methods: {
      GET: showCustomer,
      DELETE: privacyAlias(CUSTOMER, eraseCustomerRoute, (id) => `/v1/customers/${encodeURIComponent(id)}`),
    },
  },
  {
    pattern: CUSTOMER_EXPORT,
    methods: {
      GET: privacyAlias(
        CUSTOMER_EXPORT,
        exportCustomerRoute,
        (id) => `/v1/customers/${encodeURIComponent(id)}/export`,
      ),
    },
  },
  { pattern: SEGMENTS, methods: { GET: segments } },
  { pattern: SEGMENT_PREVIEW, methods: { POST: segmentPreview } },
  { pattern: SEGMENT, methods: { GET: segment } },
  { pattern: SEGMENT_CHANGES, methods: { GET: changes } },
  { pattern: TEMPLATES, methods: { GET: templates } },
  { pattern: TEMPLATES_VERSION, methods: { GET: templatesVersion } },
  { pattern: TEMPLATE_PREVIEW, methods: { GET: templatePreview } },
  { pattern: CAMPAIGNS, methods: { GET: campaigns } },
  { pattern: CAMPAIGN, methods: { GET: campaign } },
  { pattern: CAMPAIGN_OUTCOMES, methods: { GET: outcomes } },
  { pattern: CAMPAIGN_DRY_RUN, methods: { POST: dryRun } },
];
