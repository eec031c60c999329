// What only the cluster can judge, checked before the Pod is made: a RuntimeClass or a Secret that
// does not exist would otherwise leave a Pod stuck with no word to the user. Each finding becomes
// a problem (Ready=False with a reason and what to do) and the group is retried with backoff.
import type { V1PersistentVolumeClaim, V1Secret } from "@kubernetes/client-node";
import type { ContainerGroup } from "../api/types.js";
import { registryPasswordRefs, runtimeClassName } from "../render/index.js";
import type { ResolvedInputs } from "../render/secrets.js";
import type { OperatorSettings } from "../render/settings.js";
import type { KubeClient } from "../runtime/apply.js";
import type { StatusProblem } from "../status/index.js";
import {
  claimNotFound,
  clusterReadDenied,
  runtimeClassNotFound,
  secretNotFound,
} from "../status/problems.js";
import type { Caches } from "./caches.js";

/** Problems found in the caches alone: no API calls. */
export function clusterProblems(
  group: ContainerGroup,
  caches: Caches,
  settings: OperatorSettings,
): StatusProblem[] {
  const problems: StatusProblem[] = [];
  const rc = runtimeClassName(group, settings);
  // Without RuntimeClass read access (a namespaced install) the check is left to the API server,
  // whose RuntimeClass admission refuses the Pod of a missing class: that too becomes
  // RuntimeClassNotFound (pods.ts), one Pod create later.
  if (rc && caches.runtimeClasses.unavailable() === undefined && !caches.runtimeClasses.get(undefined, rc)) {
    problems.push(runtimeClassNotFound(rc));
  }
  const shares = (group.spec.volumes ?? []).filter((v) => v.azureFile !== undefined).map((v) => v.name);
  if (shares.length > 0 && caches.volumes.unavailable() !== undefined) {
    problems.push(
      clusterReadDenied(
        `The group's Azure Files volumes (${shares.join(", ")}) need PersistentVolumes`,
        "get, list, watch, create and delete persistentvolumes",
        "rbac.clusterScope.persistentVolumes",
      ),
    );
  }
  problems.push(...duplicatePorts(group));
  return problems;
}

/**
 * Two containers of one group share a network namespace, so they cannot listen on the same port.
 * The CRD cannot judge this within the API server's CEL cost budget.
 */
export function duplicatePorts(group: ContainerGroup): StatusProblem[] {
  const owner = new Map<string, string>();
  const problems: StatusProblem[] = [];
  for (const container of group.spec.containers ?? []) {
    for (const port of container.ports ?? []) {
      const key = `${port.port}/${port.protocol ?? "TCP"}`;
      const first = owner.get(key);
      if (first !== undefined && first !== container.name) {
        problems.push({
          reason: "PortConflict",
          message: `spec.containers: ${first} and ${container.name} both expose port ${key}; containers of a group share one network, so give each port to one container.`,
        });
      }
      owner.set(key, first ?? container.name);
    }
  }
  return problems;
}

function secretRef(group: ContainerGroup, name: string) {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: group.metadata.namespace } };
}

/**
 * Reads what the group refers to in its namespace: registry passwords (rendered into the group's
 * own pull Secret), the Secrets behind secureValueFrom, and claims named by persistentVolumeClaim
 * volumes. Values are never logged or put in a message.
 */
export async function resolveInputs(
  group: ContainerGroup,
  client: KubeClient,
  problems: StatusProblem[],
): Promise<ResolvedInputs> {
  const ns = group.metadata.namespace;
  const secrets = new Map<string, V1Secret | undefined>();
  const readSecret = async (name: string) => {
    if (!secrets.has(name)) secrets.set(name, await client.getIfExists<V1Secret>(secretRef(group, name)));
    return secrets.get(name);
  };
  const registryPasswords: Record<string, string> = {};
  for (const { server, ref } of registryPasswordRefs(group)) {
    const secret = await readSecret(ref.name);
    const value = secret?.data?.[ref.key];
    if (value === undefined) {
      problems.push(
        secretNotFound(ref.name, ref.key, `the password of registry ${server} (passwordSecretRef)`),
      );
    } else registryPasswords[server] = Buffer.from(value, "base64").toString("utf8");
  }
  for (const container of [...(group.spec.initContainers ?? []), ...(group.spec.containers ?? [])]) {
    for (const variable of container.environmentVariables ?? []) {
      const ref = variable.secureValueFrom?.secretKeyRef;
      if (!ref) continue;
      const secret = await readSecret(ref.name);
      if (secret?.data?.[ref.key] === undefined) {
        problems.push(
          secretNotFound(ref.name, ref.key, `${container.name}'s environment variable ${variable.name}`),
        );
      }
    }
  }
  for (const volume of group.spec.volumes ?? []) {
    const claimName = volume.persistentVolumeClaim?.claimName;
    if (!claimName) continue;
    const claim = await client.getIfExists<V1PersistentVolumeClaim>({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: claimName, namespace: ns },
    });
    if (!claim) {
      problems.push(claimNotFound(claimName, volume.name));
    }
  }
  return { registryPasswords };
}
