import type { Server } from "node:http";
import dynalite from "dynalite";
import { startFauxqs } from "fauxqs";
import kinesalite from "kinesalite";
import { dataSubdir, prepareDataDir, resolveDataDir } from "./data-dir.js";
import { type FrontListener, startHttpFront } from "./http-front.js";
import { holdIdleConnections } from "./keep-alive.js";
import { LocalStackError } from "./local-errors.js";
import { applyEnvironment, sdkEnvironment } from "./sdk-env.js";
import {
  type EmulatorPorts,
  type PortService,
  type Ports,
  portEnvName,
  portFlagNames,
  resolvePorts,
} from "./service-ports.js";
import { type AcceptedSesSend, startSesFront } from "./ses-front.js";
import { loadSesServer } from "./ses-server.js";

/** The base URL of each emulated service, as the SDK wants it in `AWS_ENDPOINT_URL_<SERVICE>`. */
export interface Endpoints {
  readonly dynamodb: string;
  readonly kinesis: string;
  readonly sqs: string;
  readonly s3: string;
  readonly sesv2: string;
  /** aws-ses-v2-local's inbox: every email the stack sent, rendered. */
  readonly sesWebView: string;
}

export interface EmulatorOptions {
  /** State folder; default `.tailor/data` under the working directory. */
  readonly dataDir?: string;
  /** Wipe the data dir first. */
  readonly fresh?: boolean;
  /**
   * Keep DynamoDB's tables in memory (dynalite over memory-level) instead of LevelDB under the data dir: nothing
   * survives `stop()`. For benchmarks that rewrite millions of items, which on LevelDB wait on its compaction.
   * @default false
   */
  readonly dynamodbInMemory?: boolean;
  /** Per-service ports; unset ones come from `TAILOR_PORT_<SERVICE>`, then the defaults. `0`: any free port. */
  readonly ports?: Partial<Ports>;
  /** Set region, dummy credentials and `AWS_ENDPOINT_URL_*` in `process.env` (restored by `stop()`). Default true. */
  readonly setEnv?: boolean;
}

/** The running emulators. */
export interface Emulators {
  readonly endpoints: Endpoints;
  /** The ports actually bound (a `0` became a real port). */
  readonly ports: EmulatorPorts;
  readonly dataDir: string;
  /** The variables set in `process.env` (also when `setEnv` was false: what a client would need). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Calls `listener` for each email the SES emulator accepts, with its message tags (which the emulator drops):
   * what SES's `Send` event tells. Resolves a function that stops the calls.
   */
  onSesAccepted(listener: (send: AcceptedSesSend) => void): () => void;
  /** Closes every emulator and connection, flushes their stores, and restores `process.env`. */
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";

const url = (port: number) => `http://${HOST}:${port}`;

function inUse(service: PortService, port: number, cause: unknown): LocalStackError {
  return new LocalStackError(
    `cannot listen on ${HOST}:${port} for ${service}: is another stack running? ` +
      `Pick another port with --port-${portFlagNames[service]} or ${portEnvName(service)} (0 = any free port)`,
    cause,
  );
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, HOST, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => {
      // kinesalite's store closes through its (never listening) server: "not running" is expected there.
      if (error && !("code" in error && error.code === "ERR_SERVER_NOT_RUNNING")) reject(error);
      else resolve();
    });
    server.closeAllConnections();
  });
}

/** kinesalite's request handler, to serve behind the HTTP/1.1 + h2c front. */
function requestListenerOf(server: Server): FrontListener {
  const [listener] = server.listeners("request");
  if (typeof listener !== "function") throw new LocalStackError("kinesalite exposes no request handler");
  return (req, res) => {
    listener.call(server, req, res);
  };
}

/**
 * Starts DynamoDB (dynalite), Kinesis (kinesalite behind an HTTP/1.1 + h2c front), SQS and S3 (fauxqs) and SES v2
 * (aws-ses-v2-local) in this process, on 127.0.0.1, with state under the data dir (SES keeps its mail in memory:
 * the library has no persistence). fauxqs binds every interface; the library offers no choice.
 */
export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const dataDir = resolveDataDir(options.dataDir);
  prepareDataDir(dataDir, { fresh: options.fresh ?? false });
  const wanted = resolvePorts(options.ports);
  const setEnv = options.setEnv ?? true;
  // dynalite and kinesalite read the region for their ARNs when their store opens.
  const restoreRegion = setEnv ? applyEnvironment({ AWS_REGION: "us-east-1" }) : () => {};
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        errors.push(error);
      }
    }
    stops.length = 0;
    if (errors.length > 0) throw new LocalStackError("some emulators did not stop cleanly", errors[0]);
  };

  try {
    const dynamo = holdIdleConnections(
      dynalite({
        path: options.dynamodbInMemory === true ? undefined : dataSubdir(dataDir, "dynamodb"),
        createTableMs: 0,
        deleteTableMs: 0,
      }),
    );
    const dynamodbPort = await listen(dynamo, wanted.dynamodb).catch((error: unknown) => {
      throw inUse("dynamodb", wanted.dynamodb, error);
    });
    stops.push(() => closeServer(dynamo));

    const kinesis = kinesalite({
      path: dataSubdir(dataDir, "kinesis"),
      createStreamMs: 0,
      deleteStreamMs: 0,
      // kinesalite mimics the default account limit of 10 shards: too few for a grown data dir or a test suite.
      shardLimit: 1000,
    });
    stops.push(() => closeServer(kinesis));
    const front = await startHttpFront({
      listener: requestListenerOf(kinesis),
      port: wanted.kinesis,
      host: HOST,
    }).catch((error: unknown) => {
      throw inUse("kinesis", wanted.kinesis, error);
    });
    stops.push(() => front.close());

    const fauxqs = await startFauxqs({
      port: wanted.sqsS3,
      logger: false,
      defaultRegion: "us-east-1",
      dataDir: dataSubdir(dataDir, "sqs-s3"),
    }).catch((error: unknown) => {
      throw inUse("sqsS3", wanted.sqsS3, error);
    });
    stops.push(() => fauxqs.stop());

    // The emulator on a port of its own, behind a front on the SES port that sees what it accepts.
    const ses = await loadSesServer()({ host: HOST, port: 0 });
    // aws-ses-v2-local resolves even when listen failed (Express passes the error to its callback).
    if (!ses.listening) throw new LocalStackError("the SES emulator did not start");
    stops.push(() => closeServer(ses));
    const sesAddress = ses.address();
    const emulatorPort = typeof sesAddress === "object" && sesAddress !== null ? sesAddress.port : 0;
    const sesListeners = new Set<(send: AcceptedSesSend) => void>();
    const sesFront = await startSesFront({
      target: url(emulatorPort),
      host: HOST,
      port: wanted.ses,
      onAccepted: (send) => {
        for (const listener of sesListeners) listener(send);
      },
    }).catch((error: unknown) => {
      throw inUse("ses", wanted.ses, error);
    });
    stops.push(() => sesFront.close());
    const sesPort = sesFront.port;

    const ports: EmulatorPorts = {
      dynamodb: dynamodbPort,
      kinesis: front.port,
      sqsS3: fauxqs.port,
      ses: sesPort,
    };
    const endpoints: Endpoints = {
      dynamodb: url(ports.dynamodb),
      kinesis: url(ports.kinesis),
      sqs: url(ports.sqsS3),
      s3: url(ports.sqsS3),
      sesv2: url(ports.ses),
      sesWebView: `${url(ports.ses)}/`,
    };
    const env = sdkEnvironment(endpoints);
    const restoreEnv = setEnv ? applyEnvironment(env) : () => {};
    let stopped = false;
    return {
      endpoints,
      ports,
      dataDir,
      env,
      onSesAccepted: (listener) => {
        sesListeners.add(listener);
        return () => sesListeners.delete(listener);
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        try {
          await stopAll();
        } finally {
          restoreEnv();
          restoreRegion();
        }
      },
    };
  } catch (error) {
    await stopAll().catch(() => {});
    restoreRegion();
    throw error;
  }
}
