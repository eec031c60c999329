// Two operator replicas with leader election on a real Lease: one reconciles, the other waits;
// when the leader dies the other takes over within the lease duration, and the two never
// reconcile at the same time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCrds, createNamespace, deleteNamespace, eventually, kubectlOk } from "../harness.js";
import { type RunningOperator, startOperator } from "../operator.js";

const LEASE_SECONDS = 6;
let ns = "";
const running: RunningOperator[] = [];

beforeAll(async () => {
  await applyCrds();
  ns = await createNamespace("ha");
});
afterAll(async () => {
  await Promise.all(running.map((o) => o.kill()));
  await deleteNamespace(ns);
});

async function replica(): Promise<RunningOperator> {
  const op = await startOperator({
    namespace: ns,
    args: [
      "--leader-elect",
      `--leader-election-namespace=${ns}`,
      `--lease-duration-seconds=${LEASE_SECONDS}`,
      "--renew-deadline-seconds=4",
      "--retry-period-seconds=1",
    ],
  });
  running.push(op);
  return op;
}

const leads = (op: RunningOperator) => op.logs().includes("became leader");

/** Reconciles this replica has run, from its own /metrics. */
async function reconciles(op: RunningOperator): Promise<number> {
  const text = await op.metrics();
  let total = 0;
  for (const m of text.matchAll(/^controller_runtime_reconcile_total\{[^}]*\} (\d+)/gm))
    total += Number(m[1]);
  return total;
}

function group(name: string): string {
  return JSON.stringify({
    apiVersion: "containerinstances.dev/v1alpha1",
    kind: "ContainerGroup",
    metadata: { name, namespace: ns },
    spec: { containers: [{ name: "app", image: "busybox:1.36" }] },
  });
}

async function runningState(name: string): Promise<true | undefined> {
  const state = await kubectlOk(["-n", ns, "get", "cg", name, "-o", "jsonpath={.status.state}"]);
  return state === "Running" ? true : undefined;
}

describe("leader election", () => {
  it("lets only the lease holder reconcile, and hands over within the lease duration when it dies", async () => {
    const first = await replica();
    await eventually("the first replica to lead", async () => (leads(first) ? true : undefined));
    const second = await replica();
    await eventually("the second replica to see the leader", async () =>
      second.logs().includes("leader observed") ? true : undefined,
    );

    await kubectlOk(["apply", "-f", "-"], { input: group("before") });
    await eventually("group 'before' Running", () => runningState("before"));
    expect(leads(second)).toBe(false);
    expect(await reconciles(second)).toBe(0);

    const killedAt = Date.now();
    await first.kill();
    await eventually("the second replica to take over", async () => (leads(second) ? true : undefined), {
      timeoutMs: 4 * LEASE_SECONDS * 1000,
      intervalMs: 50,
    });
    const failoverSeconds = (Date.now() - killedAt) / 1000;
    console.log(
      `failover after SIGKILL of the leader: ${failoverSeconds.toFixed(1)} s (lease ${LEASE_SECONDS} s)`,
    );
    // The follower may take the lease only once it expired; that is the point of the lease.
    expect(failoverSeconds).toBeGreaterThan(1);

    await kubectlOk(["apply", "-f", "-"], { input: group("after") });
    await eventually("group 'after' Running under the new leader", () => runningState("after"));
    expect(await reconciles(second)).toBeGreaterThan(0);
  });

  it("hands over at once when the leader shuts down gracefully and releases the lease", async () => {
    const alive = (o: RunningOperator) => o.process.exitCode === null && o.process.signalCode === null;
    const leader = running.find((o) => alive(o) && leads(o));
    expect(leader).toBeDefined();
    const standby = await replica();
    await eventually("the standby to see the leader", async () =>
      standby.logs().includes("leader observed") ? true : undefined,
    );
    const stoppedAt = Date.now();
    expect(await leader?.stop()).toBe(0);
    await eventually("the standby to take over", async () => (leads(standby) ? true : undefined), {
      timeoutMs: 4 * LEASE_SECONDS * 1000,
      intervalMs: 50,
    });
    const handoverSeconds = (Date.now() - stoppedAt) / 1000;
    console.log(`handover after SIGTERM of the leader: ${handoverSeconds.toFixed(1)} s`);
    await kubectlOk(["apply", "-f", "-"], { input: group("graceful") });
    await eventually("group 'graceful' Running", () => runningState("graceful"));
  });
});
