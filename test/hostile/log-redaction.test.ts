import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createObservability, redactEmails } from "#shared/lambda/middleware.js";

/** Every line the process writes to stdout or stderr while a test runs (the Logger's own Console writes there). */
let lines: string[] = [];

beforeEach(() => {
  lines = [];
  const capture = (chunk: unknown): boolean => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
});

function logger() {
  return createObservability({ serviceName: "tailor-test", namespace: "Tailor/Test" }).logger;
}

/** The JSON log items printed so far. */
function printed(): Record<string, unknown>[] {
  return lines
    .join("")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}

const CLEAR = /[\p{L}\p{N}._%+-]{2,}@[\p{L}\p{N}-]+\.[\p{L}]/iu;

describe("the logger of createObservability", () => {
  it("masks addresses in the message and in every attribute, nested or in arrays, any case", () => {
    // Act
    logger().info("sent to jane@example.com", {
      to: "jane.doe+promo@mail.example.co.uk",
      nested: { list: ["ab@b.io", { deep: "x JANE@EXAMPLE.COM y" }] },
      url: "https://shop.example.com/?u=jane%40example.com",
      customerId: "c-42",
      count: 3,
    });
    // Assess
    const raw = lines.join("");
    expect(raw).not.toMatch(CLEAR);
    expect(raw).not.toContain("jane%40example.com");
    const [item] = printed();
    expect(item).toMatchObject({
      level: "INFO",
      message: "sent to j***@example.com",
      service: "tailor-test",
      to: "j***@mail.example.co.uk",
      nested: { list: ["a***@b.io", { deep: "x J***@EXAMPLE.COM y" }] },
      url: "https://shop.example.com/?u=j***%40example.com",
      customerId: "c-42",
      count: 3,
    });
  });

  it("masks addresses inside errors: message, stack, extra fields and causes", () => {
    const cause = new Error("upstream said bob@example.org bounced");
    const error = Object.assign(
      new Error("MessageRejected: Email address is not verified: jane@example.com", { cause }),
      { recipient: "jane@example.com" },
    );
    logger().error("send failed", { error });
    logger().warn("second form", error);

    const raw = lines.join("");
    expect(raw).not.toMatch(CLEAR);
    const [first, second] = printed();
    expect(first?.error).toMatchObject({
      name: "Error",
      message: "MessageRejected: Email address is not verified: j***@example.com",
      recipient: "j***@example.com",
      cause: { message: "upstream said b***@example.org bounced" },
    });
    expect(String(Reflect.get(Object(first?.error), "stack"))).toContain("j***@example.com");
    expect(second?.error).toMatchObject({ recipient: "j***@example.com" });
  });

  it("masks persistent keys and addresses used as object keys", () => {
    const log = logger();
    log.appendKeys({ requester: "ops@example.com" });
    log.info("per address", { byEmail: { "jane@example.com": 1, "c-42": 2 } });

    expect(lines.join("")).not.toMatch(CLEAR);
    expect(printed()[0]).toMatchObject({
      requester: "o***@example.com",
      byEmail: { "j***@example.com": 1, "c-42": 2 },
    });
  });

  it("leaves logs without addresses exactly as Powertools prints them", () => {
    const summary = { records: 5, quarantined: 1, failures: [{ messageId: "m@1", reason: "throttled" }] };
    logger().warn("batch ingested with rejects", { summary, at: "2026-11-23T12:00:00.000Z" });
    expect(printed()[0]).toMatchObject({ message: "batch ingested with rejects", summary });
  });
});

describe("redactEmails", () => {
  it.each([
    ["jane@example.com", "j***@example.com"],
    ["<jane@example.com>", "<j***@example.com>"],
    ['{"email":"jane@example.com"}', '{"email":"j***@example.com"}'],
    ["a@b.co and c.d@e.fr", "a***@b.co and c***@e.fr"],
    ["jöhn@exämple.de", "j***@exämple.de"],
    ["𝒜lice@example.com", "𝒜***@example.com"],
    [
      "https://shop.example.com/?to=jane@example.com&x={a@b.io}",
      "https://shop.example.com/?to=j***@example.com&x={a***@b.io}",
    ],
    ["mailto:o'brien@example.ie.", "mailto:o***@example.ie."],
    ["no address here: user@localhost, @handle, a@b", "no address here: user@localhost, @handle, a@b"],
  ])("%j → %j", (input, expected) => {
    expect(redactEmails(input)).toBe(expected);
  });

  it("is idempotent: a masked address stays as it is", () => {
    const once = redactEmails("to jane@example.com");
    expect(redactEmails(once)).toBe(once);
  });

  it("stays linear on hostile text (long runs with and without @)", () => {
    const hostile = [
      `${"a".repeat(200_000)}@`,
      `${"a.".repeat(100_000)}@x`,
      "a@".repeat(100_000),
      `x@${"a-".repeat(100_000)}`,
    ];
    const started = performance.now();
    for (const text of hostile) redactEmails(text);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
