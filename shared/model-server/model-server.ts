import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { loadArtifactDirectory, type ModelArtifact } from "./artifacts.js";
import { InvalidInvocationError } from "./errors.js";
import { invokeModel } from "./invoke.js";

/** SageMaker's own limit on an `InvokeEndpoint` payload. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;
const TARGET_MODEL_HEADER = "x-amzn-sagemaker-target-model";
const RUNTIME_PATH = /^\/endpoints\/([^/]+)\/invocations$/;

/** Options of {@link startModelServer}. */
export interface ModelServerOptions {
  /** 0 picks a free port. SageMaker runs containers on 8080. */
  readonly port: number;
  /** @default "127.0.0.1" (use "0.0.0.0" in a container) */
  readonly host?: string;
  /** The models by name, or a directory of JSON artifacts each named after its file. */
  readonly models: ReadonlyMap<string, ModelArtifact> | string;
}

/** A running model server. */
export interface ModelServer {
  /** `http://host:port`: give it as `endpoint` to a `SageMakerRuntimeClient`. */
  readonly url: string;
  readonly port: number;
  /** The names of the models served. */
  readonly models: readonly string[];
  stop(): Promise<void>;
}

/**
 * Serves model artifacts over SageMaker's protocols: the container contract (`GET /ping`, `POST /invocations`,
 * the model chosen by `?model=` or the `X-Amzn-SageMaker-Target-Model` header when several are loaded) and the
 * runtime API of `InvokeEndpoint` (`POST /endpoints/<model name>/invocations`, errors typed by the
 * `x-amzn-errortype` header as the AWS SDK reads them). A bad request gets a 4xx and never stops the server.
 */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const models =
    typeof options.models === "string" ? await loadArtifactDirectory(options.models) : options.models;
  const host = options.host ?? "127.0.0.1";
  const server = createServer((request, response) => {
    handle(models, request, response).catch((error: unknown) => {
      // Only reached when the response itself failed (client gone): nothing left to answer.
      if (!response.headersSent)
        reply(response, 500, "application/json", JSON.stringify({ message: String(error) }));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    models: [...models.keys()],
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

async function handle(
  models: ReadonlyMap<string, ModelArtifact>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://model-server");
  const method = request.method ?? "GET";
  if (url.pathname === "/ping" && (method === "GET" || method === "HEAD")) {
    const ready = models.size > 0;
    return reply(
      response,
      ready ? 200 : 503,
      "application/json",
      JSON.stringify({ ready, models: [...models.keys()] }),
    );
  }
  const runtime = RUNTIME_PATH.exec(url.pathname);
  if (runtime === null && url.pathname !== "/invocations")
    return reply(
      response,
      404,
      "application/json",
      JSON.stringify({ message: `no route for ${method} ${url.pathname}` }),
    );
  if (method !== "POST")
    return reply(
      response,
      405,
      "application/json",
      JSON.stringify({ message: `${url.pathname} takes POST` }),
    );
  const fail = runtime === null ? containerError : runtimeError;
  try {
    const name = runtime === null ? chooseModel(models, url, request) : decodeURIComponent(runtime[1] ?? "");
    const model = models.get(name);
    if (model === undefined)
      throw new InvalidInvocationError(
        `endpoint ${name} not found: this server serves ${[...models.keys()].join(", ") || "no models"}`,
        404,
      );
    const body = await readBody(request);
    const result = invokeModel(model, {
      contentType: request.headers["content-type"],
      accept: request.headers.accept,
      body,
    });
    return reply(response, 200, result.contentType, result.body);
  } catch (error) {
    return fail(response, error);
  }
}

function chooseModel(models: ReadonlyMap<string, ModelArtifact>, url: URL, request: IncomingMessage): string {
  const header = request.headers[TARGET_MODEL_HEADER];
  const named = url.searchParams.get("model") ?? (typeof header === "string" ? header : undefined);
  if (named !== undefined && named !== "") return named;
  const [only, ...others] = models.keys();
  if (only !== undefined && others.length === 0) return only;
  throw new InvalidInvocationError(
    `${models.size} models are loaded (${[...models.keys()].join(", ")}): choose one with ?model=<name> or the X-Amzn-SageMaker-Target-Model header`,
  );
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    // Past the limit, keep reading and dropping the rest so the connection stays usable for the answer.
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  if (size > MAX_BODY_BYTES)
    throw new InvalidInvocationError(`the body is larger than ${MAX_BODY_BYTES} bytes`, 413);
  return Buffer.concat(chunks).toString("utf8");
}

/** The runtime API's errors: the AWS SDK picks the exception class from `x-amzn-errortype`. */
function runtimeError(response: ServerResponse, error: unknown): void {
  if (error instanceof InvalidInvocationError) {
    // SageMaker answers every caller mistake, unknown endpoints included, with a 400 ValidationError.
    const body = JSON.stringify({ message: error.message });
    reply(response, 400, "application/json", body, { "x-amzn-errortype": "ValidationError" });
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  const body = JSON.stringify({
    message: `the model failed: ${message}`,
    OriginalStatusCode: 500,
    OriginalMessage: message,
  });
  reply(response, 424, "application/json", body, { "x-amzn-errortype": "ModelError" });
}

/** The container contract's errors: plain status codes with a JSON message. */
function containerError(response: ServerResponse, error: unknown): void {
  if (error instanceof InvalidInvocationError) {
    reply(response, error.status, "application/json", JSON.stringify({ message: error.message }));
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  reply(response, 500, "application/json", JSON.stringify({ message: `the model failed: ${message}` }));
}

function reply(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}
