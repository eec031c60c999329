// One ACI container group (`properties` and the resource's own fields, already free of template
// expressions except the Unresolved ones) to a ContainerGroup spec with the CRD's defaults filled
// in, as the API server would store it.

import type {
  Container,
  ContainerGroupSpec,
  ContainerPort,
  ContainerProbe,
  DnsConfig,
  EnvironmentVariable,
  GpuResource,
  ImageRegistryCredential,
  InitContainer,
  IpAddress,
  ResourceRequirements,
  SecretKeySelector,
  SecurityContext,
  Volume,
  VolumeMount,
} from "../api/types.js";
import { isUnresolved, type Unresolved } from "./arm-template.js";
import { AciImportError } from "./errors.js";
import {
  boolean,
  Fields,
  type ImportContext,
  isEmpty,
  join,
  number,
  oneOf,
  optional,
  requiredText,
  text,
  textList,
  unresolvedError,
} from "./fields.js";
import { isDnsLabel, toDnsLabel } from "./names.js";
import { READ_ONLY, unmappedMessage } from "./unmapped.js";

const OS_TYPES = ["Linux", "Windows"] as const;
const SKUS = ["Standard", "Dedicated", "Confidential"] as const;
const PRIORITIES = ["Regular", "Spot"] as const;
const RESTART_POLICIES = ["Always", "OnFailure", "Never"] as const;
const PROTOCOLS = ["TCP", "UDP"] as const;
const IP_TYPES = ["Public", "Private"] as const;
const SCOPES = ["Unsecure", "TenantReuse", "SubscriptionReuse", "ResourceGroupReuse", "Noreuse"] as const;
const SCHEMES = ["http", "https"] as const;
const GPU_SKUS = ["K80", "P100", "V100", "T4", "A10", "A100", "H100"] as const;
const SECCOMP_TYPES = ["RuntimeDefault", "Unconfined", "Localhost"] as const;

/** The Kubernetes Secret that imported groups refer to for secure values the document did not hold. */
export function importSecretName(groupName: string): string {
  return `${groupName}-aci-secrets`;
}

/** A Secret key from arbitrary text: Secret keys allow letters, digits, '-', '_' and '.'. */
function secretKey(...parts: string[]): string {
  return parts.map((p) => p.replace(/[^-._a-zA-Z0-9]/g, "_")).join(".");
}

export interface GroupSource {
  groupName: string;
  properties: Fields;
  /** Zones live beside `properties` in ARM and REST, inside it in some YAML files. */
  zones: { value: unknown; path: string } | undefined;
}

export function convertSpec(ctx: ImportContext, source: GroupSource): ContainerGroupSpec {
  const p = source.properties;
  const volumeNames = new Map<string, string>();
  const spec: ContainerGroupSpec = {
    osType: oneOf(p.at("osType"), p.get("osType"), OS_TYPES) ?? "Linux",
    sku: oneOf(p.at("sku"), p.get("sku"), SKUS) ?? "Standard",
    priority: oneOf(p.at("priority"), p.get("priority"), PRIORITIES) ?? "Regular",
    restartPolicy: oneOf(p.at("restartPolicy"), p.get("restartPolicy"), RESTART_POLICIES) ?? "Always",
    stopped: boolean(p.at("x-stopped"), p.get("x-stopped")) ?? false,
    containers: [],
  };
  const zones =
    source.zones ??
    (p.get("zones") !== undefined ? { value: p.get("zones"), path: p.at("zones") } : undefined);
  if (zones) {
    const list = textList(zones.path, optional(ctx, zones.path, zones.value));
    if (list && list.length > 0) spec.zones = list;
  }
  const serviceAccountName = text(p.at("x-serviceAccountName"), p.get("x-serviceAccountName"));
  if (serviceAccountName) spec.serviceAccountName = serviceAccountName;

  // Volumes first: their (normalised) names are what volumeMounts refer to.
  const volumes = p.list("volumes").map((item) => convertVolume(ctx, item.value, item.path, volumeNames));
  const containers = p.list("containers");
  if (containers.length === 0)
    throw new AciImportError(p.at("containers"), "a container group needs at least one container");
  const secrets = importSecretName(source.groupName);
  spec.containers = containers.map((item) =>
    convertContainer(ctx, item.value, item.path, volumeNames, secrets),
  );
  const initContainers = p
    .list("initContainers")
    .map((item) => convertInitContainer(ctx, item.value, item.path, volumeNames, secrets));
  if (initContainers.length > 0) spec.initContainers = initContainers;
  const credentials = p
    .list("imageRegistryCredentials")
    .map((item) => convertCredential(ctx, item.value, item.path, secrets));
  if (credentials.length > 0) spec.imageRegistryCredentials = credentials;
  const ipAddress = p.get("ipAddress");
  if (!isEmpty(ipAddress)) spec.ipAddress = convertIpAddress(ctx, p.object("ipAddress"));
  if (volumes.length > 0) spec.volumes = volumes;
  const dnsConfig = p.get("dnsConfig");
  if (!isEmpty(dnsConfig)) spec.dnsConfig = convertDnsConfig(p.object("dnsConfig"));
  p.skip(...READ_ONLY);
  reportUnread(ctx, p);
  return spec;
}

/** One warning per field that nobody read. */
export function reportUnread(ctx: ImportContext, fields: Fields): void {
  for (const [key, value] of fields.unread()) {
    if (isEmpty(value)) continue;
    const path = join(fields.path, key);
    ctx.warn(path, unmappedMessage(path));
  }
}

/** A DNS-label name (container, volume), normalised with a warning when the document's is not one. */
function labelName(ctx: ImportContext, path: string, value: unknown, what: string): string {
  const name = requiredText(path, value);
  if (isDnsLabel(name)) return name;
  const label = toDnsLabel(name);
  if (!label)
    throw new AciImportError(
      path,
      `"${name}" cannot be made a ${what} name (lowercase letters, digits, '-')`,
    );
  ctx.warn(
    path,
    `the ${what} name "${name}" is not a Kubernetes name (lowercase DNS label); it becomes "${label}"`,
  );
  return label;
}

/**
 * What containers and init containers share, read from `raw`; `extra` adds the fields only one of
 * them has, before the unread fields are reported.
 */
function convertContainerLike<T extends InitContainer>(
  ctx: ImportContext,
  raw: unknown,
  path: string,
  what: string,
  names: { volumes: Map<string, string>; secrets: string },
  extra: (p: Fields, container: InitContainer) => T,
): T {
  const outer = Fields.of(raw, path);
  const name = labelName(ctx, outer.at("name"), outer.get("name"), what);
  const p = outer.object("properties");
  const base: InitContainer = { name, image: requiredText(p.at("image"), p.get("image")) };
  const container = extra(p, base);
  const command = textList(p.at("command"), p.get("command"));
  if (command && command.length > 0) container.command = command;
  const env = convertEnv(ctx, p, name, names.secrets);
  if (env.length > 0) container.environmentVariables = env;
  const mounts = convertMounts(ctx, p, names.volumes);
  if (mounts.length > 0) container.volumeMounts = mounts;
  const securityContext = convertSecurityContext(ctx, p);
  if (securityContext) container.securityContext = securityContext;
  p.skip(...READ_ONLY);
  reportUnread(ctx, p);
  outer.skip(...READ_ONLY);
  reportUnread(ctx, outer);
  return container;
}

function convertContainer(
  ctx: ImportContext,
  raw: unknown,
  path: string,
  volumeNames: Map<string, string>,
  secrets: string,
): Container {
  return convertContainerLike(ctx, raw, path, "container", { volumes: volumeNames, secrets }, (p, base) => {
    const container: Container = { ...base, resources: convertResources(p.object("resources")) };
    const ports = p.list("ports").map((item) => convertPort(item.value, item.path));
    if (ports.length > 0) container.ports = ports;
    const liveness = p.get("livenessProbe");
    if (!isEmpty(liveness)) container.livenessProbe = convertProbe(p.object("livenessProbe"));
    const readiness = p.get("readinessProbe");
    if (!isEmpty(readiness)) container.readinessProbe = convertProbe(p.object("readinessProbe"));
    return container;
  });
}

function convertInitContainer(
  ctx: ImportContext,
  raw: unknown,
  path: string,
  volumeNames: Map<string, string>,
  secrets: string,
): InitContainer {
  return convertContainerLike(
    ctx,
    raw,
    path,
    "init container",
    { volumes: volumeNames, secrets },
    (_p, base) => base,
  );
}

function convertResources(resources: Fields): ResourceRequirements {
  const requests = resources.object("requests");
  const result: ResourceRequirements = {
    requests: {
      cpu: positive(requests.at("cpu"), requests.get("cpu"), "a number of cores") ?? 1,
      memoryInGB: positive(requests.at("memoryInGB"), requests.get("memoryInGB"), "a number of GB") ?? 1.5,
    },
  };
  const gpu = requests.get("gpu");
  if (!isEmpty(gpu)) result.requests.gpu = convertGpu(requests.object("gpu"));
  const limitsRaw = resources.get("limits");
  if (!isEmpty(limitsRaw)) {
    const limits = resources.object("limits");
    const cpu = positive(limits.at("cpu"), limits.get("cpu"), "a number of cores");
    const memoryInGB = positive(limits.at("memoryInGB"), limits.get("memoryInGB"), "a number of GB");
    result.limits = {};
    if (cpu !== undefined) result.limits.cpu = cpu;
    if (memoryInGB !== undefined) result.limits.memoryInGB = memoryInGB;
    if (!isEmpty(limits.get("gpu"))) result.limits.gpu = convertGpu(limits.object("gpu"));
  }
  return result;
}

function positive(path: string, value: unknown, what: string): number | undefined {
  const n = number(path, value, what);
  if (n !== undefined && n <= 0) throw new AciImportError(path, `expected ${what} greater than 0, got ${n}`);
  return n;
}

function convertGpu(gpu: Fields): GpuResource {
  const count = number(gpu.at("count"), gpu.get("count"), "a whole number of GPUs", true);
  if (count === undefined) throw new AciImportError(gpu.at("count"), "is required");
  const sku = oneOf(gpu.at("sku"), gpu.get("sku"), GPU_SKUS);
  if (sku === undefined) throw new AciImportError(gpu.at("sku"), "is required");
  return { count, sku };
}

function convertPort(raw: unknown, path: string): ContainerPort {
  const port = Fields.of(raw, path);
  const value = number(port.at("port"), port.get("port"), "a port number (1-65535)", true);
  if (value === undefined) throw new AciImportError(port.at("port"), "is required");
  if (value < 1 || value > 65535)
    throw new AciImportError(port.at("port"), `expected a port number (1-65535), got ${value}`);
  return { port: value, protocol: oneOf(port.at("protocol"), port.get("protocol"), PROTOCOLS) ?? "TCP" };
}

function convertEnv(
  ctx: ImportContext,
  p: Fields,
  container: string,
  secrets: string,
): EnvironmentVariable[] {
  return p.list("environmentVariables").map((item) => {
    const env = Fields.of(item.value, item.path);
    const name = requiredText(env.at("name"), env.get("name"));
    const value = env.get("value");
    const secureValue = env.get("secureValue");
    const from = env.get("x-secureValueFrom");
    if (from !== undefined) {
      return {
        name,
        secureValueFrom: {
          secretKeyRef: secretRef(Fields.of(from, env.at("x-secureValueFrom")).object("secretKeyRef")),
        },
      };
    }
    const secure = secureValue !== undefined;
    const chosen = secureValue !== undefined ? secureValue : value;
    const where = secureValue !== undefined ? env.at("secureValue") : env.at("value");
    // Something that is not there (an export's empty placeholder, listKeys(), a secure parameter
    // left out) becomes a key of the import Secret: the variable keeps its place and the user fills
    // in the value, instead of the group starting with a made-up or missing one.
    if (isUnresolved(chosen) || (secure && (chosen === undefined || chosen === null || chosen === ""))) {
      const key = secretKey(container, name);
      const cause = isUnresolved(chosen)
        ? `${chosen.expression} cannot be evaluated offline (${chosen.reason})`
        : "has no value";
      ctx.secretKeys.push({ secret: secrets, key, path: where, ...parameterOf(chosen) });
      ctx.warn(
        where,
        `${cause}; the variable now reads key "${key}" of Secret "${secrets}": create it with kubectl create secret generic ${secrets} --from-literal=${key}=<value>`,
      );
      return { name, secureValueFrom: { secretKeyRef: { name: secrets, key } } };
    }
    if (secure) return { name, secureValue: text(where, chosen)! };
    return { name, value: text(where, chosen) ?? "" };
  });
}

function parameterOf(value: unknown): { parameter?: string } {
  return isUnresolved(value) && value.parameter ? { parameter: value.parameter } : {};
}

function secretRef(ref: Fields): SecretKeySelector {
  return {
    name: requiredText(ref.at("name"), ref.get("name")),
    key: requiredText(ref.at("key"), ref.get("key")),
  };
}

function convertMounts(ctx: ImportContext, p: Fields, volumeNames: Map<string, string>): VolumeMount[] {
  return p.list("volumeMounts").map((item) => {
    const mount = Fields.of(item.value, item.path);
    const raw = requiredText(mount.at("name"), mount.get("name"));
    const name = volumeNames.get(raw.toLowerCase());
    if (name === undefined) {
      throw new AciImportError(
        mount.at("name"),
        `no volume is named "${raw}"; add it to properties.volumes or remove the mount`,
      );
    }
    const result: VolumeMount = {
      name,
      mountPath: requiredText(mount.at("mountPath"), mount.get("mountPath")),
      readOnly: boolean(mount.at("readOnly"), mount.get("readOnly")) ?? false,
    };
    reportUnread(ctx, mount);
    return result;
  });
}

function convertProbe(probe: Fields): ContainerProbe {
  const result: ContainerProbe = {};
  const exec = probe.get("exec");
  if (!isEmpty(exec)) {
    const e = probe.object("exec");
    result.exec = { command: textList(e.at("command"), e.get("command")) ?? [] };
  }
  const httpGet = probe.get("httpGet");
  if (!isEmpty(httpGet)) {
    const h = probe.object("httpGet");
    const port = number(h.at("port"), h.get("port"), "a port number (1-65535)", true);
    if (port === undefined) throw new AciImportError(h.at("port"), "is required");
    result.httpGet = { port, scheme: oneOf(h.at("scheme"), h.get("scheme"), SCHEMES) ?? "http" };
    const path = text(h.at("path"), h.get("path"));
    if (path !== undefined) result.httpGet.path = path;
    const headers = h.list("httpHeaders").map((header) => {
      const f = Fields.of(header.value, header.path);
      const name = requiredText(f.at("name"), f.get("name"));
      const value = text(f.at("value"), f.get("value"));
      return value === undefined ? { name } : { name, value };
    });
    if (headers.length > 0) result.httpGet.httpHeaders = headers;
  }
  if (!result.exec && !result.httpGet) throw new AciImportError(probe.path, "a probe needs exec or httpGet");
  for (const key of [
    "initialDelaySeconds",
    "periodSeconds",
    "failureThreshold",
    "successThreshold",
    "timeoutSeconds",
  ] as const) {
    const value = number(probe.at(key), probe.get(key), "a whole number", true);
    if (value !== undefined) result[key] = value;
  }
  return result;
}

function convertSecurityContext(ctx: ImportContext, p: Fields): SecurityContext | undefined {
  const raw = p.get("securityContext");
  if (isEmpty(raw)) return undefined;
  const s = p.object("securityContext");
  const result: SecurityContext = {};
  const privileged = boolean(s.at("privileged"), s.get("privileged"));
  if (privileged === true) {
    throw new AciImportError(
      s.at("privileged"),
      "privileged containers are never allowed here; remove it or set it to false",
    );
  }
  if (privileged === false) result.privileged = false;
  const escalation = boolean(s.at("allowPrivilegeEscalation"), s.get("allowPrivilegeEscalation"));
  if (escalation !== undefined) result.allowPrivilegeEscalation = escalation;
  const runAsUser = number(s.at("runAsUser"), s.get("runAsUser"), "a user id", true);
  if (runAsUser !== undefined) result.runAsUser = runAsUser;
  const runAsGroup = number(s.at("runAsGroup"), s.get("runAsGroup"), "a group id", true);
  if (runAsGroup !== undefined) result.runAsGroup = runAsGroup;
  const caps = s.get("capabilities");
  if (!isEmpty(caps)) {
    const c = s.object("capabilities");
    const add = textList(c.at("add"), c.get("add"));
    const drop = textList(c.at("drop"), c.get("drop"));
    result.capabilities = {};
    if (add && add.length > 0) result.capabilities.add = add;
    if (drop && drop.length > 0) result.capabilities.drop = drop;
  }
  // ACI's seccompProfile is a base64 profile document (reported as unmapped); the CRD's object
  // form travels in exported documents as x-seccompProfile.
  const seccomp = s.get("x-seccompProfile");
  if (!isEmpty(seccomp)) {
    const f = s.object("x-seccompProfile");
    const type = oneOf(f.at("type"), f.get("type"), SECCOMP_TYPES);
    if (type === undefined) throw new AciImportError(f.at("type"), "is required");
    const localhostProfile = text(f.at("localhostProfile"), f.get("localhostProfile"));
    result.seccompProfile = localhostProfile === undefined ? { type } : { type, localhostProfile };
  }
  reportUnread(ctx, s);
  return result;
}

function convertCredential(
  ctx: ImportContext,
  raw: unknown,
  path: string,
  secrets: string,
): ImageRegistryCredential {
  const c = Fields.of(raw, path);
  const server = requiredText(c.at("server"), c.get("server"));
  const username = text(c.at("username"), optional(ctx, c.at("username"), c.get("username")));
  if (username === undefined) {
    // ACI also accepts identity-based credentials (identity, identityUrl): none here.
    throw new AciImportError(
      c.at("username"),
      "is required: registry credentials need a username and a password (managed-identity pulls have no counterpart; use an image pull Secret's username and password)",
    );
  }
  const credential: ImageRegistryCredential = { server, username };
  const ref = c.get("x-passwordSecretRef");
  const password = c.get("password");
  if (ref !== undefined) {
    credential.passwordSecretRef = secretRef(c.object("x-passwordSecretRef"));
  } else if (isUnresolved(password) || password === undefined || password === null || password === "") {
    const key = secretKey("registry", server);
    const cause = isUnresolved(password)
      ? `${password.expression} cannot be evaluated offline (${password.reason})`
      : "has no value";
    ctx.secretKeys.push({ secret: secrets, key, path: c.at("password"), ...parameterOf(password) });
    ctx.warn(
      c.at("password"),
      `${cause}; the credential now reads key "${key}" of Secret "${secrets}": create it with kubectl create secret generic ${secrets} --from-literal=${key}=<password>`,
    );
    credential.passwordSecretRef = { name: secrets, key };
  } else {
    credential.password = requiredText(c.at("password"), password);
  }
  reportUnread(ctx, c);
  return credential;
}

function convertIpAddress(ctx: ImportContext, ip: Fields): IpAddress {
  const type = oneOf(ip.at("type"), ip.get("type"), IP_TYPES);
  if (type === undefined) throw new AciImportError(ip.at("type"), "is required (Public or Private)");
  const scopeValue = ip.get("autoGeneratedDomainNameLabelScope", "dnsNameLabelReusePolicy");
  const scopePath = ip.at(
    ip.get("autoGeneratedDomainNameLabelScope") !== undefined
      ? "autoGeneratedDomainNameLabelScope"
      : "dnsNameLabelReusePolicy",
  );
  const result: IpAddress = {
    type,
    ports: ip.list("ports").map((item) => convertPort(item.value, item.path)),
    autoGeneratedDomainNameLabelScope: oneOf(scopePath, scopeValue, SCOPES) ?? "Unsecure",
  };
  const label = text(ip.at("dnsNameLabel"), optional(ctx, ip.at("dnsNameLabel"), ip.get("dnsNameLabel")));
  if (label) {
    if (!isDnsLabel(label)) {
      throw new AciImportError(
        ip.at("dnsNameLabel"),
        `"${label}" is not a DNS label (lowercase letters, digits, '-', at most 63)`,
      );
    }
    result.dnsNameLabel = label;
  }
  ip.skip(...READ_ONLY);
  reportUnread(ctx, ip);
  return result;
}

function convertDnsConfig(dns: Fields): DnsConfig {
  const result: DnsConfig = { nameServers: textList(dns.at("nameServers"), dns.get("nameServers")) ?? [] };
  const searchDomains = text(dns.at("searchDomains"), dns.get("searchDomains"));
  if (searchDomains !== undefined) result.searchDomains = searchDomains;
  const options = text(dns.at("options"), dns.get("options"));
  if (options !== undefined) result.options = options;
  return result;
}

function convertVolume(ctx: ImportContext, raw: unknown, path: string, names: Map<string, string>): Volume {
  const v = Fields.of(raw, path);
  const original = requiredText(v.at("name"), v.get("name"));
  const name = labelName(ctx, v.at("name"), original, "volume");
  names.set(original.toLowerCase(), name);
  const volume: Volume = { name };
  if (v.get("azureFile") !== undefined) {
    const f = v.object("azureFile");
    const key = f.get("storageAccountKey");
    if (isUnresolved(key) || key === undefined || key === null || key === "") {
      throw missingSecret(f.at("storageAccountKey"), key, "the storage account's key", "storageAccountKey");
    }
    volume.azureFile = {
      shareName: lowercased(ctx, f.at("shareName"), f.get("shareName"), "share"),
      storageAccountName: lowercased(
        ctx,
        f.at("storageAccountName"),
        f.get("storageAccountName"),
        "storage account",
      ),
      storageAccountKey: requiredText(f.at("storageAccountKey"), key),
      readOnly: boolean(f.at("readOnly"), f.get("readOnly")) ?? false,
    };
    reportUnread(ctx, f);
  }
  if (v.get("emptyDir") !== undefined) volume.emptyDir = {};
  if (v.get("secret") !== undefined) {
    const s = v.object("secret");
    const files: Record<string, string> = {};
    for (const [file, content] of Object.entries(s.raw)) {
      const filePath = join(s.path, file);
      if (isUnresolved(content) || content === null || content === "") {
        throw missingSecret(filePath, content, `the content of secret file "${file}"`, file);
      }
      files[file] = requiredText(filePath, content);
    }
    if (Object.keys(files).length === 0)
      throw new AciImportError(s.path, "a secret volume needs at least one file");
    volume.secret = files;
  }
  if (v.get("gitRepo") !== undefined) {
    const g = v.object("gitRepo");
    volume.gitRepo = { repository: requiredText(g.at("repository"), g.get("repository")) };
    const directory = text(g.at("directory"), g.get("directory"));
    if (directory !== undefined) volume.gitRepo.directory = directory;
    const revision = text(g.at("revision"), g.get("revision"));
    if (revision !== undefined) volume.gitRepo.revision = revision;
    reportUnread(ctx, g);
  }
  if (v.get("x-fileShare") !== undefined) {
    const f = v.object("x-fileShare");
    const size = number(f.at("sizeInGB"), f.get("sizeInGB"), "a whole number of GB", true);
    if (size === undefined) throw new AciImportError(f.at("sizeInGB"), "is required");
    volume.fileShare = {
      sizeInGB: size,
      deletePolicy:
        oneOf(f.at("deletePolicy"), f.get("deletePolicy"), ["Retain", "Delete"] as const) ?? "Retain",
    };
    const storageClassName = text(f.at("storageClassName"), f.get("storageClassName"));
    if (storageClassName !== undefined) volume.fileShare.storageClassName = storageClassName;
  }
  if (v.get("x-persistentVolumeClaim") !== undefined) {
    const c = v.object("x-persistentVolumeClaim");
    volume.persistentVolumeClaim = {
      claimName: requiredText(c.at("claimName"), c.get("claimName")),
      readOnly: boolean(c.at("readOnly"), c.get("readOnly")) ?? false,
    };
  }
  const sources = Object.keys(volume).length - 1;
  if (sources !== 1) {
    throw new AciImportError(
      path,
      `a volume needs exactly one source (azureFile, emptyDir, secret or gitRepo), got ${sources}`,
    );
  }
  reportUnread(ctx, v);
  return volume;
}

/**
 * The CRD keeps azureFile keys and secret volume files inline and has no reference to an existing
 * Secret for them, so a value the document does not hold cannot be deferred: it is an error that
 * says how to supply it.
 */
function missingSecret(path: string, value: unknown, what: string, parameterHint: string): AciImportError {
  const advice =
    "the ContainerGroup keeps it inline (there is no Secret reference for it), so it must be given: " +
    (isUnresolved(value) && value.parameter
      ? `pass the parameter ${value.parameter}=<value>.`
      : `replace it with [parameters('${parameterHint}')] and pass that parameter, or write the value in.`);
  if (isUnresolved(value)) return unresolvedError(path, value as Unresolved, `${what}: ${advice}`);
  return new AciImportError(path, `${what} is missing; ${advice}`);
}

/** Azure storage account and share names are lowercase; ACI accepts any case. */
function lowercased(ctx: ImportContext, path: string, value: unknown, what: string): string {
  const name = requiredText(path, value);
  if (name === name.toLowerCase()) return name;
  ctx.warn(
    path,
    `the ${what} name "${name}" is written in lower case, as Azure Files stores it: "${name.toLowerCase()}"`,
  );
  return name.toLowerCase();
}
