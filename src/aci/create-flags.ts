// `az container create` flags (already parsed by the CLI) to a ContainerGroup, with az's defaults
// and the combinations az validates. Secure values (secure environment variables, the registry
// password, the storage account key, --secrets) go into the spec inline, as the contract allows:
// the operator moves them into Secrets owned by the group and never shows them in the Pod.

import { API_VERSION, KIND } from "../api/constants.js";
import type {
  Container,
  ContainerGroup,
  ContainerPort,
  EnvironmentVariable,
  ImageRegistryCredential,
  IpAddressType,
  OsType,
  Priority,
  Protocol,
  RestartPolicy,
  Sku,
  Volume,
  VolumeMount,
} from "../api/types.js";
import { CreateFlagError } from "./errors.js";
import { isDnsLabel, isGroupName } from "./names.js";
import { splitShellWords } from "./shell-words.js";

/** az's flag names in camelCase (`--azure-file-volume-share-name` is azureFileVolumeShareName). */
export interface CreateFlags {
  image: string;
  /** Cores; default 1. */
  cpu?: number;
  /** GB; default 1.5. */
  memory?: number;
  /** Default [80]: on the container always, and on the IP address when there is one. */
  ports?: number[];
  protocol?: string;
  ipAddress?: string;
  /** Implies --ip-address Public. */
  dnsNameLabel?: string;
  /** `KEY=VALUE` items. */
  environmentVariables?: string[];
  secureEnvironmentVariables?: string[];
  commandLine?: string;
  restartPolicy?: string;
  osType?: string;
  registryLoginServer?: string;
  registryUsername?: string;
  registryPassword?: string;
  azureFileVolumeShareName?: string;
  azureFileVolumeAccountName?: string;
  azureFileVolumeAccountKey?: string;
  azureFileVolumeMountPath?: string;
  gitrepoUrl?: string;
  /** Default ".". */
  gitrepoDir?: string;
  gitrepoRevision?: string;
  gitrepoMountPath?: string;
  /** `NAME=CONTENT` items; contents are plain text (base64-encoded here, as az does). */
  secrets?: string[];
  secretsMountPath?: string;
  zone?: string;
  priority?: string;
  sku?: string;
  // Confidential flags that map onto the container's securityContext.
  allowEscalation?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  addCapabilities?: string[];
  dropCapabilities?: string[];
}

export function groupFromCreateFlags(
  name: string,
  flags: CreateFlags,
  namespace = "default",
): ContainerGroup {
  if (!isGroupName(name)) {
    throw new CreateFlagError(
      "--name",
      `"${name}" is not a valid name: at most 63 lowercase letters, digits and '-', starting with a letter`,
    );
  }
  if (!flags.image?.trim()) throw new CreateFlagError("--image", "is required");
  const cpu = positive("--cpu", flags.cpu, 1);
  const memory = positive("--memory", flags.memory, 1.5);
  const protocol = enumFlag<Protocol>("--protocol", flags.protocol, ["TCP", "UDP"]) ?? "TCP";
  const ports: ContainerPort[] = (flags.ports ?? [80]).map((port) => {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new CreateFlagError("--ports", `expected port numbers from 1 to 65535, got ${port}`);
    }
    return { port, protocol };
  });
  let ipType = enumFlag<IpAddressType>("--ip-address", flags.ipAddress, ["Public", "Private"]);
  if (flags.dnsNameLabel !== undefined) {
    if (!isDnsLabel(flags.dnsNameLabel)) {
      throw new CreateFlagError(
        "--dns-name-label",
        `"${flags.dnsNameLabel}" is not a DNS label (lowercase letters, digits, '-')`,
      );
    }
    if (ipType === "Private")
      throw new CreateFlagError("--dns-name-label", "needs a Public IP address, not --ip-address Private");
    ipType = "Public";
  }

  const container: Container = {
    name,
    image: flags.image.trim(),
    resources: { requests: { cpu, memoryInGB: memory } },
  };
  if (ports.length > 0) container.ports = ports;
  if (flags.commandLine !== undefined) {
    const command = splitShellWords(flags.commandLine);
    if (command.length > 0) container.command = command;
  }
  const env: EnvironmentVariable[] = [
    ...pairs("--environment-variables", flags.environmentVariables).map(([k, v]) => ({ name: k, value: v })),
    ...pairs("--secure-environment-variables", flags.secureEnvironmentVariables).map(([k, v]) => ({
      name: k,
      secureValue: v,
    })),
  ];
  const envNames = new Set<string>();
  for (const e of env) {
    if (envNames.has(e.name))
      throw new CreateFlagError("--environment-variables", `"${e.name}" is given twice`);
    envNames.add(e.name);
  }
  if (env.length > 0) container.environmentVariables = env;
  const securityContext = securityContextOf(flags);
  if (securityContext) container.securityContext = securityContext;

  const { volumes, mounts } = volumesOf(flags);
  if (mounts.length > 0) container.volumeMounts = mounts;

  const group: ContainerGroup = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace },
    spec: {
      osType: enumFlag<OsType>("--os-type", flags.osType, ["Linux", "Windows"]) ?? "Linux",
      sku: enumFlag<Sku>("--sku", flags.sku, ["Standard", "Dedicated", "Confidential"]) ?? "Standard",
      priority: enumFlag<Priority>("--priority", flags.priority, ["Regular", "Spot"]) ?? "Regular",
      restartPolicy:
        enumFlag<RestartPolicy>("--restart-policy", flags.restartPolicy, ["Always", "OnFailure", "Never"]) ??
        "Always",
      stopped: false,
      containers: [container],
    },
  };
  if (flags.zone !== undefined) {
    if (!flags.zone.trim()) throw new CreateFlagError("--zone", "must not be empty");
    group.spec.zones = [flags.zone.trim()];
  }
  const credential = registryOf(flags);
  if (credential) group.spec.imageRegistryCredentials = [credential];
  if (ipType) {
    group.spec.ipAddress = {
      type: ipType,
      ports: ports.map((p) => ({ ...p })),
      autoGeneratedDomainNameLabelScope: "Unsecure",
    };
    if (flags.dnsNameLabel !== undefined) group.spec.ipAddress.dnsNameLabel = flags.dnsNameLabel;
  }
  if (volumes.length > 0) group.spec.volumes = volumes;
  return group;
}

function positive(flag: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new CreateFlagError(flag, `expected a number greater than 0, got ${value}`);
  return value;
}

function enumFlag<T extends string>(flag: string, value: string | undefined, allowed: T[]): T | undefined {
  if (value === undefined) return undefined;
  const match = allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
  if (!match) throw new CreateFlagError(flag, `expected one of ${allowed.join(", ")}, got "${value}"`);
  return match;
}

/** `KEY=VALUE` items; the value may contain '=' and may be empty, the key may not. */
function pairs(flag: string, items: string[] | undefined): [string, string][] {
  return (items ?? []).map((item) => {
    const at = item.indexOf("=");
    if (at <= 0) throw new CreateFlagError(flag, `expected KEY=VALUE, got "${item}"`);
    return [item.slice(0, at), item.slice(at + 1)];
  });
}

function securityContextOf(flags: CreateFlags): Container["securityContext"] {
  const s: NonNullable<Container["securityContext"]> = {};
  if (flags.allowEscalation !== undefined) s.allowPrivilegeEscalation = flags.allowEscalation;
  if (flags.runAsUser !== undefined) s.runAsUser = wholeNumber("--run-as-user", flags.runAsUser);
  if (flags.runAsGroup !== undefined) s.runAsGroup = wholeNumber("--run-as-group", flags.runAsGroup);
  if (flags.addCapabilities?.length || flags.dropCapabilities?.length) {
    s.capabilities = {};
    if (flags.addCapabilities?.length) s.capabilities.add = [...flags.addCapabilities];
    if (flags.dropCapabilities?.length) s.capabilities.drop = [...flags.dropCapabilities];
  }
  return Object.keys(s).length > 0 ? s : undefined;
}

function wholeNumber(flag: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new CreateFlagError(flag, `expected a whole number, got ${value}`);
  return value;
}

function registryOf(flags: CreateFlags): ImageRegistryCredential | undefined {
  const { registryLoginServer: server, registryUsername: username, registryPassword: password } = flags;
  if (server === undefined && username === undefined && password === undefined) return undefined;
  // az takes the server from the image when only the username and password are given.
  const host = server ?? registryOfImage(flags.image);
  if (!host) {
    throw new CreateFlagError(
      "--registry-login-server",
      `is required: the image "${flags.image}" names no registry host to log in to`,
    );
  }
  if (host.includes("/"))
    throw new CreateFlagError("--registry-login-server", `expected a host name, got "${host}"`);
  if (!username) throw new CreateFlagError("--registry-username", "is required with registry credentials");
  if (!password) {
    throw new CreateFlagError(
      "--registry-password",
      "is required with --registry-username (az prompts for it on a terminal)",
    );
  }
  return { server: host, username, password };
}

/** The registry host of an image reference, when its first part is one (has '.' or ':' or is localhost). */
function registryOfImage(image: string): string | undefined {
  const first = image.split("/")[0] ?? "";
  if (!image.includes("/")) return undefined;
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : undefined;
}

function volumesOf(flags: CreateFlags): { volumes: Volume[]; mounts: VolumeMount[] } {
  const volumes: Volume[] = [];
  const mounts: VolumeMount[] = [];
  const add = (volume: Volume, mountPath: string, flag: string) => {
    if (!mountPath.startsWith("/") || mountPath.includes(":")) {
      throw new CreateFlagError(flag, `expected an absolute path without ':', got "${mountPath}"`);
    }
    if (mounts.some((m) => m.mountPath === mountPath)) {
      throw new CreateFlagError(flag, `"${mountPath}" is already the mount path of another volume`);
    }
    volumes.push(volume);
    mounts.push({ name: volume.name, mountPath, readOnly: false });
  };

  const azureFile = {
    "--azure-file-volume-share-name": flags.azureFileVolumeShareName,
    "--azure-file-volume-account-name": flags.azureFileVolumeAccountName,
    "--azure-file-volume-account-key": flags.azureFileVolumeAccountKey,
    "--azure-file-volume-mount-path": flags.azureFileVolumeMountPath,
  };
  if (Object.values(azureFile).some((v) => v !== undefined)) {
    // az looks the key up in Azure when it is left out; offline it must be given.
    for (const [flag, value] of Object.entries(azureFile)) {
      if (!value) throw new CreateFlagError(flag, "is required with the other --azure-file-volume-* flags");
    }
    add(
      {
        name: "azurefile",
        azureFile: {
          shareName: flags.azureFileVolumeShareName!,
          storageAccountName: flags.azureFileVolumeAccountName!,
          storageAccountKey: flags.azureFileVolumeAccountKey!,
          readOnly: false,
        },
      },
      flags.azureFileVolumeMountPath!,
      "--azure-file-volume-mount-path",
    );
  }

  const gitFlags = [flags.gitrepoUrl, flags.gitrepoDir, flags.gitrepoRevision, flags.gitrepoMountPath];
  if (gitFlags.some((v) => v !== undefined)) {
    if (!flags.gitrepoUrl)
      throw new CreateFlagError("--gitrepo-url", "is required with the other --gitrepo-* flags");
    if (!flags.gitrepoMountPath)
      throw new CreateFlagError("--gitrepo-mount-path", "is required with --gitrepo-url");
    if (flags.gitrepoUrl.startsWith("-"))
      throw new CreateFlagError("--gitrepo-url", "must not start with '-'");
    const gitRepo: NonNullable<Volume["gitRepo"]> = {
      repository: flags.gitrepoUrl,
      directory: flags.gitrepoDir ?? ".",
    };
    if (flags.gitrepoRevision !== undefined) gitRepo.revision = flags.gitrepoRevision;
    add({ name: "gitrepo", gitRepo }, flags.gitrepoMountPath, "--gitrepo-mount-path");
  }

  const secrets = pairs("--secrets", flags.secrets);
  if (secrets.length > 0 || flags.secretsMountPath !== undefined) {
    if (secrets.length === 0) throw new CreateFlagError("--secrets", "is required with --secrets-mount-path");
    if (!flags.secretsMountPath)
      throw new CreateFlagError("--secrets-mount-path", "is required with --secrets");
    const files: Record<string, string> = {};
    for (const [file, content] of secrets) {
      if (!/^[-._a-zA-Z0-9]+$/.test(file) || file.length > 253) {
        throw new CreateFlagError(
          "--secrets",
          `"${file}" is not a valid file name (letters, digits, '-', '_', '.')`,
        );
      }
      files[file] = Buffer.from(content, "utf8").toString("base64");
    }
    add({ name: "secrets", secret: files }, flags.secretsMountPath, "--secrets-mount-path");
  }
  return { volumes, mounts };
}
