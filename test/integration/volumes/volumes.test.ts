// A group's volumes on a real API server: Azure Files as a static CSI PersistentVolume with a bound
// claim and an owned key Secret (the PV removed by the group's finalizer), file shares as RWX claims
// that a Retain policy keeps for a recreated group, and emptyDir, secret, gitRepo and
// persistentVolumeClaim volumes as the Pod's own.
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1Secret } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerGroup } from "../../../src/api/types.js";
import { persistentVolumeName } from "../../../src/render/names.js";
import { applyCrds, createNamespace, deleteNamespace, eventually, kubectl, kubectlOk } from "../harness.js";
import {
  applyAll,
  condition,
  getGroup,
  getObject,
  getPod,
  groupWhen,
  manifest,
  podWhen,
  readyBecause,
} from "../operator/support.js";
import { type RunningOperator, startOperator } from "../operator.js";

const GIT_IMAGE = "registry.it.example.test/tools/git:2.47";

let ns = "";
let operator: RunningOperator | undefined;

beforeAll(async () => {
  await applyCrds();
  ns = await createNamespace("volumes");
  operator = await startOperator({
    namespace: ns,
    args: [`--git-image=${GIT_IMAGE}`, "--file-share-storage-class=kwok-volume"],
  });
});

afterAll(async () => {
  await operator?.stop();
  if (ns) await deleteNamespace(ns);
});

function withVolumes(name: string, volumes: unknown[], mounts: unknown[]) {
  return manifest(name, {
    containers: [
      {
        name: "app",
        image: "busybox:1.36",
        volumeMounts: mounts,
        resources: { requests: { cpu: 0.1, memoryInGB: 0.1 } },
      },
    ],
    volumes,
  });
}

const claim = (name: string) => getObject<V1PersistentVolumeClaim>("v1", "PersistentVolumeClaim", ns, name);
const secret = (name: string) => getObject<V1Secret>("v1", "Secret", ns, name);
const pv = (name: string) =>
  getObject<V1PersistentVolume>("v1", "PersistentVolume", undefined as unknown as string, name);
const podVolume = (pod: V1Pod, name: string) => pod.spec?.volumes?.find((v) => v.name === name);
const decode = (value: string | undefined) => Buffer.from(value ?? "", "base64").toString("utf8");

async function gone(what: string, read: () => Promise<unknown>, timeoutMs = 60_000): Promise<void> {
  await eventually(what, async () => ((await read()) === undefined ? true : undefined), { timeoutMs });
}

describe("azureFile", () => {
  const ACCOUNT_KEY = "it-azure-account-key-7c1d==";
  let group: ContainerGroup;
  let pvName = "";

  beforeAll(async () => {
    await applyAll(ns, [
      withVolumes(
        "files",
        [
          {
            name: "share",
            azureFile: {
              shareName: "acishare",
              storageAccountName: "itaccount",
              storageAccountKey: ACCOUNT_KEY,
              readOnly: false,
            },
          },
        ],
        [{ name: "share", mountPath: "/aci/logs" }],
      ),
    ]);
    group = await groupWhen(ns, "files", "its finalizer", (g) =>
      (g.metadata.finalizers ?? []).includes("containerinstances.dev/cleanup"),
    );
    pvName = persistentVolumeName(group, "share");
  });

  it("is a static ReadWriteMany PersistentVolume of file.csi.azure.com that keeps the share (Retain)", async () => {
    const volume = await eventually("the PersistentVolume", () => pv(pvName));
    expect(volume.spec?.csi).toMatchObject({
      driver: "file.csi.azure.com",
      volumeAttributes: { shareName: "acishare" },
      nodeStageSecretRef: { name: "files-azurefile-share", namespace: ns },
    });
    expect(volume.spec?.csi?.volumeHandle).toContain("itaccount#acishare#");
    expect(volume.spec?.accessModes).toEqual(["ReadWriteMany"]);
    expect(volume.spec?.persistentVolumeReclaimPolicy).toBe("Retain");
    expect(volume.metadata?.labels).toMatchObject({
      "containerinstances.dev/group": "files",
      "containerinstances.dev/namespace": ns,
    });
  });

  it("is mounted through a claim bound to that volume", async () => {
    const bound = await eventually("the claim bound", async () => {
      const c = await claim("files-share");
      return c?.status?.phase === "Bound" ? c : undefined;
    });
    expect(bound.spec?.volumeName).toBe(pvName);
    expect(bound.spec?.accessModes).toEqual(["ReadWriteMany"]);
    expect(bound.metadata?.ownerReferences?.[0]).toMatchObject({ name: "files", uid: group.metadata.uid });
    const pod = await podWhen(ns, "files", "created", () => true);
    expect(podVolume(pod, "share")?.persistentVolumeClaim?.claimName).toBe("files-share");
  });

  it("keeps the account key in a Secret the group owns, in the keys the CSI driver reads", async () => {
    const s = await eventually("the key Secret", () => secret("files-azurefile-share"));
    expect(decode(s.data?.azurestorageaccountname)).toBe("itaccount");
    expect(decode(s.data?.azurestorageaccountkey)).toBe(ACCOUNT_KEY);
    expect(s.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: "ContainerGroup",
      uid: group.metadata.uid,
    });
    expect(JSON.stringify(await getPod(ns, "files"))).not.toContain(ACCOUNT_KEY);
  });

  it("removes the cluster-scoped PersistentVolume when the group is deleted (finalizer)", async () => {
    const r = await kubectl(["delete", "containergroup", "files", "-n", ns, "--wait=true", "--timeout=60s"]);
    expect(r.code, r.stderr).toBe(0);
    await gone("the PersistentVolume", () => pv(pvName));
    await gone("the key Secret", () => secret("files-azurefile-share"));
  });
});

describe("fileShare", () => {
  const share = (name: string, deletePolicy: string, storageClassName?: string) =>
    withVolumes(
      name,
      [
        {
          name: "data",
          fileShare: { sizeInGB: 10, deletePolicy, ...(storageClassName ? { storageClassName } : {}) },
        },
      ],
      [{ name: "data", mountPath: "/data" }],
    );

  it("is a dynamically provisioned ReadWriteMany claim of the given size (GB) and class", async () => {
    await applyAll(ns, [share("kept", "Retain", "kwok-volume")]);
    const bound = await eventually("the claim bound", async () => {
      const c = await claim("kept-data");
      return c?.status?.phase === "Bound" ? c : undefined;
    });
    expect(bound.spec?.accessModes).toEqual(["ReadWriteMany"]);
    expect(bound.spec?.storageClassName).toBe("kwok-volume");
    expect(bound.spec?.resources?.requests?.storage).toBe("10G");
    const pod = await podWhen(ns, "kept", "created", () => true);
    expect(podVolume(pod, "data")?.persistentVolumeClaim?.claimName).toBe("kept-data");
  });

  it("Retain keeps the claim and its volume past the group, and a recreated group gets the same claim back", async () => {
    const before = await claim("kept-data");
    const volumeName = before?.spec?.volumeName;
    expect(volumeName).toBeTruthy();
    // No owner reference: the garbage collector leaves it alone.
    expect(before?.metadata?.ownerReferences ?? []).toEqual([]);

    await kubectlOk(["delete", "containergroup", "kept", "-n", ns, "--wait=true", "--timeout=60s"]);
    await gone("the old Pod", () => getPod(ns, "kept"));
    // Give the garbage collector time to act on anything it would collect.
    await new Promise((r) => setTimeout(r, 3_000));
    const retained = await claim("kept-data");
    expect(retained?.metadata?.uid).toBe(before?.metadata?.uid);
    expect(retained?.metadata?.deletionTimestamp).toBeUndefined();

    await applyAll(ns, [share("kept", "Retain", "kwok-volume")]);
    const pod = await podWhen(ns, "kept", "created", () => true);
    expect(podVolume(pod, "data")?.persistentVolumeClaim?.claimName).toBe("kept-data");
    const after = await claim("kept-data");
    expect(after?.metadata?.uid).toBe(before?.metadata?.uid);
    expect(after?.spec?.volumeName).toBe(volumeName);
    const recreated = await getGroup(ns, "kept");
    expect(condition(recreated, "Ready")?.reason).not.toBe("ChildNameConflict");
  });

  it("Delete lets the claim go with the group; the default class comes from the operator's setting", async () => {
    await applyAll(ns, [share("scratch", "Delete")]);
    const c = await eventually("the claim", () => claim("scratch-data"));
    expect(c.spec?.storageClassName).toBe("kwok-volume");
    const group = await getGroup(ns, "scratch");
    expect(c.metadata?.ownerReferences?.[0]).toMatchObject({
      name: "scratch",
      uid: group?.metadata.uid,
      controller: true,
    });
    await kubectlOk(["delete", "containergroup", "scratch", "-n", ns, "--wait=true", "--timeout=60s"]);
    await gone("the claim", () => claim("scratch-data"));
  });
});

describe("emptyDir, secret, gitRepo and persistentVolumeClaim", () => {
  const FILE = Buffer.from("log_level=debug\n").toString("base64");

  it("become the Pod's volumes: a secret volume from a Secret the group owns, gitRepo as an emptyDir a git init container fills", async () => {
    await kubectlOk(["apply", "-n", ns, "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "my-claim" },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: "kwok-volume",
          resources: { requests: { storage: "1Gi" } },
        },
      }),
    });
    await applyAll(ns, [
      withVolumes(
        "mixed",
        [
          { name: "scratch", emptyDir: {} },
          { name: "config", secret: { "app.conf": FILE } },
          {
            name: "src",
            gitRepo: {
              repository: "https://git.it.example.test/app.git",
              directory: "app",
              revision: "v1.2.0",
            },
          },
          { name: "existing", persistentVolumeClaim: { claimName: "my-claim" } },
        ],
        [
          { name: "scratch", mountPath: "/scratch" },
          { name: "config", mountPath: "/etc/app", readOnly: true },
          { name: "src", mountPath: "/src" },
          { name: "existing", mountPath: "/existing" },
        ],
      ),
    ]);
    const pod = await podWhen(ns, "mixed", "created", () => true);
    expect(podVolume(pod, "scratch")?.emptyDir).toEqual({});
    expect(podVolume(pod, "config")?.secret?.secretName).toBe("mixed-secret-config");
    expect(podVolume(pod, "src")?.emptyDir).toEqual({});
    expect(podVolume(pod, "existing")?.persistentVolumeClaim?.claimName).toBe("my-claim");

    const owned = await eventually("the secret volume's Secret", () => secret("mixed-secret-config"));
    expect(owned.data?.["app.conf"]).toBe(FILE);
    expect(owned.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "ContainerGroup", name: "mixed" });
    expect(JSON.stringify(pod)).not.toContain(FILE);

    const git = pod.spec?.initContainers?.find((c) => c.image === GIT_IMAGE);
    expect(git, "an init container with the configured git image").toBeDefined();
    expect(git?.command).toEqual(
      expect.arrayContaining(["https://git.it.example.test/app.git", "app", "v1.2.0"]),
    );
    expect(git?.volumeMounts).toContainEqual(expect.objectContaining({ name: "src" }));
    const app = pod.spec?.containers?.[0];
    expect(app?.volumeMounts?.map((m) => [m.name, m.mountPath, m.readOnly ?? false])).toEqual([
      ["scratch", "/scratch", false],
      ["config", "/etc/app", true],
      ["src", "/src", false],
      ["existing", "/existing", false],
    ]);
  });

  it("a persistentVolumeClaim volume naming a missing claim gets a condition that names it, then runs once it exists", async () => {
    await applyAll(ns, [
      withVolumes(
        "waits",
        [{ name: "existing", persistentVolumeClaim: { claimName: "later-claim" } }],
        [{ name: "existing", mountPath: "/existing" }],
      ),
    ]);
    const group = await groupWhen(
      ns,
      "waits",
      "PersistentVolumeClaimNotFound",
      readyBecause("PersistentVolumeClaimNotFound"),
    );
    expect(condition(group, "Ready")?.message).toContain('"later-claim"');
    expect(await getPod(ns, "waits")).toBeUndefined();
    await kubectlOk(["apply", "-n", ns, "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "later-claim" },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: "kwok-volume",
          resources: { requests: { storage: "1Gi" } },
        },
      }),
    });
    await podWhen(ns, "waits", "created after its claim appeared", () => true, 60_000);
  });
});
