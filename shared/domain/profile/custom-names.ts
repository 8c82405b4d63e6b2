import { isSafeKey } from "../events/index.js";
import { CUSTOM_NAME_KEY_MAX, CUSTOM_NAMES_MAX, OTHER_EVENT_NAME } from "./profile.js";

/**
 * Adds `count` custom events named `name` to the counts by name (`x`), in place, and returns them: a name already
 * counted, or a new one while fewer than {@link CUSTOM_NAMES_MAX} names are counted (and the name is a safe key of
 * at most {@link CUSTOM_NAME_KEY_MAX} characters), counts under its own name; any other under {@link OTHER_EVENT_NAME}.
 */
export function countCustomName(
  names: Record<string, number>,
  name: string,
  count: number,
): Record<string, number> {
  const tracked = Object.hasOwn(names, name);
  const fits =
    isSafeKey(name) &&
    name.length <= CUSTOM_NAME_KEY_MAX &&
    Object.keys(names).filter((key) => key !== OTHER_EVENT_NAME).length < CUSTOM_NAMES_MAX;
  const key = tracked || fits ? name : OTHER_EVENT_NAME;
  names[key] = (names[key] ?? 0) + count;
  return names;
}
