import { describe, expect, it } from "vitest";
import type { FileShareVolume } from "../../../src/api/types.js";
import { renderVolumes } from "../../../src/render/volumes.js";
import { aGroup, SECRETS, settings, theContractExample } from "../fixtures.js";

function withFileShare(fileShare: FileShareVolume) {
  return aGroup({ volumes: [{ name: "data", fileShare }] });
}

describe("renderVolumes: azureFile", () => {
  const { pvs, pvcs } = renderVolumes(theContractExample(), settings());
  const pv = pvs[0];
  const claim = pvcs.find((c) => c.metadata?.name === "hello-share");

  it("provisions the share statically through the Azure Files CSI driver", () => {
    expect(pvs).toHaveLength(1);
    expect(pv?.apiVersion).toBe("v1");
    expect(pv?.kind).toBe("PersistentVolume");
    expect(pv?.metadata?.namespace).toBeUndefined();
    expect(pv?.spec?.accessModes).toEqual(["ReadWriteMany"]);
    expect(pv?.spec?.persistentVolumeReclaimPolicy).toBe("Retain");
    expect(pv?.spec?.csi?.driver).toBe("file.csi.azure.com");
    expect(pv?.spec?.csi?.volumeAttributes).toEqual({ shareName: "data" });
    expect(pv?.spec?.csi?.nodeStageSecretRef).toEqual({ name: "hello-azurefile-share", namespace: "demo" });
  });

  it("reserves the volume for the group's claim, and binds the claim to it by name", () => {
    expect(pv?.spec?.claimRef).toMatchObject({ namespace: "demo", name: "hello-share" });
    expect(claim?.spec?.volumeName).toBe(pv?.metadata?.name);
    expect(claim?.spec?.storageClassName).toBe("");
    expect(pv?.spec?.storageClassName).toBe("");
    expect(claim?.spec?.accessModes).toEqual(["ReadWriteMany"]);
    expect(claim?.spec?.resources?.requests?.storage).toBe(pv?.spec?.capacity?.storage);
  });

  it("owns the claim but not the cluster-scoped volume, which carries labels for the finalizer instead", () => {
    expect(claim?.metadata?.ownerReferences?.[0]?.controller).toBe(true);
    expect(pv?.metadata?.ownerReferences).toBeUndefined();
    expect(pv?.metadata?.labels).toEqual({
      "app.kubernetes.io/managed-by": "container-instances-operator",
      "containerinstances.dev/group": "hello",
      "containerinstances.dev/volume": "share",
      "containerinstances.dev/namespace": "demo",
    });
  });

  it("keeps the account key out of the volume and the claim", () => {
    const json = JSON.stringify({ pvs, pvcs });
    for (const value of Object.values(SECRETS)) expect(json).not.toContain(value);
  });
});

describe("renderVolumes: fileShare", () => {
  it("claims a ReadWriteMany share of the given class and size in GB", () => {
    const { pvcs, pvs } = renderVolumes(
      withFileShare({ storageClassName: "standard-rwx", sizeInGB: 10, deletePolicy: "Retain" }),
      settings(),
    );
    expect(pvs).toEqual([]);
    expect(pvcs[0]?.metadata?.name).toBe("hello-data");
    expect(pvcs[0]?.spec).toEqual({
      accessModes: ["ReadWriteMany"],
      storageClassName: "standard-rwx",
      resources: { requests: { storage: "10G" } },
    });
  });

  it("lets a retained share outlive the group: no owner reference, labels naming group and volume", () => {
    const [claim] = renderVolumes(withFileShare({ sizeInGB: 1, deletePolicy: "Retain" }), settings()).pvcs;
    expect(claim?.metadata?.ownerReferences).toBeUndefined();
    expect(claim?.metadata?.labels?.["containerinstances.dev/volume"]).toBe("data");
  });

  it("gives a group recreated under the same name the same claim back", () => {
    const first = renderVolumes(
      aGroup(
        { volumes: [{ name: "data", fileShare: { sizeInGB: 1, deletePolicy: "Retain" } }] },
        { uid: "1" },
      ),
      settings(),
    );
    const second = renderVolumes(
      aGroup(
        { volumes: [{ name: "data", fileShare: { sizeInGB: 1, deletePolicy: "Retain" } }] },
        { uid: "2" },
      ),
      settings(),
    );
    expect(second.pvcs).toEqual(first.pvcs);
  });

  it("lets a share with deletePolicy Delete go with the group", () => {
    const [claim] = renderVolumes(withFileShare({ sizeInGB: 1, deletePolicy: "Delete" }), settings()).pvcs;
    expect(claim?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "ContainerGroup", controller: true });
  });

  it("uses the operator's default class when the share names none, else the cluster's default", () => {
    const group = withFileShare({ sizeInGB: 1, deletePolicy: "Retain" });
    expect(
      renderVolumes(group, settings({ fileShareDefaultStorageClass: "azurefile-csi" })).pvcs[0]?.spec
        ?.storageClassName,
    ).toBe("azurefile-csi");
    expect(renderVolumes(group, settings()).pvcs[0]?.spec).not.toHaveProperty("storageClassName");
  });

  it("renders nothing for emptyDir, secret, gitRepo and existing claims", () => {
    const group = aGroup({
      volumes: [
        { name: "a", emptyDir: {} },
        { name: "b", secret: { f: "eA==" } },
        { name: "c", gitRepo: { repository: "https://example.net/r.git" } },
        { name: "d", persistentVolumeClaim: { claimName: "x", readOnly: false } },
      ],
    });
    expect(renderVolumes(group, settings())).toEqual({ pvcs: [], pvs: [] });
  });
});
