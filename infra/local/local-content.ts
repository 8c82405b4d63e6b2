import { type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DynamoContentLibrary } from "#shared/aws/dynamo-content-library.js";
import { demoContentLibrary } from "#shared/sim/index.js";
import { LOCAL_NAMES } from "../local-names.js";

/**
 * Seeds the simulator's demo content library (an article, a tip and a guide per category, in English, French and
 * German) into the local content table when the table holds nothing yet, so a library imported with
 * `tailor content import` (or a demo library whose items were retired) stays as it is between runs. Returns how
 * many items were written (0 when the table already had some, or the template declares no content table).
 */
export async function seedLocalContent(client: DynamoDBClient, now: number): Promise<number> {
  const tableName = LOCAL_NAMES.contentTable;
  let any: number;
  try {
    const out = await client.send(new ScanCommand({ TableName: tableName, Limit: 1, Select: "COUNT" }));
    any = out.Count ?? 0;
  } catch (error) {
    // A template without the content table (an older synth, or a test's own template): nothing to seed.
    if (error instanceof Error && error.name === "ResourceNotFoundException") return 0;
    throw error;
  }
  if (any > 0) return 0;
  const items = demoContentLibrary(now);
  await new DynamoContentLibrary({ client, tableName }).put(items, now);
  return items.length;
}
