/** Base of Tailor's errors: a stable `name`, an optional `cause`, and whether trying again can help. */
export class TailorError extends Error {
  readonly retryable: boolean;

  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable;
  }
}

/** A dependency (table, bucket) is throttling or unreachable: the batch item is retried, never dropped. */
export class DependencyUnavailableError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: true, cause });
  }
}

/** The profile kept changing under us: optimistic writes lost the race too many times. */
export class ProfileConflictError extends TailorError {
  constructor(customerId: string, attempts: number) {
    super(`profile ${customerId}: version conflict persisted after ${attempts} attempts`, {
      retryable: true,
    });
  }
}

/** Closes a switch over a union: a new member becomes a compile error here. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
