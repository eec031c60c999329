// --pod-security=auto when the operator may not read namespaces at all: the chart's RBAC without
// its namespaces rule, the operator run under that ServiceAccount's token. It must not crash or
// hang: it says so once in its log, renders the usual Pods, and a group that a restricted
// namespace then refuses says, besides the API server's words, how to fix the operator's access.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usingExternalCluster } from "../env.js";
import { applyCrds, createNamespace, deleteNamespace, kubectl, kubectlOk } from "../harness.js";
import { chartDir, helmOk, type KubeObject, parseObjects } from "../install/helm.js";
import { applyAll, condition, groupManifest, groupWhen, readyBecause } from "../operator/support.js";
import { type RunningOperator, startOperator } from "../operator.js";

let operatorNs = "";
let groupNs = "";
let dir = "";
let operator: RunningOperator | undefined;
const release = `psa-${randomBytes(3).toString("hex")}`;
let clusterScoped: KubeObject[] = [];

beforeAll(async () => {
  await applyCrds();
  [operatorNs, groupNs] = await Promise.all([createNamespace("psa-rbac-op"), createNamespace("psa-rbac")]);
  await kubectlOk(["label", "namespace", groupNs, "pod-security.kubernetes.io/enforce=restricted"]);
  const rbac = parseObjects(
    await helmOk([
      "template",
      release,
      chartDir,
      "--namespace",
      operatorNs,
      "--show-only",
      "templates/rbac.yaml",
      "--show-only",
      "templates/serviceaccount.yaml",
    ]),
  );
  // The chart's rules, less the one this file is about.
  for (const role of rbac.filter((o) => o.kind === "ClusterRole")) {
    const rules = role.rules as { resources?: string[] }[];
    role.rules = rules.filter((r) => !(r.resources ?? []).includes("namespaces"));
  }
  clusterScoped = rbac.filter((o) => o.kind.startsWith("Cluster"));
  await kubectlOk(["apply", "--server-side", "-f", "-"], {
    input: rbac.map((o) => JSON.stringify(o)).join("\n"),
  });
  const sa = rbac.find((o) => o.kind === "ServiceAccount")?.metadata.name ?? "";
  const token = (await kubectlOk(["create", "token", sa, "-n", operatorNs, "--duration=1h"])).trim();
  const view = JSON.parse(
    await kubectlOk(["config", "view", "--raw", "--minify", "--flatten", "-o", "json"]),
  ) as {
    clusters: { cluster: Record<string, unknown> }[];
  };
  dir = mkdtempSync(join(tmpdir(), "cio-psa-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: view.clusters[0]?.cluster }],
      users: [{ name: "sa", user: { token } }],
      contexts: [{ name: "sa", context: { cluster: "c", user: "sa" } }],
      "current-context": "sa",
    }),
    { mode: 0o600 },
  );
  operator = await startOperator({
    namespace: groupNs,
    kubeconfig,
    args: [`--operator-namespace=${operatorNs}`],
  });
});

afterAll(async () => {
  await operator?.stop();
  for (const o of clusterScoped) {
    await kubectl(["delete", o.kind.toLowerCase(), o.metadata.name, "--ignore-not-found"]);
  }
  await Promise.all([groupNs, operatorNs].filter(Boolean).map(deleteNamespace));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(usingExternalCluster())("--pod-security=auto without read access to namespaces", () => {
  it("keeps running with the usual Pods, says so once, and a refused group says how to fix the access", async () => {
    await applyAll(groupNs, [groupManifest("blind")]);
    const group = await groupWhen(
      groupNs,
      "blind",
      "PodSecurityViolation",
      readyBecause("PodSecurityViolation"),
    );
    const message = condition(group, "Ready")?.message ?? "";
    expect(message).toContain('violates PodSecurity "restricted:latest"');
    expect(message).toContain("may not read this namespace's labels");
    expect(message).toContain("--pod-security=restricted");
    const logs = operator?.logs() ?? "";
    expect(logs.match(/may not read the namespace's labels/g) ?? []).toHaveLength(1);
    expect(operator?.process.exitCode).toBeNull();
  });
});
