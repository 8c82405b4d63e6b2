import { eraseCustomer, isNothingHeld } from "../privacy/erase-customer.js";
import { exportCustomer } from "../privacy/export-customer.js";
import type { PrivacyDeps } from "../privacy/privacy-ports.js";
import type { ApiDeps } from "./api-deps.js";
import { type ApiRequest, type ApiResponse, jsonResponse } from "./api-http.js";

/** `/v1/customers/{id}`: the id is one path segment, percent-encoded. */
export const CUSTOMER_PATH = /^\/v1\/customers\/([^/]+)$/;
/** `/v1/customers/{id}/export`. */
export const CUSTOMER_EXPORT_PATH = /^\/v1\/customers\/([^/]+)\/export$/;

/** Longest customer id accepted in a path (ids are event partition keys: Kinesis allows 256 characters). */
const MAX_ID_LENGTH = 256;

type Resolved =
  | { readonly ok: true; readonly privacy: PrivacyDeps; readonly customerId: string; readonly actor: string }
  | { readonly ok: false; readonly response: ApiResponse };

const error = (status: number, message: string): ApiResponse =>
  jsonResponse(status, { errors: [{ message, issues: [] }] });

function resolve(deps: ApiDeps, request: ApiRequest, pattern: RegExp): Resolved {
  if (deps.privacy === undefined) return { ok: false, response: error(404, "not found") };
  const encoded = pattern.exec(request.path)?.[1];
  let customerId: string | undefined;
  try {
    customerId = encoded === undefined ? undefined : decodeURIComponent(encoded);
  } catch {
    customerId = undefined;
  }
  if (customerId === undefined || customerId.trim() === "" || customerId.length > MAX_ID_LENGTH) {
    return { ok: false, response: error(400, "the path does not hold a valid customer id") };
  }
  return { ok: true, privacy: deps.privacy, customerId, actor: `api:${request.caller ?? "unknown"}` };
}

/**
 * `DELETE /v1/customers/{id}`: erases the customer (see `eraseCustomer`); 200 with the receipt, also for a
 * customer erased before (erasure is idempotent). An id Tailor holds nothing for (often a typo) gets 404 and
 * nothing is written; `?block=true` confirms that its future events be dropped anyway (200, tombstone `blocked`).
 * IAM-authorized on AWS, like `/v1/events`.
 */
export async function eraseCustomerRoute(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse> {
  const resolved = resolve(deps, request, CUSTOMER_PATH);
  if (!resolved.ok) return resolved.response;
  const block = request.query.get("block") === "true";
  const outcome = await eraseCustomer(resolved.privacy, resolved.customerId, resolved.actor, { block });
  if (isNothingHeld(outcome)) {
    return error(
      404,
      "Tailor holds nothing for this customer id, so nothing was erased; to block its future events anyway, " +
        "repeat the request with ?block=true",
    );
  }
  return jsonResponse(200, outcome);
}

/** `GET /v1/customers/{id}/export`: everything held about the customer as one JSON document (200). */
export async function exportCustomerRoute(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse> {
  const resolved = resolve(deps, request, CUSTOMER_EXPORT_PATH);
  if (!resolved.ok) return resolved.response;
  return jsonResponse(200, await exportCustomer(resolved.privacy, resolved.customerId, resolved.actor));
}
