import { LiquidError } from "liquidjs";

/** The 1-based line a LiquidJS error points at. */
export function liquidErrorLine(error: unknown): number | undefined {
  if (LiquidError.is(error)) return error.token.getPosition()[0];
  return undefined;
}

/** A LiquidJS error's message without its location suffix. */
export function liquidErrorMessage(error: unknown): string {
  const message = LiquidError.is(error)
    ? (error.originalError?.message ?? error.message)
    : error instanceof Error
      ? error.message
      : String(error);
  return message.replace(/,\s*line:\d+, col:\d+$/, "");
}
