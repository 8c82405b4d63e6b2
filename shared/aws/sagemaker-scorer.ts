import { InvokeEndpointCommand, type SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { TailorError } from "../errors.js";
import { type Clock, type Scorer, systemClock } from "../ports.js";

/**
 * The model endpoint did not answer (timeout, throttling, 5xx, a model error), or the circuit breaker is open
 * after repeated failures: try again later.
 */
export class ScorerUnavailableError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: true, cause });
  }
}

/** The model endpoint answered something that is not one score in [0, 1] per row. */
export class ScorerResponseError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

/** Options of {@link SageMakerScorer}. */
export interface SageMakerScorerOptions {
  /** The runtime client, created once per process; give it `maxAttempts: 1` so the timeout bounds a call. */
  readonly client: SageMakerRuntimeClient;
  /** The endpoint serving a model. @default the model's name */
  readonly endpointFor?: (model: string) => string;
  /** Most rows per `InvokeEndpoint` call (the payload limit is 6 MB). @default 100 */
  readonly maxRowsPerCall?: number;
  /** Give up on one call after this long (ms). @default 5_000 */
  readonly timeoutMs?: number;
  /** Consecutive failed calls that open the circuit breaker. @default 5 */
  readonly failureThreshold?: number;
  /** How long an open breaker fails fast before letting one call through (ms). @default 30_000 */
  readonly coolDownMs?: number;
  /** @default the system clock */
  readonly clock?: Clock;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Propensity scores from SageMaker real-time endpoints (`InvokeEndpoint`, JSON both ways): the rows go as
 * `{"instances": [[…], …]}` in calls of at most `maxRowsPerCall`, and come back as
 * `{"predictions": [{"score": p}, …]}`. Each call is aborted after `timeoutMs`. After `failureThreshold`
 * consecutive failed calls the breaker opens: for `coolDownMs` every call fails at once with
 * {@link ScorerUnavailableError} instead of queueing behind a dead endpoint; then one call is let through,
 * and its success closes the breaker (its failure opens it again).
 */
export class SageMakerScorer implements Scorer {
  readonly #client: SageMakerRuntimeClient;
  readonly #endpointFor: (model: string) => string;
  readonly #maxRows: number;
  readonly #timeoutMs: number;
  readonly #breaker: CircuitBreaker;

  constructor(options: SageMakerScorerOptions) {
    this.#client = options.client;
    this.#endpointFor = options.endpointFor ?? ((model) => model);
    this.#maxRows = Math.max(1, options.maxRowsPerCall ?? 100);
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold ?? 5,
      coolDownMs: options.coolDownMs ?? 30_000,
      clock: options.clock ?? systemClock,
    });
  }

  async score(model: string, rows: readonly number[][]): Promise<number[]> {
    const scores: number[] = [];
    for (let start = 0; start < rows.length; start += this.#maxRows) {
      const chunk = rows.slice(start, start + this.#maxRows);
      scores.push(...(await this.#breaker.run(() => this.#invoke(model, chunk))));
    }
    return scores;
  }

  async #invoke(model: string, rows: readonly number[][]): Promise<number[]> {
    const endpoint = this.#endpointFor(model);
    let raw: Uint8Array | undefined;
    try {
      const out = await this.#client.send(
        new InvokeEndpointCommand({
          EndpointName: endpoint,
          ContentType: "application/json",
          Accept: "application/json",
          Body: encoder.encode(JSON.stringify({ instances: rows })),
        }),
        { abortSignal: AbortSignal.timeout(this.#timeoutMs) },
      );
      raw = out.Body;
    } catch (error) {
      const name = error instanceof Error ? error.name : "Error";
      const timedOut = name === "AbortError" || name === "TimeoutError";
      throw new ScorerUnavailableError(
        timedOut
          ? `endpoint ${endpoint} did not answer within ${this.#timeoutMs} ms`
          : `endpoint ${endpoint} failed: ${name}`,
        error,
      );
    }
    return parseScores(raw === undefined ? "" : decoder.decode(raw), rows.length);
  }
}

/** The scores of an endpoint's JSON answer, checked: exactly `expected` of them, each in [0, 1]. */
export function parseScores(text: string, expected: number): number[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ScorerResponseError("the endpoint's answer is not JSON", error);
  }
  const list: unknown =
    typeof value === "object" && value !== null ? Reflect.get(value, "predictions") : undefined;
  if (!Array.isArray(list)) throw new ScorerResponseError('the endpoint\'s answer has no "predictions" list');
  if (list.length !== expected)
    throw new ScorerResponseError(`the endpoint returned ${list.length} predictions for ${expected} rows`);
  return list.map((item: unknown, index) => {
    const score: unknown = typeof item === "object" && item !== null ? Reflect.get(item, "score") : item;
    if (typeof score !== "number" || !(score >= 0 && score <= 1))
      throw new ScorerResponseError(`prediction ${index} is not a score in [0, 1]`);
    return score;
  });
}

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly coolDownMs: number;
  readonly clock: Clock;
}

/**
 * Counts consecutive failures of the calls it runs; at `failureThreshold` it opens for `coolDownMs`, failing
 * fast with {@link ScorerUnavailableError}. After the cool-down one call goes through: a success closes it, a
 * failure opens it again for another cool-down.
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  #failures = 0;
  #openUntil: number | undefined;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
  }

  /** Whether calls currently fail fast. */
  get open(): boolean {
    return this.#openUntil !== undefined && this.#options.clock.now() < this.#openUntil;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    const openUntil = this.#openUntil;
    if (openUntil !== undefined && this.#options.clock.now() < openUntil)
      throw new ScorerUnavailableError(
        `circuit open after ${this.#failures} consecutive failures, until ${new Date(openUntil).toISOString()}`,
      );
    try {
      const result = await call();
      this.#failures = 0;
      this.#openUntil = undefined;
      return result;
    } catch (error) {
      this.#failures++;
      // Half-open (a cool-down just ended) or the threshold reached: open for a fresh cool-down.
      if (openUntil !== undefined || this.#failures >= this.#options.failureThreshold)
        this.#openUntil = this.#options.clock.now() + this.#options.coolDownMs;
      throw error;
    }
  }
}
