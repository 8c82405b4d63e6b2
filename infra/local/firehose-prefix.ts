import { TemplateError } from "./local-errors.js";

const two = (n: number) => String(n).padStart(2, "0");

/** The `!{timestamp:…}` patterns the local stack expands (Java `DateTimeFormatter` letters, UTC). */
const DATE_PARTS: Readonly<Record<string, (d: Date) => string>> = {
  yyyy: (d) => String(d.getUTCFullYear()),
  MM: (d) => two(d.getUTCMonth() + 1),
  dd: (d) => two(d.getUTCDate()),
  HH: (d) => two(d.getUTCHours()),
  mm: (d) => two(d.getUTCMinutes()),
  ss: (d) => two(d.getUTCSeconds()),
};

/** What a prefix's `!{firehose:…}` expressions stand for. */
export interface PrefixValues {
  /** `!{firehose:error-output-type}`: `processing-failed`, `S3Delivery-failed`, … */
  readonly errorOutputType?: string;
  /** `!{firehose:random-string}`. */
  readonly randomString?: string;
}

/**
 * A Firehose S3 prefix expanded as Firehose does, for a time in UTC: `!{timestamp:yyyy}` (and `MM`, `dd`, `HH`,
 * `mm`, `ss`, or several, `!{timestamp:yyyy/MM}`) and the `!{firehose:…}` values given. Throws a
 * {@link TemplateError} naming an expression it does not know, rather than writing it literally.
 */
export function expandFirehosePrefix(prefix: string, ms: number, values: PrefixValues = {}): string {
  const date = new Date(ms);
  return prefix.replace(/!\{([A-Za-z-]+):([^}]*)\}/g, (whole, namespace: string, argument: string) => {
    if (namespace === "timestamp") {
      return argument.replace(/yyyy|MM|dd|HH|mm|ss/g, (part) => DATE_PARTS[part]?.(date) ?? part);
    }
    if (
      namespace === "firehose" &&
      argument === "error-output-type" &&
      values.errorOutputType !== undefined
    ) {
      return values.errorOutputType;
    }
    if (namespace === "firehose" && argument === "random-string" && values.randomString !== undefined) {
      return values.randomString;
    }
    throw new TemplateError(`the prefix ${prefix}: ${whole} is not supported by the local stack`);
  });
}
