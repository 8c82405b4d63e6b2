import type { Context } from "aws-lambda";

/**
 * A Lambda context for calling a handler in process, as the function `functionName` (us-east-1, local account):
 * `remainingMs` is what `getRemainingTimeInMillis()` answers.
 */
export function lambdaContext(functionName: string, requestId: string, remainingMs: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
