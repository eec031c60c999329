// Nothing the plane routes leaves the machine (issue 11): the four address ranges are disjoint,
// a fake Pod's address is a blackhole, the guard chain drops whatever would go out, and nothing
// masquerades to the outside. Proven by reading what the plane installed in the host's routing
// and iptables, never by sending a packet that could leave.
import { describe, expect, it } from "vitest";
import { repoRoot, usingExternalCluster } from "../env.js";
import { kubectlOk, run } from "../harness.js";
import { realNode, realNodeTitle } from "../plane.js";
import { overlaps } from "./support.js";

const node = realNode;

async function host(command: string, args: string[]): Promise<string> {
  const r = await run(command, args);
  if (r.code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

// Reading the host's tables needs the local plane's host, not a remote cluster.
describe.skipIf(!node || usingExternalCluster())(realNodeTitle("the real node's network"), () => {
  it("keeps fake Pod IPs, Service IPs, real Pod IPs and load balancer addresses in disjoint ranges, as the cluster really uses them", async () => {
    const ranges = [
      node?.fakePodCidr ?? "",
      node?.serviceCidr ?? "",
      node?.podCidr ?? "",
      node?.lbCidr ?? "",
    ];
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++)
        expect(overlaps(ranges[i] ?? "", ranges[j] ?? "")).toBe(false);
    }
    // The API server's own Service (the first address of its range) proves the range in force.
    const svc = JSON.parse(await kubectlOk(["-n", "default", "get", "svc", "kubernetes", "-o", "json"])) as {
      spec: { clusterIP: string };
    };
    expect(overlaps(`${svc.spec.clusterIP}/32`, node?.serviceCidr ?? "")).toBe(true);
    const realNodeObj = JSON.parse(await kubectlOk(["get", "node", node?.node ?? "", "-o", "json"])) as {
      status: { addresses: { type: string; address: string }[] };
    };
    const internal = realNodeObj.status.addresses.find((a) => a.type === "InternalIP")?.address ?? "";
    expect(overlaps(`${internal}/32`, node?.podCidr ?? "")).toBe(true);
  });

  it("routes a fake Pod's address nowhere, and the real Pods' and load balancers' ranges only onto the plane's bridge", async () => {
    const fakeIp = (node?.fakePodCidr ?? "").replace(/\.0\/\d+$/, ".7");
    const fake = await run("ip", ["route", "get", fakeIp]);
    // A blackhole route: the kernel refuses to route there at all.
    expect(`${fake.stdout}${fake.stderr}`).toMatch(/blackhole|Invalid argument|No route/);
    const routes = await host("ip", ["route", "show", "table", "main"]);
    expect(routes).toContain(`blackhole ${node?.fakePodCidr}`);
    for (const cidr of [node?.podCidr ?? "", node?.lbCidr ?? ""])
      expect(routes).toMatch(new RegExp(`^${cidr.replace(/\./g, "\\.")} dev ${node?.bridge} `, "m"));
  });

  it("drops, after every DNAT, whatever would leave towards a fake Pod, the Service or load balancer ranges, or from a real Pod", async () => {
    const mangle = await host("iptables-save", ["-t", "mangle"]);
    const postrouting = mangle.split("\n").filter((l) => l.startsWith("-A POSTROUTING "));
    // First in POSTROUTING, so no rule before it can let a packet out.
    expect(postrouting[0]).toBe("-A POSTROUTING -j CIO-GUARD");
    const guard = mangle
      .split("\n")
      .filter((l) => l.startsWith("-A CIO-GUARD "))
      .map((l) => l.replace(/ -m comment --comment "[^"]*"/, ""));
    expect(guard).toEqual([
      `-A CIO-GUARD -d ${node?.fakePodCidr} -j DROP`,
      `-A CIO-GUARD -d ${node?.serviceCidr} -j DROP`,
      `-A CIO-GUARD -d ${node?.lbCidr} -j DROP`,
      "-A CIO-GUARD -o lo -j RETURN",
      `-A CIO-GUARD -o ${node?.bridge} -j RETURN`,
      `-A CIO-GUARD -s ${node?.podCidr} -j DROP`,
      "-A CIO-GUARD -m conntrack --ctstate DNAT -j DROP",
    ]);
  });

  it("masquerades nothing to the outside: only kube-proxy's marked Service hairpin, towards the bridge", async () => {
    const nat = await host("iptables-save", ["-t", "nat"]);
    const rules = nat.split("\n").filter((l) => l.startsWith("-A "));
    // kube-proxy's KUBE-POSTROUTING masquerades only packets it marked (Service traffic whose
    // source must be rewritten), and those were DNATed to an endpoint, which the guard confines
    // to the bridge. Nothing else masquerades.
    for (const rule of rules.filter((l) => /-j MASQUERADE/.test(l)))
      expect(rule).toMatch(/^-A KUBE-POSTROUTING /);
    expect(rules.find((l) => l.startsWith("-A KUBE-POSTROUTING "))).toBe(
      "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
    );
    const conflist = await host("cat", [`${repoRoot}/.local/node/cni/net.d/10-cio.conflist`]);
    expect(JSON.parse(conflist).plugins[0]).toMatchObject({ type: "bridge", ipMasq: false });
  });
});
