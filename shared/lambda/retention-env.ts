import { z } from "zod";

/** A retention in days, as the stack sets it (`infra/components/retention-settings.ts`): 1 to 3650. */
const days = z.coerce.number().int().min(1).max(3650).optional();

/** Days a timer is kept past its due time (its `ttl`); every function that writes timers reads it. */
export const timerGraceEnvShape = { TIMER_GRACE_DAYS: days } as const;

/** Days a send-ledger item is kept (its `ttl`); the functions that write the ledger read it. */
export const ledgerRetentionEnvShape = { LEDGER_RETENTION_DAYS: days } as const;

/** Days an audit entry is kept (its `ttl`); the functions that append audit entries read it. */
export const auditRetentionEnvShape = { AUDIT_RETENTION_DAYS: days } as const;
