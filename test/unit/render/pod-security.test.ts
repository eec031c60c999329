// --pod-security=restricted: the Pod passes the Pod Security Standards' restricted level wherever
// the group asks nothing contrary, and keeps what it does ask (admission then refuses it, in its
// own words). `violations` below is the restricted level's container and volume rules, as
// pod-security-admission's policy/ checks them (check_allowPrivilegeEscalation, check_runAsNonRoot,
// check_runAsUser, check_capabilities_restricted, check_seccompProfile_restricted,
// check_restrictedVolumes), cut to the fields a group can reach.
import type { V1Container, V1Pod, V1PodSpec } from "@kubernetes/client-node";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SecurityContext } from "../../../src/api/types.js";
import { SPEC_HASH_ANNOTATION } from "../../../src/render/names.js";
import {
  GIT_REPO_NONROOT_UID,
  gitRepoInitContainerName,
  renderPod,
  restrictPodSpec,
} from "../../../src/render/pod.js";
import { aContainer, aGroup, anInitContainer, settings, theContractExample } from "../fixtures.js";

const restricted = settings({ podSecurity: "restricted" });

const ALLOWED_VOLUMES = [
  "configMap",
  "downwardAPI",
  "emptyDir",
  "projected",
  "secret",
  "csi",
  "persistentVolumeClaim",
  "ephemeral",
  "image",
];

/** What `restricted` forbids in the spec, one line per finding; empty: admitted. */
function violations(spec: V1PodSpec): string[] {
  const found: string[] = [];
  const podSc = spec.securityContext ?? {};
  const windows = spec.os?.name === "windows";
  if (podSc.runAsNonRoot === false) found.push("pod runAsNonRoot=false");
  if (podSc.runAsUser === 0) found.push("pod runAsUser=0");
  const podSeccomp = podSc.seccompProfile?.type;
  if (!windows && podSeccomp !== undefined && podSeccomp !== "RuntimeDefault" && podSeccomp !== "Localhost") {
    found.push(`pod seccomp ${podSeccomp}`);
  }
  const containers: V1Container[] = [...(spec.initContainers ?? []), ...spec.containers];
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) found.push(`${c.name} privileged`);
    if (sc.runAsUser === 0) found.push(`${c.name} runAsUser=0`);
    if (sc.runAsNonRoot === false || (sc.runAsNonRoot === undefined && podSc.runAsNonRoot !== true)) {
      found.push(`${c.name} runAsNonRoot`);
    }
    if (windows) continue;
    if (sc.allowPrivilegeEscalation !== false) found.push(`${c.name} allowPrivilegeEscalation`);
    if (!sc.capabilities?.drop?.includes("ALL")) found.push(`${c.name} drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) {
      if (cap !== "NET_BIND_SERVICE") found.push(`${c.name} adds ${cap}`);
    }
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") found.push(`${c.name} seccomp ${seccomp}`);
  }
  for (const volume of spec.volumes ?? []) {
    const kinds = Object.keys(volume).filter((k) => k !== "name");
    for (const kind of kinds)
      if (!ALLOWED_VOLUMES.includes(kind)) found.push(`volume ${volume.name} ${kind}`);
  }
  return found;
}

function spec(pod: V1Pod): V1PodSpec {
  if (!pod.spec) throw new Error("no spec");
  return pod.spec;
}

/** Whether a group's own security context asks for something `restricted` forbids. */
function asksForbidden(sc: SecurityContext | undefined): boolean {
  if (!sc) return false;
  return (
    sc.allowPrivilegeEscalation === true ||
    sc.runAsUser === 0 ||
    (sc.capabilities?.add ?? []).some((cap) => cap !== "NET_BIND_SERVICE") ||
    sc.seccompProfile?.type === "Unconfined"
  );
}

const capability = fc.constantFrom("NET_BIND_SERVICE", "NET_ADMIN", "SYS_PTRACE", "CHOWN", "ALL");
const securityContext: fc.Arbitrary<SecurityContext | undefined> = fc.option(
  fc.record(
    {
      privileged: fc.constant(false),
      allowPrivilegeEscalation: fc.boolean(),
      runAsUser: fc.integer({ min: 0, max: 70_000 }),
      runAsGroup: fc.integer({ min: 0, max: 70_000 }),
      capabilities: fc.record(
        { add: fc.array(capability, { maxLength: 3 }), drop: fc.array(capability, { maxLength: 3 }) },
        { requiredKeys: [] },
      ),
      seccompProfile: fc.constantFrom(
        { type: "RuntimeDefault" as const },
        { type: "Unconfined" as const },
        { type: "Localhost" as const, localhostProfile: "profiles/app.json" },
      ),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

describe("renderPod with podSecurity restricted", () => {
  it("a plain group's Pod passes restricted, init containers included", () => {
    const group = aGroup({ initContainers: [anInitContainer()] });
    expect(violations(spec(renderPod(group, settings())))).not.toEqual([]);
    const pod = renderPod(group, restricted);
    expect(violations(spec(pod))).toEqual([]);
    expect(pod.spec?.securityContext?.seccompProfile).toEqual({ type: "RuntimeDefault" });
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      expect(c.securityContext).toMatchObject({
        privileged: false,
        allowPrivilegeEscalation: false,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
      });
    }
  });

  it("the contract's example (azureFile, gitRepo, secret, fileShare, claim volumes) passes restricted", () => {
    const pod = renderPod(theContractExample(), restricted);
    expect(violations(spec(pod))).toEqual([]);
  });

  it("runs the git init container as the user of a container that mounts the volume, else as 65532", () => {
    const volumes = [{ name: "src", gitRepo: { repository: "https://example.net/r.git" } }];
    const mount = [{ name: "src", mountPath: "/src", readOnly: false }];
    const named = aGroup({
      volumes,
      containers: [aContainer({ volumeMounts: mount, securityContext: { runAsUser: 1000 } })],
    });
    const git = (pod: V1Pod) =>
      pod.spec?.initContainers?.find((c) => c.name === gitRepoInitContainerName("src"))?.securityContext;
    expect(git(renderPod(named, restricted))).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
    // The clone's user does not own the volume's root: git is told to trust the clone.
    const gitEnv = renderPod(named, restricted).spec?.initContainers?.[0]?.env;
    expect(gitEnv).toContainEqual({ name: "GIT_CONFIG_KEY_0", value: "safe.directory" });
    const unnamed = aGroup({ volumes, containers: [aContainer({ volumeMounts: mount })] });
    expect(git(renderPod(unnamed, restricted))).toMatchObject({ runAsUser: GIT_REPO_NONROOT_UID });
    // Outside restricted the git container keeps its image's user.
    expect(git(renderPod(unnamed, settings()))?.runAsUser).toBeUndefined();
  });

  it("keeps what the group asks: the Pod passes restricted exactly when the group asks nothing it forbids", () => {
    fc.assert(
      fc.property(securityContext, securityContext, (app, init) => {
        const group = aGroup({
          containers: [aContainer({ ...(app ? { securityContext: app } : {}) })],
          initContainers: [anInitContainer({ ...(init ? { securityContext: init } : {}) })],
        });
        const pod = renderPod(group, restricted);
        const forbidden = asksForbidden(app) || asksForbidden(init);
        expect(violations(spec(pod)).length > 0).toBe(forbidden);
        // Nothing the group asked is overridden.
        const web = pod.spec?.containers[0]?.securityContext;
        if (app?.runAsUser !== undefined) expect(web?.runAsUser).toBe(app.runAsUser);
        if (app?.allowPrivilegeEscalation !== undefined) {
          expect(web?.allowPrivilegeEscalation).toBe(app.allowPrivilegeEscalation);
        }
        for (const cap of app?.capabilities?.add ?? []) expect(web?.capabilities?.add).toContain(cap);
        for (const cap of app?.capabilities?.drop ?? []) expect(web?.capabilities?.drop).toContain(cap);
        if (app?.seccompProfile) expect(web?.seccompProfile).toEqual(app.seccompProfile);
      }),
      { numRuns: 300 },
    );
  });

  it("never marks a root user runAsNonRoot (the kubelet would refuse to start it)", () => {
    const group = aGroup({ containers: [aContainer({ securityContext: { runAsUser: 0 } })] });
    const web = renderPod(group, restricted).spec?.containers[0]?.securityContext;
    expect(web?.runAsUser).toBe(0);
    expect(web?.runAsNonRoot).toBeUndefined();
  });

  it("a Windows Pod gets runAsNonRoot only (no Linux fields) and passes restricted", () => {
    const group = aGroup({ osType: "Windows" });
    const pod = renderPod(group, restricted);
    expect(pod.spec?.securityContext).toEqual({ runAsNonRoot: true });
    expect(pod.spec?.containers[0]?.securityContext).toBeUndefined();
    expect(violations(spec(pod))).toEqual([]);
  });

  it("gives the Pod the same spec hash as without restricted, so a label change never replaces a running Pod", () => {
    const group = theContractExample();
    const hash = (pod: V1Pod) => pod.metadata?.annotations?.[SPEC_HASH_ANNOTATION];
    expect(hash(renderPod(group, restricted))).toBe(hash(renderPod(group, settings())));
    expect(hash(renderPod(group, restricted))).toBe(hash(renderPod(group, settings({ podSecurity: "off" }))));
  });

  it("auto and off render the usual Pod (the controller resolves auto per namespace)", () => {
    const group = theContractExample();
    const usual = JSON.stringify(renderPod(group, settings({ podSecurity: "off" })));
    expect(JSON.stringify(renderPod(group, settings({ podSecurity: "auto" })))).toBe(usual);
  });

  it("restrictPodSpec is idempotent", () => {
    const group = theContractExample();
    const once = restrictPodSpec(group, spec(renderPod(group, settings())));
    expect(restrictPodSpec(group, once)).toEqual(once);
  });
});
