// `make bench-start` (and the `start` phase of `make bench`): the time from a group's create to its
// container's first process running, on the local plane's real node, under gVisor and under runc,
// side by side with a bare Pod of the very spec the operator rendered, created directly.
//
// "Running" is taken from inside the container: its first command is a wget to an HTTP server in
// this process on the bridge's address, which notes when the request arrives. One clock (the
// host's), no Pod phase, no kubelet status lag. Groups are created one at a time, so each figure is
// a start on an idle node, not a queue.

import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { loadRealNode, type RealNode } from "../test/integration/plane.js";
import { BenchClient, deleteNamespace, ensureNamespace, type KubeObject, paths, sleep } from "./lib/kube.js";
import { buildOperator, freePort, OperatorProcess } from "./lib/operator.js";
import { ROOT } from "./lib/plane.js";
import { median, quantile, round } from "./lib/stats.js";

export interface StartTimes {
  runtimeClass: string;
  runs: number;
  /** Milliseconds from create sent to the first process's request, per run. */
  groupMs: number[];
  podMs: number[];
  groupP50: number;
  groupP99: number;
  podP50: number;
  podP99: number;
  /** Group p50 over bare-Pod p50. */
  ratio: number;
}

const KUBECONFIG = join(ROOT, ".local", "kubeconfig");

/** Notes when each name's first request arrives. */
class Arrivals {
  private readonly seen = new Map<string, number>();
  private readonly waiters = new Map<string, (at: number) => void>();
  private server: Server | undefined;
  port = 0;

  async listen(host: string): Promise<void> {
    this.server = createServer((req, res) => {
      const name = (req.url ?? "/").slice(1);
      const at = Date.now();
      if (!this.seen.has(name)) this.seen.set(name, at);
      this.waiters.get(name)?.(at);
      res.end("ok\n");
    });
    await new Promise<void>((resolve) => this.server?.listen(0, host, resolve));
    const addr = this.server.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
  }

  arrival(name: string, timeoutMs: number): Promise<number> {
    const at = this.seen.get(name);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name}: no request within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.set(name, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    });
  }

  close(): void {
    this.server?.close();
  }
}

function startCommand(url: string): string[] {
  // wget is the first thing the shell runs; the sleep keeps the container up until it is deleted,
  // and the trap ends it at once on SIGTERM (a shell as PID 1 ignores it otherwise, and each
  // deletion would wait out the 30 s grace period).
  return ["sh", "-c", `wget -q -O /dev/null ${url} ; trap 'exit 0' TERM; sleep 3600 & wait`];
}

function group(name: string, namespace: string, image: string, url: string): KubeObject {
  return {
    apiVersion: "containerinstances.dev/v1alpha1",
    kind: "ContainerGroup",
    metadata: { name, namespace },
    spec: {
      containers: [
        {
          name: "app",
          image,
          command: startCommand(url),
          // az container create's default size. A tiny CPU quota measures throttling, not start:
          // at 0.05 cores runc's shell and wget alone took over a second.
          resources: { requests: { cpu: 1, memoryInGB: 1.5 } },
        },
      ],
    },
  };
}

/** A bare Pod with the spec the operator rendered for `rendered`, its command pointed at `url`. */
function barePod(rendered: KubeObject, name: string, namespace: string, url: string): KubeObject {
  const { nodeName: _n, overhead: _o, ...spec } = (rendered.spec ?? {}) as Record<string, unknown>;
  const containers = (spec.containers as Record<string, unknown>[]).map((c) => ({
    ...c,
    command: startCommand(url),
  }));
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace }, spec: { ...spec, containers } };
}

async function create(client: BenchClient, path: string, body: KubeObject): Promise<number> {
  const sent = Date.now();
  const res = await client.raw("POST", path, body);
  if (res.status !== 201) throw new Error(`create ${path}: ${res.status} ${res.body}`);
  return sent;
}

/** Deletes and waits until the Pod is gone, so the next start meets an idle node. */
async function deleteAndWait(client: BenchClient, path: string, podPath: string): Promise<void> {
  await client.raw("DELETE", path);
  for (let i = 0; i < 600; i++) {
    if ((await client.raw("GET", podPath)).status === 404) return;
    await sleep(100);
  }
}

/** The plane's real node as plane.env says now, or an error that says why there is none. */
function requireRealNode(): RealNode {
  const { node, reason } = loadRealNode();
  if (!node) throw new Error(`no real node: ${reason}`);
  return node;
}

export async function measureStartTimes(
  runtimeClass: string,
  runs: number,
  dist: string,
): Promise<StartTimes> {
  const realNode = requireRealNode();
  const client = new BenchClient(KUBECONFIG);
  const namespace = `bench-start-${runtimeClass}`;
  await deleteNamespace(client, namespace).catch(() => undefined);
  await ensureNamespace(client, namespace);
  const arrivals = new Arrivals();
  await arrivals.listen(realNode.nodeIp);
  const base = `http://${realNode.nodeIp}:${arrivals.port}`;
  const operator = new OperatorProcess({
    port: await freePort(),
    metricsPort: await freePort(),
    kubeconfig: KUBECONFIG,
    dist,
    logFile: join(ROOT, ".local", "bench-start", `operator-${runtimeClass}.log`),
    args: [`--watch-namespace=${namespace}`, `--runtime-class=${runtimeClass}`, "--log-level=info"],
  });
  const groupMs: number[] = [];
  const podMs: number[] = [];
  try {
    await operator.waitReady();
    let rendered: KubeObject | undefined;
    // One unmeasured start first: the node's first Pod of a run pays one-off costs (image
    // unpacking into the snapshotter, the runtime's first exec).
    for (let i = 0; i <= runs; i++) {
      const name = `g-${i}`;
      const sent = await create(
        client,
        paths.groups(namespace),
        group(name, namespace, realNode.busyboxImage, `${base}/${name}`),
      );
      const at = await arrivals.arrival(name, 120_000);
      if (i > 0) groupMs.push(at - sent);
      rendered ??= await client.json("GET", `${paths.pods(namespace)}/${name}`);
      await deleteAndWait(client, `${paths.groups(namespace)}/${name}`, `${paths.pods(namespace)}/${name}`);
    }
    for (let i = 0; i <= runs; i++) {
      const name = `p-${i}`;
      const sent = await create(
        client,
        paths.pods(namespace),
        barePod(rendered as KubeObject, name, namespace, `${base}/${name}`),
      );
      const at = await arrivals.arrival(name, 120_000);
      if (i > 0) podMs.push(at - sent);
      await deleteAndWait(client, `${paths.pods(namespace)}/${name}`, `${paths.pods(namespace)}/${name}`);
    }
  } finally {
    await operator.stop();
    arrivals.close();
    await deleteNamespace(client, namespace).catch(() => undefined);
  }
  const groupP50 = Math.round(median(groupMs));
  const podP50 = Math.round(median(podMs));
  return {
    runtimeClass,
    runs,
    groupMs,
    podMs,
    groupP50,
    groupP99: Math.round(quantile(groupMs, 0.99)),
    podP50,
    podP99: Math.round(quantile(podMs, 0.99)),
    ratio: round(groupP50 / podP50),
  };
}

/** Both sandboxes of the real node, gVisor first. */
export async function measureAllStartTimes(runs: number, dist: string): Promise<StartTimes[]> {
  const realNode = requireRealNode();
  const out: StartTimes[] = [];
  for (const rc of [realNode.sandboxRuntimeClass, realNode.runcRuntimeClass])
    out.push(await measureStartTimes(rc, runs, dist));
  return out;
}

export function startTimesTable(results: readonly StartTimes[]): string {
  const lines = [
    "| runtime | runs | group create to first process p50 / p99 | bare Pod p50 / p99 | ratio (p50) |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const r of results) {
    lines.push(
      `| ${r.runtimeClass} | ${r.runs} | ${r.groupP50} / ${r.groupP99} ms | ${r.podP50} / ${r.podP99} ms | ${r.ratio} |`,
    );
  }
  return lines.join("\n");
}

// Run directly: `node --import tsx bench/start-time.ts` (make bench-start).
if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.env.BENCH_START_TIME_RUNS ?? 20);
  const dist = join(ROOT, ".local", "bench-start", "dist");
  buildOperator(dist);
  const results = await measureAllStartTimes(runs, dist);
  console.log(startTimesTable(results));
  console.log(JSON.stringify(results));
}
