/** The options given to `simulate` cannot describe a simulation. Fix the call; retrying will not help. */
export class SimOptionsError extends Error {
  override readonly name = "SimOptionsError";
  readonly retryable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
