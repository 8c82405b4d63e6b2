import { z } from "zod";
import { EVENT_NAMES } from "./event-kinds.js";
import type { Scalar } from "./event-types.js";
import { idField, nameField } from "./field-schemas.js";
import { GROUP_TRAIT_VALUE_MAX, GROUP_TRAITS_MAX } from "./limits.js";
import type { EventBody } from "./read-body.js";
import { freeFormScalars } from "./read-traits.js";
import { type Checked, check } from "./zod-issues.js";

const screenSchema = z.object({ name: nameField.optional(), category: nameField.optional() });

/** A `screen` call: its name and category, the envelope's over the properties' (as for `page`). */
export function readScreenBody(
  properties: Record<string, unknown>,
  envelope: { name?: string | undefined; category?: string | undefined },
): Checked<EventBody> {
  const result = check(screenSchema, properties, ["properties"]);
  if (!result.ok) return result;
  return {
    ok: true,
    value: {
      kind: "screen",
      name: EVENT_NAMES.screen,
      screen: {
        name: envelope.name ?? result.value.name,
        category: envelope.category ?? result.value.category,
      },
    },
  };
}

/**
 * A `group` call: `groupId` (required) and at most {@link GROUP_TRAITS_MAX} scalar group traits from `traits`,
 * `name` first (free-form values follow the custom-field rules, and text over {@link GROUP_TRAIT_VALUE_MAX}
 * characters is dropped too: a profile keeps several groups, so their traits stay short).
 */
export function readGroupBody(raw: Record<string, unknown>): Checked<EventBody> {
  const groupId = check(idField, raw.groupId, ["groupId"]);
  if (!groupId.ok) return groupId;
  const traits =
    typeof raw.traits === "object" && raw.traits !== null && !Array.isArray(raw.traits) ? raw.traits : {};
  const scalars = freeFormScalars(Object.fromEntries(Object.entries(traits)));
  const { name, ...rest } = scalars;
  const ordered: Record<string, Scalar> = name === undefined ? rest : { name, ...rest };
  const short = Object.entries(ordered).filter(
    ([, value]) => typeof value !== "string" || value.length <= GROUP_TRAIT_VALUE_MAX,
  );
  const kept = Object.fromEntries(short.slice(0, GROUP_TRAITS_MAX));
  return {
    ok: true,
    value: { kind: "group", name: EVENT_NAMES.group, group: { groupId: groupId.value, traits: kept } },
  };
}

/** An `alias` call: `previousId`, the id the customer (`userId`) was known by before. Both are required. */
export function readAliasBody(raw: Record<string, unknown>): Checked<EventBody> {
  const previousId = check(idField, raw.previousId, ["previousId"]);
  const issues = previousId.ok ? [] : previousId.issues;
  const userId = raw.userId;
  if (!((typeof userId === "string" && userId.trim() !== "") || typeof userId === "number")) {
    issues.push({ path: "userId", rule: "required", message: "required: an alias call needs the userId" });
  }
  if (!previousId.ok || issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: { kind: "alias", name: EVENT_NAMES.alias, alias: { previousId: previousId.value } },
  };
}
