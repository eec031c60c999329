// The Helm chart and the plain manifests, checked by helm and by the API server (server-side dry
// run): nothing is left behind in the cluster but one namespace, deleted afterwards.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { settingSpecs } from "../../../src/config.js";
import { kebabToCamel } from "../../../src/runtime/settings.js";
import { repoRoot } from "../env.js";
import { createNamespace, deleteNamespace, kubectl } from "../harness.js";
import {
  chartDir,
  HELM_MAJORS,
  helm,
  helmOk,
  installYaml,
  type KubeObject,
  parseObjects,
  run,
} from "./helm.js";

/** Settings that have no chart value, and why. */
const NOT_IN_CHART: Record<string, string> = {
  kubeconfig: "in a cluster the operator uses its ServiceAccount",
  "operator-namespace": "the Deployment sets POD_NAMESPACE from the downward API",
};
/** Chart defaults that differ from the operator's on purpose. */
const CHART_DEFAULTS: Record<string, unknown> = {
  leaderElect: true, // replicas and rollouts must never run two reconcilers
};

interface Values {
  config: Record<string, unknown>;
}

const values = parse(readFileSync(`${chartDir}/values.yaml`, "utf8")) as Values;
const schema = JSON.parse(readFileSync(`${chartDir}/values.schema.json`, "utf8")) as {
  properties: { config: { properties: Record<string, unknown>; required: string[] } };
};

function deploymentOf(objects: KubeObject[]) {
  const deployment = objects.find((o) => o.kind === "Deployment");
  if (!deployment) throw new Error("no Deployment rendered");
  type Container = { args: string[]; env: { name: string }[]; image: string; securityContext: object };
  return deployment as KubeObject & { spec: { template: { spec: { containers: Container[] } } } };
}

async function template(args: string[]): Promise<KubeObject[]> {
  return parseObjects(await helmOk(["template", "cio", chartDir, "--namespace", "cio-system", ...args]));
}

describe("generated manifests", () => {
  it("manifests/install.yaml and the chart's CRD copy are up to date (make manifests)", async () => {
    const r = await run(`${repoRoot}/hack/manifests.sh`, ["check"]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe.each(HELM_MAJORS)("helm %i lint", (major) => {
  it.each([
    ["default values", []],
    [
      "kind values (no RuntimeClass, local image)",
      ["--set", "config.runtimeClass=", "--set", "image.pullPolicy=Never"],
    ],
    ["ServiceMonitor", ["--set", "serviceMonitor.enabled=true"]],
    [
      "no CRD, existing ServiceAccount",
      [
        "--set",
        "crds.install=false",
        "--set",
        "serviceAccount.create=false",
        "--set",
        "serviceAccount.name=op",
      ],
    ],
  ])("passes with %s", async (_, args) => {
    const r = await helm(["lint", "--strict", chartDir, ...args], { major });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("values.schema.json rejects bad values", async () => {
    for (const bad of [
      "config.workers=0",
      "config.logLevel=loud",
      "config.dnsZone=Not_A_Zone",
      "config.unknown=1",
    ]) {
      const r = await helm(["template", "cio", chartDir, "--set", bad], { major });
      expect(r.code, `--set ${bad} should fail`).not.toBe(0);
      expect(r.stderr).toMatch(/schema/i);
    }
  });
});

describe("chart values cover every operator setting (src/config.ts)", () => {
  const inChart = settingSpecs.filter((s) => !(s.name in NOT_IN_CHART));

  it.each(inChart.map((s) => [s.name, s] as const))(
    "--%s has a value, a schema and a flag",
    async (_, spec) => {
      const key = kebabToCamel(spec.name);
      expect(Object.keys(values.config), `values.yaml config.${key}`).toContain(key);
      expect(Object.keys(schema.properties.config.properties), `values.schema.json config.${key}`).toContain(
        key,
      );
      const want = key in CHART_DEFAULTS ? CHART_DEFAULTS[key] : (spec.default ?? {});
      expect(values.config[key], `default of config.${key}`).toEqual(want);
    },
  );

  it("renders each setting as its flag, an empty string included", async () => {
    const objects = await template([
      "--set",
      "config.runtimeClass=",
      "--set-json",
      'config.spotPool={"nodeSelector":{"pool":"spot"}}',
      "--set-json",
      "config.kubeApiQps=2.5",
    ]);
    const args = deploymentOf(objects).spec.template.spec.containers[0]?.args ?? [];
    for (const spec of settingSpecs) {
      if (spec.name in NOT_IN_CHART || ["gpu-skus", "dedicated-pool"].includes(spec.name)) continue;
      expect(
        args.some((a) => a.startsWith(`--${spec.name}=`)),
        `--${spec.name} in ${args.join(" ")}`,
      ).toBe(true);
    }
    expect(args).toContain("--runtime-class=");
    expect(args).toContain('--spot-pool={"nodeSelector":{"pool":"spot"}}');
    expect(args).toContain("--kube-api-qps=2.5");
    expect(args).toContain("--workers=8");
    // Empty objects leave the operator's built-in value.
    expect(args.some((a) => a.startsWith("--gpu-skus=") || a.startsWith("--dedicated-pool="))).toBe(false);
  });

  it("the flags it renders are the ones the operator parses", async () => {
    const { parseOperatorSettings } = await import("../../../src/config.js");
    const objects = await template(["--set-json", 'config.gpuSkus={"T4":{"resourceName":"nvidia.com/gpu"}}']);
    const args = deploymentOf(objects).spec.template.spec.containers[0]?.args ?? [];
    const parsed = parseOperatorSettings(args, {});
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    if (parsed.ok) {
      expect(parsed.values.leaderElect).toBe(true);
      expect(parsed.values.runtimeClass).toBe("kata");
      expect(parsed.values.gpuSkus).toEqual({ T4: { resourceName: "nvidia.com/gpu", nodeSelector: {} } });
    }
  });
});

describe("rendered objects", () => {
  it("the Deployment sets POD_NAMESPACE, probes, resources and a restricted securityContext", async () => {
    const objects = await template([]);
    const deployment = deploymentOf(objects) as unknown as {
      spec: { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
    };
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0] ?? {};
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.env).toContainEqual({
      name: "POD_NAMESPACE",
      valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
    });
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: "/healthz", port: "health" } });
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: "/readyz", port: "health" } });
    expect(container.resources).toMatchObject({ requests: { cpu: "100m", memory: "128Mi" } });
  });

  it("the CRD template equals crds/ and is kept on uninstall; crds.install=false leaves it out", async () => {
    const crd = (await template([])).find((o) => o.kind === "CustomResourceDefinition") as
      | (KubeObject & { spec: unknown; metadata: { annotations?: Record<string, string> } })
      | undefined;
    const source = parseObjects(
      readFileSync(`${repoRoot}/crds/containerinstances.dev_containergroups.yaml`, "utf8"),
    );
    expect(crd?.spec).toEqual((source[0] as KubeObject & { spec: unknown }).spec);
    expect(crd?.metadata.annotations?.["helm.sh/resource-policy"]).toBe("keep");
    const without = await template(["--set", "crds.install=false"]);
    expect(without.some((o) => o.kind === "CustomResourceDefinition")).toBe(false);
  });

  it("a Lease Role goes to the leader-election namespace too when it is another one", async () => {
    const objects = await template(["--set", "config.leaderElectionNamespace=elsewhere"]);
    const roles = objects.filter((o) => o.kind === "Role").map((o) => o.metadata.namespace);
    expect(roles.sort()).toEqual(["cio-system", "elsewhere"]);
  });

  it("the ServiceMonitor is optional and selects the metrics Service", async () => {
    expect((await template([])).some((o) => o.kind === "ServiceMonitor")).toBe(false);
    const objects = await template([
      "--set",
      "serviceMonitor.enabled=true",
      "--set",
      "serviceMonitor.labels.release=prom",
    ]);
    const monitor = objects.find((o) => o.kind === "ServiceMonitor");
    const service = objects.find((o) => o.kind === "Service");
    expect(monitor?.metadata.labels?.release).toBe("prom");
    const selector = (monitor as unknown as { spec: { selector: { matchLabels: Record<string, string> } } })
      .spec.selector.matchLabels;
    expect(service?.metadata.labels).toMatchObject(selector);
  });
});

describe("the API server accepts the manifests (server-side dry run)", () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNamespace("cio-dry");
  });
  afterAll(async () => {
    await deleteNamespace(ns);
  });

  async function dryRun(yamlText: string) {
    const r = await kubectl(
      [
        "apply",
        "--server-side",
        "--force-conflicts",
        "--field-manager=cio-install-test",
        "--dry-run=server",
        "-f",
        "-",
      ],
      { input: yamlText },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/Warning/);
    return r.stdout;
  }

  it("helm template of the chart (defaults, then kind values)", async () => {
    for (const extra of [[], ["--set", "config.runtimeClass=", "--set", "image.pullPolicy=Never"]]) {
      const out = await helmOk(["template", ns, chartDir, "--namespace", ns, ...extra]);
      const stdout = await dryRun(out);
      expect(stdout).toMatch(/deployment.apps\/\S+ serverside-applied \(server dry run\)/);
      expect(stdout).toMatch(/clusterrole.rbac.authorization.k8s.io\/\S+ serverside-applied/);
    }
  });

  it("kubectl apply -f manifests/install.yaml (in a test namespace)", async () => {
    const text = readFileSync(installYaml, "utf8");
    const objects = parseObjects(text);
    expect(objects.map((o) => o.kind)).toEqual([
      "Namespace",
      "ServiceAccount",
      "CustomResourceDefinition",
      "ClusterRole",
      "ClusterRole",
      "ClusterRole",
      "ClusterRoleBinding",
      "ClusterRoleBinding",
      "Role",
      "RoleBinding",
      "Service",
      "Deployment",
    ]);
    // A dry run cannot create the namespace the other objects go to, so aim them at ours.
    const stdout = await dryRun(text.replaceAll("container-instances-system", ns));
    expect(stdout).toMatch(/deployment.apps\/container-instances-operator serverside-applied/);
    // Plain manifests say nothing about Helm.
    expect(text).not.toMatch(/managed-by: Helm|helm.sh\/chart/);
  });
});
