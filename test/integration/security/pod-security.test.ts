// Pod Security admission on a real API server (the local plane runs the PodSecurity plugin): the
// operator's Pods in namespaces that enforce restricted and baseline, what it does when admission
// refuses a group's Pod (Ready=False/PodSecurityViolation in the API server's words, a Warning
// Event, and no retry storm: Pod creates counted in the audit log), the namespace label read live,
// the --pod-security setting, and the chart's own Deployment under restricted.
//
// Every Pod here lands on KWOK's fake nodes: admission is what is under test, not a container.
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usingExternalCluster } from "../env.js";
import { applyCrds, createNamespace, deleteNamespace, kubectl, kubectlOk } from "../harness.js";
import { chartDir, helmOk, parseObjects } from "../install/helm.js";
import {
  applyAll,
  auditLogAvailable,
  auditMark,
  condition,
  describeWrites,
  eventsAbout,
  eventWith,
  getPod,
  groupManifest,
  groupWhen,
  inState,
  operatorWritesSince,
  readyBecause,
} from "../operator/support.js";
import { type RunningOperator, startOperator } from "../operator.js";

const ENFORCE = "pod-security.kubernetes.io/enforce";

let restrictedNs = "";
let baselineNs = "";
let relabelNs = "";
let unlabelledNs = "";
let offNs = "";
const operators: RunningOperator[] = [];

async function labelledNamespace(prefix: string, level?: string): Promise<string> {
  const ns = await createNamespace(prefix);
  if (level) await kubectlOk(["label", "namespace", ns, `${ENFORCE}=${level}`]);
  return ns;
}

beforeAll(async () => {
  await applyCrds();
  [restrictedNs, baselineNs, relabelNs, unlabelledNs, offNs] = await Promise.all([
    labelledNamespace("psa-restricted", "restricted"),
    labelledNamespace("psa-baseline", "baseline"),
    labelledNamespace("psa-relabel", "restricted"),
    labelledNamespace("psa-setting"),
    labelledNamespace("psa-off", "restricted"),
  ]);
  operators.push(
    ...(await Promise.all([
      // The default, --pod-security=auto: follows each namespace's enforce label.
      startOperator({ namespace: [restrictedNs, baselineNs, relabelNs].join(",") }),
      startOperator({ namespace: unlabelledNs, args: ["--pod-security=restricted"] }),
      startOperator({ namespace: offNs, args: ["--pod-security=off"] }),
    ])),
  );
});

afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
  await Promise.all(
    [restrictedNs, baselineNs, relabelNs, unlabelledNs, offNs].filter(Boolean).map(deleteNamespace),
  );
});

/** A group with an init container, a gitRepo volume (cloned by the operator's init container) and a secret volume. */
function plainGroup(name: string) {
  return groupManifest(name, {
    containers: [
      {
        name: "main",
        image: "busybox:1.36",
        command: ["sleep", "3600"],
        resources: { requests: { cpu: 0.1, memoryInGB: 0.1 } },
        volumeMounts: [
          { name: "src", mountPath: "/src" },
          { name: "conf", mountPath: "/conf" },
        ],
      },
    ],
    initContainers: [{ name: "prepare", image: "busybox:1.36", command: ["true"] }],
    volumes: [
      { name: "src", gitRepo: { repository: "https://example.net/repo.git" } },
      { name: "conf", secret: { "app.conf": Buffer.from("x=1").toString("base64") } },
    ],
  });
}

/** A group whose container asks for a capability that baseline and restricted both forbid. */
function netAdminGroup(name: string) {
  return groupManifest(name, {
    containers: [
      {
        name: "main",
        image: "busybox:1.36",
        resources: { requests: { cpu: 0.1, memoryInGB: 0.1 } },
        securityContext: { capabilities: { add: ["NET_ADMIN"] } },
      },
    ],
  });
}

function everyContainer(pod: V1Pod | undefined): V1Container[] {
  return [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])];
}

function expectRestrictedShape(pod: V1Pod | undefined): void {
  expect(pod?.spec?.securityContext?.seccompProfile).toEqual({ type: "RuntimeDefault" });
  expect(everyContainer(pod).length).toBeGreaterThan(1);
  for (const c of everyContainer(pod)) {
    expect(c.securityContext, c.name).toMatchObject({
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
  }
}

/** The operator's Pod creates for the group in the namespace since the mark, refused ones included. */
function podCreates(mark: ReturnType<typeof auditMark>, namespace: string, name: string) {
  return operatorWritesSince(mark, namespace).filter(
    (e) =>
      e.verb === "create" &&
      e.objectRef?.resource === "pods" &&
      !e.objectRef.subresource &&
      (e.objectRef.name === undefined || e.objectRef.name === name),
  );
}

describe("namespaces that enforce a Pod Security level (--pod-security=auto)", () => {
  it("enforce=restricted: a plain group's Pod is rendered restricted-compatible and admitted", async () => {
    await applyAll(restrictedNs, [plainGroup("plain")]);
    await groupWhen(restrictedNs, "plain", "Running", inState("Running"));
    const pod = await getPod(restrictedNs, "plain");
    expectRestrictedShape(pod);
    // The gitRepo volume is an emptyDir filled by an init container running as a non-root user.
    expect(pod?.spec?.volumes?.map((v) => Object.keys(v).filter((k) => k !== "name")[0])).toEqual([
      "emptyDir",
      "secret",
    ]);
    expect(pod?.spec?.initContainers?.[0]?.securityContext?.runAsUser).toBe(65532);
  });

  it("enforce=baseline: a plain group's usual Pod is admitted as it is", async () => {
    await applyAll(baselineNs, [plainGroup("plain")]);
    await groupWhen(baselineNs, "plain", "Running", inState("Running"));
    const pod = await getPod(baselineNs, "plain");
    // baseline needs nothing beyond the usual Pod, so images that run as root keep working there.
    for (const c of everyContainer(pod)) expect(c.securityContext?.runAsNonRoot, c.name).toBeUndefined();
    expect(pod?.spec?.securityContext?.seccompProfile).toEqual({ type: "RuntimeDefault" });
  });

  it.each([
    ["restricted", () => restrictedNs],
    ["baseline", () => baselineNs],
  ])(
    "enforce=%s: a group asking for NET_ADMIN gets Ready=False/PodSecurityViolation in the API server's words, one Warning Event, and few Pod creates",
    async (level, namespace) => {
      const ns = namespace();
      const mark = auditLogAvailable() ? auditMark() : undefined;
      await applyAll(ns, [netAdminGroup("net-admin")]);
      const group = await groupWhen(
        ns,
        "net-admin",
        "PodSecurityViolation",
        readyBecause("PodSecurityViolation"),
      );
      const message = condition(group, "Ready")?.message ?? "";
      expect(message).toContain(`pods "net-admin" is forbidden: violates PodSecurity "${level}:latest"`);
      expect(message).toContain("NET_ADMIN");
      expect(message).toContain("pod-security.kubernetes.io/enforce");
      expect(group.status?.state).toBe("Pending");
      expect((await eventWith(ns, "net-admin", "PodSecurityViolation")).type).toBe("Warning");
      expect(await getPod(ns, "net-admin")).toBeUndefined();

      // A 20 s window: the fast backoff (5 ms doubling) would have asked about 12 times by now.
      await new Promise((r) => setTimeout(r, 20_000));
      const events = (await eventsAbout(ns, "net-admin")).filter((e) => e.reason === "PodSecurityViolation");
      expect(events).toHaveLength(1);
      if (mark) {
        const creates = podCreates(mark, ns, "net-admin");
        expect(creates.length, describeWrites(creates)).toBeGreaterThanOrEqual(1);
        expect(creates.length, describeWrites(creates)).toBeLessThanOrEqual(2);
        expect(creates.every((e) => e.responseStatus?.code === 403)).toBe(true);
      }

      // A change to the group is retried at once, and admitted.
      await applyAll(ns, [
        groupManifest("net-admin", { containers: [{ name: "main", image: "busybox:1.36" }] }),
      ]);
      await groupWhen(ns, "net-admin", "Running", inState("Running"));
    },
  );

  it("a changed enforce label retries the refused groups of the namespace at once", async () => {
    await applyAll(relabelNs, [netAdminGroup("relabel")]);
    await groupWhen(relabelNs, "relabel", "PodSecurityViolation", readyBecause("PodSecurityViolation"));
    await kubectlOk(["label", "--overwrite", "namespace", relabelNs, `${ENFORCE}=privileged`]);
    // The slow retry comes 30 s after the refusal; the label's change must not wait for it.
    const running = await groupWhen(relabelNs, "relabel", "Running", inState("Running"), 25_000);
    expect(condition(running, "Ready")?.status).toBe("True");
    // privileged: the usual Pod, with the capability it asked for.
    const pod = await getPod(relabelNs, "relabel");
    expect(pod?.spec?.containers[0]?.securityContext?.capabilities?.add).toEqual(["NET_ADMIN"]);
  });
});

describe("the --pod-security setting", () => {
  it("restricted renders restricted-compatible Pods in a namespace with no label", async () => {
    await applyAll(unlabelledNs, [plainGroup("always")]);
    await groupWhen(unlabelledNs, "always", "Running", inState("Running"));
    expectRestrictedShape(await getPod(unlabelledNs, "always"));
  });

  it("off renders the usual Pods, which a restricted namespace refuses: PodSecurityViolation", async () => {
    await applyAll(offNs, [groupManifest("usual")]);
    const group = await groupWhen(
      offNs,
      "usual",
      "PodSecurityViolation",
      readyBecause("PodSecurityViolation"),
    );
    expect(condition(group, "Ready")?.message).toContain('violates PodSecurity "restricted:latest"');
  });
});

describe("the chart's Deployment under enforce=restricted", () => {
  it("its Pod is admitted by a namespace that enforces restricted, and the Deployment draws no warning", async (ctx) => {
    if (usingExternalCluster()) ctx.skip("the install tests cover the chart on an external cluster");
    const rendered = parseObjects(await helmOk(["template", "cio", chartDir, "--namespace", restrictedNs]));
    const deployment = rendered.find((o) => o.kind === "Deployment");
    const account = rendered.find((o) => o.kind === "ServiceAccount");
    if (!deployment || !account) throw new Error("helm template rendered no Deployment or ServiceAccount");
    // Admission looks the Pod's ServiceAccount up, so that one is created for real (the namespace
    // goes at the end); the rest is a server-side dry run.
    await kubectlOk(["apply", "--server-side", "-n", restrictedNs, "-f", "-"], {
      input: JSON.stringify(account),
    });
    const template = (deployment.spec as { template: { spec: Record<string, unknown> } }).template;
    // Enforcement applies to Pods (a Deployment only draws warnings), so the template goes in as a Pod.
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "chart-operator", namespace: restrictedNs },
      spec: template.spec,
    };
    const dryRun = (obj: unknown) =>
      kubectl(["apply", "--server-side", "--dry-run=server", "-n", restrictedNs, "-f", "-"], {
        input: JSON.stringify(obj),
      });
    const r = await dryRun(pod);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pod\/chart-operator serverside-applied \(server dry run\)/);
    // warn=restricted makes the API server judge the Deployment's template too, as a warning.
    await kubectlOk([
      "label",
      "--overwrite",
      "namespace",
      restrictedNs,
      "pod-security.kubernetes.io/warn=restricted",
    ]);
    const d = await dryRun({ ...deployment, metadata: { ...deployment.metadata, namespace: restrictedNs } });
    expect(d.code, d.stderr).toBe(0);
    expect(d.stderr).not.toMatch(/PodSecurity|would violate/);
  });
});
