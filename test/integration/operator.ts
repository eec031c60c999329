// Runs the real operator (src/main.ts, as `make run` does) as a child process against the test
// cluster. Each test file starts its own, watching only its own namespace, so files never see
// each other's groups.
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll } from "vitest";
import { kubeconfigPath, repoRoot } from "./env.js";
import { applyCrds, createNamespace, deleteNamespace } from "./harness.js";

export interface RunningOperator {
  /** The health port it bound (/healthz, /readyz). */
  port: number;
  /** The metrics port it bound (plain HTTP unless the test passed --metrics-secure=true). */
  metricsPort: number;
  /** Everything it logged so far (JSON lines). */
  logs(): string;
  /** Prometheus text from /metrics. */
  metrics(): Promise<string>;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  process: ChildProcess;
}

export interface OperatorOptions {
  namespace?: string;
  args?: string[];
  env?: Record<string, string>;
  kubeconfig?: string;
  /** Wait until /readyz answers 200 (caches synced). Default true. */
  waitReady?: boolean;
}

/** Per-cluster settings, e.g. `--runtime-class=` on kind, which has no Kata (hack/e2e-kind.sh). */
export const TEST_OPERATOR_ARGS: readonly string[] = (process.env.TEST_OPERATOR_ARGS ?? "")
  .split(/\s+/)
  .filter(Boolean);

export async function startOperator(options: OperatorOptions = {}): Promise<RunningOperator> {
  const args = [
    "--import",
    "tsx",
    `${repoRoot}/src/main.ts`,
    `--kubeconfig=${options.kubeconfig ?? kubeconfigPath()}`,
    "--health-port=0",
    "--health-bind-address=127.0.0.1",
    // Plain metrics by explicit setting: the suite reads them with the plane's admin certificate,
    // which is no bearer token. secure-metrics.test.ts tests the default, authenticated HTTPS.
    "--metrics-port=0",
    "--metrics-bind-address=127.0.0.1",
    "--metrics-secure=false",
    "--log-level=debug",
    ...(options.namespace ? [`--watch-namespace=${options.namespace}`] : []),
    ...TEST_OPERATOR_ARGS,
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  const logged = (pattern: RegExp) =>
    new Promise<number>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = pattern.exec(output);
        if (m?.[1]) {
          clearInterval(timer);
          resolve(Number(m[1]));
        }
      }, 50);
      void exited.then((code) => {
        clearInterval(timer);
        reject(new Error(`operator exited (${code}) before serving:\n${output}`));
      });
    });
  const port = await logged(/"message":"serving \/healthz and \/readyz","port":(\d+)/);
  const metricsPort = await logged(/"message":"serving \/metrics","port":(\d+)/);
  const base = `http://127.0.0.1:${port}`;
  if (options.waitReady !== false) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`operator not ready after 60 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    metricsPort,
    process: child,
    logs: () => output,
    metrics: async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

export interface OperatorNamespace {
  /** The test file's namespace (set once its beforeAll ran). */
  readonly ns: string;
  /** Everything the file's operator logged so far. */
  operatorLogs(): string;
}

/**
 * The usual setup of a test file: the CRDs installed, a namespace of its own and an operator
 * watching only that namespace, all before its tests; the operator stopped and the namespace
 * deleted after them.
 */
export function namespaceWithOperator(
  prefix: string,
  options: Omit<OperatorOptions, "namespace"> = {},
): OperatorNamespace {
  let operator: RunningOperator | undefined;
  const file = { ns: "", operatorLogs: () => operator?.logs() ?? "" };
  beforeAll(async () => {
    await applyCrds();
    file.ns = await createNamespace(prefix);
    operator = await startOperator({ ...options, namespace: file.ns });
  });
  afterAll(async () => {
    await operator?.stop();
    if (file.ns) await deleteNamespace(file.ns);
  });
  return file;
}
