import { LocalStackError } from "./local-errors.js";

/** The TCP port of each emulator and of the local HTTP API. `0` asks the OS for a free one (tests do that). */
export interface Ports {
  readonly dynamodb: number;
  readonly kinesis: number;
  /** fauxqs serves SQS and S3 on one port. */
  readonly sqsS3: number;
  readonly ses: number;
  /** The local HTTP API (API Gateway's counterpart), served by the stack itself. */
  readonly api: number;
  /** The End User Messaging SMS emulator and its web view, started by the stack when SMS is on. */
  readonly sms: number;
}

/** The ports of the emulators alone (the HTTP API is started by the stack, after them). */
export type EmulatorPorts = Omit<Ports, "api" | "sms">;

export type PortService = keyof Ports;

/** The ports AWS-emulator users expect: dynalite's, kinesalite's, LocalStack's edge port, aws-ses-v2-local's. */
export const defaultPorts: Ports = {
  dynamodb: 8000,
  kinesis: 4567,
  sqsS3: 4566,
  ses: 8005,
  api: 8006,
  sms: 8007,
};

/** Each service's name in flags (`--port-sqs-s3`) and, upper-cased, in the environment (`TAILOR_PORT_SQS_S3`). */
export const portFlagNames: Readonly<Record<PortService, string>> = {
  dynamodb: "dynamodb",
  kinesis: "kinesis",
  sqsS3: "sqs-s3",
  ses: "ses",
  api: "api",
  sms: "sms",
};

/** `TAILOR_PORT_<SERVICE>` for a service. */
export function portEnvName(service: PortService): string {
  return `TAILOR_PORT_${portFlagNames[service].toUpperCase().replaceAll("-", "_")}`;
}

/** Parses a port from a flag or an environment variable; names the source in the error. */
export function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new LocalStackError(`${source}: expected a port number 0–65535, got "${value}"`);
  }
  return port;
}

const services: readonly PortService[] = ["dynamodb", "kinesis", "sqsS3", "ses", "api", "sms"];

/**
 * The ports to use: an explicit option wins, then `TAILOR_PORT_<SERVICE>` from `env`, then the default.
 * (The CLI turns its `--port-<service>` flags into options, so flags win over the environment.)
 */
export function resolvePorts(options: Partial<Ports> = {}, env: NodeJS.ProcessEnv = process.env): Ports {
  const pick = (service: PortService): number => {
    const explicit = options[service];
    if (explicit !== undefined) return parsePort(String(explicit), `port for ${service}`);
    const name = portEnvName(service);
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv !== "") return parsePort(fromEnv, name);
    return defaultPorts[service];
  };
  return {
    dynamodb: pick("dynamodb"),
    kinesis: pick("kinesis"),
    sqsS3: pick("sqsS3"),
    ses: pick("ses"),
    api: pick("api"),
    sms: pick("sms"),
  };
}

/** Every service, in a stable order (for flags and help text). */
export function portServices(): readonly PortService[] {
  return services;
}
