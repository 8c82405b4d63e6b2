import type { z } from "zod";
import { TailorError } from "../errors.js";

/** A function started with a missing or invalid environment variable: a deployment bug, never retried. */
export class EnvironmentError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/**
 * Validates a function's environment once, at cold start, against its schema; names every variable that is
 * missing or wrong.
 */
export function loadEnv<S extends z.ZodObject>(
  schema: S,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new EnvironmentError(`invalid environment: ${problems.join("; ")}`);
  }
  return parsed.data;
}
