// docs/argocd.md's health check as Argo CD runs it: the script is read from the doc's argocd-cm
// ConfigMap (the value Argo CD reads, after YAML parsing), so the doc and the tests cannot drift,
// and it runs in gopher-lua with Argo CD's object conversion (test/tools/lua, built by
// hack/tools.sh like the plane's other Go tools).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { GROUP, KIND } from "../../../src/api/constants.js";
import type { ContainerGroup } from "../../../src/api/types.js";
import { repoRoot, run } from "../harness.js";

export const ARGOCD_DOC = `${repoRoot}/docs/argocd.md`;
/** Argo CD's argocd-cm key for a kind's health script: `<group>_<kind>`. */
export const HEALTH_KEY = `resource.customizations.health.${GROUP}_${KIND}`;

/** The doc's fenced yaml blocks, parsed. */
export function docYamlBlocks(markdown = readFileSync(ARGOCD_DOC, "utf8")): unknown[] {
  const blocks = [...markdown.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");
  return blocks.flatMap((block) => parseAllDocuments(block).map((doc) => doc.toJS() as unknown));
}

/** The health script under the argocd-cm ConfigMap in docs/argocd.md. */
export function healthScriptFromDoc(): string {
  const configMap = docYamlBlocks().find(
    (doc): doc is { kind: string; metadata: { name: string }; data: Record<string, unknown> } =>
      typeof doc === "object" &&
      doc !== null &&
      (doc as { kind?: unknown }).kind === "ConfigMap" &&
      (doc as { metadata?: { name?: unknown } }).metadata?.name === "argocd-cm",
  );
  const script = configMap?.data?.[HEALTH_KEY];
  if (typeof script !== "string" || script.trim() === "") {
    throw new Error(
      `${ARGOCD_DOC} has no argocd-cm ConfigMap with data["${HEALTH_KEY}"]: keep the script there, in a fenced yaml block`,
    );
  }
  return script;
}

/** Argo CD's verdict on an object. */
export interface ArgoHealth {
  status: string;
  message?: string;
}

let binary: string | undefined;
/**
 * The runner, built when missing (idempotent, about a second; `make tools` builds it too), so a
 * single test file runs on a clone whose tools were built before the runner existed.
 */
function luaHealthBinary(): string {
  if (!binary) {
    execFileSync(`${repoRoot}/hack/tools.sh`, ["build", "lua"], { stdio: ["ignore", "ignore", "inherit"] });
    binary = `${execFileSync(`${repoRoot}/hack/tools.sh`, ["bindir", "lua"], { encoding: "utf8" }).trim()}/lua-health`;
  }
  return binary;
}

let scriptPath: string | undefined;
function scriptFile(): string {
  if (!scriptPath) {
    scriptPath = join(mkdtempSync(join(tmpdir(), "cio-argocd-")), "health.lua");
    writeFileSync(scriptPath, healthScriptFromDoc());
  }
  return scriptPath;
}

/** What Argo CD would make of `group` (as read from the API server) with the doc's script. */
export async function argoHealth(group: ContainerGroup | object): Promise<ArgoHealth> {
  const r = await run(luaHealthBinary(), [scriptFile()], { input: JSON.stringify(group) });
  if (r.code !== 0) {
    throw new Error(`the doc's health script failed on ${JSON.stringify(group)}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as ArgoHealth;
}
