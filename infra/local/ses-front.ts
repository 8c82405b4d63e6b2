import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { z } from "zod";
import { holdIdleConnections } from "./keep-alive.js";

/** An email the SES emulator accepted, as SES's `Send` event tells of it. */
export interface AcceptedSesSend {
  /** The id the emulator answered. */
  readonly messageId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly configurationSetName: string | undefined;
  /** The request's message tags, as SES publishes them: each name with its values. */
  readonly tags: Readonly<Record<string, readonly string[]>>;
  /** When it was accepted (epoch ms). */
  readonly at: number;
}

/** A listening SES front: its port, and `close()`, which also drops open connections. */
export interface SesFront {
  readonly port: number;
  close(): Promise<void>;
}

const SEND_EMAIL_PATH = /^\/v2\/email\/outbound-emails\/?$/;
const requestSchema = z.looseObject({
  FromEmailAddress: z.string().optional(),
  Destination: z.looseObject({ ToAddresses: z.array(z.string()).optional() }).optional(),
  ConfigurationSetName: z.string().optional(),
  EmailTags: z.array(z.object({ Name: z.string(), Value: z.string() })).optional(),
});
const responseSchema = z.looseObject({ MessageId: z.string().min(1) });
/** Hop-by-hop and framing headers: the front sets its own. */
const DROPPED_HEADERS = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "content-encoding",
  "host",
]);

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** What an accepted `SendEmail` request and its answer tell of the email; `undefined` when either is unreadable. */
export function acceptedSend(request: unknown, response: unknown, at: number): AcceptedSesSend | undefined {
  const sent = requestSchema.safeParse(request);
  const answer = responseSchema.safeParse(response);
  if (!sent.success || !answer.success) return undefined;
  const tags: Record<string, string[]> = {};
  for (const tag of sent.data.EmailTags ?? []) tags[tag.Name] = [...(tags[tag.Name] ?? []), tag.Value];
  return {
    messageId: answer.data.MessageId,
    from: sent.data.FromEmailAddress ?? "",
    to: sent.data.Destination?.ToAddresses ?? [],
    configurationSetName: sent.data.ConfigurationSetName,
    tags,
    at,
  };
}

/**
 * The SES endpoint of the local stack: forwards every request to aws-ses-v2-local unchanged (the web view and
 * `/store` included) and reports each `SendEmail` it accepted to `onAccepted`, with the message tags the emulator
 * itself drops, so the stack can publish the `Send` event SES would (the emulator publishes no events).
 */
export async function startSesFront(options: {
  /** The emulator's base URL. */
  readonly target: string;
  readonly host: string;
  readonly port: number;
  readonly onAccepted: (send: AcceptedSesSend) => void;
  readonly now?: () => number;
}): Promise<SesFront> {
  const now = options.now ?? Date.now;
  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await bodyOf(req);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || DROPPED_HEADERS.has(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const method = req.method ?? "GET";
    const response = await fetch(new URL(req.url ?? "/", options.target), {
      method,
      headers,
      body: method === "GET" || method === "HEAD" || body === undefined ? undefined : new Uint8Array(body),
    });
    const answer = Buffer.from(await response.arrayBuffer());
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (!DROPPED_HEADERS.has(name)) out[name] = value;
    });
    res.writeHead(response.status, { ...out, "content-length": String(answer.length) });
    res.end(answer);
    const path = new URL(req.url ?? "/", "http://front").pathname;
    if (method === "POST" && SEND_EMAIL_PATH.test(path) && response.ok) {
      const accepted = acceptedSend(parseJson(body), parseJson(answer), now());
      if (accepted !== undefined) options.onAccepted(accepted);
    }
  };
  const server = holdIdleConnections(
    http.createServer((req, res) => {
      forward(req, res).catch((error: unknown) => {
        if (res.headersSent) return res.destroy();
        res.writeHead(502, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ message: `SES front: ${error instanceof Error ? error.message : String(error)}` }),
        );
      });
    }),
  );
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  return {
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
