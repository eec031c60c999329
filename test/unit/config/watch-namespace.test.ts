import { describe, expect, it } from "vitest";
import { parseOperatorSettings, watchNamespaces } from "../../../src/config.js";

function parse(argv: string[], env: Record<string, string> = {}) {
  const result = parseOperatorSettings(argv, env);
  return result;
}

describe("--watch-namespace", () => {
  it("is every namespace when empty or unset", () => {
    for (const argv of [[], ["--watch-namespace="], ["--watch-namespace= , ,"]]) {
      const r = parse(argv);
      expect(r.ok && watchNamespaces(r.values)).toEqual([]);
    }
  });

  it("takes a comma list, trimmed, duplicates dropped, in the order given", () => {
    const r = parse(["--watch-namespace= team-b,team-a ,team-b,,"]);
    expect(r.ok && r.values.watchNamespace).toBe("team-b,team-a");
    expect(r.ok && watchNamespaces(r.values)).toEqual(["team-b", "team-a"]);
  });

  it("reads WATCH_NAMESPACE, which the flag overrides", () => {
    const fromEnv = parse([], { WATCH_NAMESPACE: "a,b" });
    expect(fromEnv.ok && watchNamespaces(fromEnv.values)).toEqual(["a", "b"]);
    const fromFlag = parse(["--watch-namespace=c"], { WATCH_NAMESPACE: "a,b" });
    expect(fromFlag.ok && watchNamespaces(fromFlag.values)).toEqual(["c"]);
  });

  it("names the setting and each bad entry, and says what to give", () => {
    const r = parse(["--watch-namespace=good,Bad_Name,-dash"]);
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^flag --watch-namespace: got "good,Bad_Name,-dash"/);
    expect(errors[0]).toContain('entry "Bad_Name" is not a namespace name');
    expect(errors[0]).toContain('entry "-dash" is not a namespace name');
    expect(errors[0]).not.toContain('entry "good"');
    expect(errors[0]).toMatch(/separated by commas, or nothing for every namespace/);

    const env = parse([], { WATCH_NAMESPACE: `ok,${"a".repeat(64)}` });
    expect(env.ok ? [] : env.errors).toEqual([
      expect.stringMatching(/^environment variable WATCH_NAMESPACE: .*entry "a{64}" is not a namespace name/),
    ]);
  });
});
