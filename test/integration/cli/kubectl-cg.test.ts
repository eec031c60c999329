// kubectl cg against the local plane, with the operator running: az container's verbs on real
// groups, and on the real node logs --follow, exec with arguments, usage and import --apply.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { ContainerGroup } from "../../../src/api/types.js";
import { repoRoot } from "../env.js";
import { eventually, kubeconfigPath, run } from "../harness.js";
import { realNodeOperator } from "../node/support.js";
import { getPod, groupWhen, inState } from "../operator/support.js";
import { realNode, realNodeTitle } from "../plane.js";

const CLI = ["--import", "tsx", `${repoRoot}/src/cli/run.ts`];

/** kubectl cg ARGS in the file's namespace; never throws. */
function cg(ns: string, args: readonly string[], input = "") {
  return run(process.execPath, [...CLI, "--kubeconfig", kubeconfigPath(), "-n", ns, ...args], { input });
}

async function cgOk(ns: string, args: readonly string[], input = ""): Promise<string> {
  const r = await cg(ns, args, input);
  if (r.code !== 0) throw new Error(`kubectl cg ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Runs `kubectl cg ARGS` until its output holds `until`, then stops it; bounded by `timeoutMs`. */
function cgUntil(ns: string, args: readonly string[], until: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, "--kubeconfig", kubeconfigPath(), "-n", ns, ...args], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `kubectl cg ${args.join(" ")}: no "${until}" in ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`,
        ),
      );
    }, timeoutMs);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(until)) {
        clearTimeout(timer);
        child.kill("SIGTERM");
        resolve(out);
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (!out.includes(until))
        reject(new Error(`kubectl cg ${args.join(" ")} ended (${code}) before "${until}": ${err}`));
    });
  });
}

const show = async (ns: string, name: string) =>
  JSON.parse(await cgOk(ns, ["show", name, "-o", "json"])) as ContainerGroup;

describe.skipIf(!realNode)(realNodeTitle("kubectl cg on the local plane"), () => {
  const file = realNodeOperator("cli");
  const node = realNode;
  const small = ["--cpu", "0.1", "--memory", "0.1"];

  it("creates from az's flags, shows, lists, stops, starts, restarts and deletes", async () => {
    const name = "from-flags";
    const out = await cgOk(file.ns, [
      "create",
      name,
      "--image",
      node?.busyboxImage ?? "",
      ...small,
      "--command-line",
      "sh -c 'echo hello from flags; exec sleep 3600'",
      "-e",
      "GREETING=hi",
      "--restart-policy",
      "Never",
    ]);
    expect(out).toContain(`containergroup/${name} applied`);
    await groupWhen(file.ns, name, "Running", inState("Running"), 90_000);

    const shown = await show(file.ns, name);
    expect(shown.spec.containers[0]?.command).toEqual(["sh", "-c", "echo hello from flags; exec sleep 3600"]);
    expect(shown.spec.containers[0]?.environmentVariables).toEqual([{ name: "GREETING", value: "hi" }]);
    expect(shown.spec.restartPolicy).toBe("Never");
    expect(await cgOk(file.ns, ["show", name])).toMatch(/State:\s+Running/);
    const listed = await cgOk(file.ns, ["list"]);
    expect(listed.split("\n")[0]).toMatch(/^NAME\s+STATE\s+IP\s+FQDN\s+CPU\s+MEMORY\(GB\)\s+GPU\s+AGE$/);
    expect(listed).toMatch(new RegExp(`^${name}\\s+Running`, "m"));
    const all = await cgOk(file.ns, ["list", "-A"]);
    expect(all).toMatch(new RegExp(`^${file.ns}\\s+${name}\\s+Running`, "m"));

    // Create again with the same name updates the group, as users of az expect.
    await cgOk(file.ns, [
      "create",
      name,
      "--image",
      node?.busyboxImage ?? "",
      ...small,
      "--command-line",
      "sleep 3600",
      "--restart-policy",
      "Never",
    ]);
    expect((await show(file.ns, name)).spec.containers[0]?.environmentVariables ?? []).toEqual([]);

    await cgOk(file.ns, ["stop", name]);
    await groupWhen(file.ns, name, "Stopped", inState("Stopped"), 60_000);
    await cgOk(file.ns, ["start", name]);
    await groupWhen(file.ns, name, "Running again", inState("Running"), 90_000);
    const before = await getPod(file.ns, name);
    await cgOk(file.ns, ["restart", name]);
    await eventually(
      "a new Pod after restart",
      async () => {
        const p = await getPod(file.ns, name);
        return p?.metadata?.uid !== before?.metadata?.uid && p?.status?.phase === "Running" ? p : undefined;
      },
      { timeoutMs: 90_000 },
    );

    const refused = await cg(file.ns, ["delete", name]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("pass -y");
    expect(await cgOk(file.ns, ["delete", name, "-y"])).toContain(`containergroup/${name} deleted`);
    const gone = await cg(file.ns, ["show", name]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`containergroup "${name}" not found in namespace "${file.ns}"`);
  });

  it("streams logs with --follow, takes --tail, and runs exec with arguments and its exit code", async () => {
    const name = "logs-exec";
    await cgOk(file.ns, [
      "create",
      name,
      "--image",
      node?.busyboxImage ?? "",
      ...small,
      "--command-line",
      "sh -c 'echo one; echo two; sleep 2; echo three; exec sleep 3600'",
    ]);
    await groupWhen(file.ns, name, "Running", inState("Running"), 90_000);
    // Follow: "three" is written two seconds after the start, so it arrives by the stream.
    const followed = await cgUntil(file.ns, ["logs", name, "--follow"], "three");
    expect(followed.split("\n").filter(Boolean)).toEqual(["one", "two", "three"]);
    expect((await cgOk(file.ns, ["logs", name, "--tail", "1"])).trim()).toBe("three");

    const r = await cg(file.ns, ["exec", name, "--", "sh", "-c", "echo $((20 + 22)); exit 3"]);
    expect(r.stdout.trim()).toBe("42");
    expect(r.code).toBe(3);
    expect((await cgOk(file.ns, ["exec", name, "--exec-command", "echo 'two words'"])).trim()).toBe(
      "two words",
    );
  });

  it("reports usage to the second, per group and per namespace, priced at the rates given", async () => {
    const name = "usage";
    await cgOk(file.ns, [
      "create",
      name,
      "--image",
      node?.busyboxImage ?? "",
      ...small,
      "--command-line",
      "sleep 3600",
    ]);
    await groupWhen(file.ns, name, "Running", inState("Running"), 90_000);
    const read = async () =>
      (
        JSON.parse(await cgOk(file.ns, ["usage", name, "-o", "json", "--price-per-core-second", "1"])) as {
          items: { name?: string; usage: { cpuCoreSeconds: number; runningSeconds: number }; cost: number }[];
        }
      ).items;
    const first = await eventually("a second of usage", async () => {
      const rows = await read();
      return (rows[0]?.usage.runningSeconds ?? 0) >= 1 ? rows : undefined;
    });
    expect(first[0]?.name).toBe(name);
    expect(first[0]?.cost).toBeCloseTo((first[0]?.usage.cpuCoreSeconds ?? 0) * 1, 6);
    expect(first[1]?.name).toBeUndefined(); // the namespace's total
    // Live: it grows while the group runs, though status.usage is written on state changes only.
    const later = await eventually("usage to grow", async () => {
      const rows = await read();
      return (rows[0]?.usage.runningSeconds ?? 0) > (first[0]?.usage.runningSeconds ?? 0) ? rows : undefined;
    });
    expect(later[0]?.usage.cpuCoreSeconds).toBeGreaterThan(first[0]?.usage.cpuCoreSeconds ?? 0);
    expect(await cgOk(file.ns, ["usage", "--by-namespace"])).toMatch(
      new RegExp(`^${file.ns}\\s+\\(total\\)`, "m"),
    );
  });

  it("imports a multi-container ACI YAML with --apply, and the group runs", async () => {
    const yaml = `apiVersion: 2019-12-01
location: westeurope
name: imported
properties:
  containers:
  - name: web
    properties:
      image: ${node?.busyboxImage}
      command: ["httpd", "-f", "-p", "80"]
      ports:
      - port: 80
      resources:
        requests: { cpu: 0.1, memoryInGb: 0.1 }
  - name: sidecar
    properties:
      image: ${node?.busyboxImage}
      command: ["sh", "-c", "echo sidecar up; exec sleep 3600"]
      resources:
        requests: { cpu: '0.1', memoryInGB: '0.1' }
  osType: Linux
  ipAddress:
    type: private
    ports:
    - protocol: tcp
      port: '80'
tags: { team: web }
type: Microsoft.ContainerInstance/containerGroups
`;
    const printed = await cg(file.ns, ["import", "-f", "-"], yaml);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain("kind: ContainerGroup");
    expect(printed.stderr).toMatch(/warning: location: /);
    const applied = await cg(file.ns, ["import", "-f", "-", "--apply"], yaml);
    expect(applied.stdout).toContain("containergroup/imported applied");
    const g = await groupWhen(file.ns, "imported", "Running", inState("Running"), 90_000);
    expect(g.spec.containers.map((c) => c.name)).toEqual(["web", "sidecar"]);
    expect((await cgOk(file.ns, ["logs", "imported", "--container-name", "sidecar"])).trim()).toBe(
      "sidecar up",
    );

    const exported = await cgOk(file.ns, ["export", "imported"]);
    expect(exported).toContain("type: Microsoft.ContainerInstance/containerGroups");
    expect(exported).toMatch(/- name: sidecar/);
  });
});
