import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  defineSettings,
  parseSettings,
  renderHelp,
  type SettingsValues,
  setting,
  wantsHelp,
} from "../../../src/runtime/settings.js";

const specs = defineSettings([
  setting({
    name: "kube-api-qps",
    env: "KUBE_API_QPS",
    schema: z.coerce.number().positive(),
    default: 20,
    description: "Requests per second to the API server.",
  }),
  setting({
    name: "log-level",
    env: "LOG_LEVEL",
    schema: z.enum(["error", "warn", "info", "debug"]),
    default: "info",
    description: "Least severe level logged.",
  }),
  setting({
    name: "leader-elect",
    env: "LEADER_ELECT",
    schema: z.stringbool(),
    default: false,
    description: "Run only while holding the lease.",
  }),
  setting({
    name: "api-token",
    env: "API_TOKEN",
    schema: z.string().min(10).optional(),
    default: undefined,
    description: "Token for the registry.",
    secret: true,
  }),
  setting({
    name: "watch-namespace",
    env: "WATCH_NAMESPACE",
    schema: z.string().min(1),
    description: "Namespace to watch.",
  }),
]);

const required = { WATCH_NAMESPACE: "default" };

describe("parseSettings", () => {
  it("uses defaults when neither flag nor environment sets a value", () => {
    const result = parseSettings(specs, [], required);
    expect(result).toEqual({
      ok: true,
      values: {
        kubeApiQps: 20,
        logLevel: "info",
        leaderElect: false,
        apiToken: undefined,
        watchNamespace: "default",
      },
    });
  });

  it("types the values by camelCase name and schema output", () => {
    const result = parseSettings(specs, [], required);
    if (!result.ok) throw new Error("expected success");
    expectTypeOf(result.values.kubeApiQps).toEqualTypeOf<number>();
    expectTypeOf(result.values.leaderElect).toEqualTypeOf<boolean>();
    expectTypeOf(result.values.logLevel).toEqualTypeOf<"error" | "warn" | "info" | "debug">();
    expectTypeOf(result.values.apiToken).toEqualTypeOf<string | undefined>();
    expectTypeOf<SettingsValues<typeof specs>>().toHaveProperty("watchNamespace");
  });

  it("lets the environment override the default and a flag override the environment", () => {
    const env = { ...required, KUBE_API_QPS: "50", LOG_LEVEL: "warn" };
    const result = parseSettings(specs, ["--kube-api-qps=100"], env);
    expect(result).toMatchObject({ ok: true, values: { kubeApiQps: 100, logLevel: "warn" } });
  });

  it("accepts --name value, --name=value and a bare boolean switch", () => {
    const result = parseSettings(
      specs,
      ["--log-level", "debug", "--leader-elect", "--watch-namespace=apps"],
      {},
    );
    expect(result).toMatchObject({
      ok: true,
      values: { logLevel: "debug", leaderElect: true, watchNamespace: "apps" },
    });
  });

  it("does not take the next argument as the value of a switch", () => {
    const result = parseSettings(specs, ["--leader-elect", "false"], required);
    expect(result).toEqual({ ok: false, errors: [expect.stringMatching(/unexpected argument "false"/)] });
    expect(parseSettings(specs, ["--leader-elect=false"], required)).toMatchObject({
      ok: true,
      values: { leaderElect: false },
    });
  });

  it("treats an empty environment variable as unset", () => {
    const result = parseSettings(specs, [], { ...required, LOG_LEVEL: "" });
    expect(result).toMatchObject({ ok: true, values: { logLevel: "info" } });
  });

  it("reports every problem at once, naming the flag or variable, the value and what is allowed", () => {
    const result = parseSettings(specs, ["--kube-api-qps=fast", "--log-levle=debug", "--verbose"], {
      LOG_LEVEL: "loud",
      LEADER_ELECT: "maybe",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      "unknown flag --log-levle (did you mean --log-level?)",
      "unknown flag --verbose",
      'flag --kube-api-qps: got "fast", but invalid input: expected number, received NaN',
      'environment variable LOG_LEVEL: got "loud", but invalid option: expected one of "error"|"warn"|"info"|"debug"',
      expect.stringMatching(
        /^environment variable LEADER_ELECT: got "maybe", but invalid option: expected one of "true"/,
      ),
      "--watch-namespace is required (or set WATCH_NAMESPACE)",
    ]);
  });

  it("never echoes the value of a secret setting", () => {
    const result = parseSettings(specs, ["--api-token=short"], required);
    expect(result).toEqual({ ok: false, errors: [expect.stringContaining("got (value hidden)")] });
    expect(JSON.stringify(result)).not.toContain("short");
  });

  it("reports a flag given without its value", () => {
    const result = parseSettings(specs, ["--log-level"], required);
    expect(result).toEqual({ ok: false, errors: ["flag --log-level needs a value"] });
  });

  it("recognises a request for help", () => {
    expect(wantsHelp(["--log-level=debug", "--help"])).toBe(true);
    expect(wantsHelp(["-h"])).toBe(true);
    expect(wantsHelp(["--log-level=debug"])).toBe(false);
  });

  it("rejects a setting name that is not kebab-case", () => {
    expect(() =>
      defineSettings([setting({ name: "logLevel", env: "X", schema: z.string(), description: "" })]),
    ).toThrow(/kebab-case/);
  });
});

describe("renderHelp", () => {
  it("lists every setting in aligned columns with its variable, default and description", () => {
    expect(renderHelp(specs, "operator")).toBe(
      [
        "Usage: operator [flags]",
        "",
        "Each setting is read from its flag, else its environment variable, else its default.",
        "",
        "  FLAG                       ENVIRONMENT      DESCRIPTION",
        "  --kube-api-qps=<value>     KUBE_API_QPS     Requests per second to the API server. (default: 20)",
        "  --log-level=<value>        LOG_LEVEL        Least severe level logged. (default: info)",
        "  --leader-elect             LEADER_ELECT     Run only while holding the lease. (default: false)",
        "  --api-token=<value>        API_TOKEN        Token for the registry. (default: none)",
        "  --watch-namespace=<value>  WATCH_NAMESPACE  Namespace to watch. (required)",
        "",
      ].join("\n"),
    );
  });
});
