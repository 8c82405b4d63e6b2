import type { ConsoleAuth } from "../auth.js";

/** An admin API call that did not succeed: its status and the API's first error message. */
export class ApiCallError extends Error {
  override readonly name = "ApiCallError";
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The first `errors[].message` of an API error body, if it has one. */
function messageOf(body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body.errors)) return undefined;
  const first: unknown = body.errors[0];
  return isRecord(first) && typeof first.message === "string" ? first.message : undefined;
}

/** Calls the admin API with the operator's headers. */
export class ApiClient {
  readonly #base: string;
  readonly #auth: ConsoleAuth;

  constructor(base: string, auth: ConsoleAuth) {
    this.#base = base;
    this.#auth = auth;
  }

  /**
   * The JSON body of `GET`/`POST`/`DELETE <base><path>`; throws {@link ApiCallError} for a status outside 2xx,
   * except those listed in `accept` (a 422 of a preview carries its problems).
   */
  async call<T>(
    path: string,
    options: { method?: string; body?: string; accept?: readonly number[] } = {},
  ): Promise<T> {
    const response = await fetch(`${this.#base}${path}`, {
      method: options.method ?? "GET",
      headers: { ...(await this.#auth.headers()), accept: "application/json" },
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const body: T = await response.json();
    if (!response.ok && !(options.accept ?? []).includes(response.status)) {
      throw new ApiCallError(response.status, messageOf(body) ?? `${response.status} ${response.statusText}`);
    }
    return body;
  }
}

/** A path segment, percent-encoded. */
export const seg = (value: string): string => encodeURIComponent(value);
