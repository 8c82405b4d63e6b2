import http, { type IncomingMessage, type ServerResponse } from "node:http";
import http2, { type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import net, { type Socket } from "node:net";
import { holdIdleConnections } from "./keep-alive.js";

/** A request handler that works with HTTP/1.1 and HTTP/2 compat requests alike (kinesalite's does). */
export type FrontListener = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => void;

/** A listening front: its port, and a `close()` that also drops every open connection. */
export interface HttpFront {
  readonly port: number;
  close(): Promise<void>;
}

// Every HTTP/2 connection opens with this preface; an HTTP/1.1 request line never does.
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n");

/**
 * Serves `listener` over HTTP/1.1 and cleartext HTTP/2 (h2c, prior knowledge) on ONE port, choosing by the first
 * bytes of each connection. The SDK's `KinesisClient` speaks HTTP/2 by default (for SubscribeToShard) and
 * kinesalite only HTTP/1.1: with this front an unchanged `new KinesisClient({})` works, and so does a client
 * given a `NodeHttpHandler`.
 */
export async function startHttpFront(options: {
  listener: FrontListener;
  port: number;
  host: string;
}): Promise<HttpFront> {
  const h1 = holdIdleConnections(http.createServer(options.listener));
  const h2 = http2.createServer(options.listener);
  const sockets = new Set<Socket>();
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      const isH2 = chunk.subarray(0, H2_PREFACE.length).equals(H2_PREFACE);
      (isH2 ? h2 : h1).emit("connection", socket);
      process.nextTick(() => socket.resume());
    });
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(options.port, options.host, () => {
      front.off("error", reject);
      resolve();
    });
  });
  const address = front.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  return {
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => front.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      h1.closeAllConnections();
      await closed;
    },
  };
}
