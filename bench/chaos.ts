// `make chaos`: faults injected into the operator and its API server on a private plane (name
// "chaos", .local/kwok-chaos; loopback only, torn down at the end), each followed by a check that
// every group converged with exactly its children. Faults: SIGKILL of the operator at random
// moments of a rollout, an API server restart mid-rollout, a forced 410 Gone on the operator's
// watches, SIGKILL of the lease holder of two replicas, and a stream of invalid groups.
// Writes bench/results/chaos.json; exits 1 when any check fails.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AuditLog, isWrite } from "./lib/audit.js";
import {
  type BenchClient,
  ensureNamespace,
  forEachLimit,
  HttpError,
  type KubeObject,
  paths,
  sleep,
} from "./lib/kube.js";
import { buildOperator, freePort, OperatorProcess } from "./lib/operator.js";
import { benchNodes, Plane, ROOT } from "./lib/plane.js";
import { CuttableProxy } from "./lib/proxy.js";
import { round } from "./lib/stats.js";
import { groupIsReady } from "./lib/tracker.js";

const quick = process.env.CHAOS_QUICK === "1";
const num = (name: string, full: number, short: number) =>
  Number(process.env[name] ?? (quick ? short : full));
const env = {
  groups: num("CHAOS_GROUPS", 500, 150),
  kills: num("CHAOS_KILLS", 6, 5),
  badGroups: num("CHAOS_BAD_GROUPS", 220, 210),
  convergeTimeoutSeconds: num("CHAOS_TIMEOUT_SECONDS", 900, 600),
  stallSeconds: num("CHAOS_STALL_SECONDS", 90, 90),
  compactionSeconds: num("CHAOS_COMPACTION_SECONDS", 10, 10),
  keepPlane: process.env.CHAOS_KEEP_PLANE === "1",
  planeName: process.env.CHAOS_PLANE ?? "chaos",
};

const NS = "chaos";
const MANAGED = "app.kubernetes.io/managed-by=container-instances-operator";
const GROUP_LABEL = "containerinstances.dev/group";
const resultsDir = join(ROOT, "bench", "results");
const dist = join(ROOT, ".local", "chaos-dist");
const say = (msg: string) =>
  process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** The kinds of good group in a rollout: each has its own set of children to check. */
type Flavour = "plain" | "secret" | "retained";

function goodGroup(name: string, flavour: Flavour): KubeObject {
  const container: Record<string, unknown> = {
    name: "app",
    image: "registry.k8s.io/pause:3.10",
    ports: [{ port: 8080 }],
    resources: { requests: { cpu: 0.01, memoryInGB: 0.01 } },
  };
  const spec: Record<string, unknown> = {
    containers: [container],
    // A Private ipAddress: a ClusterIP Service and a NetworkPolicy with an ingress rule.
    ipAddress: { type: "Private", ports: [{ port: 8080 }] },
  };
  if (flavour === "secret") container.environmentVariables = [{ name: "TOKEN", secureValue: "s3cr3t" }];
  if (flavour === "retained") {
    spec.volumes = [{ name: "data", fileShare: { sizeInGB: 1, deletePolicy: "Retain" } }];
    container.volumeMounts = [{ name: "data", mountPath: "/data" }];
  }
  return {
    apiVersion: "containerinstances.dev/v1alpha1",
    kind: "ContainerGroup",
    metadata: { name, namespace: NS, labels: { "chaos/flavour": flavour } },
    spec,
  };
}

const flavourOf = (i: number): Flavour => (i % 10 === 3 ? "secret" : i % 10 === 7 ? "retained" : "plain");

interface Check {
  fault: string;
  converged: number;
  expected: number;
  duplicates: string[];
  orphans: string[];
  lostClaims: string[];
  notReady: string[];
  /** Children and statuses seen: grows while the operator works. */
  progress: number;
  seconds: number;
  ok: boolean;
  detail?: Record<string, unknown>;
}

class Chaos {
  readonly plane = new Plane(
    env.planeName,
    // Compact etcd often and serve ContainerGroup watches from etcd (no watch cache), so that an old
    // resourceVersion really is gone after a cut (see the 410 step).
    [
      `--extra-args kube-apiserver=etcd-compaction-interval=${env.compactionSeconds}s`,
      "--extra-args kube-apiserver=watch-cache-sizes=containergroups.containerinstances.dev#0",
      // Every good group has a Service: kube-apiserver's default range (a /24) holds only 254.
      "--extra-args kube-apiserver=service-cluster-ip-range=10.96.0.0/16",
    ].join(" "),
  );
  readonly audit = new AuditLog(this.plane.auditLog);
  client!: BenchClient;
  supervisor: ReturnType<Plane["supervise"]> | undefined;
  operators: OperatorProcess[] = [];
  crashes: string[] = [];
  checks: Check[] = [];
  /** Groups that should exist and converge: name -> flavour. */
  readonly expected = new Map<string, Flavour>();
  /** Retained claims of deleted groups: must survive. name -> uid. */
  readonly retainedClaims = new Map<string, string>();

  async start(label: string, args: string[], kubeconfig = this.plane.kubeconfig): Promise<OperatorProcess> {
    const op = new OperatorProcess({
      port: await freePort(),
      metricsPort: await freePort(),
      kubeconfig,
      dist,
      args: ["--log-level=info", "--runtime-class=kata", ...args],
      logFile: join(resultsDir, "logs", `chaos-${label}.log`),
    });
    this.operators.push(op);
    return op;
  }

  noteCrashes(): void {
    for (const op of this.operators) {
      if (op.crashed && !this.crashes.some((c) => c.startsWith(op.options.logFile))) {
        this.crashes.push(`${op.options.logFile}: ${JSON.stringify(op.exit)}: ${op.tail(3).join(" | ")}`);
      }
    }
  }

  async createGroups(names: string[]): Promise<void> {
    await forEachLimit(names, 16, async (name) => {
      const flavour = this.expected.get(name) ?? "plain";
      await this.client.json("POST", paths.groups(NS), goodGroup(name, flavour));
    });
  }

  /**
   * Waits until every expected group is Ready, then checks children: exactly one Pod, Service and
   * NetworkPolicy controlled by each group, a Secret for secret groups, one claim per retained
   * volume; nothing labelled for a group that is gone (retained claims excepted: they must stay).
   */
  async verify(fault: string, detail: Record<string, unknown> = {}): Promise<Check> {
    // Converging at the operator's client QPS takes minutes for hundreds of groups: wait while it
    // makes progress, fail when nothing moved for CHAOS_STALL_SECONDS (a stall) or past the cap.
    const t0 = Date.now();
    const deadline = t0 + env.convergeTimeoutSeconds * 1000;
    let last: Check | undefined;
    let best = -1;
    let progressAt = t0;
    for (;;) {
      last = await this.inspect(fault);
      // Progress is any new child or status, not only whole groups: the queue is first-in first-out,
      // so hundreds of groups get their children before the first one reports Ready.
      if (last.progress > best) {
        best = last.progress;
        progressAt = Date.now();
      }
      if (last.ok || Date.now() > deadline || Date.now() - progressAt > env.stallSeconds * 1000) break;
      await sleep(2000);
    }
    last.seconds = round((Date.now() - t0) / 1000, 1);
    last.detail = detail;
    this.noteCrashes();
    this.checks.push(last);
    say(
      `${fault}: ${last.converged}/${last.expected} converged, ${last.duplicates.length} duplicates, ${last.orphans.length} orphans, ${last.lostClaims.length} lost claims (${last.seconds} s)${last.ok ? "" : "  FAILED"}`,
    );
    return last;
  }

  private async inspect(fault: string): Promise<Check> {
    const [groups, pods, services, policies, secrets, claims] = await Promise.all([
      this.client.list(paths.groups(NS)),
      this.client.list(paths.pods(NS), { labelSelector: MANAGED }),
      this.client.list(paths.services(NS), { labelSelector: MANAGED }),
      this.client.list(paths.networkPolicies(NS), { labelSelector: MANAGED }),
      this.client.list(paths.secrets(NS), { labelSelector: MANAGED }),
      this.client.list(paths.claims(NS), { labelSelector: MANAGED }),
    ]);
    const byName = new Map(groups.items.map((g) => [g.metadata.name, g]));
    const duplicates: string[] = [];
    const orphans: string[] = [];
    const notReady: string[] = [];
    let converged = 0;
    const controlledCount = (items: KubeObject[], kind: string) => {
      const counts = new Map<string, number>();
      for (const o of items) {
        if (o.metadata.deletionTimestamp) continue;
        const owner = o.metadata.labels?.[GROUP_LABEL] ?? "";
        const group = byName.get(owner);
        const ref = o.metadata.ownerReferences?.find((r) => r.controller);
        if (!group) {
          orphans.push(`${kind}/${o.metadata.name}`);
          continue;
        }
        if (ref && ref.uid !== group.metadata.uid) {
          orphans.push(`${kind}/${o.metadata.name} (owned by an earlier ${owner})`);
          continue;
        }
        counts.set(owner, (counts.get(owner) ?? 0) + 1);
      }
      return counts;
    };
    const podCount = controlledCount(pods.items, "Pod");
    const svcCount = controlledCount(services.items, "Service");
    const npCount = controlledCount(policies.items, "NetworkPolicy");
    const secretCount = controlledCount(secrets.items, "Secret");
    // Retained claims have no owner and outlive their group: not orphans.
    const liveClaims = claims.items.filter((c) => !c.metadata.deletionTimestamp);
    const claimCount = new Map<string, number>();
    for (const c of liveClaims) {
      const owner = c.metadata.labels?.[GROUP_LABEL] ?? "";
      claimCount.set(owner, (claimCount.get(owner) ?? 0) + 1);
    }
    for (const [name, flavour] of this.expected) {
      const g = byName.get(name);
      if (!g || !groupIsReady(g)) {
        notReady.push(name);
        continue;
      }
      const want = {
        pod: 1,
        svc: 1,
        np: 1,
        secret: flavour === "secret" ? 1 : 0,
        claim: flavour === "retained" ? 1 : 0,
      };
      const have = {
        pod: podCount.get(name) ?? 0,
        svc: svcCount.get(name) ?? 0,
        np: npCount.get(name) ?? 0,
        secret: secretCount.get(name) ?? 0,
        claim: claimCount.get(name) ?? 0,
      };
      for (const k of Object.keys(want) as (keyof typeof want)[]) {
        if (have[k] > want[k]) duplicates.push(`${name}: ${have[k]} ${k}`);
      }
      if (Object.keys(want).every((k) => have[k as keyof typeof want] === want[k as keyof typeof want]))
        converged++;
    }
    const claimUids = new Map(liveClaims.map((c) => [c.metadata.name, c.metadata.uid]));
    const lostClaims = [...this.retainedClaims]
      .filter(([n, uid]) => claimUids.get(n) !== uid)
      .map(([n]) => n);
    const expected = this.expected.size;
    return {
      fault,
      converged,
      expected,
      duplicates,
      orphans,
      lostClaims,
      notReady: notReady.slice(0, 10),
      progress:
        converged +
        pods.items.length +
        services.items.length +
        policies.items.length +
        secrets.items.length +
        liveClaims.length +
        groups.items.filter((g) => g.status?.state).length +
        groups.items.filter((g) => g.status?.state === "Running").length,
      seconds: 0,
      ok:
        converged === expected && duplicates.length === 0 && orphans.length === 0 && lostClaims.length === 0,
    };
  }

  /** 1. SIGKILL at random moments of a rollout; a new process each time (a Deployment's restart). */
  async killDuringRollout(): Promise<void> {
    const names = Array.from({ length: env.groups }, (_, i) => `g-${i}`);
    for (const [i, n] of names.entries()) this.expected.set(n, flavourOf(i));
    let op = await this.start("kill-0", []);
    await op.waitReady();
    const creating = this.createGroups(names);
    const kills: number[] = [];
    for (let k = 0; k < env.kills; k++) {
      await sleep(1500 + Math.random() * 4000);
      op.expectedExit = true;
      op.child.kill("SIGKILL");
      while (op.alive) await sleep(20);
      kills.push(Date.now());
      op = await this.start(`kill-${k + 1}`, []);
      await op.waitReady();
    }
    await creating;
    await this.verify(`SIGKILL x${env.kills} during a ${env.groups}-group rollout`, { kills: kills.length });
    await op.stop();
  }

  /** 2. The API server restarted (SIGTERM, 3 s down, same flags) while a wave of groups rolls out. */
  async restartApiServer(): Promise<void> {
    const op = await this.start("apiserver", []);
    await op.waitReady();
    const wave = Array.from({ length: Math.round(env.groups / 2) }, (_, i) => `a-${i}`);
    for (const [i, n] of wave.entries()) this.expected.set(n, flavourOf(i));
    const half = Math.floor(wave.length / 2);
    await this.createGroups(wave.slice(0, half));
    await sleep(1500);
    const downFor = await this.plane.restartApiServer(this.client);
    say(`API server restarted (${round(downFor, 1)} s without it)`);
    await this.createGroups(wave.slice(half));
    await this.verify("API server restart mid-rollout", {
      apiServerDownSeconds: round(downFor, 1),
      controlPlaneRestarts: this.supervisor?.restarts,
    });
    await op.stop();
  }

  /**
   * 3. 410 Gone: the operator runs behind a proxy; the proxy is cut, groups change meanwhile and
   * etcd compacts (every few seconds on this plane, and ContainerGroup watches skip the watch cache),
   * then the proxy comes back and the operator's watch resumes from a compacted resourceVersion.
   * Retained claims of groups deleted during the cut must survive; groups re-created get them back.
   */
  async forceGone(): Promise<void> {
    const server = new URL(this.client.server);
    const proxy = new CuttableProxy(server.hostname, Number(server.port));
    const port = await proxy.start();
    const kc = join(ROOT, ".local", `kubeconfig-${env.planeName}-proxy`);
    const text = (await import("node:fs")).readFileSync(this.plane.kubeconfig, "utf8");
    writeFileSync(kc, text.replace(`server: ${server.origin}`, `server: https://127.0.0.1:${port}`));
    const op = await this.start("gone", [], kc);
    await op.waitReady();
    await sleep(3000);
    proxy.cutOff();
    const t0 = Date.now();
    // Changes the operator must catch up on: deletions (with retained claims), new groups, restarts.
    const retained = [...this.expected].filter(([, f]) => f === "retained").slice(0, 10);
    const claims = await this.client.list(paths.claims(NS), { labelSelector: MANAGED });
    for (const [name] of retained) {
      for (const c of claims.items.filter((c) => c.metadata.labels?.[GROUP_LABEL] === name))
        this.retainedClaims.set(c.metadata.name, c.metadata.uid ?? "");
      await this.client.raw("DELETE", `${paths.groups(NS)}/${name}`);
      this.expected.delete(name);
    }
    const fresh = Array.from({ length: 20 }, (_, i) => `w-${i}`);
    for (const [i, n] of fresh.entries()) this.expected.set(n, flavourOf(i));
    await this.createGroups(fresh);
    const restarted = [...this.expected.keys()].filter((n) => n.startsWith("g-")).slice(0, 20);
    for (const name of restarted) {
      await this.client.json(
        "PATCH",
        `${paths.groups(NS)}/${name}`,
        { metadata: { annotations: { "containerinstances.dev/restartedAt": new Date().toISOString() } } },
        "application/merge-patch+json",
      );
    }
    // Two compaction intervals, plus margin, past the last change.
    await sleep(env.compactionSeconds * 2500);
    proxy.restore();
    const cutSeconds = (Date.now() - t0) / 1000;
    // Half of the deleted retained groups come back under the same name and must get their claim back.
    await sleep(5000);
    const back = retained.slice(0, 5).map(([n]) => n);
    for (const n of back) this.expected.set(n, "retained");
    await this.createGroups(back);
    const check = await this.verify("410 Gone after a watch cut across etcd compaction", {
      cutSeconds: round(cutSeconds, 1),
      deletedRetained: retained.length,
      recreated: back.length,
    });
    const m = await op.metrics();
    const gone = OperatorProcess.sum(m, 'informer_restarts_total{resource="containergroups",reason="gone"}');
    const allGone = OperatorProcess.sum(m, "informer_restarts_total{");
    check.detail = {
      ...check.detail,
      goneRestartsContainerGroups: gone,
      informerRestarts: metricLines(m, "informer_restarts_total"),
    };
    say(`410: informer restarts for containergroups with reason gone: ${gone} (all restarts ${allGone})`);
    if (gone < 1) {
      check.ok = false;
      say("410: the operator never saw a 410 for containergroups: the fault was not produced");
    }
    await op.stop();
    proxy.close();
  }

  /** 4. Two replicas with leader election; SIGKILL the holder; who writes when. */
  async killLeaseHolder(): Promise<void> {
    const kcs: string[] = [];
    const users: string[] = [];
    for (const id of ["replica-a", "replica-b"]) {
      await this.plane.kubectl(["-n", "default", "create", "serviceaccount", id]).catch(() => "");
      await this.plane
        .kubectl([
          "create",
          "clusterrolebinding",
          `chaos-${id}`,
          "--clusterrole=cluster-admin",
          `--serviceaccount=default:${id}`,
        ])
        .catch(() => "");
      const token = (
        await this.plane.kubectl(["-n", "default", "create", "token", id, "--duration=2h"])
      ).trim();
      const server = this.client.server.origin;
      const kc = join(ROOT, ".local", `kubeconfig-${env.planeName}-${id}`);
      const ca = join(this.plane.clusterDir, "pki", "ca.crt");
      writeFileSync(
        kc,
        `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}", certificate-authority: "${ca}"}}]\nusers: [{name: u, user: {token: "${token}"}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
      );
      kcs.push(kc);
      users.push(`system:serviceaccount:default:${id}`);
    }
    const le = [
      "--leader-elect",
      "--leader-election-namespace=default",
      "--lease-duration-seconds=8",
      "--renew-deadline-seconds=6",
      "--retry-period-seconds=1",
    ];
    const a = await this.start("leader-a", le, kcs[0]);
    await sleep(2000); // a takes the lease first
    const b = await this.start("leader-b", le, kcs[1]);
    await Promise.all([a.waitReady(), b.waitReady()]);
    await sleep(5000);
    const lease = await this.client.json<KubeObject>(
      "GET",
      "/apis/coordination.k8s.io/v1/namespaces/default/leases/container-instances-operator",
    );
    const holderIdentity = String((lease.spec as { holderIdentity?: string }).holderIdentity);
    const holder = [a, b].find((o) => o.instance === holderIdentity) ?? a;
    const standby = holder === a ? b : a;
    const holderUser = users[holder === a ? 0 : 1] as string;
    const standbyUser = users[holder === a ? 1 : 0] as string;
    const mark = this.audit.mark();
    // Work that arrives while nobody leads.
    const wave = Array.from({ length: 30 }, (_, i) => `f-${i}`);
    for (const [i, n] of wave.entries()) this.expected.set(n, flavourOf(i));
    holder.expectedExit = true;
    holder.child.kill("SIGKILL");
    const killedAt = Date.now();
    while (holder.alive) await sleep(20);
    await this.createGroups(wave);
    const check = await this.verify("SIGKILL of the lease holder (2 replicas)", {});
    await sleep(2000);
    const writes = this.audit.read(mark).filter((e) => isWrite(e) && e.resource !== "leases");
    const standbyWrites = writes.filter((e) => e.user === standbyUser);
    const firstStandby = standbyWrites.reduce((m, e) => Math.min(m, e.received), Number.POSITIVE_INFINITY);
    const holderAfter = writes.filter((e) => e.user === holderUser && e.received > killedAt).length;
    // A group written by both replicas after the kill would mean two reconcilers at once.
    const byHolder = new Set(
      writes.filter((e) => e.user === holderUser && e.received > killedAt).map((e) => e.name),
    );
    const both = [...new Set(standbyWrites.map((e) => e.name))].filter((n) => byHolder.has(n));
    check.detail = {
      holder: holderIdentity,
      failoverSeconds: round((firstStandby - killedAt) / 1000, 2),
      holderWritesAfterKill: holderAfter,
      groupsWrittenByBoth: both.length,
      standbyWritesBeforeKill: 0,
    };
    // The standby must not have written anything but the lease while the holder led.
    const before = this.audit
      .read(0, mark)
      .filter((e) => isWrite(e) && e.resource !== "leases" && e.user === standbyUser);
    (check.detail as Record<string, unknown>).standbyWritesBeforeKill = before.length;
    if (before.length > 0 || both.length > 0) check.ok = false;
    say(
      `failover: ${check.detail.failoverSeconds} s from SIGKILL to the standby's first write; standby writes while not leading: ${before.length}; groups written by both: ${both.length}`,
    );
    await standby.stop();
  }

  /** 5. Invalid groups: each is refused by the API server or reported Ready=False with a reason. */
  async badInput(): Promise<void> {
    const op = await this.start("bad", ["--confidential-runtime-class=kata-qemu-snp-missing"]);
    await op.waitReady();
    const bad = badGroups(env.badGroups);
    let rejected = 0;
    const accepted: { name: string; kind: string }[] = [];
    const good = Array.from({ length: 30 }, (_, i) => `ok-${i}`);
    for (const [i, n] of good.entries()) this.expected.set(n, flavourOf(i));
    const goodCreation = this.createGroups(good);
    await forEachLimit(bad, 8, async ({ kind, body }) => {
      const res = await this.client.raw("POST", paths.groups(NS), body);
      if (res.status === 201) accepted.push({ name: body.metadata.name, kind });
      else if (res.status === 422 || res.status === 400) rejected++;
      else throw new HttpError(res.status, res.body, `bad group ${kind}`);
    });
    await goodCreation;
    // Accepted ones must report Ready=False with a reason.
    const deadline = Date.now() + 120_000;
    let reported = new Map<string, string>();
    while (Date.now() < deadline) {
      const groups = await this.client.list(paths.groups(NS), { labelSelector: "chaos/bad=true" });
      reported = new Map();
      for (const g of groups.items) {
        const ready = (
          (g.status?.conditions ?? []) as { type: string; status: string; reason?: string }[]
        ).find((c) => c.type === "Ready");
        if (ready?.status === "False" && ready.reason) reported.set(g.metadata.name, ready.reason);
      }
      if (reported.size >= accepted.length) break;
      await sleep(2000);
    }
    const reasons: Record<string, number> = {};
    for (const r of reported.values()) reasons[r] = (reasons[r] ?? 0) + 1;
    const silent = accepted.filter((a) => !reported.has(a.name)).map((a) => `${a.name} (${a.kind})`);
    const check = await this.verify(`${bad.length} invalid groups beside 30 good ones`, {
      generated: bad.length,
      rejectedByApiServer: rejected,
      acceptedAndReported: reported.size,
      acceptedSilent: silent,
      reasons,
      operatorAlive: op.alive,
    });
    if (silent.length > 0 || !op.alive) check.ok = false;
    say(
      `bad input: ${bad.length} generated, ${rejected} rejected by the API server, ${reported.size} reported Ready=False, ${silent.length} silent`,
    );
    await op.stop();
  }
}

function metricLines(m: Map<string, number>, prefix: string): Record<string, number> {
  return Object.fromEntries([...m].filter(([k]) => k.startsWith(prefix)));
}

/** Invalid variants drawn from the CRD's rules and from what only the cluster can judge. */
export function badGroups(count: number): { kind: string; body: KubeObject }[] {
  const base = () => ({
    containers: [
      {
        name: "app",
        image: "registry.k8s.io/pause:3.10",
        resources: { requests: { cpu: 0.01, memoryInGB: 0.01 } } as Record<string, unknown>,
      } as Record<string, unknown>,
    ],
  });
  type Spec = ReturnType<typeof base> & Record<string, unknown>;
  const c0 = (s: Spec) => s.containers[0] as Record<string, unknown>;
  const variants: [string, (s: Spec, i: number) => void][] = [
    [
      "negative cpu",
      (s, i) => {
        c0(s).resources = { requests: { cpu: -(i + 1) / 10, memoryInGB: 1 } };
      },
    ],
    [
      "zero cpu",
      (s) => {
        c0(s).resources = { requests: { cpu: 0, memoryInGB: 1 } };
      },
    ],
    [
      "negative memory",
      (s, i) => {
        c0(s).resources = { requests: { cpu: 1, memoryInGB: -i - 1 } };
      },
    ],
    [
      "limit below request",
      (s, i) => {
        c0(s).resources = {
          requests: { cpu: 2 + i, memoryInGB: 1 },
          limits: { cpu: 1, memoryInGB: 1 },
        };
      },
    ],
    [
      "unknown osType",
      (s, i) => {
        s.osType = `Solaris${i}`;
      },
    ],
    [
      "unknown sku",
      (s, i) => {
        s.sku = `Huge${i}`;
      },
    ],
    [
      "unknown restartPolicy",
      (s, i) => {
        s.restartPolicy = `Sometimes${i}`;
      },
    ],
    [
      "unknown priority",
      (s, i) => {
        s.priority = `Urgent${i}`;
      },
    ],
    [
      "duplicate container names",
      (s) => {
        s.containers.push({ ...c0(s) });
      },
    ],
    [
      "init container named like a container",
      (s) => {
        s.initContainers = [{ name: "app", image: "busybox:1.36" }];
      },
    ],
    [
      "volumeMount naming no volume",
      (s, i) => {
        c0(s).volumeMounts = [{ name: `nowhere${i}`, mountPath: "/x" }];
      },
    ],
    [
      "ipAddress port no container exposes",
      (s, i) => {
        s.ipAddress = { type: "Private", ports: [{ port: 1000 + i }] };
      },
    ],
    [
      "unknown ipAddress type",
      (s) => {
        s.ipAddress = { type: "Galactic", ports: [{ port: 80 }] };
      },
    ],
    [
      "dnsNameLabel not a DNS label",
      (s, i) => {
        c0(s).ports = [{ port: 80 }];
        s.ipAddress = { type: "Public", ports: [{ port: 80 }], dnsNameLabel: `Bad_Label_${i}` };
      },
    ],
    [
      "two sources in one volume",
      (s) => {
        s.volumes = [{ name: "v", emptyDir: {}, secret: { a: "YQ==" } }];
      },
    ],
    [
      "Windows with a volume",
      (s) => {
        s.osType = "Windows";
        s.volumes = [{ name: "v", emptyDir: {} }];
      },
    ],
    [
      "no containers",
      (s) => {
        s.containers = [];
      },
    ],
    [
      "container without image",
      (s) => {
        delete c0(s).image;
      },
    ],
    [
      "bad container name",
      (s, i) => {
        c0(s).name = `Bad Name ${i}`;
      },
    ],
    [
      "port out of range",
      (s, i) => {
        c0(s).ports = [{ port: 70000 + i }];
      },
    ],
    [
      "probe with exec and httpGet",
      (s) => {
        c0(s).livenessProbe = { exec: { command: ["true"] }, httpGet: { path: "/", port: 80 } };
      },
    ],
    [
      "privilege escalation",
      (s) => {
        c0(s).securityContext = { privileged: true };
      },
    ],
    [
      "registry password and secretRef",
      (s) => {
        s.imageRegistryCredentials = [
          { server: "r.example", username: "u", password: "p", passwordSecretRef: { name: "x", key: "y" } },
        ];
      },
    ],
    [
      "env var with a non-string value",
      (s, i) => {
        c0(s).environmentVariables = [{ name: "N", value: i }];
      },
    ],
    [
      "unknown field type for zones",
      (s) => {
        s.zones = "1";
      },
    ],
    // What only the cluster can judge: accepted, then a Ready=False condition.
    [
      "missing Secret",
      (s, i) => {
        c0(s).environmentVariables = [
          { name: "P", secureValueFrom: { secretKeyRef: { name: `missing-${i}`, key: "k" } } },
        ];
      },
    ],
    [
      "missing claim",
      (s, i) => {
        s.volumes = [{ name: "v", persistentVolumeClaim: { claimName: `missing-${i}` } }];
        c0(s).volumeMounts = [{ name: "v", mountPath: "/v" }];
      },
    ],
    [
      "missing RuntimeClass (Confidential class set to a missing one)",
      (s) => {
        s.sku = "Confidential";
      },
    ],
    [
      "huge GPU count",
      (s, i) => {
        c0(s).resources = { requests: { cpu: 1, memoryInGB: 1, gpu: { count: 64 + i, sku: "V100" } } };
      },
    ],
    [
      "missing registry Secret",
      (s, i) => {
        s.imageRegistryCredentials = [
          { server: "r.example", username: "u", passwordSecretRef: { name: `missing-${i}`, key: "p" } },
        ];
      },
    ],
  ];
  const out: { kind: string; body: KubeObject }[] = [];
  for (let i = 0; out.length < count; i++) {
    const [kind, mutate] = variants[i % variants.length] as [string, (s: Spec, i: number) => void];
    const spec = base() as Spec;
    mutate(spec, Math.floor(i / variants.length));
    out.push({
      kind,
      body: {
        apiVersion: "containerinstances.dev/v1alpha1",
        kind: "ContainerGroup",
        metadata: { name: `bad-${i}`, namespace: NS, labels: { "chaos/bad": "true" } },
        spec,
      },
    });
  }
  return out;
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(join(resultsDir, "logs"), { recursive: true });
  const c = new Chaos();
  say(`settings: ${JSON.stringify(env)}`);
  const build =
    process.env.CHAOS_SKIP_BUILD === "1" ? { commit: "prebuilt", dirty: true } : buildOperator(dist);
  say(`starting the private plane "${env.planeName}" (the shared plane is not touched)`);
  await c.plane.up();
  // The seed nodes hold about 490 Kata Pods (250m overhead each); chaos runs more.
  await c.plane.kubectl(["apply", "-f", "-"], benchNodes(6));
  c.client = c.plane.client();
  await ensureNamespace(c.client, NS);
  c.supervisor = c.plane.supervise(["kube-controller-manager", "kube-scheduler"]);
  let failure: unknown;
  try {
    await c.killDuringRollout();
    await c.restartApiServer();
    await c.forceGone();
    await c.killLeaseHolder();
    await c.badInput();
  } catch (e) {
    failure = e;
    say(`aborted: ${e instanceof Error ? e.stack : String(e)}`);
  } finally {
    c.noteCrashes();
    c.supervisor.stop();
    for (const op of c.operators) await op.stop();
    c.client.close();
    if (!env.keepPlane) {
      say(`tearing down the private plane "${env.planeName}"`);
      await c.plane.down();
      for (const suffix of ["proxy", "replica-a", "replica-b"])
        rmSync(join(ROOT, ".local", `kubeconfig-${env.planeName}-${suffix}`), { force: true });
    }
  }
  const ok = !failure && c.crashes.length === 0 && c.checks.every((x) => x.ok);
  const doc = {
    startedAt: new Date(started).toISOString(),
    minutes: round((Date.now() - started) / 60_000, 1),
    operator: build,
    settings: env,
    ok,
    crashes: c.crashes,
    failure: failure ? String(failure) : undefined,
    checks: c.checks,
  };
  writeFileSync(join(resultsDir, "chaos.json"), `${JSON.stringify(doc, null, 2)}\n`);
  process.stdout.write(
    "\nfault                                              converged  dup  orphans  lost-claims  ok\n",
  );
  for (const x of c.checks) {
    process.stdout.write(
      `${x.fault.padEnd(50)} ${`${x.converged}/${x.expected}`.padStart(9)}  ${String(x.duplicates.length).padStart(3)}  ${String(x.orphans.length).padStart(7)}  ${String(x.lostClaims.length).padStart(11)}  ${x.ok ? "yes" : "NO"}\n`,
    );
  }
  process.stdout.write(`crashes: ${c.crashes.length}; wrote bench/results/chaos.json (${doc.minutes} min)\n`);
  process.exit(ok ? 0 : 1);
}

await main();
