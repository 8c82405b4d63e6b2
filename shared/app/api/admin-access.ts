import { type ApiRequest, type ApiResponse, jsonResponse } from "./api-http.js";

/** The Cognito group whose operators may also export and erase customers. */
export const ADMIN_GROUP = "tailor-admins";
/** The Cognito group whose operators read only. */
export const VIEWER_GROUP = "tailor-viewers";

/** The console's admin API: every path under it needs a signed-in operator on AWS. */
export const ADMIN_API_PREFIX = "/v1/admin/";
/** The IAM-signed customer routes (erasure, export). */
const CUSTOMER_PREFIX = "/v1/customers/";

/** Methods that only read. */
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function isUnder(path: string, prefix: string): boolean {
  return path.startsWith(prefix) || path === prefix.slice(0, -1);
}

/**
 * Whether a call of the admin API needs the admin group: anything but a read, and every export (a read of a
 * customer's whole data, which leaves the console).
 */
export function needsAdminGroup(request: Pick<ApiRequest, "method" | "path">): boolean {
  return !READ_METHODS.has(request.method) || request.path.split("/").includes("export");
}

function refusal(status: 401 | 403, message: string): ApiResponse {
  return jsonResponse(
    status,
    { errors: [{ message, issues: [] }] },
    status === 401 ? { "www-authenticate": 'Bearer realm="tailor-console"' } : {},
  );
}

/**
 * The API function's own check of who calls the customer data routes when deployed behind the console's sign-in
 * (defence in depth behind API Gateway's authorizers, which should have refused these already): a call under
 * `/v1/admin/` or `/v1/customers/` without a caller → 401; an operator in neither console group → 403; a change
 * or an export by an operator outside {@link ADMIN_GROUP} → 403. `undefined`: the call may go on. Other paths
 * (the signed-link pages, events) are not its business.
 */
export function adminAccessRefusal(request: ApiRequest): ApiResponse | undefined {
  if (isUnder(request.path, CUSTOMER_PREFIX)) {
    // IAM-signed: the caller's IAM policy is its authorisation.
    return request.caller === undefined ? refusal(401, "sign the request (AWS SigV4)") : undefined;
  }
  if (!isUnder(request.path, ADMIN_API_PREFIX)) return undefined;
  if (request.caller === undefined) return refusal(401, "sign in to the console");
  const groups = request.callerGroups ?? [];
  if (needsAdminGroup(request)) {
    return groups.includes(ADMIN_GROUP)
      ? undefined
      : refusal(403, `only operators in ${ADMIN_GROUP} may export, erase or change`);
  }
  return groups.includes(ADMIN_GROUP) || groups.includes(VIEWER_GROUP)
    ? undefined
    : refusal(403, `operators must be in ${ADMIN_GROUP} or ${VIEWER_GROUP}`);
}
