// Helpers for the install tests: the pinned helm binary (hack/tools.sh), processes, YAML streams.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { kubeconfigPath, repoRoot } from "../env.js";
import { type RunResult, run } from "../harness.js";

export const chartDir = `${repoRoot}/manifests/chart/container-instances-operator`;
export const installYaml = `${repoRoot}/manifests/install.yaml`;

export { type RunResult, run } from "../harness.js";

/** The Helm majors the chart is tested with: both are in use (Helm 4 since November 2025). */
export const HELM_MAJORS = [3, 4] as const;
export type HelmMajor = (typeof HELM_MAJORS)[number];

const helmPaths = new Map<HelmMajor, string>();
/** The project's pinned helm of that major (built by hack/tools.sh on first use). */
export function helmBinary(major: HelmMajor = 3): string {
  let path = helmPaths.get(major);
  if (path === undefined) {
    const tool = major === 3 ? "helm" : `helm${major}`;
    execFileSync(`${repoRoot}/hack/tools.sh`, ["build", tool], { stdio: "inherit" });
    const dir = execFileSync(`${repoRoot}/hack/tools.sh`, ["bindir", tool], { encoding: "utf8" }).trim();
    path = `${dir}/helm`;
    helmPaths.set(major, path);
  }
  return path;
}

/** Runs helm against the test cluster, with a private helm home so no user state leaks in. */
export function helm(
  args: readonly string[],
  opts: { input?: string; major?: HelmMajor } = {},
): Promise<RunResult> {
  const major = opts.major ?? 3;
  const home = `${repoRoot}/.local/helm${major}`;
  return run(helmBinary(major), ["--kubeconfig", kubeconfigPath(), ...args], {
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    env: {
      ...process.env,
      HELM_CACHE_HOME: `${home}/cache`,
      HELM_CONFIG_HOME: `${home}/config`,
      HELM_DATA_HOME: `${home}/data`,
    },
  });
}

/** Like helm(), but throws with helm's output when it fails. */
export async function helmOk(
  args: readonly string[],
  opts: { input?: string; major?: HelmMajor } = {},
): Promise<string> {
  const r = await helm(args, opts);
  if (r.code !== 0) throw new Error(`helm ${args.join(" ")} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** The objects of a multi-document YAML stream (empty documents left out). */
export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`bad YAML: ${doc.errors[0]?.message}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null && typeof o === "object");
}

/**
 * A temporary copy of the chart whose CRD copy is taken fresh from crds/ (as `make manifests` does),
 * so that installing it into a shared cluster never rolls the CRD back to a stale copy while crds/
 * is being changed. (The drift test in chart.test.ts catches a stale copy in the repository.)
 */
export function freshChart(): { dir: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), "cio-chart-"));
  const dir = join(root, "container-instances-operator");
  cpSync(chartDir, dir, { recursive: true });
  const crdDir = join(dir, "files", "crds");
  rmSync(crdDir, { recursive: true, force: true });
  cpSync(join(repoRoot, "crds"), crdDir, { recursive: true });
  for (const name of readdirSync(crdDir)) {
    if (!name.endsWith(".yaml")) rmSync(join(crdDir, name), { recursive: true, force: true });
  }
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
