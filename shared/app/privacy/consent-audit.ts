import type { TailorEvent } from "#shared/domain/events/index.js";

const utf8 = new TextDecoder();

/**
 * Who made a consent change, for its audit entry: `app:<context.library.name>` of the raw event, or `app:stream`
 * when it names no library. Read from the raw bytes: the decoded event keeps no library.
 */
export function consentActor(raw: Uint8Array): string {
  try {
    const value: unknown = JSON.parse(utf8.decode(raw));
    const name = libraryName(value);
    return `app:${name ?? "stream"}`;
  } catch {
    return "app:stream";
  }
}

function libraryName(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || !("context" in value)) return undefined;
  const context: unknown = value.context;
  if (typeof context !== "object" || context === null || !("library" in context)) return undefined;
  const library: unknown = context.library;
  if (typeof library !== "object" || library === null || !("name" in library)) return undefined;
  return typeof library.name === "string" && library.name !== "" ? library.name.slice(0, 100) : undefined;
}

/** Whether the event is a consent decision (`Consent Updated`, `Unsubscribed`). */
export function isConsentEvent(event: TailorEvent): boolean {
  return event.kind === "consent_updated" || event.kind === "unsubscribed";
}
