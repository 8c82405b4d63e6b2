/**
 * How the console's page authenticates its calls to the admin API. `headers()` gives the headers of each call
 * (for instance `authorization: Bearer <token>`), signing the operator in first when needed.
 */
export interface ConsoleAuth {
  /** The headers every admin API call carries. */
  headers(): Promise<Readonly<Record<string, string>>>;
  /** The signed-in operator's name (email) for the page's header, or undefined when no one signs in. */
  user(): Promise<string | undefined>;
  /** Ends the session (a no-op when no one signs in). */
  signOut(): Promise<void>;
}

/** The console on loopback (`tailor up`): no sign-in, the local API trusts loopback callers. */
export const noAuth: ConsoleAuth = {
  headers: async () => ({}),
  user: async () => undefined,
  signOut: async () => undefined,
};
