// The operator's command line, as `make run` and the container start it: settings by flag or
// environment, validated before anything touches the cluster, and listed by --help.
import { describe, expect, it } from "vitest";
import { repoRoot, run } from "../harness.js";

function runOperator(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ["--import", "tsx", `${repoRoot}/src/main.ts`, ...args], {
    env: { ...process.env, ...env },
  });
}

describe("the operator's command line", () => {
  // Each run starts a Node process with tsx (seconds on a busy machine): three independent runs,
  // started at once.
  const runs = {
    help: runOperator(["--help"]),
    invalid: runOperator(["--no-such-flag", "--workers=0", "--spot-pool={not json", "--health-port=0"], {
      USAGE_INTERVAL_SECONDS: "soon",
      LOG_LEVEL: "chatty",
    }),
    noKubeconfig: runOperator(["--kubeconfig=/nonexistent/kubeconfig", "--health-port=0"]),
  };

  it("--help lists every setting with its flag, environment variable and default, and exits 0", async () => {
    const r = await runs.help;
    expect(r.code).toBe(0);
    for (const text of [
      "--watch-namespace",
      "WATCH_NAMESPACE",
      "--runtime-class",
      "RUNTIME_CLASS",
      "(default: kata)",
      "--usage-interval-seconds",
      "--kube-api-qps",
      "--spot-pool",
      "--gpu-skus",
    ]) {
      expect(r.stdout).toContain(text);
    }
  });

  it("unknown flags and invalid flag or environment values exit 2, each named, before touching the cluster", async () => {
    const r = await runs.invalid;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown flag --no-such-flag");
    expect(r.stderr).toContain("flag --workers");
    expect(r.stderr).toMatch(/flag --spot-pool: .*not valid JSON/);
    expect(r.stderr).toContain("environment variable USAGE_INTERVAL_SECONDS");
    expect(r.stderr).toContain("environment variable LOG_LEVEL");
    expect(r.stderr).toContain("--help");
    expect(r.stdout).not.toContain("serving");
  });

  it("a kubeconfig that does not exist stops the operator with an error naming the file", async () => {
    const r = await runs.noKubeconfig;
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain("/nonexistent/kubeconfig");
  });
});
