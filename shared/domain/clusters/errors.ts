import { TailorError } from "#shared/errors.js";

/** Input that cannot be clustered (no rows, rows of the wrong width, a bad `k`). Never retryable. */
export class ClusterInputError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}
