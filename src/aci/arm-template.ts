// Offline evaluation of ARM template expressions (`[parameters('x')]`, `[concat(...)]`, ...), enough
// for the templates people write for container groups. What needs Azure to answer (listKeys,
// reference, resourceId, subscription(), ...) is never guessed: it evaluates to an Unresolved value
// that the converter turns into a Secret reference, a warning or an error, depending on the field.

import { createHash } from "node:crypto";
import { AciImportError } from "./errors.js";

/** A value that cannot be known offline, and why (shown to the user). */
export class Unresolved {
  constructor(
    /** The expression as written, e.g. `[listKeys(...).keys[0].value]`. */
    readonly expression: string,
    /** Why, e.g. `listKeys() needs Azure`, `parameter 'pwd' has no value`. */
    readonly reason: string,
    /** The template parameter whose missing value caused it, so the user can pass it. */
    readonly parameter?: string,
  ) {}
}

export function isUnresolved(value: unknown): value is Unresolved {
  return value instanceof Unresolved;
}

export interface TemplateContext {
  /** Parameter values given by the user, as strings (converted to the declared type). */
  parameters: Record<string, string>;
  /** Plays the role of the resource group: resourceGroup().name. */
  namespace: string;
}

type Json = unknown;
type Node =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "property"; target: Node; name: string }
  | { kind: "index"; target: Node; index: Node };

/** Functions that need Azure (or the deployment) to answer; everything here is Unresolved. */
const ONLINE_FUNCTIONS = new Set([
  "reference",
  "resourceid",
  "subscriptionresourceid",
  "tenantresourceid",
  "extensionresourceid",
  "managementgroupresourceid",
  "subscription",
  "tenant",
  "managementgroup",
  "deployment",
  "environment",
  "newguid",
  "utcnow",
  "pickzones",
  "providers",
  "list",
]);

/** A parsed template, with parameter and variable lookups that evaluate lazily and once. */
export class TemplateEvaluator {
  private readonly declared: Record<string, Record<string, unknown>>;
  private readonly variableDefs: Record<string, unknown>;
  private readonly parameterCache = new Map<string, Json>();
  private readonly variableCache = new Map<string, Json>();
  private readonly evaluating = new Set<string>();
  /** copyIndex() values of the copy loops being expanded, by loop name ("" for the resource's). */
  private readonly copyIndexes = new Map<string, number>();

  constructor(
    template: Record<string, unknown>,
    private readonly context: TemplateContext,
  ) {
    this.declared = lowerKeys(asRecord(template.parameters)) as Record<string, Record<string, unknown>>;
    this.variableDefs = lowerKeys(asRecord(template.variables));
    for (const name of Object.keys(context.parameters)) {
      if (!(name.toLowerCase() in this.declared)) {
        throw new AciImportError(
          `parameters.${name}`,
          `the template declares no parameter '${name}'; declared: ${Object.keys(asRecord(template.parameters)).join(", ") || "none"}`,
        );
      }
    }
  }

  /** Whether the parameter is declared secureString or secureObject. */
  isSecureParameter(name: string): boolean {
    const type = String(asRecord(this.declared[name.toLowerCase()]).type ?? "").toLowerCase();
    return type.startsWith("secure");
  }

  /** Evaluates every expression in a JSON tree, expanding property copy loops. */
  evaluateTree(value: Json, path: string): Json {
    if (typeof value === "string") return this.evaluateString(value, path);
    if (Array.isArray(value)) return value.map((item, i) => this.evaluateTree(item, `${path}[${i}]`));
    if (value !== null && typeof value === "object") {
      const out: Record<string, Json> = {};
      for (const [key, item] of Object.entries(value)) {
        if (key === "copy" && Array.isArray(item)) {
          Object.assign(out, this.expandPropertyCopies(item, `${path}.copy`));
        } else {
          out[key] = this.evaluateTree(item, `${path}.${key}`);
        }
      }
      return out;
    }
    return value;
  }

  /** Runs `body` once per iteration of a resource-level copy loop. */
  withCopyIndex<T>(loop: string, index: number, body: () => T): T {
    const previous = this.copyIndexes.get(loop);
    this.copyIndexes.set(loop, index);
    this.copyIndexes.set("", index);
    try {
      return body();
    } finally {
      if (previous === undefined) this.copyIndexes.delete(loop);
      else this.copyIndexes.set(loop, previous);
      this.copyIndexes.delete("");
    }
  }

  /** A template string: an expression when it is `[...]`; `[[` escapes a literal `[`. */
  evaluateString(text: string, path: string): Json {
    if (!text.startsWith("[") || !text.endsWith("]")) return text;
    if (text.startsWith("[[")) return text.slice(1);
    const node = new ExpressionParser(text.slice(1, -1), path).parseAll();
    return this.evaluate(node, text, path);
  }

  private expandPropertyCopies(loops: unknown[], path: string): Record<string, Json> {
    const out: Record<string, Json> = {};
    loops.forEach((loop, i) => {
      const spec = asRecord(loop);
      const name = String(spec.name ?? "");
      const count = this.evaluateTree(spec.count, `${path}[${i}].count`);
      if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
        throw new AciImportError(
          `${path}[${i}].count`,
          `expected a whole number of copies, got ${show(count)}`,
        );
      }
      const items: Json[] = [];
      for (let n = 0; n < count; n++) {
        const previous = this.copyIndexes.get(name);
        this.copyIndexes.set(name, n);
        items.push(this.evaluateTree(spec.input, `${path}[${i}].input`));
        if (previous === undefined) this.copyIndexes.delete(name);
        else this.copyIndexes.set(name, previous);
      }
      out[name] = items;
    });
    return out;
  }

  private parameter(name: string, expression: string, path: string): Json {
    const key = name.toLowerCase();
    const cached = this.parameterCache.get(key);
    if (cached !== undefined || this.parameterCache.has(key)) return cached;
    const declaration = this.declared[key];
    if (!declaration) {
      throw new AciImportError(
        path,
        `${expression} refers to parameter '${name}', which the template does not declare`,
      );
    }
    const given = Object.entries(this.context.parameters).find(([k]) => k.toLowerCase() === key);
    let value: Json;
    if (given) {
      value = convertParameter(name, String(declaration.type ?? "string"), given[1]);
    } else if ("defaultValue" in declaration) {
      value = this.guarded(`parameter:${key}`, path, () =>
        this.evaluateTree(declaration.defaultValue, `parameters.${name}.defaultValue`),
      );
    } else {
      value = new Unresolved(
        expression,
        `parameter '${name}' has no default value and was not given (pass it as a parameter: ${name}=<value>)`,
        name,
      );
    }
    const allowed = declaration.allowedValues;
    if (Array.isArray(allowed) && !isUnresolved(value) && !allowed.some((a) => looseEquals(a, value))) {
      throw new AciImportError(
        `parameters.${name}`,
        `${show(value)} is not one of the allowed values ${allowed.map(show).join(", ")}`,
      );
    }
    this.parameterCache.set(key, value);
    return value;
  }

  private variable(name: string, expression: string, path: string): Json {
    const key = name.toLowerCase();
    if (this.variableCache.has(key)) return this.variableCache.get(key);
    if (!(key in this.variableDefs)) {
      throw new AciImportError(
        path,
        `${expression} refers to variable '${name}', which the template does not declare`,
      );
    }
    const value = this.guarded(`variable:${key}`, path, () =>
      this.evaluateTree(this.variableDefs[key], `variables.${name}`),
    );
    this.variableCache.set(key, value);
    return value;
  }

  private guarded(key: string, path: string, body: () => Json): Json {
    if (this.evaluating.has(key))
      throw new AciImportError(path, `${key.replace(":", " '")}' refers to itself`);
    this.evaluating.add(key);
    try {
      return body();
    } finally {
      this.evaluating.delete(key);
    }
  }

  private evaluate(node: Node, expression: string, path: string): Json {
    switch (node.kind) {
      case "string":
      case "number":
        return node.value;
      case "property": {
        const target = this.evaluate(node.target, expression, path);
        return member(target, node.name, expression, path);
      }
      case "index": {
        const target = this.evaluate(node.target, expression, path);
        const index = this.evaluate(node.index, expression, path);
        if (isUnresolved(index)) return index;
        return member(target, index, expression, path);
      }
      case "call":
        return this.call(node, expression, path);
    }
  }

  private call(node: Extract<Node, { kind: "call" }>, expression: string, path: string): Json {
    const name = node.name.toLowerCase();
    // if() evaluates only the branch it takes, so an unreachable listKeys() does no harm.
    if (name === "if") {
      const [condition, whenTrue, whenFalse] = node.args;
      if (!condition || !whenTrue || !whenFalse) throw arity(path, expression, "if", 3);
      const test = this.evaluate(condition, expression, path);
      if (isUnresolved(test)) return test;
      return this.evaluate(test === true ? whenTrue : whenFalse, expression, path);
    }
    if (ONLINE_FUNCTIONS.has(name) || name.startsWith("list")) {
      return new Unresolved(expression, `${node.name}() needs Azure and cannot be evaluated offline`);
    }
    const args = node.args.map((arg) => this.evaluate(arg, expression, path));
    const unresolved = args.find(isUnresolved);
    if (unresolved) return new Unresolved(expression, unresolved.reason, unresolved.parameter);
    const fn = FUNCTIONS[name];
    if (name === "parameters") return this.parameter(stringArg(args, 0, path, expression), expression, path);
    if (name === "variables") return this.variable(stringArg(args, 0, path, expression), expression, path);
    if (name === "copyindex") return this.copyIndex(args, expression, path);
    if (name === "resourcegroup") {
      return {
        name: this.context.namespace,
        // A stable stand-in (not Azure's id), good as a uniqueString() seed.
        id: `/namespaces/${this.context.namespace}`,
        location: new Unresolved(
          expression,
          "the resource group's location is Azure's; the group runs in the cluster",
        ),
      };
    }
    if (!fn) return new Unresolved(expression, `${node.name}() is not supported offline`);
    try {
      return fn(args);
    } catch (error) {
      throw new AciImportError(path, `${expression}: ${(error as Error).message}`);
    }
  }

  private copyIndex(args: Json[], expression: string, path: string): Json {
    const [first, second] = args;
    const loop = typeof first === "string" ? first : "";
    const offset = typeof first === "number" ? first : typeof second === "number" ? second : 0;
    const index = this.copyIndexes.get(loop);
    if (index === undefined) throw new AciImportError(path, `${expression} is used outside a copy loop`);
    return index + offset;
  }
}

// --- the functions that need nothing but their arguments -------------------------------------------

const FUNCTIONS: Record<string, (args: Json[]) => Json> = {
  concat: (args) =>
    args.every(Array.isArray) && args.length > 0 ? args.flat() : args.map((a) => toText(a)).join(""),
  format: ([template, ...rest]) =>
    String(template).replace(/\{(\d+)(?::[^}]*)?\}/g, (_, n: string) => toText(rest[Number(n)])),
  tolower: ([s]) => String(s).toLowerCase(),
  toupper: ([s]) => String(s).toUpperCase(),
  trim: ([s]) => String(s).trim(),
  replace: ([s, from, to]) => String(s).split(String(from)).join(String(to)),
  substring: ([s, start, length]) =>
    String(s).substr(Number(start ?? 0), length === undefined ? undefined : Number(length)),
  split: ([s, sep]) => String(s).split(String(sep)),
  startswith: ([s, p]) => String(s).toLowerCase().startsWith(String(p).toLowerCase()),
  endswith: ([s, p]) => String(s).toLowerCase().endsWith(String(p).toLowerCase()),
  contains: ([c, item]) =>
    Array.isArray(c)
      ? c.some((x) => looseEquals(x, item))
      : typeof c === "string"
        ? c.includes(String(item))
        : Object.keys(asRecord(c)).some((k) => k.toLowerCase() === String(item).toLowerCase()),
  length: ([c]) => (Array.isArray(c) || typeof c === "string" ? c.length : Object.keys(asRecord(c)).length),
  empty: ([c]) =>
    c === null ||
    c === undefined ||
    ((Array.isArray(c) || typeof c === "string") && c.length === 0) ||
    (typeof c === "object" && Object.keys(c as object).length === 0),
  first: ([c]) => (Array.isArray(c) ? c[0] : String(c).slice(0, 1)),
  last: ([c]) => (Array.isArray(c) ? c[c.length - 1] : String(c).slice(-1)),
  createarray: (args) => args,
  createobject: (args) => {
    const out: Record<string, Json> = {};
    for (let i = 0; i + 1 < args.length; i += 2) out[String(args[i])] = args[i + 1];
    return out;
  },
  union: (args) =>
    args.every(Array.isArray)
      ? [...new Set(args.flat())]
      : Object.assign({}, ...args.map((a) => asRecord(a))),
  coalesce: (args) => args.find((a) => a !== null && a !== undefined) ?? null,
  json: ([s]) => JSON.parse(String(s)),
  string: ([v]) => (typeof v === "string" ? v : JSON.stringify(v)),
  int: ([v]) => {
    const n = typeof v === "number" ? v : Number(String(v).trim());
    if (!Number.isFinite(n)) throw new Error(`int() of ${show(v)} is not a number`);
    return Math.trunc(n);
  },
  float: ([v]) => {
    const n = typeof v === "number" ? v : Number(String(v).trim());
    if (!Number.isFinite(n)) throw new Error(`float() of ${show(v)} is not a number`);
    return n;
  },
  bool: ([v]) => (typeof v === "boolean" ? v : String(v).toLowerCase() === "true" || v === 1),
  true: () => true,
  false: () => false,
  null: () => null,
  not: ([v]) => !v,
  and: (args) => args.every(Boolean),
  or: (args) => args.some(Boolean),
  equals: ([a, b]) => JSON.stringify(a) === JSON.stringify(b),
  greater: ([a, b]) => (a as number) > (b as number),
  less: ([a, b]) => (a as number) < (b as number),
  add: ([a, b]) => Number(a) + Number(b),
  sub: ([a, b]) => Number(a) - Number(b),
  mul: ([a, b]) => Number(a) * Number(b),
  div: ([a, b]) => Math.trunc(Number(a) / Number(b)),
  mod: ([a, b]) => Number(a) % Number(b),
  base64: ([s]) => Buffer.from(String(s), "utf8").toString("base64"),
  base64tostring: ([s]) => Buffer.from(String(s), "base64").toString("utf8"),
  // Deterministic, 13 lowercase characters like Azure's, but NOT Azure's value: a name derived
  // from it here differs from the one the same template gets in Azure.
  uniquestring: (args) =>
    createHash("sha256")
      .update(args.map((a) => toText(a)).join("\u0000"))
      .digest("hex")
      .replace(/[0-9]/g, (d) => "ghijklmnop"[Number(d)]!)
      .slice(0, 13),
  guid: (args) => {
    const hex = createHash("sha256")
      .update(args.map((a) => toText(a)).join("\u0000"))
      .digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  },
};

// --- parsing ---------------------------------------------------------------------------------------

class ExpressionParser {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly path: string,
  ) {}

  parseAll(): Node {
    const node = this.parseExpression();
    this.skipSpace();
    if (this.i < this.text.length) this.fail(`unexpected '${this.text.slice(this.i)}'`);
    return node;
  }

  private parseExpression(): Node {
    this.skipSpace();
    let node = this.parsePrimary();
    for (;;) {
      this.skipSpace();
      const ch = this.text[this.i];
      if (ch === ".") {
        this.i++;
        node = { kind: "property", target: node, name: this.parseIdentifier() };
      } else if (ch === "[") {
        this.i++;
        const index = this.parseExpression();
        this.expect("]");
        node = { kind: "index", target: node, index };
      } else {
        return node;
      }
    }
  }

  private parsePrimary(): Node {
    const ch = this.text[this.i];
    if (ch === "'") return { kind: "string", value: this.parseString() };
    if (ch !== undefined && /[-0-9]/.test(ch)) {
      const match = /^-?\d+(\.\d+)?/.exec(this.text.slice(this.i));
      if (!match) this.fail("expected a number");
      this.i += match[0].length;
      return { kind: "number", value: Number(match[0]) };
    }
    const name = this.parseIdentifier();
    this.skipSpace();
    this.expect("(");
    const args: Node[] = [];
    this.skipSpace();
    if (this.text[this.i] === ")") {
      this.i++;
      return { kind: "call", name, args };
    }
    for (;;) {
      args.push(this.parseExpression());
      this.skipSpace();
      if (this.text[this.i] === ",") {
        this.i++;
        continue;
      }
      this.expect(")");
      return { kind: "call", name, args };
    }
  }

  private parseString(): string {
    let value = "";
    this.i++;
    while (this.i < this.text.length) {
      const ch = this.text[this.i]!;
      if (ch === "'") {
        if (this.text[this.i + 1] === "'") {
          value += "'";
          this.i += 2;
          continue;
        }
        this.i++;
        return value;
      }
      value += ch;
      this.i++;
    }
    return this.fail("a string is not closed");
  }

  private parseIdentifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.i));
    if (!match) this.fail(`expected a name at '${this.text.slice(this.i)}'`);
    this.i += match[0].length;
    return match[0];
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.text[this.i] !== ch) this.fail(`expected '${ch}' at '${this.text.slice(this.i)}'`);
    this.i++;
  }

  private skipSpace(): void {
    while (this.text[this.i] === " " || this.text[this.i] === "\t" || this.text[this.i] === "\n") this.i++;
  }

  private fail(message: string): never {
    throw new AciImportError(this.path, `cannot parse the expression [${this.text}]: ${message}`);
  }
}

// --- helpers ---------------------------------------------------------------------------------------

function member(target: Json, key: Json, expression: string, path: string): Json {
  if (isUnresolved(target)) return target;
  if (Array.isArray(target) && typeof key === "number") {
    if (key < 0 || key >= target.length)
      throw new AciImportError(path, `${expression}: index ${key} is out of range`);
    return target[key];
  }
  if (target !== null && typeof target === "object") {
    const record = target as Record<string, Json>;
    const found = Object.keys(record).find((k) => k.toLowerCase() === String(key).toLowerCase());
    if (found !== undefined) return record[found];
  }
  throw new AciImportError(path, `${expression}: ${show(target)} has no property ${show(key)}`);
}

function convertParameter(name: string, type: string, text: string): Json {
  const where = `parameters.${name}`;
  switch (type.toLowerCase()) {
    case "int": {
      const n = Number(text.trim());
      if (!Number.isInteger(n))
        throw new AciImportError(where, `expected a whole number (type int), got "${text}"`);
      return n;
    }
    case "bool":
      if (/^(true|false)$/i.test(text.trim())) return text.trim().toLowerCase() === "true";
      throw new AciImportError(where, `expected true or false (type bool), got "${text}"`);
    case "array":
    case "object":
    case "secureobject": {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new AciImportError(where, `expected JSON (type ${type}), got "${text}"`);
      }
      const isArray = Array.isArray(value);
      if ((type.toLowerCase() === "array") !== isArray || value === null || typeof value !== "object") {
        throw new AciImportError(
          where,
          `expected a JSON ${type.toLowerCase() === "array" ? "array" : "object"}`,
        );
      }
      return value;
    }
    default:
      return text;
  }
}

function stringArg(args: Json[], index: number, path: string, expression: string): string {
  const value = args[index];
  if (typeof value !== "string") throw new AciImportError(path, `${expression}: expected a name in quotes`);
  return value;
}

function arity(path: string, expression: string, name: string, count: number): AciImportError {
  return new AciImportError(path, `${expression}: ${name}() takes ${count} arguments`);
}

function toText(value: Json): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function looseEquals(a: Json, b: Json): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(value: Json): string {
  if (isUnresolved(value)) return value.expression;
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function lowerKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}
