import type { ParseArgsConfig } from "node:util";
import { LocalStackError } from "#infra/local/local-errors.js";
import {
  type PortService,
  type Ports,
  parsePort,
  portFlagNames,
  portServices,
} from "#infra/local/service-ports.js";

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** `--data-dir`, `--fresh` and the `--port-<service>` flags every stack-starting command takes. */
export const stackOptions = {
  "data-dir": { type: "string" },
  fresh: { type: "boolean", default: false },
  verbose: { type: "boolean", default: false },
  "port-dynamodb": { type: "string" },
  "port-kinesis": { type: "string" },
  "port-sqs-s3": { type: "string" },
  "port-ses": { type: "string" },
  "port-api": { type: "string" },
  "port-sms": { type: "string" },
} as const satisfies OptionsConfig;

/** The simulated shop's flags, shared by `start` and `simulate` (with the stack's flags). */
export const shopOptions = {
  ...stackOptions,
  customers: { type: "string" },
  days: { type: "string" },
  seed: { type: "string" },
  rate: { type: "string" },
  malformed: { type: "string" },
  models: { type: "string" },
} as const satisfies OptionsConfig;

/** The ports given as flags (the rest come from `TAILOR_PORT_<SERVICE>` or the defaults). */
export function portsFromFlags(values: Readonly<Record<string, unknown>>): Partial<Ports> {
  const ports: { -readonly [K in PortService]?: number } = {};
  for (const service of portServices()) {
    const flag = `port-${portFlagNames[service]}`;
    const value = values[flag];
    if (typeof value === "string") ports[service] = parsePort(value, `--${flag}`);
  }
  return ports;
}

/** A positive integer flag, or the default; names the flag when it is not one. */
export function intFlag(value: unknown, flag: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== "string" || !/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new LocalStackError(`--${flag}: expected an integer ≥ ${min}, got "${String(value)}"`);
  }
  return n;
}

/** A string flag's value, if given. */
export function stringFlag(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * Variables that keep the functions' Powertools output quiet under a live progress display (`verbose` keeps
 * the template's settings): log level `logLevel`, EMF metrics off.
 */
export function quietFunctions(verbose: boolean, logLevel: "WARN" | "ERROR"): Record<string, string> {
  return verbose ? {} : { POWERTOOLS_LOG_LEVEL: logLevel, POWERTOOLS_METRICS_DISABLED: "true" };
}
