import type { Context } from "aws-lambda";
import { type FunctionIdentity, lambdaContext } from "./kinesis-event.js";

/**
 * Invokes a handler as Lambda would: with a Lambda-like context whose deadline is the function's timeout, and
 * failing with Lambda's own message when the timeout passes first (the handler's promise is then abandoned,
 * as Lambda abandons the invocation).
 */
export async function invokeWithTimeout<E>(
  fn: FunctionIdentity,
  handler: (event: E, context: Context) => Promise<unknown>,
  event: E,
): Promise<unknown> {
  const startedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`)),
      fn.timeoutSeconds * 1000,
    );
  });
  try {
    return await Promise.race([handler(event, lambdaContext(fn, startedAt)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
