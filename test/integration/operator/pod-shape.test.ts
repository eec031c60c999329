// The Pod a group becomes, as the API server stores it: every ACI field in Kubernetes terms, the
// secure defaults a multi-tenant service needs, and scheduling from the group and the operator's
// settings. Secure values travel only through Secrets the group owns.
import type { V1NetworkPolicy, V1Pod, V1Secret, V1Service } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCrds, createNamespace, deleteNamespace, kubectlOk } from "../harness.js";
import { type RunningOperator, startOperator } from "../operator.js";
import {
  applyAll,
  expectedRuntimeClass,
  getGroup,
  getObject,
  groupManifest,
  groupWhen,
  inState,
  podWhen,
} from "./support.js";

const SECURE_TOKEN = "tok-3f9c1e-never-in-a-pod";
const DB_PASSWORD = "db-pw-77aa21-never-in-a-pod";

let ns = "";
let operator: RunningOperator | undefined;

beforeAll(async () => {
  await applyCrds();
  ns = await createNamespace("op-shape");
  await kubectlOk(["create", "secret", "generic", "db", "-n", ns, `--from-literal=password=${DB_PASSWORD}`]);
  await kubectlOk(["create", "serviceaccount", "app", "-n", ns]);
  operator = await startOperator({
    namespace: ns,
    // The spot pool is operator configuration: here the fake nodes, so a Spot group runs.
    args: [
      `--spot-pool=${JSON.stringify({
        nodeSelector: { type: "kwok" },
        tolerations: [{ key: "spot", operator: "Exists", effect: "NoSchedule" }],
      })}`,
    ],
  });
});

afterAll(async () => {
  await operator?.stop();
  if (ns) await deleteNamespace(ns);
});

const full = groupManifest("full", {
  restartPolicy: "OnFailure",
  zones: ["1"],
  initContainers: [{ name: "migrate", image: "busybox:1.36", command: ["sh", "-c", "echo ok"] }],
  containers: [
    {
      name: "web",
      image: "nginx:1.27",
      command: ["nginx", "-g", "daemon off;"],
      ports: [{ port: 80 }],
      environmentVariables: [
        { name: "MODE", value: "prod" },
        { name: "TOKEN", secureValue: SECURE_TOKEN },
        { name: "DB_PASSWORD", secureValueFrom: { secretKeyRef: { name: "db", key: "password" } } },
      ],
      resources: { requests: { cpu: 1, memoryInGB: 1.5 }, limits: { cpu: 2, memoryInGB: 3 } },
      volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
      livenessProbe: { httpGet: { path: "/", port: 80, scheme: "http" }, periodSeconds: 10 },
      readinessProbe: { exec: { command: ["cat", "/tmp/ready"] }, initialDelaySeconds: 2 },
      securityContext: { runAsUser: 1000 },
    },
    { name: "sidecar", image: "busybox:1.36", resources: { requests: { cpu: 0.5, memoryInGB: 0.25 } } },
  ],
  ipAddress: { type: "Private", ports: [{ port: 80 }] },
  volumes: [{ name: "scratch", emptyDir: {} }],
  dnsConfig: { nameServers: ["10.0.0.10"], searchDomains: "svc.local example.net", options: "ndots:2" },
});

describe("the Pod a full group becomes", () => {
  let pod: V1Pod;

  beforeAll(async () => {
    await applyAll(ns, [full]);
    pod = await podWhen(ns, "full", "created", () => true);
  });

  it("is named like the group and controlled by it", async () => {
    const group = await getGroup(ns, "full");
    expect(pod.metadata?.ownerReferences).toEqual([
      expect.objectContaining({
        kind: "ContainerGroup",
        name: "full",
        uid: group?.metadata.uid,
        controller: true,
      }),
    ]);
    expect(pod.metadata?.labels).toMatchObject({
      "app.kubernetes.io/managed-by": "container-instances-operator",
      "containerinstances.dev/group": "full",
    });
  });

  it("runs under the configured RuntimeClass (kata) with a RuntimeDefault seccomp profile and no service-account token", () => {
    expect(pod.spec?.runtimeClassName).toBe(expectedRuntimeClass);
    expect(pod.spec?.securityContext?.seccompProfile).toEqual({ type: "RuntimeDefault" });
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    expect(pod.spec?.os).toEqual({ name: "linux" });
    for (const flag of ["hostNetwork", "hostPID", "hostIPC"] as const) expect(pod.spec?.[flag]).toBeFalsy();
    for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
      expect(c.securityContext?.privileged, c.name).toBe(false);
      expect(c.securityContext?.allowPrivilegeEscalation, c.name).toBe(false);
    }
    expect(pod.spec?.volumes?.some((v) => v.hostPath)).toBe(false);
  });

  it("has the containers, command, ports, probes and restart policy of the group", () => {
    expect(pod.spec?.restartPolicy).toBe("OnFailure");
    expect(pod.spec?.initContainers?.map((c) => [c.name, c.command])).toEqual([
      ["migrate", ["sh", "-c", "echo ok"]],
    ]);
    const [web, sidecar] = pod.spec?.containers ?? [];
    expect(web?.name).toBe("web");
    expect(web?.image).toBe("nginx:1.27");
    expect(web?.command).toEqual(["nginx", "-g", "daemon off;"]);
    expect(web?.ports).toEqual([{ containerPort: 80, protocol: "TCP" }]);
    expect(web?.livenessProbe?.httpGet).toMatchObject({ path: "/", port: 80, scheme: "HTTP" });
    expect(web?.livenessProbe?.periodSeconds).toBe(10);
    expect(web?.readinessProbe?.exec?.command).toEqual(["cat", "/tmp/ready"]);
    expect(web?.readinessProbe?.initialDelaySeconds).toBe(2);
    expect(web?.securityContext?.runAsUser).toBe(1000);
    expect(web?.volumeMounts).toContainEqual(
      expect.objectContaining({ name: "scratch", mountPath: "/scratch" }),
    );
    expect(sidecar?.name).toBe("sidecar");
  });

  it("requests cores and GB (10^9 bytes), with a missing limit equal to the request", () => {
    const [web, sidecar] = pod.spec?.containers ?? [];
    expect(web?.resources).toEqual({
      requests: { cpu: "1", memory: "1500M" },
      limits: { cpu: "2", memory: "3G" },
    });
    expect(sidecar?.resources).toEqual({
      requests: { cpu: "500m", memory: "250M" },
      limits: { cpu: "500m", memory: "250M" },
    });
  });

  it("takes secure values only by secretKeyRef, and no secret value appears anywhere in the Pod", async () => {
    const env = pod.spec?.containers?.[0]?.env ?? [];
    expect(env.find((e) => e.name === "MODE")).toEqual({ name: "MODE", value: "prod" });
    const token = env.find((e) => e.name === "TOKEN");
    expect(token?.value).toBeUndefined();
    expect(token?.valueFrom?.secretKeyRef?.name).toBe("full-env");
    expect(env.find((e) => e.name === "DB_PASSWORD")).toEqual({
      name: "DB_PASSWORD",
      valueFrom: { secretKeyRef: { name: "db", key: "password" } },
    });
    const json = JSON.stringify(pod);
    expect(json).not.toContain(SECURE_TOKEN);
    expect(json).not.toContain(DB_PASSWORD);
    expect(json).not.toContain(Buffer.from(SECURE_TOKEN).toString("base64"));

    // The value lives in a Secret the group owns, under the key the Pod names.
    const secret = await getObject<V1Secret>("v1", "Secret", ns, "full-env");
    const key = token?.valueFrom?.secretKeyRef?.key ?? "";
    expect(Buffer.from(secret?.data?.[key] ?? "", "base64").toString()).toBe(SECURE_TOKEN);
    expect(secret?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "ContainerGroup", name: "full" });
    const group = await getGroup(ns, "full");
    expect(JSON.stringify(group?.status)).not.toContain(SECURE_TOKEN);
  });

  it("places the Pod in the group's zones and uses the group's DNS servers", () => {
    const terms =
      pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    expect(JSON.stringify(terms)).toContain("topology.kubernetes.io/zone");
    expect(JSON.stringify(terms)).toContain('"1"');
    expect(pod.spec?.dnsPolicy).toBe("None");
    expect(pod.spec?.dnsConfig).toEqual({
      nameservers: ["10.0.0.10"],
      searches: ["svc.local", "example.net"],
      options: [{ name: "ndots", value: "2" }],
    });
  });

  it("gets a ClusterIP Service and a NetworkPolicy that admits only the group's ports", async () => {
    const service = await getObject<V1Service>("v1", "Service", ns, "full");
    expect(service?.spec?.type).toBe("ClusterIP");
    expect(service?.spec?.ports?.map((p) => p.port)).toEqual([80]);
    const policy = await getObject<V1NetworkPolicy>("networking.k8s.io/v1", "NetworkPolicy", ns, "full");
    expect(JSON.stringify(policy?.spec?.ingress)).toContain('"port":80');
  });

  it("runs in zone 1 and the group reports Running", async () => {
    const running = await podWhen(ns, "full", "Running", (p) => p.status?.phase === "Running");
    expect(running.spec?.nodeName).toBe("kwok-node-0");
    const group = await groupWhen(ns, "full", "Running", inState("Running"));
    expect(group.status?.resources).toEqual({ cpu: 1.5, memoryInGB: 1.75, gpuCount: 0 });
  });
});

describe.concurrent("scheduling and identity", () => {
  it("mounts a service-account token only for a group that names a serviceAccountName", async () => {
    await applyAll(ns, [groupManifest("with-identity", { serviceAccountName: "app" })]);
    const pod = await podWhen(ns, "with-identity", "created", () => true);
    expect(pod.spec?.serviceAccountName).toBe("app");
    expect(pod.spec?.automountServiceAccountToken).toBe(true);
  });

  it("places a Spot group with the operator's spot pool and a Dedicated group with its dedicated pool", async () => {
    await applyAll(ns, [
      groupManifest("spot", { priority: "Spot" }),
      groupManifest("dedicated", { sku: "Dedicated" }),
    ]);
    const spot = await podWhen(ns, "spot", "Running", (p) => p.status?.phase === "Running");
    expect(spot.spec?.nodeSelector).toMatchObject({ type: "kwok" });
    expect(spot.spec?.tolerations).toContainEqual(
      expect.objectContaining({ key: "spot", operator: "Exists", effect: "NoSchedule" }),
    );
    // No fake node is in the default dedicated pool: the Pod carries its selector and waits.
    const dedicated = await podWhen(ns, "dedicated", "created", () => true);
    expect(dedicated.spec?.nodeSelector).toMatchObject({ "containerinstances.dev/pool": "dedicated" });
    expect(dedicated.spec?.tolerations).toContainEqual(
      expect.objectContaining({ key: "containerinstances.dev/dedicated", effect: "NoSchedule" }),
    );
  });

  it("gives a Windows group a Windows node selector and no Kata RuntimeClass", async () => {
    await applyAll(ns, [
      groupManifest("win", {
        osType: "Windows",
        containers: [
          {
            name: "iis",
            image: "mcr.microsoft.com/windows/servercore/iis",
            resources: { requests: { cpu: 1, memoryInGB: 1.5 } },
          },
        ],
      }),
    ]);
    const pod = await podWhen(ns, "win", "created", () => true);
    expect(pod.spec?.nodeSelector).toMatchObject({ "kubernetes.io/os": "windows" });
    expect(pod.spec?.os).toEqual({ name: "windows" });
    expect(pod.spec?.runtimeClassName).toBeUndefined();
    expect(pod.spec?.securityContext?.seccompProfile).toBeUndefined();
  });
});
