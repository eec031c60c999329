// The Secrets a group owns: secure environment values, `secret` volumes, Azure Files account keys
// and registry credentials. The Pod only refers to them, so no secure value is ever in a Pod spec.

import type { V1Secret } from "@kubernetes/client-node";
import type { ContainerGroup, EnvironmentVariable, SecretKeySelector } from "../api/types.js";
import {
  azureFileSecretName,
  childLabels,
  controllerReference,
  envSecretName,
  groupNamespace,
  registrySecretName,
  secretVolumeSecretName,
} from "./names.js";

/** Values the controller read from the cluster, so rendering stays pure. */
export interface ResolvedInputs {
  /** Registry server -> the password its `passwordSecretRef` points at, when it could be read. */
  registryPasswords?: Record<string, string>;
}

/** Keys of the azureFile Secret, as file.csi.azure.com reads its node-stage secret. */
export const AZURE_STORAGE_ACCOUNT_NAME_KEY = "azurestorageaccountname";
export const AZURE_STORAGE_ACCOUNT_KEY_KEY = "azurestorageaccountkey";

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/**
 * The key of a secure environment value in the env Secret. Container names are DNS labels (no '.'),
 * environment names use Secret-key characters, so `<container>.<name>` is unique and valid.
 */
export function envSecretKey(containerName: string, envName: string): string {
  return `${containerName}.${envName}`;
}

/** The registry credentials whose password lives in another Secret, for the controller to read. */
export function registryPasswordRefs(group: ContainerGroup): { server: string; ref: SecretKeySelector }[] {
  return (group.spec.imageRegistryCredentials ?? []).flatMap((credential) =>
    credential.password === undefined && credential.passwordSecretRef
      ? [{ server: credential.server, ref: credential.passwordSecretRef }]
      : [],
  );
}

function ownedSecret(
  group: ContainerGroup,
  name: string,
  data: Record<string, string>,
  type = "Opaque",
): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace: groupNamespace(group),
      labels: childLabels(group),
      ownerReferences: [controllerReference(group)],
    },
    type,
    data,
  };
}

function secureEnv(
  containers: { name: string; environmentVariables?: EnvironmentVariable[] }[],
): Record<string, string> {
  const data: Record<string, string> = {};
  for (const container of containers) {
    for (const variable of container.environmentVariables ?? []) {
      if (variable.secureValue !== undefined) {
        data[envSecretKey(container.name, variable.name)] = base64(variable.secureValue);
      }
    }
  }
  return data;
}

/** The env Secret, when any container has a secureValue. */
export function renderEnvSecret(group: ContainerGroup): V1Secret | undefined {
  const data = secureEnv([...(group.spec.initContainers ?? []), ...(group.spec.containers ?? [])]);
  return Object.keys(data).length > 0 ? ownedSecret(group, envSecretName(group), data) : undefined;
}

/**
 * The image pull Secret. A credential whose passwordSecretRef could not be resolved is left out;
 * the controller reports it as a problem.
 */
export function renderRegistrySecret(
  group: ContainerGroup,
  resolved: ResolvedInputs = {},
): V1Secret | undefined {
  const auths: Record<string, { username: string; password: string; auth: string }> = {};
  for (const credential of group.spec.imageRegistryCredentials ?? []) {
    const password = credential.password ?? resolved.registryPasswords?.[credential.server];
    if (password === undefined) continue;
    auths[credential.server] = {
      username: credential.username,
      password,
      auth: base64(`${credential.username}:${password}`),
    };
  }
  if (Object.keys(auths).length === 0) return undefined;
  return ownedSecret(
    group,
    registrySecretName(group),
    { ".dockerconfigjson": base64(JSON.stringify({ auths })) },
    "kubernetes.io/dockerconfigjson",
  );
}

/** One Secret per `secret` volume; ACI's values are base64 already, as Secret data is. */
export function renderSecretVolumeSecrets(group: ContainerGroup): V1Secret[] {
  return (group.spec.volumes ?? []).flatMap((volume) =>
    volume.secret
      ? [ownedSecret(group, secretVolumeSecretName(group, volume.name), { ...volume.secret })]
      : [],
  );
}

/** One Secret per `azureFile` volume: the CSI driver's node-stage secret. */
export function renderAzureFileSecrets(group: ContainerGroup): V1Secret[] {
  return (group.spec.volumes ?? []).flatMap((volume) =>
    volume.azureFile
      ? [
          ownedSecret(group, azureFileSecretName(group, volume.name), {
            [AZURE_STORAGE_ACCOUNT_NAME_KEY]: base64(volume.azureFile.storageAccountName),
            [AZURE_STORAGE_ACCOUNT_KEY_KEY]: base64(volume.azureFile.storageAccountKey),
          }),
        ]
      : [],
  );
}

/** Every Secret the group owns, in a stable order. */
export function renderSecrets(group: ContainerGroup, resolved: ResolvedInputs = {}): V1Secret[] {
  return [
    renderEnvSecret(group),
    renderRegistrySecret(group, resolved),
    ...renderSecretVolumeSecrets(group),
    ...renderAzureFileSecrets(group),
  ].filter((secret): secret is V1Secret => secret !== undefined);
}
