// Reading untidy ACI input the way ACI reads it: keys case-insensitively (`memoryInGb`,
// `sharename`), numbers written as strings (`"1.5"`, `'80'`) and enum values in any case (`tcp`,
// `public`), normalised to the CRD's spelling. Every read names the field's path as the document
// spells it, so errors and warnings point at the right line.

import { isUnresolved, type Unresolved } from "./arm-template.js";
import { AciImportError, type ImportWarning } from "./errors.js";

/** A secure value the importer could not know; the group refers to this Secret key instead. */
export interface SecretKeyToCreate {
  /** The Secret's name in the group's namespace. */
  secret: string;
  key: string;
  /** The field of the source document it stands for. */
  path: string;
  /** The template parameter that would have given it, when that is the cause. */
  parameter?: string;
}

/** State shared while converting one document. */
export class ImportContext {
  readonly warnings: ImportWarning[] = [];
  readonly secretKeys: SecretKeyToCreate[] = [];

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }
}

/** One object of the source document, with lookups that ignore the case of keys. */
export class Fields {
  private readonly used = new Set<string>();

  constructor(
    readonly raw: Record<string, unknown>,
    readonly path: string,
  ) {}

  static of(value: unknown, path: string): Fields {
    if (value === undefined || value === null) return new Fields({}, path);
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new AciImportError(path, `expected an object, got ${describe(value)}`);
    }
    return new Fields(value as Record<string, unknown>, path);
  }

  /** The key as the document spells it, marking it read. */
  private key(name: string): string | undefined {
    const wanted = name.toLowerCase();
    const found = Object.keys(this.raw).find((k) => k.toLowerCase() === wanted);
    if (found !== undefined) this.used.add(found);
    return found;
  }

  get(...names: string[]): unknown {
    for (const name of names) {
      const key = this.key(name);
      if (key !== undefined) return this.raw[key];
    }
    return undefined;
  }

  /** The path of a field, in the document's spelling when it is present. */
  at(name: string): string {
    const found = Object.keys(this.raw).find((k) => k.toLowerCase() === name.toLowerCase());
    return join(this.path, found ?? name);
  }

  object(name: string): Fields {
    return Fields.of(this.get(name), this.at(name));
  }

  /** The items of an array field ([] when absent or null), each with its path. */
  list(name: string): { value: unknown; path: string }[] {
    const value = this.get(name);
    if (value === undefined || value === null) return [];
    if (isUnresolved(value)) throw unresolvedError(this.at(name), value);
    if (!Array.isArray(value))
      throw new AciImportError(this.at(name), `expected a list, got ${describe(value)}`);
    return value.map((item, i) => ({ value: item, path: `${this.at(name)}[${i}]` }));
  }

  /** Keys nobody read, for the "does not map" warnings. */
  unread(): [string, unknown][] {
    return Object.entries(this.raw).filter(([k]) => !this.used.has(k));
  }

  /** Marks keys as read without using them (output-only fields). */
  skip(...names: string[]): void {
    for (const name of names) this.key(name);
  }
}

export function join(path: string, key: string): string {
  if (!path) return key;
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}['${key}']`;
}

export function describe(value: unknown): string {
  if (isUnresolved(value)) return value.expression;
  if (typeof value === "string") return `"${value}"`;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? String(value);
}

export function unresolvedError(path: string, value: Unresolved, advice?: string): AciImportError {
  return new AciImportError(
    path,
    `${value.expression} cannot be evaluated offline: ${value.reason}. ${advice ?? "Replace it with a literal value or a template parameter and pass that parameter."}`,
  );
}

/** A value with nothing in it: null, {}, []; such unknown fields are dropped without a warning. */
export function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && !isUnresolved(value) && Object.keys(value as object).length === 0;
}

// --- typed reads: `undefined` means absent ---------------------------------------------------------

/**
 * For optional fields: an expression that needs Azure gives a warning and leaves the field out.
 * Required fields use the readers below directly, which make it an error.
 */
export function optional(ctx: ImportContext, path: string, value: unknown): unknown {
  if (!isUnresolved(value)) return value;
  ctx.warn(path, `${value.expression} cannot be evaluated offline (${value.reason}); the field is left out`);
  return undefined;
}

export function text(path: string, value: unknown, required = false): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw new AciImportError(path, "is required");
    return undefined;
  }
  if (isUnresolved(value)) throw unresolvedError(path, value);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new AciImportError(path, `expected text, got ${describe(value)}`);
}

export function requiredText(path: string, value: unknown): string {
  const result = text(path, value, true)!;
  if (result === "") throw new AciImportError(path, "must not be empty");
  return result;
}

/** A number, also written as a string; `what` says what it counts, for the error message. */
export function number(path: string, value: unknown, what: string, integer = false): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (isUnresolved(value)) throw unresolvedError(path, value);
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && value.trim() !== ""
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new AciImportError(path, `expected ${what}, got ${describe(value)}`);
  }
  return n;
}

export function boolean(path: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (isUnresolved(value)) throw unresolvedError(path, value);
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value.trim()))
    return value.trim().toLowerCase() === "true";
  throw new AciImportError(path, `expected true or false, got ${describe(value)}`);
}

/** An enum value in any case, returned in the CRD's spelling. */
export function oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): T | undefined {
  const raw = text(path, value);
  if (raw === undefined) return undefined;
  const match = allowed.find((a) => a.toLowerCase() === raw.trim().toLowerCase());
  if (!match) throw new AciImportError(path, `expected one of ${allowed.join(", ")}, got "${raw}"`);
  return match;
}

export function textList(path: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (isUnresolved(value)) throw unresolvedError(path, value);
  if (!Array.isArray(value))
    throw new AciImportError(path, `expected a list of strings, got ${describe(value)}`);
  return value.map((item, i) => requiredText(`${path}[${i}]`, item));
}
