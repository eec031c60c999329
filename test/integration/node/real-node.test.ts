// The real node (issue 11): a kubelet, containerd, runc and gVisor run the operator's Pods, and
// what a user sees of a group (its page, its logs, a shell) is what really happens in them.
import { spawn } from "node:child_process";
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { kubeconfigPath, kubectlBinary } from "../env.js";
import { eventually, kubectl, kubectlOk } from "../harness.js";
import {
  applyAll,
  condition,
  getObject,
  getPod,
  groupManifest,
  groupWhen,
  inState,
  podWhen,
} from "../operator/support.js";
import { realNode, realNodeTitle } from "../plane.js";
import { busyboxGroup, httpGet, overlaps, realNodeOperator, SMALL } from "./support.js";

const node = realNode;

/** A busybox web server on port 80 whose page is `<prefix>-<group name>`. */
function webServer(name: string, type: "Public" | "Private", prefix: string): Record<string, unknown> {
  return busyboxGroup(
    name,
    [
      "sh",
      "-c",
      `mkdir -p /www && echo ${prefix}-$HOSTNAME > /www/index.html && exec httpd -f -p 80 -h /www`,
    ],
    { ipAddress: { type, ports: [{ port: 80 }] } },
    { ports: [{ port: 80 }] },
  );
}

describe.skipIf(!node)(realNodeTitle("the real node"), () => {
  const file = realNodeOperator("real-node");

  it("is a Ready kubelet node, tainted so that only what asks for it lands there, and not KWOK's", async () => {
    const n = await getObject<V1Node>("v1", "Node", "", node?.node ?? "");
    expect(n?.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(n?.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\/2\.2\./);
    expect(n?.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(n?.metadata?.annotations?.["kwok.x-k8s.io/node"]).toBeUndefined();
    expect(n?.spec?.taints).toContainEqual(
      expect.objectContaining({ key: "containerinstances.dev/real-node", effect: "NoSchedule" }),
    );
  });

  it("serves a Private group's web server on its Pod IP and ClusterIP, to this host and to another group, under gVisor", async () => {
    const name = "web";
    await applyAll(file.ns, [webServer(name, "Private", "hello-from")]);
    await groupWhen(file.ns, name, "Running", inState("Running"), 90_000);
    const pod = (await getPod(file.ns, name)) as V1Pod;
    expect(pod.spec?.nodeName).toBe(node?.node);
    expect(pod.spec?.runtimeClassName).toBe(node?.sandboxRuntimeClass);
    expect(pod.status?.podIP).toMatch(/^10\.244\.0\./);
    const page = await eventually("the page on the Pod IP", () => httpGet(`http://${pod.status?.podIP}/`));
    expect(page.trim()).toBe(`hello-from-${name}`);
    const svc = JSON.parse(await kubectlOk(["-n", file.ns, "get", "svc", name, "-o", "json"])) as {
      spec: { clusterIP: string };
    };
    const viaService = await eventually("the page on the ClusterIP", () =>
      httpGet(`http://${svc.spec.clusterIP}/`),
    );
    expect(viaService.trim()).toBe(`hello-from-${name}`);

    // gVisor's kernel says so at boot, and names itself in uname.
    const dmesg = await kubectlOk(["-n", file.ns, "exec", name, "-c", "main", "--", "dmesg"]);
    expect(dmesg.split("\n")[0]).toContain("Starting gVisor...");

    // From inside the cluster: another group's container reaches the Private group's Service.
    await applyAll(file.ns, [busyboxGroup("client", ["sleep", "3600"])]);
    await groupWhen(file.ns, "client", "Running", inState("Running"), 90_000);
    // nc, not wget: Debian's static busybox wget segfaulted on this page (README, workarounds).
    const request = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${svc.spec.clusterIP} 80`;
    const fromPod = await eventually("the page from another group's container", async () => {
      const r = await kubectl(["-n", file.ns, "exec", "client", "--", "sh", "-c", request]);
      return r.code === 0 && r.stdout.startsWith("HTTP/1.1 200") ? r.stdout : undefined;
    });
    expect(fromPod.trim().split("\n").at(-1)).toBe(`hello-from-${name}`);
  });

  // A Public group's address comes from the cluster's load balancer: MetalLB's controller on the
  // local plane, whose pool kube-proxy routes on this machine. Elsewhere a cluster without a load
  // balancer never gives one, and says so in NetworkReady (tested on KWOK).
  it.skipIf(!node?.lbCidr)(
    "gives a Public group a load balancer address in its status, where its web server answers",
    async () => {
      const name = "public-web";
      await applyAll(file.ns, [webServer(name, "Public", "public")]);
      const group = await groupWhen(
        file.ns,
        name,
        "Running with a load balancer address",
        (g) => g.status?.state === "Running" && condition(g, "NetworkReady")?.status === "True",
        90_000,
      );
      const ip = group.status?.ipAddress?.ip ?? "";
      expect(group.status?.ipAddress?.type).toBe("Public");
      expect(overlaps(`${ip}/32`, node?.lbCidr ?? ""), `${ip} in ${node?.lbCidr}`).toBe(true);
      const svc = JSON.parse(await kubectlOk(["-n", file.ns, "get", "svc", name, "-o", "json"])) as {
        spec: { type: string; loadBalancerClass?: string };
        status: { loadBalancer: { ingress?: { ip: string }[] } };
      };
      expect(svc.spec.type).toBe("LoadBalancer");
      expect(svc.spec.loadBalancerClass).toBe(node?.loadBalancerClass || undefined);
      expect(svc.status.loadBalancer.ingress?.[0]?.ip).toBe(ip);
      const page = await eventually("the page on the load balancer address", () => httpGet(`http://${ip}/`));
      expect(page.trim()).toBe(`public-${name}`);
    },
  );

  it("returns what a container printed through logs, runs commands through exec, and streams through attach", async () => {
    const name = "talker";
    await applyAll(file.ns, [
      busyboxGroup(name, [
        "sh",
        "-c",
        "echo started; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.5; done",
      ]),
    ]);
    await groupWhen(file.ns, name, "Running", inState("Running"), 90_000);
    const logs = await eventually("the container's output in its logs", async () => {
      const r = await kubectl(["-n", file.ns, "logs", name, "-c", "main"]);
      return r.code === 0 && r.stdout.includes("tick 2") ? r.stdout : undefined;
    });
    expect(logs.split("\n")[0]).toBe("started");

    const exec = await kubectlOk([
      "-n",
      file.ns,
      "exec",
      name,
      "-c",
      "main",
      "--",
      "sh",
      "-c",
      "echo $((6 * 7)) > /tmp/x; cat /tmp/x",
    ]);
    expect(exec.trim()).toBe("42");

    // attach streams the live output; it runs until stopped, so stop it after a few ticks.
    const attached = await new Promise<string>((resolve) => {
      const child = spawn(kubectlBinary(), [
        "--kubeconfig",
        kubeconfigPath(),
        "-n",
        file.ns,
        "attach",
        name,
        "-c",
        "main",
      ]);
      let out = "";
      const done = () => {
        child.kill("SIGTERM");
        resolve(out);
      };
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if ((out.match(/tick \d+/g) ?? []).length >= 2) done();
      });
      setTimeout(done, 15_000);
    });
    expect(attached).toMatch(/tick \d+\n.*tick \d+/s);
  });

  it("pulls a private image with the group's registry credentials", async () => {
    const name = "private";
    await applyAll(file.ns, [
      groupManifest(name, {
        containers: [
          {
            name: "main",
            image: node?.privateImage,
            command: ["sh", "-c", "echo pulled; sleep 3600"],
            resources: SMALL,
          },
        ],
        imageRegistryCredentials: [
          { server: node?.registry, username: node?.registryUsername, password: node?.registryPassword },
        ],
      }),
    ]);
    await groupWhen(file.ns, name, "Running", inState("Running"), 90_000);
    const logs = await eventually("the private image's output", async () => {
      const r = await kubectl(["-n", file.ns, "logs", name, "-c", "main"]);
      return r.stdout.includes("pulled") ? r.stdout : undefined;
    });
    expect(logs.trim()).toBe("pulled");
  });

  it("says what to fix when the registry refuses the group's password, rather than staying silently Pending", async () => {
    const name = "wrong-password";
    await applyAll(file.ns, [
      groupManifest(name, {
        containers: [
          { name: "main", image: node?.privateImage, command: ["sleep", "3600"], resources: SMALL },
        ],
        imageRegistryCredentials: [
          { server: node?.registry, username: node?.registryUsername, password: "not-the-password" },
        ],
      }),
    ]);
    const g = await groupWhen(
      file.ns,
      name,
      "Ready=False because the pull failed",
      (g) => ["ErrImagePull", "ImagePullBackOff"].includes(condition(g, "Ready")?.reason ?? ""),
      90_000,
    );
    const ready = condition(g, "Ready");
    expect(ready?.status).toBe("False");
    expect(ready?.message).toContain(node?.registry ?? "");
    expect(ready?.message).toMatch(/imageRegistryCredentials/);
    expect(ready?.message).toMatch(/refused|unauthorized|401/i);
  });

  it("clones the plane's git repository into gitRepo volumes: a tag into `.`, the default branch into a named directory", async () => {
    const name = "git";
    await applyAll(file.ns, [
      busyboxGroup(
        name,
        ["sh", "-c", "cat /tagged/VERSION /head/hello/VERSION; ls /head; sleep 3600"],
        {
          volumes: [
            {
              name: "tagged",
              gitRepo: { repository: node?.gitRepoUrl, directory: ".", revision: node?.gitRepoTag },
            },
            { name: "head", gitRepo: { repository: node?.gitRepoUrl, directory: "hello" } },
          ],
        },
        {
          volumeMounts: [
            { name: "tagged", mountPath: "/tagged" },
            { name: "head", mountPath: "/head" },
          ],
        },
      ),
    ]);
    await groupWhen(file.ns, name, "Running", inState("Running"), 90_000);
    const logs = await eventually("the clone's files in the logs", async () => {
      const r = await kubectl(["-n", file.ns, "logs", name, "-c", "main"]);
      return r.stdout.includes("hello") ? r.stdout : undefined;
    });
    // v1 is the first commit; the default branch has the second.
    expect(logs.split("\n").slice(0, 3)).toEqual(["first", "second", "hello"]);
  });

  it("runs a group's container under runc when the group's Pod names the runc class", async () => {
    // The operator puts one configured RuntimeClass on every Pod; a bare Pod shows runc itself.
    await kubectlOk([
      "-n",
      file.ns,
      "run",
      "bare-runc",
      `--image=${node?.busyboxImage}`,
      "--restart=Never",
      `--overrides=${JSON.stringify({ spec: { runtimeClassName: node?.runcRuntimeClass } })}`,
      "--",
      "uname",
      "-r",
    ]);
    const p = await podWhen(
      file.ns,
      "bare-runc",
      "Succeeded",
      (p) => p.status?.phase === "Succeeded",
      90_000,
    );
    expect(p.spec?.nodeName).toBe(node?.node);
    const out = await kubectlOk(["-n", file.ns, "logs", "bare-runc"]);
    expect(out.trim()).not.toMatch(/gvisor/i);
    expect(out.trim()).toMatch(/^\d+\.\d+/);
  });
});
