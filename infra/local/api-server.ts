import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { loggablePath } from "#shared/app/api/segment-routes.js";
import {
  type ApiHandler,
  type ApiResponse,
  fromApiResult,
  internalServerError,
  notFound,
  toApiEvent,
} from "./api-event.js";
import { routeMatcher } from "./api-routes.js";
import { invokeWithTimeout } from "./invoke-handler.js";
import { holdIdleConnections } from "./keep-alive.js";
import type { FunctionIdentity } from "./kinesis-event.js";
import type { HttpApiSpec } from "./resource-plan.js";

export type { ApiHandler } from "./api-event.js";

/** The function behind a route. */
export interface ApiFunction {
  readonly function: FunctionIdentity;
  readonly handler: ApiHandler;
}

export interface ApiServerOptions {
  readonly api: HttpApiSpec;
  /** The function behind each route's `functionName`; a route without one answers 500 (and is logged). */
  readonly functions: ReadonlyMap<string, ApiFunction>;
  readonly port: number;
  readonly host?: string;
  readonly log?: (line: string) => void;
  /** The clock of the request times. Default `Date.now`. */
  readonly now?: () => number;
  /** Files served on `GET` before the routes are matched (the demo shop's pictures); undefined: not one. */
  readonly assets?: (
    path: string,
  ) => { readonly contentType: string; readonly body: Buffer; readonly cacheControl?: string } | undefined;
}

/** A listening local HTTP API. */
export interface ApiServer {
  /** `http://127.0.0.1:<port>`, no trailing slash: what the API's endpoint is locally. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : String(error);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] ?? "", raw[i + 1] ?? ""]);
  return out;
}

function write(res: ServerResponse, response: ApiResponse): void {
  res.writeHead(response.statusCode, { ...response.headers, "content-length": response.body.length });
  res.end(response.body);
}

/**
 * What API Gateway does for an HTTP API, in this process: a Node `http` server on loopback that matches each
 * request to a route (404 when none does), invokes the route's function with the `APIGatewayProxyEventV2`,
 * and writes back its result. Authorization is not checked: routes with IAM or JWT authorization accept every
 * request locally.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { api } = options;
  const log = options.log ?? (() => {});
  const host = options.host ?? "127.0.0.1";
  const match = routeMatcher(api.routes.map((route) => ({ routeKey: route.routeKey, target: route })));
  const prefix = api.stage === "$default" ? "" : `/${api.stage}`;

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? "/";
    const path = url.split("?")[0] ?? "/";
    const inStage = prefix === "" || path === prefix || path.startsWith(`${prefix}/`);
    const found = inStage ? match(req.method ?? "GET", path.slice(prefix.length) || "/") : undefined;
    const body = await readBody(req);
    const asset = req.method === "GET" ? options.assets?.(path) : undefined;
    if (asset !== undefined) {
      write(res, {
        statusCode: 200,
        headers: { "content-type": asset.contentType, "cache-control": asset.cacheControl ?? "max-age=3600" },
        body: asset.body,
      });
      return;
    }
    if (found === undefined) {
      write(res, notFound);
      return;
    }
    const fn = options.functions.get(found.target.functionName);
    if (fn === undefined) {
      log(`${found.routeKey}: no handler for ${found.target.functionName}: 500`);
      write(res, internalServerError);
      return;
    }
    const event = toApiEvent(
      {
        method: req.method ?? "GET",
        url,
        headers: pairs(req.rawHeaders),
        body,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        protocol: `HTTP/${req.httpVersion}`,
      },
      { apiId: api.apiId, stage: api.stage, routeKey: found.routeKey, pathParameters: found.pathParameters },
      (options.now ?? Date.now)(),
    );
    try {
      write(res, fromApiResult(await invokeWithTimeout(fn.function, fn.handler, event)));
    } catch (error) {
      log(`${found.routeKey} → ${fn.function.functionName}: ${describe(error)}`);
      write(res, internalServerError);
    }
  };

  const server = holdIdleConnections(
    http.createServer((req, res) => {
      serve(req, res).catch((error: unknown) => {
        // The path only, never a settings path's write key.
        log(`${req.method} ${loggablePath((req.url ?? "/").split("?")[0] ?? "/")}: ${describe(error)}`);
        if (!res.headersSent) write(res, internalServerError);
        else res.destroy();
      });
    }),
  );
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
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
