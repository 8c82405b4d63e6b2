import { InvokeEndpointCommand, type SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { personalSignals } from "../domain/models/seeds.js";
import { TailorError } from "../errors.js";
import { type Clock, type RecommendationRequest, type Recommender, systemClock } from "../ports.js";

/** The model endpoint did not answer usefully (timeout, throttling, 5xx, a model error): try again later. */
export class RecommenderUnavailableError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: true, cause });
  }
}

/** The model endpoint answered something that is not a list of recommendations. */
export class RecommenderResponseError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

/** Options of {@link SageMakerRecommender}. */
export interface SageMakerRecommenderOptions {
  /**
   * The runtime client, created once per process. Give it `maxAttempts: 1` (or 2): the timeout bounds the
   * whole call, retries included, and the caller has fallbacks.
   */
  readonly client: SageMakerRuntimeClient;
  readonly endpointName: string;
  /** Give up after this long (ms). @default 250 */
  readonly timeoutMs?: number;
  /** Keep a customer's answer this long (ms). @default 600_000 (10 minutes) */
  readonly cacheTtlMs?: number;
  /** Most customers cached; the oldest entries go first. @default 10_000 */
  readonly cacheMaxEntries?: number;
  /** @default the system clock */
  readonly clock?: Clock;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Recommendations from a SageMaker real-time endpoint (`InvokeEndpoint`, JSON both ways). The request is
 * `{"customer_id", "k", "recently_viewed": [product ids], "categories": [favourite first], "seeds":
 * [{"product_id", "kind": "view" | "cart" | "purchase", "weight"}], "category_affinity": [{"category", "score"}]}`
 * (what the customer viewed, carted and bought, weighted by signal and recency: `personalSignals`); the answer is
 * `{"recommendations": [{"product_id": "…", "score": 0.93}, …]}`, best first. Answers are cached in memory per
 * customer and size for `cacheTtlMs` (a Lambda container renders many emails for the same campaign run), and a
 * call taking longer than `timeoutMs` is aborted.
 */
export class SageMakerRecommender implements Recommender {
  readonly #client: SageMakerRuntimeClient;
  readonly #endpointName: string;
  readonly #timeoutMs: number;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #clock: Clock;
  readonly #cache = new Map<string, { readonly expiresAt: number; readonly ids: readonly string[] }>();

  constructor(options: SageMakerRecommenderOptions) {
    this.#client = options.client;
    this.#endpointName = options.endpointName;
    this.#timeoutMs = options.timeoutMs ?? 250;
    this.#ttlMs = options.cacheTtlMs ?? 600_000;
    this.#maxEntries = options.cacheMaxEntries ?? 10_000;
    this.#clock = options.clock ?? systemClock;
  }

  async recommend(request: RecommendationRequest): Promise<readonly string[]> {
    const key = `${request.customerId}|${request.limit}`;
    const now = this.#clock.now();
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.expiresAt > now) return hit.ids;
    const ids = await this.#invoke(request, now);
    this.#cache.delete(key);
    this.#cache.set(key, { expiresAt: now + this.#ttlMs, ids });
    if (this.#cache.size > this.#maxEntries) {
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
    return ids;
  }

  async #invoke(request: RecommendationRequest, now: number): Promise<string[]> {
    const { seeds, affinity } = personalSignals(request.profile, now);
    const body = {
      customer_id: request.customerId,
      k: request.limit,
      recently_viewed: request.profile.rv ?? [],
      categories: affinity.map((entry) => entry.category),
      seeds: seeds.map((seed) => ({ product_id: seed.productId, kind: seed.kind, weight: seed.weight })),
      category_affinity: affinity,
    };
    let raw: Uint8Array | undefined;
    try {
      const out = await this.#client.send(
        new InvokeEndpointCommand({
          EndpointName: this.#endpointName,
          ContentType: "application/json",
          Accept: "application/json",
          Body: encoder.encode(JSON.stringify(body)),
        }),
        { abortSignal: AbortSignal.timeout(this.#timeoutMs) },
      );
      raw = out.Body;
    } catch (error) {
      const name = error instanceof Error ? error.name : "Error";
      const timedOut = name === "AbortError" || name === "TimeoutError";
      throw new RecommenderUnavailableError(
        timedOut
          ? `endpoint ${this.#endpointName} did not answer within ${this.#timeoutMs} ms`
          : `endpoint ${this.#endpointName} failed: ${name}`,
        error,
      );
    }
    return parseRecommendations(raw === undefined ? "" : decoder.decode(raw));
  }
}

/** The product ids of an endpoint's JSON answer, best first. */
export function parseRecommendations(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RecommenderResponseError("the endpoint's answer is not JSON", error);
  }
  const list: unknown =
    typeof value === "object" && value !== null ? Reflect.get(value, "recommendations") : undefined;
  if (!Array.isArray(list))
    throw new RecommenderResponseError('the endpoint\'s answer has no "recommendations" list');
  return list.flatMap((item: unknown) => {
    const id: unknown =
      typeof item === "object" && item !== null ? Reflect.get(item, "product_id") : undefined;
    return typeof id === "string" && id !== "" ? [id] : [];
  });
}
