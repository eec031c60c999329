// A namespaced install (rbac.namespaced=true), run for real: the chart's ServiceAccount, Roles and
// RoleBindings applied to the plane, and the operator started as a child process whose kubeconfig
// user is that ServiceAccount's token, so it has exactly the rights the chart grants and no more.
// Fully namespaced: the cluster-scope ClusterRoles are left out too, and the operator must still
// get ready and say what it cannot do. Groups run on the KWOK nodes only.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOperatorSettings, watchNamespaces } from "../../../src/config.js";
import {
  applyCrds,
  createNamespace,
  deleteNamespace,
  eventually,
  kubectl,
  kubectlOk,
  loadKubeConfig,
} from "../harness.js";
import {
  applyAll,
  condition,
  getGroup,
  getPod,
  groupManifest,
  groupWhen,
  inState,
} from "../operator/support.js";
import { type RunningOperator, startOperator } from "../operator.js";
import { chartDir, helmOk, type KubeObject, parseObjects } from "./helm.js";

const RELEASE = "cio";
const FULLNAME = "cio-container-instances-operator";

let release = ""; // the operator's own namespace (the chart's release namespace)
let teamA = "";
let teamB = "";
let other = ""; // not watched
let operator: RunningOperator | undefined;
let workDir = "";
let rendered: KubeObject[] = [];

const serviceAccount = () => `system:serviceaccount:${release}:${FULLNAME}`;

async function template(args: string[]): Promise<KubeObject[]> {
  return parseObjects(
    await helmOk([
      "template",
      RELEASE,
      chartDir,
      "--namespace",
      release,
      "--set",
      "crds.install=false",
      ...args,
    ]),
  );
}

/** A kubeconfig for the plane whose user is the ServiceAccount's token (TokenRequest). */
async function serviceAccountKubeconfig(): Promise<string> {
  const token = (await kubectlOk(["create", "token", FULLNAME, "-n", release, "--duration=2h"])).trim();
  const admin = loadKubeConfig();
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error("the plane's kubeconfig names no cluster");
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: "operator", token }],
    contexts: [{ name: "operator", cluster: cluster.name, user: "operator" }],
    currentContext: "operator",
  });
  const path = join(workDir, "kubeconfig");
  writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
  return path;
}

async function canI(args: string[]): Promise<boolean> {
  const r = await kubectl(["auth", "can-i", ...args, `--as=${serviceAccount()}`]);
  return r.stdout.trim() === "yes";
}

beforeAll(async () => {
  await applyCrds();
  workDir = mkdtempSync(join(tmpdir(), "cio-namespaced-"));
  release = await createNamespace("it-nsd-rel");
  teamA = await createNamespace("it-nsd-a");
  teamB = await createNamespace("it-nsd-b");
  other = await createNamespace("it-nsd-other");
  rendered = await template([
    "--set",
    "rbac.namespaced=true",
    "--set",
    `watchNamespaces={${teamA},${teamB}}`,
    "--set",
    "rbac.clusterScope.persistentVolumes=false",
    "--set",
    "rbac.clusterScope.runtimeClasses=false",
  ]);
  // What the operator's identity is made of; the Deployment is the child process below.
  const identity = rendered.filter((o) => ["ServiceAccount", "Role", "RoleBinding"].includes(o.kind));
  await kubectlOk(["apply", "--server-side", "-f", "-"], {
    input: identity.map((o) => JSON.stringify(o)).join("\n"),
  });
  operator = await startOperator({
    kubeconfig: await serviceAccountKubeconfig(),
    args: [`--watch-namespace=${teamA},${teamB}`, `--operator-namespace=${release}`],
  });
}, 120_000);

afterAll(async () => {
  // Groups first, while the operator runs: the Azure Files group's finalizer is the operator's.
  for (const ns of [teamA, teamB, other].filter(Boolean)) {
    await kubectl(["delete", "containergroups", "--all", "-n", ns, "--wait=true", "--timeout=60s"]);
  }
  await operator?.stop();
  for (const ns of [release, teamA, teamB, other].filter(Boolean)) await deleteNamespace(ns);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("the chart with rbac.namespaced=true", () => {
  it("renders a Role and RoleBinding per watched namespace, the Lease Role at home, and no cluster role", () => {
    const where = (kind: string) =>
      rendered
        .filter((o) => o.kind === kind)
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
        .sort();
    expect(where("Role")).toEqual(
      [`${teamA}/${FULLNAME}`, `${teamB}/${FULLNAME}`, `${release}/${FULLNAME}-leases`].sort(),
    );
    expect(where("RoleBinding")).toEqual(where("Role"));
    // Only the secure-metrics roles stay cluster-scoped by nature (TokenReview, SubjectAccessReview,
    // a non-resource URL); config.metricsSecure=false drops them.
    const metricsRoles = [`${FULLNAME}-metrics-auth`, `${FULLNAME}-metrics-reader`];
    expect(
      rendered
        .filter((o) => o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding")
        .filter((o) => !metricsRoles.includes(o.metadata.name ?? "")),
    ).toEqual([]);
    const deployment = rendered.find((o) => o.kind === "Deployment") as unknown as {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    expect(deployment.spec.template.spec.containers[0]?.args).toContain(
      `--watch-namespace=${teamA},${teamB}`,
    );
  });

  it("grants each cluster-scope read by its own value, and refuses to guess the namespaces", async () => {
    const withScope = await template([
      "--set",
      "rbac.namespaced=true",
      "--set",
      `watchNamespaces={${teamA}}`,
    ]);
    const clusterRoles = withScope.filter(
      (o) => o.kind === "ClusterRole" && !(o.metadata.name ?? "").includes("-metrics-"),
    ) as unknown as {
      metadata: { name: string };
      rules: { resources: string[] }[];
    }[];
    expect(clusterRoles.map((r) => [r.metadata.name, r.rules.flatMap((rule) => rule.resources)])).toEqual([
      [`${FULLNAME}-persistentvolumes`, ["persistentvolumes"]],
      [`${FULLNAME}-runtimeclasses`, ["runtimeclasses"]],
    ]);
    await expect(template(["--set", "rbac.namespaced=true"])).rejects.toThrow(/set watchNamespaces/);
  });

  it("merges watchNamespaces with config.watchNamespace into one flag the operator parses", async () => {
    const argsOf = (objects: KubeObject[]) =>
      (
        objects.find((o) => o.kind === "Deployment") as unknown as {
          spec: { template: { spec: { containers: { args: string[] }[] } } };
        }
      ).spec.template.spec.containers[0]?.args ?? [];
    expect(argsOf(await template([]))).toContain("--watch-namespace=");
    const args = argsOf(
      await template(["--set", "watchNamespaces={a,b}", "--set-string", "config.watchNamespace=b\\, c"]),
    );
    expect(args).toContain("--watch-namespace=a,b,c");
    const parsed = parseOperatorSettings(args, {});
    expect(parsed.ok && watchNamespaces(parsed.values)).toEqual(["a", "b", "c"]);
  });
});

describe("the operator running as that ServiceAccount", () => {
  it("may not list Secrets, Pods or Services cluster-wide, only in the watched namespaces", async () => {
    for (const resource of ["secrets", "pods", "services"]) {
      expect(await canI(["list", resource, "--all-namespaces"]), `list ${resource} -A`).toBe(false);
      expect(await canI(["list", resource, "-n", other]), `list ${resource} -n ${other}`).toBe(false);
      expect(await canI(["list", resource, "-n", teamA]), `list ${resource} -n ${teamA}`).toBe(true);
    }
    expect(await canI(["list", "persistentvolumes"])).toBe(false);
    expect(await canI(["list", "runtimeclasses.node.k8s.io"])).toBe(false);
  });

  it("became ready without the cluster-scope reads, and says which it runs without", () => {
    const logs = operator?.logs() ?? "";
    expect(logs).toMatch(/may not list its resource; running without this cache.*persistentvolumes/);
    expect(logs).toMatch(/may not list its resource; running without this cache.*runtimeclasses/);
  });

  it("runs groups in both watched namespaces and leaves a third namespace alone", async () => {
    // On the fake nodes: the kata RuntimeClass exists (its check falls to the API server here).
    await Promise.all([
      applyAll(teamA, [groupManifest("web")]),
      applyAll(teamB, [groupManifest("web")]),
      applyAll(other, [groupManifest("web")]),
    ]);
    await groupWhen(teamA, "web", "Running", inState("Running"), 60_000);
    await groupWhen(teamB, "web", "Running", inState("Running"), 60_000);
    // The operator never watched the third namespace: by now it would have answered there too.
    const ignored = await getGroup(other, "web");
    expect(ignored?.status).toBeUndefined();
    expect(ignored?.metadata.finalizers ?? []).toEqual([]);
    expect(await getPod(other, "web")).toBeUndefined();
    expect(operator?.logs() ?? "").not.toContain(other);
  });

  it("an Azure Files group, which needs PersistentVolumes, reports PermissionDenied with the value that grants it", async () => {
    await applyAll(teamB, [
      groupManifest("files", {
        volumes: [
          {
            name: "share",
            azureFile: {
              shareName: "acishare",
              storageAccountName: "itaccount",
              storageAccountKey: "it-key==",
            },
          },
        ],
      }),
    ]);
    const group = await groupWhen(
      teamB,
      "files",
      "Ready=False/PermissionDenied",
      (g) => condition(g, "Ready")?.reason === "PermissionDenied",
      60_000,
    );
    const ready = condition(group, "Ready");
    expect(ready?.status).toBe("False");
    expect(ready?.message).toContain("Azure Files volumes (share) need PersistentVolumes");
    expect(ready?.message).toContain("rbac.clusterScope.persistentVolumes=true");
    expect(await getPod(teamB, "files")).toBeUndefined();
    // Deleting it needs no PersistentVolume access either: the finalizer is released.
    await kubectlOk(["delete", "containergroup", "files", "-n", teamB, "--wait=false"]);
    await eventually("the group to go", async () => ((await getGroup(teamB, "files")) ? undefined : true), {
      timeoutMs: 60_000,
    });
  });

  it("logged no error: every request it made was one its Roles allow", () => {
    const errors = (operator?.logs() ?? "").split("\n").filter((line) => line.includes('"level":"error"'));
    expect(errors).toEqual([]);
  });
});
