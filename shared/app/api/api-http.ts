/** An HTTP request as the API's use cases see it, whatever carried it (API Gateway, the local stack's server). */
export interface ApiRequest {
  /** Upper-case method, e.g. `GET`. */
  readonly method: string;
  /** The route path, e.g. `/unsubscribe` (without any stage prefix). */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header values by lower-case name. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body's bytes (already base64-decoded when the gateway encoded it); empty when there is none. */
  readonly body: Uint8Array;
  /** Who signed the request (the IAM caller's ARN on AWS), when an authorizer says so: for audit entries. */
  readonly caller?: string;
  /**
   * The signed-in operator's Cognito groups (`cognito:groups` of the console's JWT), when the JWT authorizer
   * says so: what the admin API lets the caller do.
   */
  readonly callerGroups?: readonly string[];
}

/** An HTTP response: status, headers and a text body. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Headers of every HTML page: no scripts, no external assets, no framing, no referrer, no caching. */
export const HTML_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

/** An HTML page response with the security headers. */
export function htmlResponse(
  status: number,
  html: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): ApiResponse {
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8", ...HTML_SECURITY_HEADERS, ...extraHeaders },
    body: html,
  };
}

/** A JSON response. */
export function jsonResponse(
  status: number,
  value: unknown,
  extraHeaders: Readonly<Record<string, string>> = {},
): ApiResponse {
  return {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...extraHeaders },
    body: JSON.stringify(value),
  };
}

/** Seconds a client is asked to wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 5;
