import { TailorError } from "#shared/errors.js";

/** The local stack could not start or be used as configured (a port taken, a bad flag, a missing stack). */
export class LocalStackError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

/** The synthesised template holds something the local stack cannot resolve or create. */
export class TemplateError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}
