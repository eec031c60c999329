// Every file in examples/ on the real node (issue 12): each runs as written, except for what the
// plane cannot have, swapped for what it has and named in each case below: images from the
// internet become the plane's busybox (with a command that does the image's job: serve the
// example's port, count words), the example's registry, git repository and storage class become
// the plane's, and sizes are cut to a tenth, as ten groups at full size would not fit on a 2-core
// node (the exact sizes are proven in features.test.ts). The three that cannot run here at all say
// why in CANNOT_RUN and in the README.
import { readdirSync, readFileSync } from "node:fs";
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Container, ContainerGroup } from "../../../src/api/types.js";
import { repoRoot } from "../env.js";
import { eventually, kubectlOk } from "../harness.js";
import { applyAll, condition, getPod, groupWhen, inState } from "../operator/support.js";
import { realNode, realNodeTitle } from "../plane.js";
import { httpGet, realNodeOperator } from "./support.js";

const node = realNode;
const examplesDir = `${repoRoot}/examples`;

/** Why an example cannot run on the plane (each is also named in the README). */
const CANNOT_RUN: Record<string, string> = {
  "azure-files.yaml": "needs an Azure Files share and the file.csi.azure.com CSI driver",
  "gpu-job.yaml": "needs a GPU node (GPU scheduling is tested on KWOK nodes)",
  "windows.yaml": "needs a Windows node",
};
/** Public groups: they are Ready once a load balancer gave them an address. */
const NEEDS_LOAD_BALANCER = new Set([
  "public-web-server.yaml",
  "confidential.yaml",
  "git-repo.yaml",
  "sidecar.yaml",
]);
/** Run by another test file. */
const RUN_ELSEWHERE: Record<string, string> = {
  "local-web-server.yaml": "walkthrough.test.ts, as make run prints it",
};

function example(file: string): ContainerGroup {
  return parse(readFileSync(`${examplesDir}/${file}`, "utf8")) as ContainerGroup;
}

/** A shell command for busybox that serves `port` the way the example's image would. */
function serve(port: number, page: string, log = "/dev/stderr"): string[] {
  return [
    "sh",
    "-c",
    `mkdir -p /tmp/www && echo ${page} > /tmp/www/index.html && echo ok > /tmp/www/healthz && ` +
      `exec httpd -f -vv -p ${port} -h /tmp/www 2>>${log}`,
  ];
}

/** A tenth of each size the example states; ACI's default (1 core, 1.5 GB) where it states none. */
function tenth(c: Container): void {
  const scale = (r: { cpu?: number; memoryInGB?: number } | undefined) =>
    r && {
      ...r,
      ...(r.cpu !== undefined ? { cpu: r.cpu / 10 } : {}),
      ...(r.memoryInGB !== undefined ? { memoryInGB: r.memoryInGB / 10 } : {}),
    };
  const resources = c.resources ?? { requests: { cpu: 1, memoryInGB: 1.5 } };
  c.resources = {
    ...resources,
    requests: scale(resources.requests) ?? { cpu: 0.1, memoryInGB: 0.15 },
    ...(resources.limits ? { limits: scale(resources.limits) } : {}),
  } as Container["resources"];
}

/**
 * The example with the plane's busybox for every image it cannot pull, sizes cut to a tenth, and
 * `command` for each container whose image did the work (by container name).
 */
function localized(file: string, commands: Record<string, string[]> = {}): ContainerGroup {
  const group = example(file);
  for (const c of [...(group.spec.initContainers ?? []), ...group.spec.containers]) {
    if (!c.image.startsWith("localhost/")) c.image = node?.busyboxImage ?? "";
    const command = commands[c.name];
    if (command) c.command = command;
  }
  for (const c of group.spec.containers) tenth(c);
  return group;
}

async function running(ns: string, group: ContainerGroup): Promise<ContainerGroup> {
  await applyAll(ns, [group]);
  const ready = (g: ContainerGroup) =>
    g.status?.state === "Running" && condition(g, "Ready")?.status === "True";
  return groupWhen(ns, group.metadata.name ?? "", "Running and Ready", ready, 90_000);
}

async function pageAt(ip: string | undefined, port = 80): Promise<string> {
  return (await eventually(`a page at ${ip}:${port}`, () => httpGet(`http://${ip}:${port}/`))).trim();
}

async function logs(ns: string, pod: string, container: string): Promise<string> {
  return kubectlOk(["-n", ns, "logs", pod, "-c", container]);
}

/** The examples this file runs, each with what it swaps and what it checks. */
const RUNS: Record<string, (ns: string) => Promise<void>> = {
  "public-web-server.yaml": async (ns) => {
    const g = await running(ns, localized("public-web-server.yaml", { web: serve(80, "aci-helloworld") }));
    expect(g.status?.ipAddress?.type).toBe("Public");
    expect(await pageAt(g.status?.ipAddress?.ip)).toBe("aci-helloworld");
  },

  // The plane has no SEV-SNP hardware: the confidential RuntimeClass is its sandbox here.
  "confidential.yaml": async (ns) => {
    const g = await running(ns, localized("confidential.yaml", { hello: serve(80, "confidential") }));
    const pod = (await getPod(ns, "confidential-hello")) as V1Pod;
    expect(pod.spec?.runtimeClassName).toBe(node?.sandboxRuntimeClass);
    expect(pod.spec?.containers[0]?.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      seccompProfile: { type: "RuntimeDefault" },
    });
    // allowPrivilegeEscalation: false is no_new_privs on the process.
    const status = await kubectlOk([
      "-n",
      ns,
      "exec",
      "confidential-hello",
      "--",
      "cat",
      "/proc/self/status",
    ]);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(await pageAt(g.status?.ipAddress?.ip)).toBe("confidential");
  },

  // standard-rwx becomes the plane's StorageClass that keeps data on the node.
  "file-share.yaml": async (ns) => {
    const g = localized("file-share.yaml", { notebook: serve(8888, "notebook") });
    for (const v of g.spec.volumes ?? [])
      if (v.fileShare) v.fileShare.storageClassName = node?.fileShareStorageClass;
    const ready = await running(ns, g);
    expect(await pageAt(ready.status?.ipAddress?.ip, 8888)).toBe("notebook");
    await kubectlOk(["-n", ns, "exec", "notebook", "--", "sh", "-c", "echo saved > /home/jovyan/work/note"]);
    expect(await kubectlOk(["-n", ns, "exec", "notebook", "--", "cat", "/home/jovyan/work/note"])).toBe(
      "saved\n",
    );
    const claims = JSON.parse(await kubectlOk(["-n", ns, "get", "pvc", "-o", "json"])) as {
      items: { spec: { storageClassName: string; accessModes: string[] }; status: { phase: string } }[];
    };
    expect(claims.items).toHaveLength(1);
    expect(claims.items[0]?.spec).toMatchObject({
      storageClassName: node?.fileShareStorageClass,
      accessModes: ["ReadWriteMany"],
    });
    expect(claims.items[0]?.status.phase).toBe("Bound");
  },

  // GitHub becomes the plane's repository, and its master branch the repository's tag.
  "git-repo.yaml": async (ns) => {
    const g = localized("git-repo.yaml", {
      web: ["sh", "-c", "exec httpd -f -vv -p 80 -h /usr/share/nginx/html"],
    });
    for (const v of g.spec.volumes ?? []) {
      if (v.gitRepo) Object.assign(v.gitRepo, { repository: node?.gitRepoUrl, revision: node?.gitRepoTag });
    }
    const ready = await running(ns, g);
    const version = await eventually("the cloned VERSION", () =>
      httpGet(`http://${ready.status?.ipAddress?.ip}/VERSION`),
    );
    // The tag is the first commit; the default branch has moved on to "second".
    expect(version.trim()).toBe("first");
  },

  // The registry becomes the plane's, with its real password in the Secret the example names.
  // The example's init container waits for a `db` name that cluster DNS would resolve; the plane
  // has no cluster DNS, so the group is held there, as it is on a cluster without a `db` Service.
  "private-group.yaml": async (ns) => {
    const g = localized("private-group.yaml", { api: serve(8080, "internal-api") });
    const api = g.spec.containers[0];
    if (api) api.image = node?.privateImage ?? "";
    g.spec.imageRegistryCredentials = [
      {
        server: node?.registry ?? "",
        username: node?.registryUsername ?? "",
        passwordSecretRef: { name: "acr-pull", key: "password" },
      },
    ];
    await kubectlOk([
      "-n",
      ns,
      "create",
      "secret",
      "generic",
      "acr-pull",
      `--from-literal=password=${node?.registryPassword}`,
    ]);
    await kubectlOk(["-n", ns, "create", "serviceaccount", "internal-api"]);
    await applyAll(ns, [g]);
    const held = await groupWhen(
      ns,
      "internal-api",
      "held in its init container",
      (x) => x.status?.initContainers?.[0]?.currentState?.state === "Running",
      90_000,
    );
    expect(held.status?.state).toBe("Pending");
    expect(held.status?.containers?.[0]?.currentState?.state).toBe("Waiting");
    const pod = (await getPod(ns, "internal-api")) as V1Pod;
    expect(pod.spec?.serviceAccountName).toBe("internal-api");
    expect(pod.spec?.dnsConfig?.nameservers).toEqual(["10.96.0.10"]);
    // The example's own loop is what runs there.
    const ps = await kubectlOk([
      "-n",
      ns,
      "exec",
      "internal-api",
      "-c",
      "wait-for-db",
      "--",
      "ps",
      "-o",
      "args",
    ]);
    expect(ps).toContain("until nslookup db; do sleep 2; done");
  },

  // The example's command and words stay; word-count's image becomes a command that prints them.
  "run-once.yaml": async (ns) => {
    const g = localized("run-once.yaml", {
      count: ["sh", "-c", 'echo "counting $NumWords words of at least $MinLength letters"'],
    });
    await applyAll(ns, [g]);
    const done = await groupWhen(ns, "word-count", "Succeeded", inState("Succeeded"), 90_000);
    expect(done.status?.containers?.[0]?.currentState?.exitCode).toBe(0);
    expect((await logs(ns, "word-count", "count")).trim()).toBe("counting 5 words of at least 8 letters");
  },

  "secret-volume.yaml": async (ns) => {
    await kubectlOk(["-n", ns, "create", "secret", "generic", "db", "--from-literal=password=db-pass-51"]);
    await running(ns, localized("secret-volume.yaml"));
    expect(
      await eventually("the secret file in the log", async () => {
        const out = await logs(ns, "secret-files", "app");
        return out.includes("log_level") ? out : undefined;
      }),
    ).toBe("log_level=info\n");
    const env = await kubectlOk(["-n", ns, "exec", "secret-files", "--", "env"]);
    expect(env).toContain("MODE=production");
    expect(env).toContain("API_TOKEN=my-api-token");
    expect(env).toContain("DB_PASSWORD=db-pass-51");
    expect(await kubectlOk(["-n", ns, "exec", "secret-files", "--", "cat", "/mnt/secrets/token"])).toBe(
      "my-secret-token",
    );
  },

  // nginx becomes busybox httpd writing its access log where nginx would, for the shipper to tail.
  "sidecar.yaml": async (ns) => {
    const g = await running(
      ns,
      localized("sidecar.yaml", { app: serve(80, "with-sidecar", "/var/log/nginx/access.log") }),
    );
    expect(await pageAt(g.status?.ipAddress?.ip)).toBe("with-sidecar");
    const shipped = await eventually("the request in the shipper's output", async () => {
      const out = await logs(ns, "web-with-sidecar", "log-shipper");
      return out.includes("response:200") ? out : undefined;
    });
    expect(shipped).toContain("url:/");
  },

  // Zone "1" is the real node's zone label, and the operator's spot pool is the real node.
  "spot.yaml": async (ns) => {
    await running(ns, localized("spot.yaml"));
    const pod = (await getPod(ns, "batch-spot")) as V1Pod;
    expect(pod.spec?.nodeName).toBe(node?.node);
    expect(
      await eventually("the first step", async () => {
        const out = await logs(ns, "batch-spot", "worker");
        return out.includes("step 1") ? out : undefined;
      }),
    ).toContain("step 1");
  },
};

describe.skipIf(!node)(realNodeTitle("examples/ on the real node"), () => {
  const file = realNodeOperator("examples", {
    args: [
      `--confidential-runtime-class=${node?.sandboxRuntimeClass}`,
      // The plane's spot pool is the real node, as an admin names their cluster's spot nodes.
      `--spot-pool=${JSON.stringify({ nodeSelector: { "containerinstances.dev/real-node": "true" }, tolerations: [] })}`,
    ],
  });
  for (const [name, runExample] of Object.entries(RUNS)) {
    // On a cluster (TEST_KUBECONFIG) that names no load balancer or no StorageClass for them.
    const missing =
      (NEEDS_LOAD_BALANCER.has(name) && !node?.lbCidr) ||
      (name === "file-share.yaml" && !node?.fileShareStorageClass);
    it.skipIf(missing)(`runs ${name}`, () => runExample(file.ns));
  }
});

describe("examples/", () => {
  it("are each run on the real node by a test, or named in the README with why they cannot be", () => {
    const files = readdirSync(examplesDir).filter((f) => f.endsWith(".yaml"));
    const covered = [...Object.keys(CANNOT_RUN), ...Object.keys(RUN_ELSEWHERE), ...Object.keys(RUNS)];
    expect([...covered].sort()).toEqual([...files].sort());
    const readme = readFileSync(`${repoRoot}/README.md`, "utf8");
    for (const file of Object.keys(CANNOT_RUN)) expect(readme).toContain(`examples/${file}`);
    for (const file of Object.keys(RUNS)) {
      expect(NEEDS_LOAD_BALANCER.has(file), file).toBe(example(file).spec.ipAddress?.type === "Public");
    }
  });
});
