import { TailorError } from "../errors.js";

/** The caller sent something the model cannot take (shape, content type, unknown model): answered with a 4xx. */
export class InvalidInvocationError extends TailorError {
  readonly status: number;

  constructor(message: string, status = 400) {
    super(message, { retryable: false });
    this.status = status;
  }
}

/** A model artifact is not one the server knows how to serve: the server refuses to start. */
export class InvalidArtifactError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}
