import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importContent } from "#shared/app/content/import-content.js";
import { DynamoContentLibrary } from "#shared/aws/dynamo-content-library.js";
import { demoContentLibrary } from "#shared/sim/index.js";
import { createTable, startDynalite } from "#test/support/dynamo-table.js";

const NOW = Date.UTC(2026, 10, 23);
let emulator: Awaited<ReturnType<typeof startDynalite>>;
let library: DynamoContentLibrary;

beforeAll(async () => {
  emulator = await startDynalite();
  const tableName = await createTable(emulator.client, "content", "pk", "sk");
  library = new DynamoContentLibrary({ client: emulator.client, tableName });
});
afterAll(async () => emulator?.stop());

describe("DynamoContentLibrary", () => {
  it("writes items and reads them back exactly, leaves retired ones out and brings them back when written again", async () => {
    // Prepare
    const items = demoContentLibrary(NOW).slice(0, 6);
    // Act
    await library.put(items, NOW);
    await library.retire([items[0]?.id ?? "", "never-written"], NOW + 1);
    // Assess
    const read = await library.all();
    expect([...read].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      items.slice(1).sort((a, b) => a.id.localeCompare(b.id)),
    );
    await library.put(items.slice(0, 1), NOW + 2);
    expect((await library.all()).map((item) => item.id)).toContain(items[0]?.id);
  });

  it("skips an item that is not a content item instead of failing the read", async () => {
    await emulator.client.send(
      new PutItemCommand({
        TableName: "content",
        Item: { pk: { S: "odd" }, sk: { S: "content" }, kind: { S: "video" } },
      }),
    );
    expect((await library.all()).some((item) => item.id === "odd")).toBe(false);
  });

  it("is what the import use case writes to: a second import of a smaller file retires the rest", async () => {
    const lines = (ids: string[]) =>
      ids
        .map((id) =>
          JSON.stringify({
            id,
            kind: "tip",
            title: id,
            summary: id,
            url: `https://shop.example/${id}`,
            tags: ["pets"],
          }),
        )
        .join("\n");
    const first = await importContent(library, { text: lines(["p1", "p2"]), format: "jsonl" }, NOW);
    expect(first.written).toBe(2);
    const second = await importContent(library, { text: lines(["p2"]), format: "jsonl" }, NOW + 1);
    expect(second.retired).toContain("p1");
    expect((await library.all()).map((item) => item.id)).toEqual(["p2"]);
  });
});
