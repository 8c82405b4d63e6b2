import { TailorError } from "#shared/errors.js";

/** A construct was given props it cannot honour; raised at synth time, before anything is deployed. */
export class InfraConfigError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}
