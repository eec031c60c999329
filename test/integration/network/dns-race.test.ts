// Two groups in two namespaces, each reconciled by its own operator, race for one Unsecure label.
// The claim's create is atomic, so exactly one wins; when the winner goes, its released claim wakes
// the loser (through the other operator's watch on the claims), which then wins.
import type { V1Lease } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimName } from "../../../src/controller/dns-claims.js";
import { applyCrds, createNamespace, deleteNamespace, eventually, kubectlOk } from "../harness.js";
import { applyAll, condition, getGroup, getObject, groupWhen, manifest } from "../operator/support.js";
import { type RunningOperator, startOperator } from "../operator.js";

const ZONE = "race.it.example.test";
const LABELS = ["alpha", "bravo", "charlie"];

let nsA = "";
let nsB = "";
let claims = "";
const operators: RunningOperator[] = [];

beforeAll(async () => {
  await applyCrds();
  [nsA, nsB, claims] = await Promise.all([
    createNamespace("dns-race-a"),
    createNamespace("dns-race-b"),
    createNamespace("dns-race-claims"),
  ]);
  const args = [`--dns-zone=${ZONE}`, `--operator-namespace=${claims}`];
  operators.push(
    ...(await Promise.all([
      startOperator({ namespace: nsA, args }),
      startOperator({ namespace: nsB, args }),
    ])),
  );
});

afterAll(async () => {
  await Promise.all(operators.map((o) => o.stop()));
  await Promise.all([nsA, nsB, claims].filter(Boolean).map(deleteNamespace));
});

function group(name: string, label: string) {
  return manifest(name, {
    containers: [
      {
        name: "web",
        image: "nginx:1.27",
        ports: [{ port: 80 }],
        resources: { requests: { cpu: 0.1, memoryInGB: 0.1 } },
      },
    ],
    ipAddress: { type: "Public", ports: [{ port: 80 }], dnsNameLabel: label },
  });
}

const lease = (label: string) =>
  getObject<V1Lease>("coordination.k8s.io/v1", "Lease", claims, claimName(`${label}.${ZONE}`));

type Outcome = "won" | "lost";

/** A group's settled outcome: its FQDN in status (won), or DNSNameLabelConflict (lost). */
async function outcome(namespace: string, name: string): Promise<Outcome> {
  const g = await groupWhen(
    namespace,
    name,
    "a settled DNS outcome",
    (g) =>
      g.status?.ipAddress?.fqdn !== undefined || condition(g, "Ready")?.reason === "DNSNameLabelConflict",
  );
  return g.status?.ipAddress?.fqdn ? "won" : "lost";
}

describe("two groups racing for one Unsecure label", () => {
  it("end with exactly one winner, the claim's holder; the other reports DNSNameLabelConflict", async () => {
    // Created at once, one per namespace and operator, for several labels.
    await Promise.all([
      applyAll(
        nsA,
        LABELS.map((label) => group(label, label)),
      ),
      applyAll(
        nsB,
        LABELS.map((label) => group(label, label)),
      ),
    ]);
    for (const label of LABELS) {
      const [a, b] = await Promise.all([outcome(nsA, label), outcome(nsB, label)]);
      expect([a, b].sort(), label).toEqual(["lost", "won"]);
      const winnerNs = a === "won" ? nsA : nsB;
      const loserNs = a === "won" ? nsB : nsA;
      const winner = await getGroup(winnerNs, label);
      expect((await lease(label))?.spec?.holderIdentity).toBe(`${winnerNs}/${label}/${winner?.metadata.uid}`);
      const loser = await getGroup(loserNs, label);
      expect(condition(loser, "DNSReady")).toMatchObject({ status: "False", reason: "DNSNameLabelConflict" });
      expect(condition(loser, "Ready")?.message).toContain(
        `is already used by ContainerGroup ${winnerNs}/${label}`,
      );
    }
    // Nothing flips afterwards: the outcome is stable.
    await new Promise((r) => setTimeout(r, 2_000));
    for (const label of LABELS) {
      const winners = [await getGroup(nsA, label), await getGroup(nsB, label)].filter(
        (g) => g?.status?.ipAddress?.fqdn !== undefined,
      );
      expect(winners, label).toHaveLength(1);
    }
  });

  it("deleting the winner gives the label to the loser", async () => {
    const label = LABELS[0] ?? "";
    const aWon = (await getGroup(nsA, label))?.status?.ipAddress?.fqdn !== undefined;
    const [winnerNs, loserNs] = aWon ? [nsA, nsB] : [nsB, nsA];
    const before = Date.now();
    await kubectlOk(["delete", "containergroup", label, "-n", winnerNs, "--wait=true", "--timeout=60s"]);
    // Woken by the released claim, not by its backoff: well within the first seconds.
    const loser = await groupWhen(
      loserNs,
      label,
      "the label",
      (g) => g.status?.ipAddress?.fqdn === `${label}.${ZONE}`,
      15_000,
    );
    expect(Date.now() - before).toBeLessThan(15_000);
    expect(condition(loser, "Ready")?.reason).not.toBe("DNSNameLabelConflict");
    await eventually("the claim held by the former loser", async () =>
      (await lease(label))?.spec?.holderIdentity === `${loserNs}/${label}/${loser.metadata.uid}`
        ? true
        : undefined,
    );
  });
});
