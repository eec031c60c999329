import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { RESTARTED_AT_ANNOTATION } from "../../../src/api/constants.js";
import { SPEC_HASH_ANNOTATION } from "../../../src/render/names.js";
import { GIT_REPO_MOUNT_PATH, renderPod } from "../../../src/render/pod.js";
import { aContainer, aGroup, anInitContainer, SECRETS, settings, theContractExample } from "../fixtures.js";

function container(pod: V1Pod, name = "web"): V1Container {
  const found = pod.spec?.containers.find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

describe("renderPod: identity", () => {
  it("names the Pod like the group, in its namespace, controlled by it", () => {
    const pod = renderPod(aGroup(), settings());
    expect(pod.apiVersion).toBe("v1");
    expect(pod.kind).toBe("Pod");
    expect(pod.metadata?.name).toBe("hello");
    expect(pod.metadata?.namespace).toBe("demo");
    expect(pod.metadata?.labels).toEqual({
      "app.kubernetes.io/managed-by": "container-instances-operator",
      "containerinstances.dev/group": "hello",
    });
    expect(pod.metadata?.ownerReferences).toEqual([
      {
        apiVersion: "containerinstances.dev/v1alpha1",
        kind: "ContainerGroup",
        name: "hello",
        uid: aGroup().metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it("renders the same Pod for the same group, byte for byte", () => {
    expect(JSON.stringify(renderPod(theContractExample(), settings()))).toBe(
      JSON.stringify(renderPod(theContractExample(), settings())),
    );
  });

  it("leaves no undefined members for server-side apply to trip over", () => {
    const pod = renderPod(theContractExample(), settings());
    expect(JSON.parse(JSON.stringify(pod))).toEqual(pod);
  });
});

describe("renderPod: containers", () => {
  it("passes image, command and ports through, defaulting the protocol to TCP", () => {
    const pod = renderPod(theContractExample(), settings());
    const web = container(pod);
    expect(web.image).toBe("nginx:1.27");
    expect(web.command).toEqual(["nginx", "-g", "daemon off;"]);
    expect(web.args).toBeUndefined();
    expect(web.ports).toEqual([{ containerPort: 80, protocol: "TCP" }]);
  });

  it("keeps the image's entrypoint when command is empty", () => {
    const pod = renderPod(aGroup({ containers: [aContainer({ command: [] })] }), settings());
    expect(container(pod).command).toBeUndefined();
  });

  it("sets plain values inline and refers to Secrets for secure values", () => {
    const web = container(renderPod(theContractExample(), settings()));
    expect(web.env).toEqual([
      { name: "MODE", value: "prod" },
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "hello-env", key: "web.TOKEN" } } },
      { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
    ]);
  });

  it("requests cores and GB (10^9 bytes) as canonical quantities", () => {
    const web = container(renderPod(theContractExample(), settings({ runtimeClassName: "" })));
    expect(web.resources?.requests).toMatchObject({ cpu: "1", memory: "1500M" });
    expect(web.resources?.limits).toMatchObject({ cpu: "2", memory: "3G" });
  });

  it("renders fractional cores as millicores and odd memory exactly", () => {
    const group = aGroup({
      containers: [aContainer({ resources: { requests: { cpu: 0.25, memoryInGB: 0.3 } } })],
    });
    expect(container(renderPod(group, settings())).resources?.requests).toEqual({
      cpu: "250m",
      memory: "300M",
    });
    const bytes = aGroup({
      containers: [aContainer({ resources: { requests: { cpu: 1.5, memoryInGB: 1.0000005 } } })],
    });
    expect(container(renderPod(bytes, settings())).resources?.requests).toEqual({
      cpu: "1500m",
      memory: "1000000500",
    });
  });

  it("uses the request as the limit when a limit is missing", () => {
    const group = aGroup({
      containers: [aContainer({ resources: { requests: { cpu: 0.5, memoryInGB: 2 }, limits: { cpu: 1 } } })],
    });
    expect(container(renderPod(group, settings())).resources?.limits).toEqual({ cpu: "1", memory: "2G" });
    const noLimits = aGroup({
      containers: [aContainer({ resources: { requests: { cpu: 0.5, memoryInGB: 2 } } })],
    });
    expect(container(renderPod(noLimits, settings())).resources?.limits).toEqual({
      cpu: "500m",
      memory: "2G",
    });
  });

  it("maps ACI probes to Kubernetes probes with an uppercase scheme", () => {
    const web = container(renderPod(theContractExample(), settings()));
    expect(web.livenessProbe).toEqual({
      periodSeconds: 10,
      httpGet: { path: "/", port: 80, scheme: "HTTP" },
    });
    expect(web.readinessProbe).toEqual({ initialDelaySeconds: 2, exec: { command: ["cat", "/tmp/ready"] } });
    const https = aGroup({
      containers: [
        aContainer({
          livenessProbe: {
            httpGet: { port: 443, scheme: "https", httpHeaders: [{ name: "X-Probe", value: "1" }] },
            failureThreshold: 5,
            successThreshold: 1,
            timeoutSeconds: 3,
          },
        }),
      ],
    });
    expect(container(renderPod(https, settings())).livenessProbe).toEqual({
      failureThreshold: 5,
      successThreshold: 1,
      timeoutSeconds: 3,
      httpGet: { path: "/", port: 443, scheme: "HTTPS", httpHeaders: [{ name: "X-Probe", value: "1" }] },
    });
  });

  it("mounts volumes where the container asks", () => {
    const web = container(renderPod(theContractExample(), settings()));
    expect(web.volumeMounts).toEqual([{ name: "share", mountPath: "/mnt/share", readOnly: false }]);
  });

  it("passes runAsUser, runAsGroup, capabilities and a seccomp choice through", () => {
    const group = aGroup({
      containers: [
        aContainer({
          securityContext: {
            runAsUser: 1000,
            runAsGroup: 2000,
            capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] },
            seccompProfile: { type: "Localhost", localhostProfile: "profiles/app.json" },
          },
        }),
      ],
    });
    expect(container(renderPod(group, settings())).securityContext).toEqual({
      privileged: false,
      allowPrivilegeEscalation: false,
      runAsUser: 1000,
      runAsGroup: 2000,
      capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] },
      seccompProfile: { type: "Localhost", localhostProfile: "profiles/app.json" },
    });
  });

  it("takes restartPolicy from the group", () => {
    expect(renderPod(aGroup({ restartPolicy: "Never" }), settings()).spec?.restartPolicy).toBe("Never");
    expect(renderPod(aGroup({ restartPolicy: "OnFailure" }), settings()).spec?.restartPolicy).toBe(
      "OnFailure",
    );
    expect(renderPod(aGroup(), settings()).spec?.restartPolicy).toBe("Always");
  });
});

describe("renderPod: secure defaults", () => {
  it("mounts no service-account token unless the group names a service account", () => {
    const pod = renderPod(aGroup(), settings());
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    expect(pod.spec?.serviceAccountName).toBeUndefined();
    const withIdentity = renderPod(aGroup({ serviceAccountName: "app" }), settings());
    expect(withIdentity.spec?.automountServiceAccountToken).toBe(true);
    expect(withIdentity.spec?.serviceAccountName).toBe("app");
  });

  it("runs under the RuntimeDefault seccomp profile without service links", () => {
    const pod = renderPod(aGroup(), settings());
    expect(pod.spec?.securityContext?.seccompProfile).toEqual({ type: "RuntimeDefault" });
    expect(pod.spec?.enableServiceLinks).toBe(false);
  });

  it("never shares host namespaces and never mounts host paths", () => {
    const pod = renderPod(theContractExample(), settings());
    expect(pod.spec?.hostNetwork).toBeUndefined();
    expect(pod.spec?.hostPID).toBeUndefined();
    expect(pod.spec?.hostIPC).toBeUndefined();
    expect(pod.spec?.volumes?.some((v) => v.hostPath)).toBe(false);
  });

  it("forbids privilege escalation unless a container explicitly allows it", () => {
    const group = aGroup({
      containers: [
        aContainer({ name: "plain" }),
        aContainer({ name: "escalates", securityContext: { allowPrivilegeEscalation: true } }),
      ],
      initContainers: [anInitContainer()],
    });
    const pod = renderPod(group, settings());
    expect(container(pod, "plain").securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(container(pod, "escalates").securityContext?.allowPrivilegeEscalation).toBe(true);
    expect(pod.spec?.initContainers?.[0]?.securityContext?.allowPrivilegeEscalation).toBe(false);
  });

  it("never runs a container privileged, even when the group asks", () => {
    const group = aGroup({ containers: [aContainer({ securityContext: { privileged: true } })] });
    const pod = renderPod(group, settings());
    const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    expect(all.every((c) => c.securityContext?.privileged === false)).toBe(true);
  });
});

describe("renderPod: runtime class", () => {
  it("uses the operator's runtime class, default kata", () => {
    expect(renderPod(aGroup(), settings()).spec?.runtimeClassName).toBe("kata");
    expect(renderPod(aGroup(), settings({ runtimeClassName: "kata-clh" })).spec?.runtimeClassName).toBe(
      "kata-clh",
    );
  });

  it("omits the runtime class when the setting is empty", () => {
    expect(renderPod(aGroup(), settings({ runtimeClassName: "" })).spec?.runtimeClassName).toBeUndefined();
  });

  it("runs sku Confidential under the confidential runtime class", () => {
    expect(renderPod(aGroup({ sku: "Confidential" }), settings()).spec?.runtimeClassName).toBe(
      "kata-qemu-snp",
    );
  });

  it("runs a GPU group under the GPU runtime class when one is set, else the general one", () => {
    const gpu = aGroup({
      containers: [
        aContainer({ resources: { requests: { cpu: 1, memoryInGB: 4, gpu: { count: 1, sku: "T4" } } } }),
      ],
    });
    expect(renderPod(gpu, settings()).spec?.runtimeClassName).toBe("kata");
    expect(
      renderPod(gpu, settings({ gpuRuntimeClassName: "kata-qemu-nvidia-gpu" })).spec?.runtimeClassName,
    ).toBe("kata-qemu-nvidia-gpu");
  });

  it("lets the GPU table choose a runtime class per SKU", () => {
    const s = settings();
    s.gpuSkus = {
      ...s.gpuSkus,
      H100: { nodeSelector: { gpu: "h100" }, runtimeClassName: "kata-qemu-nvidia-gpu-snp" },
    };
    const gpu = aGroup({
      containers: [
        aContainer({ resources: { requests: { cpu: 1, memoryInGB: 4, gpu: { count: 1, sku: "H100" } } } }),
      ],
    });
    expect(renderPod(gpu, s).spec?.runtimeClassName).toBe("kata-qemu-nvidia-gpu-snp");
  });

  it("runs a Windows group under the Windows runtime class (none by default) on Windows nodes", () => {
    const windows = aGroup({ osType: "Windows" });
    const pod = renderPod(windows, settings());
    expect(pod.spec?.runtimeClassName).toBeUndefined();
    expect(pod.spec?.nodeSelector).toEqual({ "kubernetes.io/os": "windows" });
    expect(pod.spec?.os).toEqual({ name: "windows" });
    expect(renderPod(windows, settings({ windowsRuntimeClassName: "hyperv" })).spec?.runtimeClassName).toBe(
      "hyperv",
    );
  });

  it("leaves Linux-only security fields off a Windows Pod, which the API server would reject", () => {
    const pod = renderPod(aGroup({ osType: "Windows" }), settings());
    expect(pod.spec?.securityContext).toBeUndefined();
    expect(container(pod).securityContext).toBeUndefined();
  });

  it("selects Linux nodes for a Linux group", () => {
    const pod = renderPod(aGroup(), settings());
    expect(pod.spec?.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
    expect(pod.spec?.os).toEqual({ name: "linux" });
  });
});

describe("renderPod: GPUs", () => {
  const v100 = () =>
    aGroup({
      containers: [
        aContainer({ resources: { requests: { cpu: 1, memoryInGB: 4, gpu: { count: 2, sku: "V100" } } } }),
      ],
    });

  it("asks for passthrough GPUs (nvidia.com/pgpu) and the SKU's nodes under a Kata GPU class", () => {
    const pod = renderPod(v100(), settings({ gpuRuntimeClassName: "kata-qemu-nvidia-gpu" }));
    expect(pod.spec?.runtimeClassName).toBe("kata-qemu-nvidia-gpu");
    expect(container(pod).resources?.limits?.["nvidia.com/pgpu"]).toBe("2");
    expect(container(pod).resources?.requests?.["nvidia.com/pgpu"]).toBe("2");
    expect(pod.spec?.nodeSelector).toEqual({
      "kubernetes.io/os": "linux",
      "nvidia.com/gpu.product": "Tesla-V100-SXM2-16GB",
    });
  });

  it("asks for nvidia.com/gpu under the general class when no GPU class is configured", () => {
    const pod = renderPod(v100(), settings());
    expect(pod.spec?.runtimeClassName).toBe("kata");
    expect(container(pod).resources?.limits?.["nvidia.com/gpu"]).toBe("2");
    expect(container(pod).resources?.limits?.["nvidia.com/pgpu"]).toBeUndefined();
  });

  it("asks for nvidia.com/gpu when the group runs without a Kata class", () => {
    const pod = renderPod(v100(), settings({ runtimeClassName: "" }));
    expect(container(pod).resources?.limits?.["nvidia.com/gpu"]).toBe("2");
    expect(container(pod).resources?.limits?.["nvidia.com/pgpu"]).toBeUndefined();
  });

  it("uses the resource name and node labels of the operator's GPU table", () => {
    const s = settings();
    s.gpuSkus = { ...s.gpuSkus, V100: { resourceName: "example.com/v100", nodeSelector: { pool: "v100" } } };
    const pod = renderPod(v100(), s);
    expect(container(pod).resources?.limits?.["example.com/v100"]).toBe("2");
    expect(pod.spec?.nodeSelector).toEqual({ "kubernetes.io/os": "linux", pool: "v100" });
  });

  it("has a default table entry for every GPU SKU the API accepts", () => {
    for (const sku of ["K80", "P100", "V100", "T4", "A10", "A100", "H100"]) {
      expect(settings().gpuSkus[sku]?.nodeSelector["nvidia.com/gpu.product"]).toBeTruthy();
    }
  });

  it("asks for no GPU resource when the group has none", () => {
    const pod = renderPod(aGroup(), settings());
    expect(Object.keys(container(pod).resources?.limits ?? {})).toEqual(["cpu", "memory"]);
  });
});

describe("renderPod: scheduling", () => {
  it("puts a Dedicated group on the dedicated pool's nodes with its tolerations", () => {
    const s = settings({
      dedicated: {
        nodeSelector: { pool: "dedicated" },
        tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }],
      },
    });
    const pod = renderPod(aGroup({ sku: "Dedicated" }), s);
    expect(pod.spec?.nodeSelector).toEqual({ "kubernetes.io/os": "linux", pool: "dedicated" });
    expect(pod.spec?.tolerations).toEqual([{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }]);
  });

  it("puts a Spot group on spot nodes, tolerating the AKS spot taint by default", () => {
    const pod = renderPod(aGroup({ priority: "Spot" }), settings());
    expect(pod.spec?.nodeSelector).toMatchObject({ "kubernetes.azure.com/scalesetpriority": "spot" });
    expect(pod.spec?.tolerations).toEqual([
      {
        key: "kubernetes.azure.com/scalesetpriority",
        operator: "Equal",
        value: "spot",
        effect: "NoSchedule",
      },
    ]);
  });

  it("tolerates nothing for a Standard, Regular group", () => {
    expect(renderPod(aGroup(), settings()).spec?.tolerations).toBeUndefined();
  });

  it("requires the zone as written, through node affinity", () => {
    const pod = renderPod(aGroup({ zones: ["2"] }), settings());
    expect(pod.spec?.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["2"] }] },
          ],
        },
      },
    });
    expect(renderPod(aGroup(), settings()).spec?.affinity).toBeUndefined();
  });
});

describe("renderPod: DNS and registries", () => {
  it("splits ACI's space-separated search domains and options, and replaces cluster DNS with own name servers", () => {
    const group = aGroup({
      dnsConfig: {
        nameServers: ["10.0.0.10", "10.0.0.11"],
        searchDomains: "svc.local  corp.example",
        options: "ndots:2 edns0",
      },
    });
    const pod = renderPod(group, settings());
    expect(pod.spec?.dnsPolicy).toBe("None");
    expect(pod.spec?.dnsConfig).toEqual({
      nameservers: ["10.0.0.10", "10.0.0.11"],
      searches: ["svc.local", "corp.example"],
      options: [{ name: "ndots", value: "2" }, { name: "edns0" }],
    });
  });

  it("keeps cluster DNS when the group only adds search domains", () => {
    const pod = renderPod(
      aGroup({ dnsConfig: { nameServers: [], searchDomains: "corp.example" } }),
      settings(),
    );
    expect(pod.spec?.dnsPolicy).toBeUndefined();
    expect(pod.spec?.dnsConfig).toEqual({ searches: ["corp.example"] });
  });

  it("pulls images with the group's registry Secret", () => {
    expect(renderPod(theContractExample(), settings()).spec?.imagePullSecrets).toEqual([
      { name: "hello-registry" },
    ]);
    expect(renderPod(aGroup(), settings()).spec?.imagePullSecrets).toBeUndefined();
  });
});

describe("renderPod: volumes", () => {
  it("mounts file shares and claims as claims, emptyDir as emptyDir and secret volumes from the owned Secret", () => {
    const pod = renderPod(theContractExample(), settings());
    expect(pod.spec?.volumes).toEqual([
      { name: "share", persistentVolumeClaim: { claimName: "hello-share", readOnly: false } },
      { name: "scratch", emptyDir: {} },
      { name: "config", secret: { secretName: "hello-secret-config" } },
      { name: "src", emptyDir: {} },
      { name: "data", persistentVolumeClaim: { claimName: "hello-data" } },
      { name: "existing", persistentVolumeClaim: { claimName: "my-claim", readOnly: false } },
    ]);
  });

  it("fills a gitRepo volume by an init container that runs before the group's own", () => {
    const pod = renderPod(theContractExample(), settings({ gitImage: "alpine/git:2.47.2" }));
    const inits = pod.spec?.initContainers ?? [];
    expect(inits.map((c) => c.name)).toEqual(["gitrepo-src", "migrate"]);
    const clone = inits[0];
    expect(clone?.image).toBe("alpine/git:2.47.2");
    expect(clone?.volumeMounts).toEqual([{ name: "src", mountPath: GIT_REPO_MOUNT_PATH }]);
    // Repository, directory and revision are arguments of the script, never part of it.
    expect(clone?.command?.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(clone?.command?.slice(3)).toEqual(["git-clone", "https://example.net/repo.git", ".", "main"]);
    expect(clone?.command?.[2]).not.toContain("example.net");
  });
});

describe("renderPod: spec hash", () => {
  const hashOf = (pod: V1Pod) => pod.metadata?.annotations?.[SPEC_HASH_ANNOTATION];

  it("annotates the Pod with a hash of its spec", () => {
    expect(hashOf(renderPod(aGroup(), settings()))).toMatch(/^[0-9a-f]{16}$/);
  });

  it("changes the hash when a Pod-affecting field changes", () => {
    const before = hashOf(renderPod(aGroup(), settings()));
    const after = hashOf(
      renderPod(aGroup({ containers: [aContainer({ image: "nginx:1.28" })] }), settings()),
    );
    expect(after).not.toBe(before);
  });

  it("changes the hash when a restart is requested through containerinstances.dev/restartedAt", () => {
    const before = hashOf(renderPod(aGroup(), settings()));
    const restarted = aGroup({}, { annotations: { [RESTARTED_AT_ANNOTATION]: "2026-05-01T10:00:00Z" } });
    const after = hashOf(renderPod(restarted, settings()));
    expect(after).not.toBe(before);
    const again = aGroup({}, { annotations: { [RESTARTED_AT_ANNOTATION]: "2026-05-01T11:00:00Z" } });
    expect(hashOf(renderPod(again, settings()))).not.toBe(after);
  });

  it("changes the hash when a secure value changes, though the Pod only refers to it", () => {
    const withToken = (token: string) =>
      aGroup({ containers: [aContainer({ environmentVariables: [{ name: "TOKEN", secureValue: token }] })] });
    expect(hashOf(renderPod(withToken("one"), settings()))).not.toBe(
      hashOf(renderPod(withToken("two"), settings())),
    );
  });

  it("keeps the hash when only a registry password changes: the pull Secret is read at each pull", () => {
    const withPassword = (password: string) =>
      aGroup({ imageRegistryCredentials: [{ server: "registry.example.net", username: "bot", password }] });
    expect(hashOf(renderPod(withPassword("one"), settings()))).toBe(
      hashOf(renderPod(withPassword("two"), settings())),
    );
    // Adding credentials still changes the Pod (it gains imagePullSecrets).
    expect(hashOf(renderPod(withPassword("one"), settings()))).not.toBe(
      hashOf(renderPod(aGroup(), settings())),
    );
  });

  it("keeps the hash for changes that only touch the Service", () => {
    const exposed = (label?: string) =>
      aGroup({
        containers: [aContainer({ ports: [{ port: 80, protocol: "TCP" }] })],
        ipAddress: {
          type: "Public",
          ports: [{ port: 80, protocol: "TCP" }],
          autoGeneratedDomainNameLabelScope: "Unsecure",
          ...(label ? { dnsNameLabel: label } : {}),
        },
      });
    expect(hashOf(renderPod(exposed(), settings()))).toBe(hashOf(renderPod(exposed("hello"), settings())));
  });

  it("keeps the hash for metadata the Pod does not carry, such as the generation", () => {
    expect(hashOf(renderPod(aGroup({}, { generation: 1 }), settings()))).toBe(
      hashOf(renderPod(aGroup({}, { generation: 7 }), settings())),
    );
  });
});

describe("renderPod: secret hygiene", () => {
  it("carries no secure value anywhere in the Pod, only references", () => {
    const json = JSON.stringify(renderPod(theContractExample(), settings()));
    for (const value of Object.values(SECRETS)) expect(json).not.toContain(value);
    expect(json).toContain("hello-env");
  });
});
