import { Duration } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import type { DeadLetterQueue } from "./dead-letter-queue.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";

/** The alarms of a feedback function invoked asynchronously (SES's rule, SMS's topics). */
export interface FeedbackAlarms {
  /** Invocations failed: they are retried, then dead-lettered. */
  readonly errors: IAlarm;
  /** Events were given up on: the dead-letter queue holds them. */
  readonly deadLetters: IAlarm;
}

/**
 * What every asynchronously invoked feedback function gets: a failing event retried twice by Lambda within six
 * hours, then kept in `deadLetters` with its error for a look and a redrive; an alarm on its errors and one on the
 * dead-letter queue, declared in `scope`, both notifying `topic`.
 */
export function guardFeedbackFunction(
  scope: Construct,
  fn: IFunction,
  deadLetters: DeadLetterQueue,
  alarms: { readonly topic: ITopic; readonly errors: string; readonly deadLetters: string },
): FeedbackAlarms {
  fn.configureAsyncInvoke({
    retryAttempts: 2,
    maxEventAge: Duration.hours(6),
    onFailure: new SqsDestination(deadLetters.queue),
  });
  return {
    errors: notifyingAlarm(scope, "ErrorsAlarm", {
      description: alarms.errors,
      metric: fn.metricErrors({ statistic: "Sum", period: ALARM_PERIOD }),
      threshold: 0,
      topic: alarms.topic,
    }),
    deadLetters: deadLetters.alarmWhenNotEmpty(scope, "DeadLettersAlarm", alarms.deadLetters, alarms.topic),
  };
}
