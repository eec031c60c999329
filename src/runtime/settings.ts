import type { z } from "zod";

/**
 * Settings declared once, read from flags and environment variables, validated by zod, and described
 * by `renderHelp`. A flag wins over its environment variable, which wins over the default: a Helm
 * chart sets the environment, and someone debugging overrides one value on the command line.
 *
 * Schemas receive the raw string from the flag or variable, so they convert it themselves:
 * `z.coerce.number().int().min(1)`, `z.stringbool()`, `z.enum([...])`. A setting whose default is a
 * boolean is a switch: `--name` alone means true, and `--name=false` turns it off.
 */

export interface SettingSpec<Schema extends z.ZodType = z.ZodType, Name extends string = string> {
  /** kebab-case; the flag is `--<name>` and the value's key is its camelCase form. */
  readonly name: Name;
  /** Environment variable, e.g. `KUBE_API_QPS`. */
  readonly env: string;
  readonly schema: Schema;
  /**
   * Value when neither flag nor variable is set; without one, the setting is required. A setting that
   * may stay unset takes an optional schema (`z.string().optional()`) and `default: undefined`, so its
   * type says so.
   */
  readonly default?: z.output<Schema>;
  readonly description: string;
  /** Never echo the given value in an error message (tokens, keys). */
  readonly secret?: boolean;
}

type KebabToCamel<Name extends string> = Name extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<KebabToCamel<Tail>>}`
  : Name;

/** The parsed values, keyed by each setting's camelCase name. */
export type SettingsValues<Specs extends readonly SettingSpec[]> = {
  -readonly [Spec in Specs[number] as KebabToCamel<Spec["name"]>]: z.output<Spec["schema"]>;
};

export type ParseSettingsResult<Specs extends readonly SettingSpec[]> =
  | { ok: true; values: SettingsValues<Specs> }
  | { ok: false; errors: string[] };

/** Declares one setting, checking its default against its schema's output type. */
export function setting<const Name extends string, Schema extends z.ZodType>(
  spec: SettingSpec<Schema, Name>,
): SettingSpec<Schema, Name> {
  return spec;
}

/** Declares a list of settings, keeping each name and schema type for `SettingsValues`. */
export function defineSettings<const Specs extends readonly SettingSpec[]>(specs: Specs): Specs {
  for (const spec of specs) {
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(spec.name)) {
      throw new Error(`setting name "${spec.name}" is not kebab-case`);
    }
  }
  return specs;
}

export function kebabToCamel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** True when the arguments ask for help (`--help` or `-h`); print `renderHelp` and exit 0. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === "--help" || arg === "-h");
}

interface RawValue {
  value: string;
  source: "flag" | "env";
}

/**
 * Reads every setting from `argv` (without the node and script paths, i.e. `process.argv.slice(2)`)
 * and `env`. Collects every problem rather than stopping at the first, so one run shows them all.
 * An environment variable set to the empty string counts as unset (templated manifests produce them).
 */
export function parseSettings<const Specs extends readonly SettingSpec[]>(
  specs: Specs,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParseSettingsResult<Specs> {
  const errors: string[] = [];
  const fromFlags = readFlags(specs, argv, errors);
  const values: Record<string, unknown> = {};

  for (const spec of specs) {
    const envValue = env[spec.env];
    const raw: RawValue | undefined =
      fromFlags.get(spec.name) ??
      (envValue !== undefined && envValue !== "" ? { value: envValue, source: "env" } : undefined);
    const key = kebabToCamel(spec.name);
    if (raw === undefined) {
      if ("default" in spec) values[key] = spec.default;
      else errors.push(`--${spec.name} is required (or set ${spec.env})`);
      continue;
    }
    const parsed = spec.schema.safeParse(raw.value);
    if (parsed.success) {
      values[key] = parsed.data;
      continue;
    }
    const where = raw.source === "flag" ? `flag --${spec.name}` : `environment variable ${spec.env}`;
    const given = spec.secret === true ? "(value hidden)" : JSON.stringify(raw.value);
    const allowed = parsed.error.issues.map((issue) => issue.message).join("; ");
    errors.push(`${where}: got ${given}, but ${lowerFirst(allowed)}`);
  }

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, values: values as SettingsValues<Specs> };
}

function readFlags(specs: readonly SettingSpec[], argv: readonly string[], errors: string[]) {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const found = new Map<string, RawValue>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? "";
    if (arg === "--help" || arg === "-h") continue;
    if (!arg.startsWith("--")) {
      errors.push(`unexpected argument ${JSON.stringify(arg)}: settings are given as --name=value`);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    const spec = byName.get(name);
    if (spec === undefined) {
      errors.push(`unknown flag --${name}${suggestion(name, byName.keys())}`);
      continue;
    }
    if (equals !== -1) {
      found.set(name, { value: arg.slice(equals + 1), source: "flag" });
    } else if (typeof spec.default === "boolean") {
      // Like Go's flag package, a switch never takes the next argument as its value.
      found.set(name, { value: "true", source: "flag" });
    } else {
      const next = argv[index + 1];
      if (next === undefined || next.startsWith("--")) {
        errors.push(`flag --${name} needs a value`);
        continue;
      }
      found.set(name, { value: next, source: "flag" });
      index += 1;
    }
  }
  return found;
}

/** " (did you mean --x?)" when a known flag is a small typo away. */
function suggestion(name: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? "" : ` (did you mean --${best}?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Help text: one aligned row per setting with its flag, environment variable, default and description. */
export function renderHelp(specs: readonly SettingSpec[], programName: string): string {
  const rows = specs.map((spec) => ({
    flag: typeof spec.default === "boolean" ? `--${spec.name}` : `--${spec.name}=<value>`,
    env: spec.env,
    description: `${spec.description} ${describeDefault(spec)}`,
  }));
  const flagWidth = Math.max("FLAG".length, ...rows.map((row) => row.flag.length));
  const envWidth = Math.max("ENVIRONMENT".length, ...rows.map((row) => row.env.length));
  const line = (flag: string, env: string, description: string) =>
    `  ${flag.padEnd(flagWidth)}  ${env.padEnd(envWidth)}  ${description}`.trimEnd();
  return [
    `Usage: ${programName} [flags]`,
    "",
    "Each setting is read from its flag, else its environment variable, else its default.",
    "",
    line("FLAG", "ENVIRONMENT", "DESCRIPTION"),
    ...rows.map((row) => line(row.flag, row.env, row.description)),
    "",
  ].join("\n");
}

function describeDefault(spec: SettingSpec): string {
  if (!("default" in spec)) return "(required)";
  const value: unknown = spec.default;
  if (value === undefined || value === "") return "(default: none)";
  if (spec.secret === true) return "(default: hidden)";
  const shown = Array.isArray(value)
    ? value.join(",")
    : typeof value === "string"
      ? value
      : JSON.stringify(value);
  return `(default: ${shown})`;
}
