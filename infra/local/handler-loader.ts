import { localFunctionEnvironment } from "./function-env.js";
import { type FunctionHandlers, handlerModules } from "./handler-modules.js";
import type { FunctionSpec } from "./resource-plan.js";
import { applyEnvironment } from "./sdk-env.js";

/** Loads a function's handlers (each module once), resolving `{}` for a function no module is mapped for. */
export type HandlerLoader = (fn: FunctionSpec) => Promise<FunctionHandlers>;

/**
 * Loads each function's handler module once, with that function's own environment (then `overrides`) in
 * `process.env` while the module loads: handlers read their environment at load time, and two functions may
 * set a variable differently (their service names). `process.env` is put back afterwards.
 */
export function handlerLoader(overrides: Readonly<Record<string, string>> | undefined): HandlerLoader {
  const loaded = new Map<string, Promise<FunctionHandlers>>();
  return (fn) => {
    const known = loaded.get(fn.name);
    if (known !== undefined) return known;
    const load = handlerModules[fn.name];
    const loading = (async () => {
      if (load === undefined) return {};
      const restore = applyEnvironment({ ...localFunctionEnvironment(fn), ...overrides });
      try {
        return await load();
      } finally {
        restore();
      }
    })();
    loaded.set(fn.name, loading);
    return loading;
  };
}
