import { useEffect, useState } from "preact/hooks";

/** What a page's read gives: loading, the value, or the error's message. */
export type Loaded<T> =
  | { readonly state: "loading" }
  | { readonly state: "ok"; readonly value: T }
  | { readonly state: "error"; readonly message: string };

/** Runs `load` when `key` changes and keeps its outcome; a load overtaken by a newer key is dropped. */
export function useLoad<T>(key: string, load: () => Promise<T>): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  useEffect(() => {
    let current = true;
    setLoaded({ state: "loading" });
    load().then(
      (value) => current && setLoaded({ state: "ok", value }),
      (error: unknown) =>
        current &&
        setLoaded({ state: "error", message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [key]);
  return loaded;
}
