// The krew manifest (a krew-release-bot template) names the plugin and executables that exist.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = new URL("../../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

interface KrewPlugin {
  kind: string;
  metadata: { name: string };
  spec: { version: string; platforms: { bin: string; uri: string; sha256: string }[] };
}

describe("the krew manifest", () => {
  // What krew-release-bot fills in on a release, filled in here with placeholders.
  const rendered = read(".krew.yaml")
    .replaceAll("{{ .TagName }}", "v0.1.0")
    .replace(/\{\{addURIAndSha "([^"]+)" \.TagName \}\}/g, "uri: $1\n      sha256: 0000");
  const plugin = parse(rendered) as KrewPlugin;

  it("names the plugin as kubectl runs it and as package.json ships it", () => {
    expect(plugin.kind).toBe("Plugin");
    expect(plugin.metadata.name).toBe("container-group");
    const bins = (JSON.parse(read("package.json")) as { bin: Record<string, string> }).bin;
    expect(Object.keys(bins).sort()).toEqual(["kubectl-cg", "kubectl-container_group"]);
    for (const path of Object.values(bins)) expect(existsSync(new URL(path, root))).toBe(true);
  });

  it("points every platform at the launcher and the archive hack/krew.sh builds", () => {
    const script = read("hack/krew.sh");
    expect(plugin.spec.platforms.length).toBeGreaterThan(0);
    for (const p of plugin.spec.platforms) {
      expect(p.bin).toBe("kubectl-container_group");
      expect(p.uri).toMatch(/\/kubectl-container_group-v0\.1\.0-linux-(amd64|arm64)\.tar\.gz$/);
    }
    expect(script).toContain("name=kubectl-container_group-$tag-linux-$arch");
    expect(script).toContain("for exe in kubectl-container_group kubectl-cg");
  });
});
