import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { JourneyTrigger } from "../domain/campaigns/contracts.js";
import { triggerSnapshot } from "../domain/campaigns/trigger-snapshot.js";
import { parseEvent, type TailorEvent } from "../domain/events/index.js";
import { foldEvents, type Profile } from "../domain/profile/index.js";
import type { ModelScore } from "../domain/segments/contracts.js";
import { TailorError } from "../errors.js";

/** A sample recipient for build checks and previews, folded from its events like a real profile. */
export interface SampleProfile {
  /** File name without `.json`. */
  readonly name: string;
  readonly description: string;
  readonly profile: Profile;
  /** The time the sample is rendered at (epoch ms). */
  readonly now: number;
  readonly segments: readonly string[];
  readonly scores: Readonly<Record<string, ModelScore>>;
  /** The journey's trigger, from the event `"trigger"` names (its index in `events`), as ingest snapshots it. */
  readonly trigger?: JourneyTrigger;
}

/** A sample file is wrong. */
export class SampleProfileError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function time(value: unknown, where: string): number {
  const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new SampleProfileError(`${where}: expected an ISO time, got ${JSON.stringify(value)}`);
  return ms;
}

function readScores(value: unknown, file: string): Record<string, ModelScore> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new SampleProfileError(`${file}: "scores" must be an object`);
  const scores: Record<string, ModelScore> = {};
  for (const [model, score] of Object.entries(value)) {
    const tier = isRecord(score) ? score.t : undefined;
    if (
      !isRecord(score) ||
      typeof score.p !== "number" ||
      (tier !== "high" && tier !== "medium" && tier !== "low")
    ) {
      throw new SampleProfileError(
        `${file}: scores.${model} must be {"p": 0–1, "t": "high|medium|low", "at": time}`,
      );
    }
    scores[model] = { p: score.p, t: tier, at: time(score.at, `${file}: scores.${model}.at`) };
  }
  return scores;
}

/** The snapshot of `events[index]` as the journey it starts would carry it (see `triggerSnapshot`). */
function readTrigger(
  index: unknown,
  events: readonly TailorEvent[],
  profile: Profile,
  file: string,
): JourneyTrigger | undefined {
  if (index === undefined) return undefined;
  const event = typeof index === "number" ? events[index] : undefined;
  const snapshot =
    event === undefined ? undefined : triggerSnapshot(event, undefined, profile, sortByTime(events));
  if (snapshot === undefined) {
    throw new SampleProfileError(
      `${file}: "trigger" must be the index in "events" of an Order Completed, Product Added, Cart Viewed, Checkout Started or Product Viewed (got ${JSON.stringify(index)})`,
    );
  }
  return snapshot;
}

const sortByTime = (events: readonly TailorEvent[]) => [...events].sort((a, b) => a.timestamp - b.timestamp);

/**
 * Reads one sample: `{ description, customerId, now, segments?, scores?, trigger?, events: [Segment-spec messages] }`.
 * Events get `userId` = `customerId` and a `messageId` when they have none, are validated like ingested
 * events, and are folded into a profile at `now`.
 */
export function parseSampleProfile(name: string, json: unknown): SampleProfile {
  const file = `${name}.json`;
  if (!isRecord(json)) throw new SampleProfileError(`${file}: expected a JSON object`);
  const { description, customerId, events } = json;
  if (typeof description !== "string" || typeof customerId !== "string" || !Array.isArray(events)) {
    throw new SampleProfileError(`${file}: needs "description", "customerId" and "events"`);
  }
  const now = time(json.now, `${file}: now`);
  const segments = json.segments ?? [];
  if (!Array.isArray(segments) || !segments.every((id): id is string => typeof id === "string")) {
    throw new SampleProfileError(`${file}: "segments" must be a list of segment ids`);
  }
  const parsed: TailorEvent[] = events.map((raw: unknown, index) => {
    const event = isRecord(raw) ? { userId: customerId, messageId: `${customerId}-${index}`, ...raw } : raw;
    const result = parseEvent(event, now);
    if (!result.ok)
      throw new SampleProfileError(`${file}: events[${index}]: ${result.error.message}`, result.error);
    return result.event;
  });
  const { profile } = foldEvents(undefined, customerId, parsed, now);
  const trigger = readTrigger(json.trigger, parsed, profile, file);
  return {
    name,
    description,
    profile,
    now,
    segments,
    scores: readScores(json.scores, file),
    ...(trigger === undefined ? {} : { trigger }),
  };
}

/** Every `*.json` sample of `dir`, by name. */
export function loadSampleProfiles(dir: string): SampleProfile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(dir, file), "utf8");
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new SampleProfileError(`${file}: not JSON`, error);
      }
      return parseSampleProfile(file.slice(0, -".json".length), json);
    });
}
