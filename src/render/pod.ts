// The group's Pod: ACI's containers and group settings in Kubernetes terms, with the isolation a
// multi-tenant container service needs switched on by default.

import type {
  V1Container,
  V1EnvVar,
  V1Pod,
  V1PodDNSConfig,
  V1PodSpec,
  V1Probe,
  V1ResourceRequirements,
  V1SecurityContext,
  V1Volume,
  V1VolumeMount,
} from "@kubernetes/client-node";
import { RESTARTED_AT_ANNOTATION } from "../api/constants.js";
import type {
  Container,
  ContainerGroup,
  ContainerProbe,
  DnsConfig,
  EnvironmentVariable,
  InitContainer,
  SecurityContext,
  Volume,
  VolumeMount,
} from "../api/types.js";
import { canonicalJson, dropUndefined, sha256Hex } from "./hash.js";
import {
  boundedName,
  childLabels,
  controllerReference,
  envSecretName,
  groupNamespace,
  podName,
  registrySecretName,
  SPEC_HASH_ANNOTATION,
  secretVolumeSecretName,
  volumeClaimName,
} from "./names.js";
import { cpuQuantity, memoryQuantity } from "./quantities.js";
import {
  containerGpu,
  gpuResourceName,
  nodeSelector,
  runtimeClassName,
  tolerations,
  zoneAffinity,
} from "./scheduling.js";
import { envSecretKey, renderSecrets } from "./secrets.js";
import type { OperatorSettings } from "./settings.js";

/** Where the git init container mounts a gitRepo volume. */
export const GIT_REPO_MOUNT_PATH = "/mnt/gitrepo";

/**
 * Clones $1 into $2 (the volume itself when "."; the repository's own name when empty) and checks
 * out $3. Arguments are positional, never spliced into the script, so no value can inject shell.
 */
const GIT_CLONE_SCRIPT = [
  "set -eu",
  `cd ${GIT_REPO_MOUNT_PATH}`,
  'if [ -n "$2" ]; then git clone -- "$1" "$2"; target="$2"; else git clone -- "$1"; target="$(ls -A | head -n 1)"; fi',
  'if [ -n "$3" ]; then git -C "$target" checkout "$3" --; fi',
].join("\n");

/** The name of the init container that fills a gitRepo volume. */
export function gitRepoInitContainerName(volume: string): string {
  return boundedName(["gitrepo", volume], 63);
}

function isWindows(group: ContainerGroup): boolean {
  return group.spec.osType === "Windows";
}

function renderEnv(
  group: ContainerGroup,
  containerName: string,
  variables: EnvironmentVariable[] = [],
): V1EnvVar[] {
  return variables.map((variable): V1EnvVar => {
    if (variable.secureValue !== undefined) {
      return {
        name: variable.name,
        valueFrom: {
          secretKeyRef: { name: envSecretName(group), key: envSecretKey(containerName, variable.name) },
        },
      };
    }
    if (variable.secureValueFrom) {
      const { name, key } = variable.secureValueFrom.secretKeyRef;
      return { name: variable.name, valueFrom: { secretKeyRef: { name, key } } };
    }
    return { name: variable.name, value: variable.value ?? "" };
  });
}

/** Requests as ACI states them; a limit left out equals the request; GPUs as limit and request. */
export function renderResources(container: Container, settings: OperatorSettings): V1ResourceRequirements {
  const { requests, limits } = container.resources;
  const resourceRequests: Record<string, string> = {
    cpu: cpuQuantity(requests.cpu),
    memory: memoryQuantity(requests.memoryInGB),
  };
  const resourceLimits: Record<string, string> = {
    cpu: cpuQuantity(limits?.cpu ?? requests.cpu),
    memory: memoryQuantity(limits?.memoryInGB ?? requests.memoryInGB),
  };
  const gpu = containerGpu(container);
  if (gpu) {
    // Extended resources cannot be overcommitted: request and limit must be equal.
    const resource = gpuResourceName(gpu.sku, settings);
    resourceRequests[resource] = String(gpu.count);
    resourceLimits[resource] = String(gpu.count);
  }
  return { requests: resourceRequests, limits: resourceLimits };
}

export function renderProbe(probe: ContainerProbe | undefined): V1Probe | undefined {
  if (!probe) return undefined;
  const rendered: V1Probe = {
    initialDelaySeconds: probe.initialDelaySeconds,
    periodSeconds: probe.periodSeconds,
    failureThreshold: probe.failureThreshold,
    successThreshold: probe.successThreshold,
    timeoutSeconds: probe.timeoutSeconds,
  };
  if (probe.exec) rendered.exec = { command: [...probe.exec.command] };
  if (probe.httpGet) {
    rendered.httpGet = {
      path: probe.httpGet.path ?? "/",
      port: probe.httpGet.port,
      scheme: probe.httpGet.scheme === "https" ? "HTTPS" : "HTTP",
      httpHeaders: probe.httpGet.httpHeaders?.map((header) => ({
        name: header.name,
        value: header.value ?? "",
      })),
    };
  }
  return rendered;
}

/**
 * Never privileged; no privilege escalation unless asked for. Windows forbids these Linux fields,
 * so a Windows container gets none.
 */
export function renderSecurityContext(
  group: ContainerGroup,
  securityContext: SecurityContext | undefined,
): V1SecurityContext | undefined {
  if (isWindows(group)) return undefined;
  const rendered: V1SecurityContext = {
    privileged: false,
    allowPrivilegeEscalation: securityContext?.allowPrivilegeEscalation === true,
    runAsUser: securityContext?.runAsUser,
    runAsGroup: securityContext?.runAsGroup,
  };
  if (securityContext?.capabilities) {
    rendered.capabilities = {
      add: securityContext.capabilities.add && [...securityContext.capabilities.add],
      drop: securityContext.capabilities.drop && [...securityContext.capabilities.drop],
    };
  }
  if (securityContext?.seccompProfile) rendered.seccompProfile = { ...securityContext.seccompProfile };
  return rendered;
}

function renderVolumeMounts(mounts: VolumeMount[] = []): V1VolumeMount[] | undefined {
  if (mounts.length === 0) return undefined;
  return mounts.map((mount) => ({ name: mount.name, mountPath: mount.mountPath, readOnly: mount.readOnly }));
}

export function renderContainer(
  group: ContainerGroup,
  container: Container,
  settings: OperatorSettings,
): V1Container {
  return {
    name: container.name,
    image: container.image,
    command: container.command && container.command.length > 0 ? [...container.command] : undefined,
    ports: container.ports?.map((port) => ({ containerPort: port.port, protocol: port.protocol ?? "TCP" })),
    env: renderEnv(group, container.name, container.environmentVariables),
    resources: renderResources(container, settings),
    volumeMounts: renderVolumeMounts(container.volumeMounts),
    livenessProbe: renderProbe(container.livenessProbe),
    readinessProbe: renderProbe(container.readinessProbe),
    securityContext: renderSecurityContext(group, container.securityContext),
  };
}

export function renderInitContainer(group: ContainerGroup, container: InitContainer): V1Container {
  return {
    name: container.name,
    image: container.image,
    command: container.command && container.command.length > 0 ? [...container.command] : undefined,
    env: renderEnv(group, container.name, container.environmentVariables),
    volumeMounts: renderVolumeMounts(container.volumeMounts),
    securityContext: renderSecurityContext(group, container.securityContext),
  };
}

/** The init containers that clone each gitRepo volume, in volume order. */
export function renderGitRepoInitContainers(
  group: ContainerGroup,
  settings: OperatorSettings,
): V1Container[] {
  return (group.spec.volumes ?? []).flatMap((volume) => {
    if (!volume.gitRepo) return [];
    const { repository, directory = "", revision = "" } = volume.gitRepo;
    return [
      {
        name: gitRepoInitContainerName(volume.name),
        image: settings.gitImage,
        command: ["sh", "-c", GIT_CLONE_SCRIPT, "git-clone", repository, directory, revision],
        volumeMounts: [{ name: volume.name, mountPath: GIT_REPO_MOUNT_PATH }],
        securityContext: { privileged: false, allowPrivilegeEscalation: false },
      },
    ];
  });
}

export function renderVolume(group: ContainerGroup, volume: Volume): V1Volume {
  if (volume.azureFile) {
    return {
      name: volume.name,
      persistentVolumeClaim: {
        claimName: volumeClaimName(group, volume.name),
        readOnly: volume.azureFile.readOnly,
      },
    };
  }
  if (volume.fileShare) {
    return { name: volume.name, persistentVolumeClaim: { claimName: volumeClaimName(group, volume.name) } };
  }
  if (volume.persistentVolumeClaim) {
    const { claimName, readOnly } = volume.persistentVolumeClaim;
    return { name: volume.name, persistentVolumeClaim: { claimName, readOnly } };
  }
  if (volume.secret) {
    return { name: volume.name, secret: { secretName: secretVolumeSecretName(group, volume.name) } };
  }
  // emptyDir, and gitRepo, which is an emptyDir its init container fills.
  return { name: volume.name, emptyDir: {} };
}

/** ACI's space-separated search domains and options as Kubernetes' lists. */
export function renderDnsConfig(dnsConfig: DnsConfig | undefined): V1PodDNSConfig | undefined {
  if (!dnsConfig) return undefined;
  const words = (text: string | undefined) => (text ?? "").split(/\s+/).filter((word) => word !== "");
  const searches = words(dnsConfig.searchDomains);
  const options = words(dnsConfig.options).map((option) => {
    const colon = option.indexOf(":");
    return colon < 0 ? { name: option } : { name: option.slice(0, colon), value: option.slice(colon + 1) };
  });
  return {
    nameservers: dnsConfig.nameServers.length > 0 ? [...dnsConfig.nameServers] : undefined,
    searches: searches.length > 0 ? searches : undefined,
    options: options.length > 0 ? options : undefined,
  };
}

/** The Pod spec, without the hash annotation. */
export function renderPodSpec(group: ContainerGroup, settings: OperatorSettings): V1PodSpec {
  const windows = isWindows(group);
  const serviceAccountName = group.spec.serviceAccountName || undefined;
  const dnsConfig = renderDnsConfig(group.spec.dnsConfig);
  const pullSecrets = (group.spec.imageRegistryCredentials ?? []).length > 0;
  const initContainers = [
    ...renderGitRepoInitContainers(group, settings),
    ...(group.spec.initContainers ?? []).map((container) => renderInitContainer(group, container)),
  ];
  const podTolerations = tolerations(group, settings);
  const volumes = (group.spec.volumes ?? []).map((volume) => renderVolume(group, volume));
  return {
    os: { name: windows ? "windows" : "linux" },
    runtimeClassName: runtimeClassName(group, settings),
    restartPolicy: group.spec.restartPolicy ?? "Always",
    serviceAccountName,
    // No API credentials in the group unless it asked for an identity.
    automountServiceAccountToken: serviceAccountName !== undefined,
    enableServiceLinks: false,
    securityContext: windows ? undefined : { seccompProfile: { type: "RuntimeDefault" } },
    nodeSelector: nodeSelector(group, settings),
    tolerations:
      podTolerations.length > 0 ? podTolerations.map((toleration) => ({ ...toleration })) : undefined,
    affinity: zoneAffinity(group),
    // Name servers of their own replace the cluster's DNS, as in ACI.
    dnsPolicy: dnsConfig?.nameservers ? "None" : undefined,
    dnsConfig,
    imagePullSecrets: pullSecrets ? [{ name: registrySecretName(group) }] : undefined,
    initContainers: initContainers.length > 0 ? initContainers : undefined,
    containers: (group.spec.containers ?? []).map((container) => renderContainer(group, container, settings)),
    volumes: volumes.length > 0 ? volumes : undefined,
  };
}

/**
 * A digest of the group's secure values. It goes into the spec hash (never the values), so a new
 * secureValue or account key redeploys the Pod as an ACI update does. Registry passwords are left
 * out: the kubelet reads the pull Secret at each pull, so a rotated password needs no new Pod (as
 * with a rotated passwordSecretRef, which the controller resolves outside the render).
 */
function secretsDigest(group: ContainerGroup): string {
  const mounted = renderSecrets(group).filter(
    (secret) => secret.metadata?.name !== registrySecretName(group),
  );
  return sha256Hex(canonicalJson(mounted.map((secret) => [secret.metadata?.name, secret.data])));
}

/**
 * The hash of everything that needs a new Pod when it changes: the spec, the labels, the secure
 * values' digest and the restart request (`containerinstances.dev/restartedAt`).
 */
export function podSpecHash(group: ContainerGroup, pod: V1Pod): string {
  return sha256Hex(
    canonicalJson({
      spec: pod.spec,
      labels: pod.metadata?.labels,
      secrets: secretsDigest(group),
      restartedAt: group.metadata.annotations?.[RESTARTED_AT_ANNOTATION] ?? "",
    }),
  ).slice(0, 16);
}

/**
 * The user the gitRepo init container runs as under `restricted`, unless a container that mounts
 * the volume names its own: distroless's `nonroot`. Git images run as root by default, which
 * `runAsNonRoot` refuses; the emptyDir it clones into is writable by every user.
 */
export const GIT_REPO_NONROOT_UID = 65532;

/** The runAsUser of the first container that mounts the volume and names a non-root user. */
function gitRepoUser(group: ContainerGroup, volume: string): number {
  for (const container of group.spec.containers ?? []) {
    const uid = container.securityContext?.runAsUser;
    const mounts = (container.volumeMounts ?? []).some((mount) => mount.name === volume);
    if (mounts && uid !== undefined && uid > 0) return uid;
  }
  return GIT_REPO_NONROOT_UID;
}

/**
 * A container made to pass `restricted` where its group asks nothing contrary: no privilege
 * escalation unless asked, `runAsNonRoot` unless it asked for `runAsUser: 0`, and every capability
 * dropped besides the ones it adds. What the group asks stays, so that Pod Security admission, not
 * the operator, refuses it, in the API server's words (PodSecurityViolation).
 */
function restrictContainer(container: V1Container, runAsUser?: number): V1Container {
  const asked = container.securityContext ?? {};
  const securityContext: V1SecurityContext = { ...asked };
  securityContext.allowPrivilegeEscalation = asked.allowPrivilegeEscalation ?? false;
  if (runAsUser !== undefined && asked.runAsUser === undefined) securityContext.runAsUser = runAsUser;
  if (asked.runAsNonRoot === undefined && securityContext.runAsUser !== 0)
    securityContext.runAsNonRoot = true;
  const drop = asked.capabilities?.drop ?? [];
  securityContext.capabilities = {
    ...asked.capabilities,
    drop: drop.includes("ALL") ? [...drop] : [...drop, "ALL"],
  };
  return { ...container, securityContext };
}

/**
 * The Pod spec made to pass the Pod Security Standards' `restricted` level (--pod-security),
 * containers and init containers alike; the Pod already asks for the RuntimeDefault seccomp
 * profile, and its volumes (gitRepo and azureFile included: an emptyDir and a claim) are all of the
 * kinds `restricted` allows. Images that run as root then fail to start (the kubelet refuses
 * `runAsNonRoot` for a root user: CreateContainerConfigError) unless the group names a runAsUser.
 * Windows Pods may carry none of the Linux fields, and `restricted` checks only runAsNonRoot on them.
 */
export function restrictPodSpec(group: ContainerGroup, spec: V1PodSpec): V1PodSpec {
  if (isWindows(group)) return { ...spec, securityContext: { ...spec.securityContext, runAsNonRoot: true } };
  const gitUsers = new Map(
    (group.spec.volumes ?? [])
      .filter((volume) => volume.gitRepo)
      .map((volume) => [gitRepoInitContainerName(volume.name), gitRepoUser(group, volume.name)]),
  );
  const restricted: V1PodSpec = {
    ...spec,
    securityContext: { ...spec.securityContext, seccompProfile: { type: "RuntimeDefault" } },
    containers: spec.containers.map((container) => restrictContainer(container)),
  };
  if (spec.initContainers) {
    restricted.initContainers = spec.initContainers.map((container) => {
      const gitUser = gitUsers.get(container.name);
      if (gitUser === undefined) return restrictContainer(container);
      // The volume's root belongs to root, not to the clone's user, and git refuses to work in a
      // repository another user owns ("dubious ownership") when `directory` is ".": this clone is
      // its own. Environment config counts as command-line config, which git trusts for this.
      const trustClone = [
        { name: "GIT_CONFIG_COUNT", value: "1" },
        { name: "GIT_CONFIG_KEY_0", value: "safe.directory" },
        { name: "GIT_CONFIG_VALUE_0", value: "*" },
      ];
      const env = container.env ?? [];
      const missing = trustClone.filter((v) => !env.some((e) => e.name === v.name));
      return restrictContainer({ ...container, env: [...env, ...missing] }, gitUser);
    });
  }
  return restricted;
}

export function renderPod(group: ContainerGroup, settings: OperatorSettings): V1Pod {
  const pod: V1Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: podName(group),
      namespace: groupNamespace(group),
      labels: childLabels(group),
      ownerReferences: [controllerReference(group)],
    },
    spec: renderPodSpec(group, settings),
  };
  const rendered = dropUndefined(pod);
  rendered.metadata = {
    ...rendered.metadata,
    annotations: { [SPEC_HASH_ANNOTATION]: podSpecHash(group, rendered) },
  };
  // After the hash, on purpose: a namespace labelled restricted later (or the setting changed)
  // shapes the group's next Pod but never replaces a running one, as Pod Security admission
  // itself never evicts what it admitted.
  if (settings.podSecurity === "restricted" && rendered.spec) {
    rendered.spec = restrictPodSpec(group, rendered.spec);
  }
  return rendered;
}

/** The spec hash a Pod was created with, to compare with the desired Pod's. */
export function specHashOf(pod: V1Pod | undefined): string | undefined {
  return pod?.metadata?.annotations?.[SPEC_HASH_ANNOTATION];
}
