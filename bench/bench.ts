// `make bench`: the operator measured on a private local plane (name "bench", .local/kwok-bench),
// never on the shared one. Every figure is a median of repeated runs, and each comparison with
// kube-controller-manager is measured side by side in the same run. Prints a table and writes
// bench/results/latest.json. Settings: see `env` below and docs/performance.md.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { type AuditEntry, AuditLog, countWrites, OPERATOR_AGENT, REPLICASET_AGENT } from "./lib/audit.js";
import { minimalGroup, oneReplicaSet, templateSpecOf } from "./lib/fixtures.js";
import {
  type BenchClient,
  deleteNamespace,
  ensureNamespace,
  forEachLimit,
  type KubeObject,
  paths,
  sleep,
} from "./lib/kube.js";
import { buildOperator, DIST, freePort, OperatorProcess } from "./lib/operator.js";
import { benchNodes, Plane, ROOT, rssBytes } from "./lib/plane.js";
import { MiB, median, quantile, round } from "./lib/stats.js";
import { groupIsReady, podIsRunning, replicaSetIsReady, Tracker, waitFor } from "./lib/tracker.js";
import { measureAllStartTimes, type StartTimes, startTimesTable } from "./start-time.js";

const quick = process.env.BENCH_QUICK === "1";
const num = (name: string, full: number, short: number) =>
  Number(process.env[name] ?? (quick ? short : full));
const env = {
  groups: num("BENCH_GROUPS", 1000, 200),
  runs: num("BENCH_RUNS", 3, 1),
  /** The 1000-group convergence is the slow part (about 9 min a run at QPS 20); its own count. */
  convergenceRuns: num("BENCH_CONVERGENCE_RUNS", Number(process.env.BENCH_RUNS ?? 3), 1),
  largeGroups: num("BENCH_LARGE_GROUPS", 10_000, 2000),
  largeRuns: num("BENCH_LARGE_RUNS", 1, 1),
  startRuns: num("BENCH_START_RUNS", 3, 1),
  idleSeconds: num("BENCH_IDLE_SECONDS", 300, 60),
  latencyRate: num("BENCH_LATENCY_RATE", 20, 20),
  latencySeconds: num("BENCH_LATENCY_SECONDS", 60, 20),
  latencyDrainSeconds: num("BENCH_LATENCY_DRAIN_SECONDS", 90, 45),
  /** Runs at QPS 20, which cannot keep up with 20 groups/s (see docs/performance.md); 0 skips them. */
  latencyDefaultRuns: num("BENCH_LATENCY_DEFAULT_RUNS", 1, 1),
  /** The operator's --workers in the latency phase; 0: its default. */
  latencyWorkers: num("BENCH_LATENCY_WORKERS", 0, 0),
  /**
   * Client QPS of the operator in the latency phase's second setting (the first is the default, 20);
   * 0: no client-side limit, as controller-runtime since v0.21.
   */
  latencyHighQps: num("BENCH_LATENCY_HIGH_QPS", 0, 0),
  /** The 10,000-group set-up runs the operator at this QPS to converge quickly; start-to-ready uses the default. */
  setupQps: num("BENCH_SETUP_QPS", 400, 400),
  createConcurrency: num("BENCH_CREATE_CONCURRENCY", 16, 16),
  timeoutSeconds: num("BENCH_TIMEOUT_SECONDS", 900, 300),
  /** Also measure convergence with the NetworkPolicy on (one run). */
  networkPolicyRuns: num("BENCH_NETWORK_POLICY_RUNS", 0, 0),
  keepPlane: process.env.BENCH_KEEP_PLANE === "1",
  /** Phases to run (comma list): convergence (with idle and memory at BENCH_GROUPS), latency, large. */
  phases: (process.env.BENCH_PHASES ?? "convergence,latency,large,realnode").split(","),
  /** Real-node phase (shared local plane, after the private one is down): starts per runtime. */
  realNodeRuns: num("BENCH_START_TIME_RUNS", 20, 5),
  /** A module the operator's node loads first (--import), for experiments (bench/experiments/). */
  operatorImport: process.env.BENCH_OPERATOR_IMPORT ?? "",
  /** A module the operator that converges the 10,000 groups (not itself measured) loads first. */
  setupImport: process.env.BENCH_SETUP_IMPORT ?? "",
  planeName: process.env.BENCH_PLANE ?? "bench",
};

const resultsDir = join(ROOT, "bench", "results");
const logsDir = join(resultsDir, "logs");
const say = (msg: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface ConvergenceRun {
  seconds: number;
  writes: number;
  writesPerObject: number;
  byKind: Record<string, number>;
  cpuSeconds?: number;
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function createAll(client: BenchClient, path: string, objects: KubeObject[]): Promise<void> {
  await forEachLimit(objects, env.createConcurrency, async (o) => {
    await client.json("POST", path, o);
  });
}

class Bench {
  readonly plane = new Plane(env.planeName);
  readonly audit = new AuditLog(this.plane.auditLog);
  client!: BenchClient;
  podSpec!: Record<string, unknown>;
  operators: OperatorProcess[] = [];
  crashes: string[] = [];

  async startOperator(label: string, args: string[], preload = env.operatorImport): Promise<OperatorProcess> {
    const op = new OperatorProcess({
      port: await freePort(),
      metricsPort: await freePort(),
      kubeconfig: this.plane.kubeconfig,
      args: ["--log-level=warn", ...args],
      ...(preload ? { nodeArgs: ["--import", join(ROOT, preload)] } : {}),
      logFile: join(logsDir, `operator-${label}.log`),
    });
    this.operators.push(op);
    return op;
  }

  async stopOperator(op: OperatorProcess): Promise<void> {
    if (op.crashed) this.crashes.push(`${op.options.logFile}: ${JSON.stringify(op.exit)}`);
    await op.stop();
  }

  /** A group converged by the operator, whose Pod becomes the ReplicaSets' template. */
  async probe(): Promise<void> {
    const ns = "bench-probe";
    await ensureNamespace(this.client, ns);
    const op = await this.startOperator("probe", ["--network-policy=false"]);
    await op.waitReady();
    await this.client.json("POST", paths.groups(ns), minimalGroup("probe", ns, "probe"));
    for (let i = 0; i < 200; i++) {
      const r = await this.client.raw("GET", `${paths.pods(ns)}/probe`);
      if (r.status === 200) {
        this.podSpec = templateSpecOf(JSON.parse(r.body) as KubeObject);
        break;
      }
      await sleep(100);
    }
    if (!this.podSpec) throw new Error("the probe group got no Pod");
    await this.stopOperator(op);
    await deleteNamespace(this.client, ns);
  }

  /** N groups applied at once, until every Pod runs and every group is Ready. Leaves the groups in place. */
  async convergeGroups(ns: string, n: number, op: OperatorProcess): Promise<ConvergenceRun> {
    await ensureNamespace(this.client, ns);
    const groups = new Tracker(this.client, paths.groups(ns), groupIsReady);
    const pods = new Tracker(this.client, paths.pods(ns), podIsRunning);
    await Promise.all([groups.start(), pods.start()]);
    const cpu0 = cpuSeconds(op.pid);
    const mark = this.audit.mark();
    const t0 = Date.now();
    const objects = Array.from({ length: n }, (_, i) => minimalGroup(`g-${i}`, ns, ns));
    const created = createAll(this.client, paths.groups(ns), objects);
    const done = waitFor(
      [groups, pods],
      () => groups.doneCount >= n && pods.doneCount >= n,
      env.timeoutSeconds * 1000,
    );
    await created;
    const t1 = await done.finally(() => {
      groups.stop();
      pods.stop();
    });
    const cpu1 = cpuSeconds(op.pid);
    await sleep(2000); // let the last writes reach the audit log
    const w = countWrites(this.audit.read(mark), OPERATOR_AGENT, ns);
    return {
      seconds: (t1 - t0) / 1000,
      writes: w.total,
      writesPerObject: w.total / n,
      byKind: w.byKind,
      cpuSeconds: cpu1 - cpu0,
    };
  }

  /** N one-replica ReplicaSets, until every Pod runs and every ReplicaSet reports it ready. */
  async convergeReplicaSets(ns: string, n: number): Promise<ConvergenceRun> {
    await ensureNamespace(this.client, ns);
    const sets = new Tracker(this.client, paths.replicaSets(ns), replicaSetIsReady);
    const pods = new Tracker(this.client, paths.pods(ns), podIsRunning);
    await Promise.all([sets.start(), pods.start()]);
    const kcm = this.plane.pid("kube-controller-manager");
    const cpu0 = cpuSeconds(kcm);
    const mark = this.audit.mark();
    const t0 = Date.now();
    const objects = Array.from({ length: n }, (_, i) => oneReplicaSet(`rs-${i}`, ns, ns, this.podSpec));
    const created = createAll(this.client, paths.replicaSets(ns), objects);
    const done = waitFor(
      [sets, pods],
      () => sets.doneCount >= n && pods.doneCount >= n,
      env.timeoutSeconds * 1000,
    );
    await created;
    const t1 = await done.finally(() => {
      sets.stop();
      pods.stop();
    });
    const cpu1 = cpuSeconds(kcm);
    await sleep(2000);
    const w = countWrites(this.audit.read(mark), REPLICASET_AGENT, ns);
    return {
      seconds: (t1 - t0) / 1000,
      writes: w.total,
      writesPerObject: w.total / n,
      byKind: w.byKind,
      cpuSeconds: cpu1 - cpu0,
    };
  }

  /** Groups applied at a steady rate; apply-to-Pod-created latency from the audit log's own timestamps. */
  async latency(ns: string, qps: number): Promise<LatencyRun> {
    await ensureNamespace(this.client, ns);
    const op = await this.startOperator(`latency-${ns}`, [
      "--network-policy=false",
      `--kube-api-qps=${qps}`,
      `--kube-api-burst=${Math.max(1, Math.round(qps * 1.5))}`,
      ...(env.latencyWorkers > 0 ? [`--workers=${env.latencyWorkers}`] : []),
    ]);
    await op.waitReady();
    const pods = new Tracker(this.client, paths.pods(ns), () => true);
    await pods.start();
    const mark = this.audit.mark();
    const total = env.latencyRate * env.latencySeconds;
    const interval = 1000 / env.latencyRate;
    const t0 = Date.now();
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + i * interval;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      inflight.push(this.client.json("POST", paths.groups(ns), minimalGroup(`l-${i}`, ns, ns)));
    }
    await Promise.all(inflight);
    await waitFor([pods], () => pods.doneCount >= total, env.latencyDrainSeconds * 1000).catch(
      () => undefined,
    );
    pods.stop();
    await sleep(1500);
    const entries = this.audit.read(mark).filter((e) => e.namespace === ns && e.code < 300);
    const applied = new Map<string, AuditEntry>();
    const podCreated = new Map<string, AuditEntry>();
    for (const e of entries) {
      if (e.verb === "create" && e.resource === "containergroups" && !OPERATOR_AGENT.test(e.userAgent))
        applied.set(e.name, e);
      if (e.verb === "create" && e.resource === "pods" && OPERATOR_AGENT.test(e.userAgent))
        podCreated.set(e.name, e);
    }
    // A group whose Pod never came within the drain window counts as slower than every measured one.
    // Where the time goes: the operator's share runs from the group's create response to the Pod
    // create's arrival (watch delivery, queue, reconcile); the rest is the API server's two requests.
    const samples: number[] = [];
    const operatorShare: number[] = [];
    let missing = 0;
    for (const [name, group] of applied) {
      const pod = podCreated.get(name);
      if (pod === undefined) {
        missing++;
        samples.push(Number.POSITIVE_INFINITY);
        operatorShare.push(Number.POSITIVE_INFINITY);
      } else {
        samples.push(pod.completed - group.received);
        operatorShare.push(pod.received - group.completed);
      }
    }
    await this.stopOperator(op);
    await deleteNamespace(this.client, ns);
    if (samples.length === 0) throw new Error(`latency run in ${ns}: no group creates in the audit log`);
    return {
      p50: quantile(samples, 0.5),
      p99: quantile(samples, 0.99),
      operatorP50: quantile(operatorShare, 0.5),
      operatorP99: quantile(operatorShare, 0.99),
      samples: samples.length,
      missing,
    };
  }
}

/** `--kube-api-qps=0` turns the client-side limit off. */
function qpsLabel(qps: number | undefined): string {
  return qps === 0 ? "no client QPS limit" : `QPS ${qps}`;
}

interface LatencyRun {
  p50: number;
  p99: number;
  /** From the group's create response to the Pod create's arrival at the API server. */
  operatorP50: number;
  operatorP99: number;
  samples: number;
  missing: number;
}

function fmt(x: number | undefined, digits = 2): string {
  if (x === undefined || Number.isNaN(x)) return "n/a";
  if (!Number.isFinite(x)) return "> window";
  return String(round(x, digits));
}

async function main(): Promise<void> {
  mkdirSync(logsDir, { recursive: true });
  const started = Date.now();
  const b = new Bench();
  say(`settings: ${JSON.stringify(env)}`);
  say("building the operator into .local/bench-dist");
  const build = process.env.BENCH_SKIP_BUILD === "1" ? { commit: "prebuilt", dirty: true } : buildOperator();
  say(`starting the private plane "${env.planeName}" (the shared plane is not touched)`);
  await b.plane.up();
  await b.plane.kubectl(["apply", "-f", "-"], benchNodes(6));
  b.client = b.plane.client();
  await sleep(3000);
  const kcmBaselineRss = rssBytes(b.plane.pid("kube-controller-manager"));
  const kcmArgs = b.plane.componentArgs("kube-controller-manager").args;
  const results: Record<string, unknown> = {};
  try {
    await b.probe();

    // 1. Convergence, side by side in each run: the operator, then the ReplicaSet controller.
    const op: ConvergenceRun[] = [];
    const rs: ConvergenceRun[] = [];
    let idle: Record<string, unknown> = {};
    let mem1k: Record<string, number> = {};
    const convergenceRuns = env.phases.includes("convergence") ? env.convergenceRuns : 0;
    for (let r = 0; r < convergenceRuns; r++) {
      const last = r === convergenceRuns - 1;
      const operator = await b.startOperator(`converge-${r}`, ["--network-policy=false"]);
      await operator.waitReady();
      const o = await b.convergeGroups(`cg-${r}`, env.groups, operator);
      op.push(o);
      say(
        `run ${r + 1}/${env.convergenceRuns}: ${env.groups} groups converged in ${fmt(o.seconds)} s (${fmt(o.writesPerObject)} writes/group)`,
      );
      if (last) {
        // 2. Idle: everything converged, nothing changes; every write counts.
        say(`idle window: ${env.idleSeconds} s with ${env.groups} converged groups`);
        await sleep(5000);
        const mark = b.audit.mark();
        await sleep(env.idleSeconds * 1000);
        const w = countWrites(b.audit.read(mark), OPERATOR_AGENT);
        idle = { seconds: env.idleSeconds, writes: w.total, byKind: w.byKind };
        const m = await operator.memory();
        mem1k = { ...m, kcmRss: rssBytes(b.plane.pid("kube-controller-manager")) ?? Number.NaN };
        say(`idle: ${w.total} writes; RSS ${fmt(m.rss / MiB, 0)} MiB, heap ${fmt(m.heapUsed / MiB, 0)} MiB`);
      }
      await b.stopOperator(operator);
      await deleteNamespace(b.client, `cg-${r}`);
      const s = await b.convergeReplicaSets(`rs-${r}`, env.groups);
      rs.push(s);
      say(
        `run ${r + 1}/${env.convergenceRuns}: ${env.groups} ReplicaSets converged in ${fmt(s.seconds)} s (${fmt(s.writesPerObject)} writes/set)`,
      );
      await deleteNamespace(b.client, `rs-${r}`);
    }
    const npRuns: ConvergenceRun[] = [];
    for (let r = 0; r < env.networkPolicyRuns; r++) {
      const operator = await b.startOperator(`converge-np-${r}`, []);
      await operator.waitReady();
      const o = await b.convergeGroups(`cg-np-${r}`, env.groups, operator).catch((e: unknown) => {
        say(`with NetworkPolicy: ${String(e)}`);
        return {
          seconds: Number.POSITIVE_INFINITY,
          writes: Number.NaN,
          writesPerObject: Number.NaN,
          byKind: {},
        };
      });
      npRuns.push(o);
      await b.stopOperator(operator);
      await deleteNamespace(b.client, `cg-np-${r}`);
    }
    results.convergence = {
      groups: env.groups,
      runs: env.convergenceRuns,
      operatorSeconds: median(op.map((x) => x.seconds)),
      replicaSetSeconds: median(rs.map((x) => x.seconds)),
      ratio: median(op.map((x, i) => x.seconds / (rs[i]?.seconds ?? Number.NaN))),
      operatorRuns: op,
      replicaSetRuns: rs,
      networkPolicyRuns: npRuns,
      note: "operator with --network-policy=false (a minimal group then creates a Pod only, as a ReplicaSet does); both at client QPS 20, burst 30",
    };
    results.cost = {
      writesPerGroup: median(op.map((x) => x.writesPerObject)),
      writesPerReplicaSet: median(rs.map((x) => x.writesPerObject)),
      idle,
    };

    // 3. Latency at a steady rate, at the default client QPS and at a higher one.
    const lat20: LatencyRun[] = [];
    const latHigh: typeof lat20 = [];
    for (let r = 0; r < (env.phases.includes("latency") ? env.runs : 0); r++) {
      const high = await b.latency(`lat-high-${r}`, env.latencyHighQps);
      latHigh.push(high);
      say(
        `latency at ${qpsLabel(env.latencyHighQps)}: p50 ${fmt(high.p50, 0)} ms, p99 ${fmt(high.p99, 0)} ms (the operator's share: p50 ${fmt(high.operatorP50, 0)} ms, p99 ${fmt(high.operatorP99, 0)} ms)`,
      );
      if (r < env.latencyDefaultRuns) {
        // At the default QPS the operator cannot keep up with 20 groups/s (see docs): one run, bounded.
        const low = await b.latency(`lat-default-${r}`, 20);
        lat20.push(low);
        say(
          `latency at QPS 20: p50 ${fmt(low.p50, 0)} ms, p99 ${fmt(low.p99, 0)} ms, ${low.missing} without a Pod in the window`,
        );
      }
    }
    results.latency = {
      ratePerSecond: env.latencyRate,
      seconds: env.latencySeconds,
      defaultQps: {
        p50Ms: median(lat20.map((x) => x.p50)),
        p99Ms: median(lat20.map((x) => x.p99)),
        runs: lat20,
      },
      highQps: {
        qps: env.latencyHighQps,
        p50Ms: median(latHigh.map((x) => x.p50)),
        p99Ms: median(latHigh.map((x) => x.p99)),
        operatorP50Ms: median(latHigh.map((x) => x.operatorP50)),
        operatorP99Ms: median(latHigh.map((x) => x.operatorP99)),
        runs: latHigh,
      },
    };

    // 4. Memory and start with many groups.
    const large: Record<string, unknown>[] = [];
    for (let r = 0; r < (env.phases.includes("large") ? env.largeRuns : 0); r++) {
      const ns = `large-${r}`;
      await ensureNamespace(b.client, ns);
      const setup = await b.startOperator(
        `large-setup-${r}`,
        ["--network-policy=false", `--kube-api-qps=${env.setupQps}`, `--kube-api-burst=${env.setupQps * 2}`],
        env.setupImport,
      );
      await setup.waitReady();
      say(`creating ${env.largeGroups} groups (operator at QPS ${env.setupQps} for the set-up)`);
      const conv = await b.convergeGroups(ns, env.largeGroups, setup);
      say(`${env.largeGroups} groups converged in ${fmt(conv.seconds)} s`);
      await b.stopOperator(setup);
      const starts: number[] = [];
      const drains: number[] = [];
      const restartWrites: number[] = [];
      const mems: Record<string, number>[] = [];
      for (let s = 0; s < env.startRuns; s++) {
        const mark = b.audit.mark();
        const op2 = await b.startOperator(`large-start-${r}-${s}`, ["--network-policy=false"]);
        const ready = await op2.waitReady();
        starts.push(ready);
        // Until every group has been reconciled once after the start (queue empty).
        // Capped, in case something keeps the queue from emptying (with --usage-interval-seconds=60,
        // the usage writes of 10,000 groups outrun the 20 writes/s budget: docs/performance.md).
        const deadline = Date.now() + 120_000;
        for (;;) {
          const m = await op2.metrics();
          const reconciled = OperatorProcess.sum(m, "controller_runtime_reconcile_total");
          const depth = OperatorProcess.sum(m, "workqueue_depth");
          if ((reconciled >= env.largeGroups && depth === 0) || Date.now() > deadline) break;
          await sleep(250);
        }
        drains.push((Date.now() - op2.startedAt) / 1000);
        await sleep(10_000);
        restartWrites.push(countWrites(b.audit.read(mark), OPERATOR_AGENT, ns).total);
        // Measured after every start, 10 s after its queue emptied; the table shows the medians.
        mems.push({
          ...(await op2.memory()),
          kcmRss: rssBytes(b.plane.pid("kube-controller-manager")) ?? Number.NaN,
        });
        say(
          `start ${s + 1}/${env.startRuns}: ready in ${fmt(ready)} s, every group reconciled after ${fmt(drains.at(-1))} s, RSS ${fmt((mems.at(-1)?.rss ?? Number.NaN) / MiB, 0)} MiB`,
        );
        await b.stopOperator(op2);
      }
      large.push({
        groups: env.largeGroups,
        setupConvergeSeconds: conv.seconds,
        setupQps: env.setupQps,
        startToReadySeconds: median(starts),
        startToAllReconciledSeconds: median(drains),
        writesAfterRestart: median(restartWrites),
        starts,
        drains,
        memory: Object.fromEntries(
          Object.keys(mems[0] ?? {}).map((k) => [k, median(mems.map((m) => m[k] ?? Number.NaN))]),
        ),
        memoryRuns: mems,
      });
      if (r < env.largeRuns - 1) await deleteNamespace(b.client, ns, 900_000);
    }
    const lastLarge = large.at(-1) as { memory: Record<string, number> } | undefined;
    results.memory = {
      kcmBaselineRss: kcmBaselineRss ?? Number.NaN,
      atGroups: { [env.groups]: mem1k, [env.largeGroups]: lastLarge?.memory ?? {} },
      note: "kube-controller-manager caches every Pod (and, in its garbage collector, the metadata of every group): the same objects",
    };
    results.start = large;
  } catch (e) {
    // Keep what was measured: the JSON and the table are written whatever failed.
    results.error = e instanceof Error ? e.message : String(e);
    say(`aborted: ${results.error}`);
  } finally {
    for (const op of b.operators) await b.stopOperator(op);
    b.client?.close();
    if (!env.keepPlane) {
      say(`tearing down the private plane "${env.planeName}"`);
      await b.plane.down();
    }
  }
  if (env.phases.includes("realnode")) {
    // The real node belongs to the shared plane, so this phase runs once the private plane is down:
    // it never shares the 2 cores with the phases above.
    try {
      say("real node: bringing up the shared local plane (hack/cluster.sh up) for the start-time phase");
      execFileSync(join(ROOT, "hack", "cluster.sh"), ["up"], { stdio: "inherit" });
      results.realNodeStart = await measureAllStartTimes(env.realNodeRuns, DIST);
      say(startTimesTable(results.realNodeStart as StartTimes[]));
    } catch (e) {
      results.realNodeStart = { error: e instanceof Error ? e.message : String(e) };
      say(`real node phase skipped: ${(results.realNodeStart as { error: string }).error}`);
    }
  }
  results.crashes = b.crashes;
  const doc = {
    startedAt: new Date(started).toISOString(),
    minutes: round((Date.now() - started) / 60_000, 1),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: round(totalmem() / 1024 ** 3, 1),
      node: process.version,
      shared: "a shared machine: other engineers' tests ran at the same time, figures are noisy",
    },
    operator: build,
    kubeControllerManagerArgs: kcmArgs.filter((a) => /qps|burst|concurrent/.test(a)),
    settings: env,
    results,
  };
  writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify(doc, null, 2)}\n`);
  printTable(doc.results, doc.machine);
  say(`wrote bench/results/latest.json (${doc.minutes} min)`);
}

function printTable(r: Record<string, unknown>, machine: Record<string, unknown>): void {
  const c = (r.convergence ?? {}) as Record<string, number>;
  const cost = (r.cost ?? { idle: {} }) as {
    writesPerGroup: number;
    writesPerReplicaSet: number;
    idle: { writes: number; seconds: number };
  };
  const lat = (r.latency ?? { defaultQps: {}, highQps: {} }) as {
    defaultQps: Record<string, number>;
    highQps: Record<string, number>;
  };
  const mem = (r.memory ?? { atGroups: {}, kcmBaselineRss: Number.NaN }) as {
    atGroups: Record<string, Record<string, number>>;
    kcmBaselineRss: number;
  };
  const start = ((r.start ?? []) as Record<string, number>[]).at(-1) ?? {};
  const rows: [string, string, string][] = [
    [`convergence, ${c.groups} groups (s)`, fmt(c.operatorSeconds), ""],
    [`convergence, ${c.groups} 1-replica ReplicaSets (s)`, fmt(c.replicaSetSeconds), ""],
    ["ratio operator / ReplicaSet controller", fmt(c.ratio), "<= 1.0"],
    ["API writes per created group", fmt(cost.writesPerGroup), ""],
    ["API writes per ReplicaSet (RS controller)", fmt(cost.writesPerReplicaSet), ""],
    [`writes in ${cost.idle.seconds} s idle, ${c.groups} groups`, fmt(cost.idle.writes, 0), "0"],
    ["apply-to-Pod p50 at 20/s, QPS 20 (ms)", fmt(lat.defaultQps.p50Ms, 0), ""],
    ["apply-to-Pod p99 at 20/s, QPS 20 (ms)", fmt(lat.defaultQps.p99Ms, 0), "< 250"],
    [`apply-to-Pod p50 at 20/s, ${qpsLabel(lat.highQps.qps)} (ms)`, fmt(lat.highQps.p50Ms, 0), ""],
    [`apply-to-Pod p99 at 20/s, ${qpsLabel(lat.highQps.qps)} (ms)`, fmt(lat.highQps.p99Ms, 0), "< 250"],
    [
      `  of which the operator's (group created to Pod create sent) p50 / p99 (ms)`,
      `${fmt(lat.highQps.operatorP50Ms, 0)} / ${fmt(lat.highQps.operatorP99Ms, 0)}`,
      "",
    ],
  ];
  for (const [n, m] of Object.entries(mem.atGroups)) {
    rows.push([
      `operator RSS / heap used, ${n} groups (MiB)`,
      `${fmt((m.rss ?? Number.NaN) / MiB, 0)} / ${fmt((m.heapUsed ?? Number.NaN) / MiB, 0)}`,
      "< 250 at 10k",
    ]);
    rows.push([`kube-controller-manager RSS, ${n} groups (MiB)`, fmt((m.kcmRss ?? Number.NaN) / MiB, 0), ""]);
  }
  rows.push(["kube-controller-manager RSS, no groups (MiB)", fmt(mem.kcmBaselineRss / MiB, 0), ""]);
  rows.push([`start to ready, ${start.groups} groups (s)`, fmt(start.startToReadySeconds), "<= 10"]);
  rows.push([
    `start to every group reconciled, ${start.groups} (s)`,
    fmt(start.startToAllReconciledSeconds),
    "",
  ]);
  rows.push(["writes after a restart on converged groups", fmt(start.writesAfterRestart, 0), "0"]);
  const realNodeStart = Array.isArray(r.realNodeStart) ? (r.realNodeStart as StartTimes[]) : [];
  for (const s of realNodeStart) {
    rows.push([
      `real node, ${s.runtimeClass}: create to first process p50 / p99 (ms)`,
      `${fmt(s.groupP50, 0)} / ${fmt(s.groupP99, 0)}`,
      "",
    ]);
    rows.push([
      `real node, ${s.runtimeClass}: bare Pod p50 / p99 (ms), ratio`,
      `${fmt(s.podP50, 0)} / ${fmt(s.podP99, 0)}, ${fmt(s.ratio)}`,
      "",
    ]);
  }
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  process.stdout.write(`\n${"measure".padEnd(w0)}  ${"value".padStart(w1)}  target\n`);
  for (const [a, b2, t] of rows) process.stdout.write(`${a.padEnd(w0)}  ${b2.padStart(w1)}  ${t}\n`);
  process.stdout.write(
    `\nmachine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.node}; ${machine.shared}\n`,
  );
}

await main();
