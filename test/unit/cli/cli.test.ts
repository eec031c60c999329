import { describe, expect, it } from "vitest";
import type { ContainerGroup } from "../../../src/api/types.js";
import { exitCodeOf } from "../../../src/cli/commands/exec.js";
import { logOptions } from "../../../src/cli/commands/logs.js";
import { listTable } from "../../../src/cli/commands/show.js";
import { cost, usageRates, usageRows, usageTable } from "../../../src/cli/commands/usage.js";
import { pickContainer } from "../../../src/cli/groups.js";
import { age, outputFormat, table } from "../../../src/cli/output.js";
import { parseRequestTimeout, UsageError } from "../../../src/cli/session.js";
import { ZERO_USAGE } from "../../../src/status/index.js";
import { aContainer, aGroup } from "../fixtures.js";

function group(
  name: string,
  namespace: string,
  containers: string[],
  status: ContainerGroup["status"] = {},
): ContainerGroup {
  return aGroup({ containers: containers.map((c) => aContainer({ name: c })) }, { name, namespace, status });
}

describe("output", () => {
  it("prints kubectl's tables: upper-case headers, columns three spaces apart", () => {
    expect(
      table(
        ["name", "state"],
        [
          ["web", "Running"],
          ["a-longer-name", "Pending"],
        ],
      ),
    ).toBe("NAME            STATE\nweb             Running\na-longer-name   Pending\n");
  });

  it("says ages as kubectl does", () => {
    const now = new Date("2026-12-02T12:00:00Z");
    expect(age("2026-12-02T11:59:15Z", now)).toBe("45s");
    expect(age("2026-12-02T11:55:30Z", now)).toBe("4m30s");
    expect(age("2026-12-02T11:00:00Z", now)).toBe("60m");
    expect(age("2026-12-02T07:00:00Z", now)).toBe("5h");
    expect(age("2026-11-29T09:00:00Z", now)).toBe("3d3h");
    expect(age(undefined, now)).toBe("<unknown>");
  });

  it("takes table, json and yaml, and names the flag otherwise", () => {
    expect(outputFormat(undefined)).toBe("table");
    expect(outputFormat("yaml")).toBe("yaml");
    expect(() => outputFormat("wide")).toThrow(/-o wide: expected one of table, json, yaml/);
  });

  it("lists groups with the CRD's printer columns, and the namespace with -A", () => {
    const g = group("web", "team-a", ["main"], {
      state: "Running",
      ipAddress: { ip: "10.0.0.7" },
      resources: { cpu: 1, memoryInGB: 1.5, gpuCount: 0 },
    });
    const now = new Date("2026-05-01T09:00:30Z"); // 30 s after aGroup's creationTimestamp
    expect(listTable([g], false, now)).toBe(
      "NAME   STATE     IP         FQDN     CPU   MEMORY(GB)   GPU   AGE\nweb    Running   10.0.0.7   <none>   1     1.5          0     30s\n",
    );
    expect(listTable([g], true, now).split("\n")[0]).toMatch(/^NAMESPACE {3}NAME/);
  });
});

describe("flags", () => {
  it("reads kubectl's durations", () => {
    expect(parseRequestTimeout("30s")).toBe(30_000);
    expect(parseRequestTimeout("2m")).toBe(120_000);
    expect(parseRequestTimeout("5")).toBe(5000);
    expect(parseRequestTimeout("0")).toBe(0);
    expect(() => parseRequestTimeout("soon")).toThrow(UsageError);
  });

  it("turns logs flags into the API's log options", () => {
    expect(logOptions({ follow: true, tail: "10", since: "2m", previous: true })).toEqual({
      follow: true,
      previous: true,
      timestamps: false,
      tailLines: 10,
      sinceSeconds: 120,
    });
    expect(logOptions({ tail: "-1" })).toEqual({ follow: false, previous: false, timestamps: false });
    expect(() => logOptions({ tail: "many" })).toThrow(/--tail=many/);
    expect(() => logOptions({ since: "yesterday" })).toThrow(/--since=yesterday/);
  });

  it("picks the only container, the first for logs, and asks for --container-name for exec on several", () => {
    expect(pickContainer(group("a", "ns", ["main"]), undefined, false)).toBe("main");
    const two = group("b", "ns", ["web", "sidecar"]);
    expect(pickContainer(two, undefined, true)).toBe("web");
    expect(() => pickContainer(two, undefined, false)).toThrow(
      /has 2 containers \(web, sidecar\): pass --container-name/,
    );
    expect(() => pickContainer(two, "db", true)).toThrow(
      /--container-name=db: group "b" has no such container/,
    );
  });

  it("takes the remote process's exit code from the API server's status", () => {
    expect(exitCodeOf({ status: "Success" })).toBe(0);
    expect(
      exitCodeOf({
        status: "Failure",
        reason: "NonZeroExitCode",
        details: { causes: [{ reason: "ExitCode", message: "3" }] },
      }),
    ).toBe(3);
    expect(exitCodeOf({ status: "Failure", message: "container not found" })).toBe(1);
  });
});

describe("usage", () => {
  const a = group("a", "team-a", ["main"]);
  const b = group("b", "team-a", ["main"]);
  const c = group("c", "team-b", ["main"]);
  const u = (core: number) => ({
    ...ZERO_USAGE,
    cpuCoreSeconds: core,
    memoryGBSeconds: core * 1.5,
    runningSeconds: core,
  });

  it("gives a row per group and a total per namespace, or only the totals", () => {
    const rows = usageRows(
      [
        { group: a, usage: u(10) },
        { group: b, usage: u(20) },
        { group: c, usage: u(5) },
      ],
      false,
      undefined,
    );
    expect(rows.map((r) => [r.namespace, r.name, r.usage.cpuCoreSeconds])).toEqual([
      ["team-a", "a", 10],
      ["team-a", "b", 20],
      ["team-b", "c", 5],
      ["team-a", undefined, 30],
      ["team-b", undefined, 5],
    ]);
    expect(usageRows([{ group: a, usage: u(10) }], true, undefined)).toHaveLength(1);
  });

  it("prices with the rates the user passes, and only then", () => {
    expect(usageRates({})).toBeUndefined();
    const rates = usageRates({ pricePerCoreSecond: "0.0000113", pricePerGbSecond: "0.0000012" });
    expect(rates).toEqual({ core: 0.0000113, gb: 0.0000012, gpu: 0 });
    expect(cost(u(1000), rates ?? { core: 0, gb: 0, gpu: 0 })).toBe(0.0131);
    expect(() => usageRates({ pricePerGpuSecond: "-1" })).toThrow(/--price-per-gpu-second=-1/);
    const text = usageTable(usageRows([{ group: a, usage: u(1000) }], false, rates), "EUR");
    expect(text.split("\n")[0]).toMatch(/COST\(EUR\)$/);
    expect(text).toContain("(total)");
  });
});
