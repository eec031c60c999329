import type { Writable } from "node:stream";
import winston from "winston";

/**
 * Structured JSON logs on stdout, one object per line, for `kubectl logs` and log collectors.
 * Contexts come from winston's own `child`: `logger.child({ controller: "groups", key: "ns/name" })`.
 *
 * Every line goes through `redactSecrets` first: the operator handles storage account keys and
 * secure environment values, and a log line is the easiest place for one to leak.
 */

export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type Logger = winston.Logger;

export const REDACTED = "[redacted]";

/** Keys whose values are never logged (matched anywhere in the key, ignoring case). */
export const DEFAULT_SECRET_KEY_PATTERN = /password|securevalue|storageaccountkey|token|secret/i;

export interface RedactOptions {
  /** Keys whose values are replaced by "[redacted]". Default: DEFAULT_SECRET_KEY_PATTERN. */
  secretKeyPattern?: RegExp;
}

export interface CreateLoggerOptions extends RedactOptions {
  level?: LogLevel;
  /** Fields on every line, e.g. `{ component: "operator" }`. */
  defaultMeta?: Record<string, unknown>;
  /** Where lines go; default stdout. Tests pass a stream of their own. */
  stream?: Writable;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const transport =
    options.stream === undefined
      ? new winston.transports.Console()
      : new winston.transports.Stream({ stream: options.stream });
  return winston.createLogger({
    level: options.level ?? "info",
    defaultMeta: options.defaultMeta,
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      redactSecrets(options),
      winston.format.timestamp(),
      winston.format.json(),
    ),
    transports: [transport],
  });
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** A winston format that redacts secret-named fields of a log entry, at any depth. */
export function redactSecrets(options: RedactOptions = {}): winston.Logform.Format {
  const pattern = secretKeyPattern(options);
  return winston.format((info) => {
    for (const key of Object.keys(info)) {
      if (key === "level") continue;
      info[key] = redactField(key, info[key], pattern, new WeakSet());
    }
    return info;
  })();
}

/**
 * Returns a copy of `value` with the values of secret-named keys replaced by "[redacted]". Inputs are
 * never modified (the caller may still use the object it logged). Errors become plain objects, since
 * JSON.stringify would otherwise print them as `{}`.
 */
export function redact(value: unknown, options: RedactOptions = {}): unknown {
  return redactValue(value, secretKeyPattern(options), new WeakSet());
}

/** The pattern without a `g` or `y` flag, whose `lastIndex` state would make `test` skip matches. */
function secretKeyPattern(options: RedactOptions): RegExp {
  const pattern = options.secretKeyPattern ?? DEFAULT_SECRET_KEY_PATTERN;
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""));
}

function redactField(key: string, value: unknown, pattern: RegExp, ancestors: WeakSet<object>): unknown {
  if (pattern.test(key) && value !== undefined && value !== null && value !== "") return REDACTED;
  return redactValue(value, pattern, ancestors);
}

function redactValue(value: unknown, pattern: RegExp, ancestors: WeakSet<object>): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (ancestors.has(value)) return "[circular]";
  const prototype = Object.getPrototypeOf(value);
  const isPlain = prototype === Object.prototype || prototype === null;
  // Class instances other than errors (Dates, Buffers, ...) serialize themselves; leave them alone.
  if (!isPlain && !Array.isArray(value) && !(value instanceof Error)) return value;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, pattern, ancestors));
    if (value instanceof Error) {
      const { name, message, stack } = value;
      return redactObject({ ...value, name, message, stack }, pattern, ancestors);
    }
    return redactObject(value as Record<string, unknown>, pattern, ancestors);
  } finally {
    // Only ancestors count as cycles: the same object twice side by side is printed twice.
    ancestors.delete(value);
  }
}

function redactObject(object: Record<string, unknown>, pattern: RegExp, ancestors: WeakSet<object>) {
  // A Kubernetes Secret keeps its values under `data` and `stringData`, names no pattern would catch.
  const isKubernetesSecret = object.kind === "Secret";
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    copy[key] =
      isKubernetesSecret && (key === "data" || key === "stringData")
        ? REDACTED
        : redactField(key, value, pattern, ancestors);
  }
  return copy;
}
