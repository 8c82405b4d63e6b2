import { render } from "preact";
import type { ConsoleConfig } from "../config.js";
import { createAuth } from "../create-auth.js";
import { ApiClient } from "./api-client.js";
import { App } from "./app.js";

function isConfig(value: unknown): value is ConsoleConfig {
  if (typeof value !== "object" || value === null) return false;
  const auth: unknown = Reflect.get(value, "auth");
  return (
    typeof Reflect.get(value, "apiUrl") === "string" &&
    typeof auth === "object" &&
    auth !== null &&
    (Reflect.get(auth, "kind") === "none" || Reflect.get(auth, "kind") === "oidc")
  );
}

/** Reads `config.json` next to the page, signs the operator in as it says, and renders the console. */
async function start(root: HTMLElement): Promise<void> {
  try {
    const response = await fetch("./config.json", { cache: "no-store" });
    const config: unknown = await response.json();
    if (!isConfig(config))
      throw new Error("config.json: needs apiUrl (a string) and auth.kind (none or oidc)");
    const auth = await createAuth(config);
    // Preact renders beside what the element holds: the loading line goes first.
    root.replaceChildren();
    render(<App api={new ApiClient(config.apiUrl, auth)} user={await auth.user()} />, root);
  } catch (error) {
    root.textContent = `The console cannot start: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const root = document.getElementById("console");
if (root !== null) void start(root);
