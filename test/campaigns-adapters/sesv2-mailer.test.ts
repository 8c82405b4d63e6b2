import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSesServer } from "#infra/local/ses-server.js";
import { headerText, SesV2Mailer } from "#shared/aws/sesv2-mailer.js";
import { decodeSesTag } from "#shared/domain/email-feedback/ses-tags.js";
import { MailerRejectedError, MailerThrottledError, MailerUnavailableError } from "#shared/mailer-errors.js";
import type { OutgoingEmail } from "#shared/ports.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const FROM = "Shop <news@shop.example>";

const portOf = (server: Server) => {
  const address = server.address();
  return typeof address === "object" && address !== null ? address.port : 0;
};
const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve(portOf(server))));
const close = (server: Server | undefined) =>
  new Promise<void>((resolve) => {
    if (server === undefined || !server.listening) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** The SES emulator on its own, on a free port. */
async function startSes(): Promise<Server> {
  return loadSesServer()({ host: "127.0.0.1", port: 0 });
}

let ses: Server;
let sesUrl: string;
let faults: Server;
let faultUrl: string;
/** The next answer of the fault server: status, `x-amzn-errortype`, or no answer at all. */
let nextFault: { status: number; type: string } | "hang" = { status: 500, type: "InternalFailure" };

beforeAll(async () => {
  ses = await startSes();
  sesUrl = `http://127.0.0.1:${portOf(ses)}`;
  faults = createServer((_req: IncomingMessage, res: ServerResponse) => {
    if (nextFault === "hang") return;
    res.writeHead(nextFault.status, {
      "content-type": "application/json",
      "x-amzn-errortype": nextFault.type,
    });
    res.end(JSON.stringify({ message: `injected ${nextFault.type}` }));
  });
  faultUrl = `http://127.0.0.1:${await listen(faults)}`;
});

afterAll(async () => {
  await close(faults);
  await close(ses);
});

function client(endpoint: string, requestTimeout?: number): SESv2Client {
  return new SESv2Client({
    region: "us-east-1",
    credentials,
    endpoint,
    maxAttempts: 1,
    ...(requestTimeout === undefined
      ? {}
      : { requestHandler: new NodeHttpHandler({ requestTimeout, throwOnRequestTimeout: true }) }),
  });
}

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    to: "ada@example.com",
    content: {
      subject: "Ada, your cart misses you",
      html: "<p>Hello <b>Ada</b> &lt;script&gt;</p>",
      text: "Hello Ada",
      headers: {
        "List-Unsubscribe": "<https://shop.example/u/tok123>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      },
    },
    sendKey: "cart_abandonment#c.42@shop#o1#0",
    customerId: "c.42@shop",
    campaignId: "cart_abandonment",
    variant: "b",
    ...overrides,
  };
}

interface StoredMail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { readonly to: readonly string[] };
  readonly subject: string;
  readonly body: { readonly html?: string; readonly text?: string };
  readonly headers?: readonly { readonly name: string; readonly value: string }[];
}

function isStoredMail(value: unknown): value is StoredMail {
  return typeof value === "object" && value !== null && "messageId" in value && "subject" in value;
}

async function storedMail(messageId: string): Promise<StoredMail | undefined> {
  const response = await fetch(`${sesUrl}/store`);
  const store: unknown = await response.json();
  const emails: unknown =
    typeof store === "object" && store !== null && "emails" in store ? store.emails : undefined;
  return (Array.isArray(emails) ? emails : []).filter(isStoredMail).find((m) => m.messageId === messageId);
}

describe("SesV2Mailer against aws-ses-v2-local", () => {
  it("sends subject, text, HTML and the unsubscribe headers, from the configured sender, and returns the id", async () => {
    // Prepare
    const mailer = new SesV2Mailer({
      client: client(sesUrl),
      fromAddress: FROM,
      configurationSetName: "tailor-feedback",
    });

    // Act
    const receipt = await mailer.send(email());

    // Assess
    const mail = await storedMail(receipt.messageId);
    expect(receipt.messageId).not.toBe("");
    expect(mail).toMatchObject({
      from: FROM,
      destination: { to: ["ada@example.com"] },
      subject: "Ada, your cart misses you",
      body: { html: "<p>Hello <b>Ada</b> &lt;script&gt;</p>", text: "Hello Ada" },
    });
    expect(mail?.headers).toEqual(
      expect.arrayContaining([
        { name: "List-Unsubscribe", value: "<https://shop.example/u/tok123>" },
        { name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
      ]),
    );
  });

  it("gives every accepted email its own message id", async () => {
    // Prepare
    const mailer = new SesV2Mailer({ client: client(sesUrl), fromAddress: FROM });

    // Act
    const [a, b] = await Promise.all([mailer.send(email()), mailer.send(email({ to: "bo@example.com" }))]);

    // Assess
    expect(a.messageId).not.toBe(b.messageId);
    expect((await storedMail(b.messageId))?.destination.to).toEqual(["bo@example.com"]);
  });

  it("reports the emulator's refusal (an `Unknown` 400) as a permanent rejection", async () => {
    // Prepare: the emulator refuses a simple email without a subject.
    const mailer = new SesV2Mailer({ client: client(sesUrl), fromAddress: FROM });

    // Act
    const failure = mailer.send(email({ content: { ...email().content, subject: "" } }));

    // Assess
    await expect(failure).rejects.toBeInstanceOf(MailerRejectedError);
    await expect(failure).rejects.toMatchObject({ retryable: false });
  });
});

describe("SesV2Mailer error classification (faults injected over HTTP)", () => {
  const cases = [
    { status: 429, type: "TooManyRequestsException", error: MailerThrottledError, retryable: true },
    { status: 400, type: "LimitExceededException", error: MailerThrottledError, retryable: true },
    { status: 500, type: "InternalServiceErrorException", error: MailerUnavailableError, retryable: true },
    { status: 503, type: "ServiceUnavailable", error: MailerUnavailableError, retryable: true },
    { status: 403, type: "AccessDeniedException", error: MailerUnavailableError, retryable: true },
    { status: 400, type: "MessageRejected", error: MailerRejectedError, retryable: false },
    { status: 400, type: "MailFromDomainNotVerifiedException", error: MailerRejectedError, retryable: false },
    { status: 400, type: "AccountSuspendedException", error: MailerRejectedError, retryable: false },
    { status: 400, type: "BadRequestException", error: MailerRejectedError, retryable: false },
  ] as const;

  it.each(cases)("$status $type → $error.name", async ({ status, type, error, retryable }) => {
    // Prepare
    nextFault = { status, type };
    const mailer = new SesV2Mailer({ client: client(faultUrl), fromAddress: FROM });

    // Act
    const failure = mailer.send(email());

    // Assess
    await expect(failure).rejects.toBeInstanceOf(error);
    await expect(failure).rejects.toMatchObject({ retryable, cause: { name: type } });
  });

  it("a refused connection is retryable and cannot have sent the email", async () => {
    // Prepare: a port nobody listens on any more.
    const gone = createServer();
    const port = await listen(gone);
    await close(gone);
    const mailer = new SesV2Mailer({ client: client(`http://127.0.0.1:${port}`), fromAddress: FROM });

    // Act
    const failure = mailer.send(email());

    // Assess
    await expect(failure).rejects.toBeInstanceOf(MailerUnavailableError);
    await expect(failure).rejects.toMatchObject({ retryable: true, maybeSent: false });
  });

  it("a timeout is retryable but may have sent the email", async () => {
    // Prepare
    nextFault = "hang";
    const mailer = new SesV2Mailer({ client: client(faultUrl, 100), fromAddress: FROM });

    // Act
    const failure = mailer.send(email());

    // Assess
    await expect(failure).rejects.toBeInstanceOf(MailerUnavailableError);
    await expect(failure).rejects.toMatchObject({ retryable: true, maybeSent: true });
  });
});

/** Sends `sent` through a mailer whose SES is a server capturing the request body the SDK puts on the wire. */
async function captured(sent: OutgoingEmail): Promise<{ body: unknown; messageId: string }> {
  let body = "";
  const capture = createServer((req, res) => {
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ MessageId: "m-captured" }));
    });
  });
  const mailer = new SesV2Mailer({
    client: client(`http://127.0.0.1:${await listen(capture)}`),
    fromAddress: FROM,
    configurationSetName: "tailor-feedback",
  });
  const receipt = await mailer.send(sent).finally(() => close(capture));
  return { body: JSON.parse(body), messageId: receipt.messageId };
}

describe("SesV2Mailer request", () => {
  it("tags customer, campaign, variant and the send key in SES's alphabet, and sets the configuration set", async () => {
    // Act
    const { body: sent, messageId } = await captured(email());

    // Assess
    const tags: unknown =
      typeof sent === "object" && sent !== null && "EmailTags" in sent ? sent.EmailTags : undefined;
    expect(messageId).toBe("m-captured");
    expect(sent).toMatchObject({ ConfigurationSetName: "tailor-feedback", FromEmailAddress: FROM });
    expect(tags).toEqual([
      { Name: "customer", Value: "c_2E42_40shop" },
      { Name: "campaign", Value: "cart__abandonment" },
      { Name: "variant", Value: "b" },
      { Name: "send", Value: "cart__abandonment_23c_2E42_40shop_23o1_230" },
    ]);
    expect(decodeSesTag("cart__abandonment_23c_2E42_40shop_23o1_230")).toBe(
      "cart_abandonment#c.42@shop#o1#0",
    );
    expect(decodeSesTag("c_2E42_40shop")).toBe("c.42@shop");
    expect(decodeSesTag("cart__abandonment")).toBe("cart_abandonment");
  });
});

describe("SesV2Mailer header text", () => {
  const BIDI = ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"];
  const MARKS = ["\u200E", "\u200F", "\u061C"];
  const INVISIBLE = ["\u200B", "\u2060", "\uFEFF", "\u00AD"];

  it("strips bidi controls and invisible format characters from the subject and every header value", async () => {
    // Prepare: `\u202E` would show "Invoice exe.pdf" as "Invoice fdp.exe".
    const hidden = [...BIDI, ...MARKS, ...INVISIBLE].join("");
    const sent = email({
      content: {
        ...email().content,
        subject: `Invoice ${hidden}\u202Eexe.pdf for Ada\u2028today`,
        headers: { "List-Unsubscribe": `<https://shop.example/u/${hidden}tok123>` },
      },
    });

    // Act
    const { body } = await captured(sent);

    // Assess
    expect(body).toMatchObject({
      Content: {
        Simple: {
          Subject: { Data: "Invoice exe.pdf for Ada today" },
          Headers: [{ Name: "List-Unsubscribe", Value: "<https://shop.example/u/tok123>" }],
        },
      },
    });
  });

  it("keeps what scripts and emoji need: ZWNJ, ZWJ sequences, flag tags", () => {
    const family = "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}";
    const scotland = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}";
    const persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645";
    expect(headerText(`${family} ${scotland} ${persian}`)).toBe(`${family} ${scotland} ${persian}`);
  });
});
