import { randomUUID } from "node:crypto";
import type { EventBridgeEvent } from "aws-lambda";
import { type EventPattern, matchesPattern } from "./event-pattern.js";
import { invokeWithTimeout } from "./invoke-handler.js";
import type { FunctionIdentity } from "./kinesis-event.js";
import type { EventTargetHandler } from "./scheduled-event.js";
import { localAccountId, localRegion } from "./sdk-env.js";
import { type TargetInput, targetPayload } from "./target-input.js";

/** A function an event rule invokes, or a state machine it starts, and what with. */
export type EventRuleTarget = (
  | { readonly function: FunctionIdentity; readonly handler: EventTargetHandler }
  | {
      /** The state machine's local name. */
      readonly stateMachine: string;
      /** Starts an execution with the payload; returns once it is started (EventBridge does not wait for it). */
      readonly start: (input: unknown) => void;
    }
) & {
  /** The target's input setting; absent: the matched event. */
  readonly input?: TargetInput;
};

/** An event-pattern rule of the default bus, with its targets' handlers. */
export interface LocalEventRule {
  readonly name: string;
  readonly arn: string;
  readonly pattern: EventPattern;
  readonly targets: readonly EventRuleTarget[];
}

/** An event to put on the bus: `source`, `detail-type` and `detail`; the rest is filled in as EventBridge does. */
export type PublishedEvent = Pick<EventBridgeEvent<string, unknown>, "source" | "detail-type" | "detail"> &
  Partial<EventBridgeEvent<string, unknown>>;

/** What one {@link LocalEventBus.publish} did. */
export interface PublishResult {
  /** The names of the rules the event matched. */
  readonly matched: readonly string[];
  readonly invocations: number;
  /** Invocations that threw or timed out (logged). */
  readonly errors: number;
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : String(error);

/**
 * What the default EventBridge bus does with its pattern rules, in this process: an event put on it is matched
 * against every rule's pattern and each matching rule's targets are invoked with it (or with their input
 * setting's payload). {@link publish} resolves once every target has returned or failed; a failure is logged
 * and counted, not retried.
 */
export class LocalEventBus {
  readonly #rules: readonly LocalEventRule[];
  readonly #log: (line: string) => void;
  readonly #now: () => number;

  constructor(options: {
    readonly rules: readonly LocalEventRule[];
    readonly log?: (line: string) => void;
    readonly now?: () => number;
  }) {
    this.#rules = options.rules;
    this.#log = options.log ?? (() => {});
    this.#now = options.now ?? Date.now;
  }

  /** The rules on the bus. */
  get rules(): readonly LocalEventRule[] {
    return this.#rules;
  }

  /** Puts `input` on the bus and resolves when every matched target is done. */
  async publish(input: PublishedEvent): Promise<PublishResult> {
    const event: EventBridgeEvent<string, unknown> = {
      version: "0",
      id: randomUUID(),
      account: localAccountId,
      time: `${new Date(Math.floor(this.#now() / 1000) * 1000).toISOString().slice(0, 19)}Z`,
      region: localRegion,
      resources: [],
      ...input,
    };
    const matched = this.#rules.filter((rule) => matchesPattern(rule.pattern, event));
    const calls = matched.flatMap((rule) =>
      rule.targets.map(async (target) => {
        const payload = targetPayload(target.input ?? { kind: "event" }, event, rule);
        try {
          if ("stateMachine" in target) target.start(payload);
          else await invokeWithTimeout(target.function, target.handler, payload);
          return false;
        } catch (error) {
          const name = "stateMachine" in target ? target.stateMachine : target.function.functionName;
          this.#log(`event rule ${rule.name} → ${name}: ${describe(error)}`);
          return true;
        }
      }),
    );
    const outcomes = await Promise.all(calls);
    return {
      matched: matched.map((rule) => rule.name),
      invocations: outcomes.length,
      errors: outcomes.filter((failed) => failed).length,
    };
  }
}
