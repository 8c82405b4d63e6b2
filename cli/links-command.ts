import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { LocalStackError } from "#infra/local/local-errors.js";
import {
  DEFAULT_LINK_KEY_GRACE_DAYS,
  formatLinkKeyRing,
  graceMsOf,
  type LinkKeyStatus,
  linkKeyStatuses,
  parseLinkKeyRing,
  rotateLinkKeyRing,
} from "#shared/render/link-keys.js";
import { stringFlag } from "./cli-options.js";
import { awsLinkSecretStore, type LinkSecretStore, localLinkSecretStore } from "./link-secret-store.js";

const USAGE = `usage: tailor links keys | rotate [--drop-retired] [--grace-days ${DEFAULT_LINK_KEY_GRACE_DAYS}] [--json]
       [--data-dir D]  (the local stack's secret file), or [--secret-arn <arn> --region <r>] (AWS, default credentials)`;

/** Characters of a new key: 36 random bytes in base64url, as many as the stack generates (48). */
const NEW_KEY_BYTES = 36;

const iso = (ms: number) => new Date(ms).toISOString();

/** One key as a line of `tailor links keys`: id, state, retirement and expiry; never the secret. */
export function linkKeyLine(status: LinkKeyStatus): string {
  if (status.state === "current") return `${status.id.padEnd(4)} current  signs new links`;
  const retired = `retired ${iso(status.retiredAt ?? 0)}`;
  const until = status.expiresAt === undefined ? "" : iso(status.expiresAt);
  return status.state === "expired"
    ? `${status.id.padEnd(4)} expired  ${retired}, verified nothing since ${until} (removed at the next rotation)`
    : `${status.id.padEnd(4)} retired  ${retired}, verifies links until ${until}`;
}

function graceDaysOf(value: unknown): number {
  const text = stringFlag(value);
  if (text === undefined) return DEFAULT_LINK_KEY_GRACE_DAYS;
  const days = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(days)) {
    throw new LocalStackError(
      `--grace-days: expected a whole number of days, the stack's linkKeyGraceDays (default ${DEFAULT_LINK_KEY_GRACE_DAYS}), got "${text}"`,
    );
  }
  return days;
}

async function openStore(values: Readonly<Record<string, unknown>>): Promise<LinkSecretStore> {
  const arn = stringFlag(values["secret-arn"]);
  const region = stringFlag(values.region);
  if (arn !== undefined) {
    if (stringFlag(values["data-dir"]) !== undefined) {
      throw new LocalStackError("--data-dir is the local stack's; --secret-arn a deployed secret: give one");
    }
    return awsLinkSecretStore(arn, region);
  }
  if (region !== undefined) throw new LocalStackError("--region goes with --secret-arn (a secret on AWS)");
  return localLinkSecretStore(stringFlag(values["data-dir"]));
}

/**
 * `tailor links keys | rotate`: the keys of signed links. `keys` lists their ids, states and expiry (never the
 * secrets); `rotate` adds a new current key, retires the current one (it verifies the links already sent for
 * `--grace-days`, the stack's `linkKeyGraceDays`) and removes the keys past their grace — with `--drop-retired`,
 * every retired key (after a leak: old links stop working). On the local stack's secret file, or with
 * `--secret-arn <arn> --region <r>` the deployed secret (stack output `LinkSecretArn`).
 */
export async function linksCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      "grace-days": { type: "string" },
      "drop-retired": { type: "boolean", default: false },
      "secret-arn": { type: "string" },
      region: { type: "string" },
      json: { type: "boolean", default: false },
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, ...extra] = positionals;
  if (extra.length > 0 || (action !== "keys" && action !== "rotate")) throw new LocalStackError(USAGE);
  if (action === "keys" && values["drop-retired"])
    throw new LocalStackError(`--drop-retired goes with rotate\n${USAGE}`);
  const graceMs = graceMsOf(graceDaysOf(values["grace-days"]));
  const store = await openStore(values);
  const out = (value: unknown, text: string) =>
    process.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : text);
  try {
    const ring = parseLinkKeyRing(await store.read());
    const now = Date.now();
    if (action === "keys") {
      const statuses = linkKeyStatuses(ring, now, graceMs);
      out({ where: store.where, keys: statuses }, `${statuses.map(linkKeyLine).join("\n")}\n`);
      return 0;
    }
    const rotation = rotateLinkKeyRing(ring, {
      secret: randomBytes(NEW_KEY_BYTES).toString("base64url"),
      now,
      graceMs,
      dropRetired: values["drop-retired"],
    });
    await store.write(formatLinkKeyRing(rotation.ring));
    const statuses = linkKeyStatuses(rotation.ring, now, graceMs);
    const removed = rotation.removed.length === 0 ? "" : `removed ${rotation.removed.join(", ")}\n`;
    out(
      {
        where: store.where,
        added: rotation.added,
        retired: rotation.retired,
        removed: rotation.removed,
        keys: statuses,
      },
      `rotated ${store.where}: ${rotation.added} signs new links from now (within 5 min where the functions cache the ` +
        `secret)\n${removed}${statuses.map(linkKeyLine).join("\n")}\n`,
    );
    return 0;
  } finally {
    store.close();
  }
}
