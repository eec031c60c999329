// Helpers for tests that run against a real API server. Nothing here fakes Kubernetes: every call
// goes to the cluster named by kubeconfigPath().
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as k8s from "@kubernetes/client-node";
import { kubeconfigPath, kubectlBinary, repoRoot } from "./env.js";

export { kubeconfigPath, repoRoot } from "./env.js";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}
/** kubectl's result; the same shape as any program's. */
export type KubectlResult = RunResult;

/** Runs a program to its end and collects its output; never throws on a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      stdio: ["pipe", "pipe", "pipe"],
      env: opts.env ?? process.env,
      cwd: opts.cwd ?? repoRoot,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    // A program may exit without reading its input (printf, a refused login): the EPIPE that
    // writing to it then raises is not the caller's error, and unhandled it would fail the run.
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
  });
}

/** Runs the pinned kubectl against the test cluster. Never throws on a non-zero exit. */
export function kubectl(args: string[], opts: { input?: string } = {}): Promise<KubectlResult> {
  return run(kubectlBinary(), ["--kubeconfig", kubeconfigPath(), ...args], opts);
}

/** Like kubectl(), but throws with kubectl's stderr when it fails. */
export async function kubectlOk(args: string[], opts: { input?: string } = {}): Promise<string> {
  const r = await kubectl(args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

export function loadKubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/** Creates a namespace with a unique name; returns its name. */
export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`.toLowerCase();
  await kubectlOk(["create", "namespace", name]);
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  await kubectl(["delete", "namespace", name, "--wait=false", "--ignore-not-found"]);
}

/** Installs (server-side) the project's CRDs and waits until they are Established. */
export async function applyCrds(): Promise<void> {
  await kubectlOk(["apply", "--server-side", "--force-conflicts", "-f", `${repoRoot}/crds/`]);
  // Not `kubectl wait`: it fails outright on a CRD created a moment ago, whose conditions are unset.
  await eventually(
    "the CRDs to be Established",
    async () => {
      const r = await kubectl(["get", "-f", `${repoRoot}/crds/`, "-o", "json"]);
      if (r.code !== 0) return undefined;
      const parsed = JSON.parse(r.stdout) as k8s.V1CustomResourceDefinition & {
        items?: k8s.V1CustomResourceDefinition[];
      };
      const crds = parsed.items ?? [parsed];
      const established = (crd: k8s.V1CustomResourceDefinition) =>
        crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
      return crds.every(established) ? true : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

/** Polls fn until it returns a value other than undefined, or fails with the last observation. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
