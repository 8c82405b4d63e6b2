import { InfraConfigError } from "./infra-config-error.js";

/**
 * Whether an optional part of the stack is on: `value` is the setting `key` as given (a prop or `-c key=…`),
 * absent meaning off. Throws {@link InfraConfigError} naming the key and an example for anything but on or off.
 */
export function isSwitchedOn(key: string, value: unknown): boolean {
  const given = value ?? "off";
  if (given !== "on" && given !== "off") {
    throw new InfraConfigError(
      `${key} must be "on" or "off" (e.g. -c ${key}=on), got ${JSON.stringify(given)}`,
    );
  }
  return given === "on";
}
