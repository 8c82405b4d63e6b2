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

/**
 * An id this batch meant to merge into a customer was merged into another customer first (a batch on another
 * shard won the race): the customer's records are failed back, and their redelivery resolves them as things are.
 */
export class IdentityRaceError extends TailorError {
  constructor(customerId: string, id: string, winner: string) {
    super(`profile ${customerId}: ${id} was merged into ${winner} first; the records are redelivered`, {
      retryable: true,
    });
  }
}

/** Closes a switch over a union: a new member becomes a compile error here. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
