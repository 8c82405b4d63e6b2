import { z } from "zod";
import { TailorError } from "../errors.js";

/** One email the SES emulator accepted, as the simulated recipients read it. */
export interface SentMail {
  /** The id SES answered to `SendEmail` (what the send ledger records). */
  readonly messageId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly html: string | undefined;
  readonly text: string | undefined;
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  /** When the emulator stored it (epoch ms, whole seconds: the emulator keeps seconds, by the wall clock). */
  readonly storedAt: number;
}

/** aws-ses-v2-local's `GET /store`: `{ emails: [...] }`; fields this reader does not use are dropped. */
const storeSchema = z.object({
  emails: z.array(
    z.object({
      messageId: z.string().min(1),
      from: z.string(),
      destination: z.object({ to: z.array(z.string()) }),
      subject: z.string(),
      body: z.object({ html: z.string().optional(), text: z.string().optional() }),
      headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
      at: z.number(),
    }),
  ),
});

/** The emulator could not be read, or answered something that is not its store (try again on the next tick). */
export class SentMailReadError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: true, cause });
  }
}

/**
 * Reads the mail aws-ses-v2-local holds (`GET <sesEndpoint>/store`, optionally `?since=<epoch seconds>`), oldest
 * first as stored. The emulator sends no feedback: this is what the simulated recipients react to.
 */
export async function readSentMail(
  sesEndpoint: string,
  options: { readonly sinceSeconds?: number; readonly fetch?: typeof fetch } = {},
): Promise<SentMail[]> {
  const url = new URL("/store", sesEndpoint);
  if (options.sinceSeconds !== undefined)
    url.searchParams.set("since", String(Math.floor(options.sinceSeconds)));
  const get = options.fetch ?? fetch;
  const response = await get(url);
  if (!response.ok) throw new SentMailReadError(`GET ${url} answered ${response.status}`);
  const parsed = storeSchema.safeParse(await response.json());
  if (!parsed.success) throw new SentMailReadError(`GET ${url} is not an SES emulator store`, parsed.error);
  return parsed.data.emails.map((email) => ({
    messageId: email.messageId,
    from: email.from,
    to: email.destination.to,
    subject: email.subject,
    html: email.body.html,
    text: email.body.text,
    headers: email.headers ?? [],
    storedAt: email.at * 1000,
  }));
}
