// The benchmark's own API client: plain HTTPS with the kubeconfig's client certificate and a user
// agent of its own ("cio-bench"), so the audit log tells the harness's writes apart from the
// operator's ("container-instances-operator/<version>", src/runtime/user-agent.ts) and kube-controller-manager's. The same client
// creates groups and ReplicaSets, so both sides of every comparison get the same creator.
import { readFileSync } from "node:fs";
import { Agent, request as httpsRequest } from "node:https";
import { parse } from "yaml";

export const BENCH_USER_AGENT = "cio-bench/1.0";

interface KubeconfigFile {
  clusters: { name: string; cluster: Record<string, string> }[];
  users: { name: string; user: Record<string, string> }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  "current-context": string;
}

function fileOrData(entry: Record<string, string>, key: string): Buffer {
  const data = entry[`${key}-data`];
  if (data) return Buffer.from(data, "base64");
  const file = entry[key];
  if (!file) throw new Error(`kubeconfig: no ${key}`);
  return readFileSync(file);
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { uid: string; kind: string; name: string; controller?: boolean }[];
    deletionTimestamp?: string;
    creationTimestamp?: string;
    [k: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
}

export type WatchEvent = { type: string; object: KubeObject };

export class BenchClient {
  readonly server: URL;
  private readonly agent: Agent;

  constructor(readonly kubeconfigPath: string) {
    const kc = parse(readFileSync(kubeconfigPath, "utf8")) as KubeconfigFile;
    const ctx = kc.contexts.find((c) => c.name === kc["current-context"])?.context;
    const cluster = kc.clusters.find((c) => c.name === ctx?.cluster)?.cluster;
    const user = kc.users.find((u) => u.name === ctx?.user)?.user;
    if (!cluster || !user) throw new Error(`kubeconfig ${kubeconfigPath}: no current context`);
    this.server = new URL(cluster.server ?? "");
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 64,
      ca: fileOrData(cluster, "certificate-authority"),
      cert: fileOrData(user, "client-certificate"),
      key: fileOrData(user, "client-key"),
    });
  }

  /** One request; resolves with the status and the raw body, never throws on HTTP errors. */
  raw(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
      const req = httpsRequest(
        {
          agent: this.agent,
          host: this.server.hostname,
          port: this.server.port,
          method,
          path,
          headers: {
            "User-Agent": BENCH_USER_AGENT,
            Accept: "application/json",
            ...(payload !== undefined
              ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) }
              : {}),
          },
          timeout: 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  async json<T = KubeObject>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.raw(method, path, body, contentType);
    if (res.status < 200 || res.status >= 300) throw new HttpError(res.status, res.body, `${method} ${path}`);
    return JSON.parse(res.body) as T;
  }

  /** Every item of a collection, paged; starts over when a continue token expires (410). */
  async list(path: string, query: Record<string, string> = {}): Promise<{ items: KubeObject[]; rv: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.listOnce(path, query);
      } catch (e) {
        if (!(e instanceof HttpError && e.status === 410) || attempt >= 5) throw e;
      }
    }
  }

  private async listOnce(
    path: string,
    query: Record<string, string>,
  ): Promise<{ items: KubeObject[]; rv: string }> {
    const items: KubeObject[] = [];
    let cont = "";
    let rv = "";
    do {
      const q = new URLSearchParams({ ...query, limit: "500", ...(cont ? { continue: cont } : {}) });
      const page = await this.json<{
        items: KubeObject[];
        metadata: { continue?: string; resourceVersion: string };
      }>("GET", `${path}?${q}`);
      items.push(...page.items);
      cont = page.metadata.continue ?? "";
      rv = page.metadata.resourceVersion;
    } while (cont);
    return { items, rv };
  }

  /** A watch from `resourceVersion`; `onEvent` sees each event as it arrives. Call stop() to end it. */
  watch(
    path: string,
    query: Record<string, string>,
    onEvent: (e: WatchEvent) => void,
    onEnd: (err?: Error) => void = () => {},
  ): { stop(): void } {
    const q = new URLSearchParams({
      ...query,
      watch: "true",
      allowWatchBookmarks: "true",
      timeoutSeconds: "3600",
    });
    let buffer = "";
    let stopped = false;
    const req = httpsRequest(
      {
        agent: this.agent,
        host: this.server.hostname,
        port: this.server.port,
        method: "GET",
        path: `${path}?${q}`,
        headers: { "User-Agent": BENCH_USER_AGENT, Accept: "application/json" },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          onEnd(new Error(`watch ${path}: HTTP ${res.statusCode}`));
          return;
        }
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let nl = buffer.indexOf("\n");
          while (nl >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            if (line.trim()) onEvent(JSON.parse(line) as WatchEvent);
            nl = buffer.indexOf("\n");
          }
        });
        res.on("end", () => {
          if (!stopped) onEnd();
        });
        res.on("error", (e) => {
          if (!stopped) onEnd(e);
        });
      },
    );
    req.on("error", (e) => {
      if (!stopped) onEnd(e);
    });
    req.end();
    return {
      stop() {
        stopped = true;
        req.destroy();
      },
    };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function forEachLimit<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export const paths = {
  groups: (ns: string) => `/apis/containerinstances.dev/v1alpha1/namespaces/${ns}/containergroups`,
  pods: (ns: string) => `/api/v1/namespaces/${ns}/pods`,
  replicaSets: (ns: string) => `/apis/apps/v1/namespaces/${ns}/replicasets`,
  networkPolicies: (ns: string) => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`,
  services: (ns: string) => `/api/v1/namespaces/${ns}/services`,
  secrets: (ns: string) => `/api/v1/namespaces/${ns}/secrets`,
  claims: (ns: string) => `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
  namespaces: "/api/v1/namespaces",
};

/** Creates a namespace (idempotent). */
export async function ensureNamespace(client: BenchClient, name: string): Promise<void> {
  const res = await client.raw("POST", paths.namespaces, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "bench.containerinstances.dev/owned": "true" } },
  });
  if (res.status !== 201 && res.status !== 409)
    throw new HttpError(res.status, res.body, `create namespace ${name}`);
}

/** Deletes a namespace and waits until it is gone (its Pods included), up to `timeoutMs`. */
export async function deleteNamespace(client: BenchClient, name: string, timeoutMs = 300_000): Promise<void> {
  await client.raw("DELETE", `${paths.namespaces}/${name}`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await client.raw("GET", `${paths.namespaces}/${name}`);
    if (res.status === 404) return;
    await sleep(1000);
  }
  throw new Error(`namespace ${name} still exists after ${timeoutMs / 1000} s`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
