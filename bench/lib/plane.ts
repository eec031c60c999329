// A second local control plane for benchmarks and chaos, started by hack/cluster.sh under its own
// name and work directory, so its load and its restarts never touch the shared plane (cio).
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { BenchClient, sleep } from "./kube.js";

const run = promisify(execFile);

export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

export class Plane {
  readonly workdir: string;
  readonly clusterDir: string;
  readonly kubeconfig: string;
  readonly kubectlBin: string;
  readonly kwokctlBin: string;

  constructor(
    readonly name: string,
    private readonly kwokctlArgs = "",
  ) {
    if (name === "cio") throw new Error("benchmarks and chaos never run on the shared plane (cio)");
    this.workdir = join(ROOT, ".local", `kwok-${name}`);
    this.clusterDir = join(this.workdir, "clusters", name);
    this.kubeconfig = join(ROOT, ".local", `kubeconfig-${name}`);
    this.kubectlBin = join(
      execFileSync(join(ROOT, "hack/tools.sh"), ["bindir", "kubernetes"]).toString().trim(),
      "kubectl",
    );
    this.kwokctlBin = join(
      execFileSync(join(ROOT, "hack/tools.sh"), ["bindir", "kwok"]).toString().trim(),
      "kwokctl",
    );
  }

  get auditLog(): string {
    return join(this.clusterDir, "logs", "audit.log");
  }

  private env(): NodeJS.ProcessEnv {
    // The harness reads the audit log by byte offset, so it must never rotate during a run: at its
    // default 100 MB it did, in the middle of a latency run (a 1000-group run logs about 40 MB).
    const args = `--extra-args kube-apiserver=audit-log-maxsize=100000 ${this.kwokctlArgs}`.trim();
    return { ...process.env, CIO_CLUSTER_NAME: this.name, CIO_KWOKCTL_ARGS: args };
  }

  async up(): Promise<void> {
    await run(join(ROOT, "hack/cluster.sh"), ["up"], { env: this.env(), maxBuffer: 1 << 24 });
    await this.kubectl(["apply", "--server-side", "--force-conflicts", "-f", join(ROOT, "crds")]);
    // Not `kubectl wait`: it fails when it reads the CRD before the API server wrote any condition.
    for (let i = 0; ; i++) {
      const established = await this.kubectl([
        "get",
        "crd",
        "containergroups.containerinstances.dev",
        "-o",
        'jsonpath={.status.conditions[?(@.type=="Established")].status}',
      ]).catch(() => "");
      if (established.trim() === "True") break;
      if (i > 120) throw new Error("the ContainerGroup CRD was not Established within 60 s");
      await sleep(500);
    }
  }

  async down(): Promise<void> {
    await run(join(ROOT, "hack/cluster.sh"), ["down"], { env: this.env(), maxBuffer: 1 << 24 });
  }

  async kubectl(args: string[], input?: string): Promise<string> {
    const child = run(this.kubectlBin, ["--kubeconfig", this.kubeconfig, ...args], { maxBuffer: 1 << 26 });
    if (input !== undefined) {
      child.child.stdin?.write(input);
      child.child.stdin?.end();
    }
    return (await child).stdout;
  }

  client(): BenchClient {
    return new BenchClient(this.kubeconfig);
  }

  pid(component: string): number | undefined {
    const file = join(this.clusterDir, "pids", `${component}.pid`);
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isFinite(pid) && existsSync(`/proc/${pid}`) ? pid : undefined;
  }

  /** The component's command line as kwokctl started it (for restarting it by hand). */
  componentArgs(component: string): { binary: string; args: string[] } {
    const pid = this.pid(component);
    if (!pid) throw new Error(`${component} is not running`);
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return { binary: argv[0] ?? "", args: argv.slice(1) };
  }

  /**
   * Restarts the named components whenever they exit, as a kubelet restarts static Pods: the
   * controller manager and the scheduler exit when they cannot renew their leases, e.g. while the
   * API server restarts, and kwokctl's binary runtime does not bring them back. Returns a stop function.
   */
  supervise(components: string[]): { stop(): void; restarts: Record<string, number> } {
    const saved = new Map(components.map((c) => [c, this.componentArgs(c)]));
    const restarts: Record<string, number> = {};
    const timer = setInterval(() => {
      for (const [component, { binary, args }] of saved) {
        if (this.pid(component)) continue;
        restarts[component] = (restarts[component] ?? 0) + 1;
        this.spawnComponent(component, binary, args);
      }
    }, 1000);
    return { stop: () => clearInterval(timer), restarts };
  }

  private spawnComponent(component: string, binary: string, args: string[]): void {
    const out = openSync(join(this.clusterDir, "logs", `${component}.log`), "a");
    const child = spawn(binary, args, { detached: true, stdio: ["ignore", out, out], cwd: this.clusterDir });
    child.unref();
    writeFileSync(join(this.clusterDir, "pids", `${component}.pid`), String(child.pid));
  }

  /** Restarts the API server: SIGKILL, wait for it to exit, start it with the same flags, wait for /readyz. */
  async restartApiServer(client: BenchClient, downMs = 3000): Promise<number> {
    const { binary, args } = this.componentArgs("kube-apiserver");
    const pid = this.pid("kube-apiserver") as number;
    const started = Date.now();
    process.kill(pid, "SIGKILL"); // a crash, not a drain: SIGTERM drains watches for about 60 s
    while (existsSync(`/proc/${pid}`)) await sleep(100);
    await sleep(downMs);
    this.spawnComponent("kube-apiserver", binary, args);
    for (;;) {
      // A request on a socket the old process left half-open can hang: give each try 2 s.
      const ok = await Promise.race([
        client.raw("GET", "/readyz").then(
          (r) => r.status === 200,
          () => false,
        ),
        sleep(2000).then(() => false),
      ]);
      if (ok) break;
      if (Date.now() - started > 120_000) throw new Error("the API server did not come back in 120 s");
      await sleep(250);
    }
    return (Date.now() - started) / 1000;
  }
}

/** Resident set size of a process in bytes (VmRSS), or undefined when it is gone. */
export function rssBytes(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Fake nodes big enough for 10,000 one-Pod groups (kwok manages Nodes annotated kwok.x-k8s.io/node: fake). */
export function benchNodes(count: number): string {
  return Array.from(
    { length: count },
    (_, i) => `apiVersion: v1
kind: Node
metadata:
  name: bench-node-${i}
  annotations: {kwok.x-k8s.io/node: fake}
  labels:
    type: kwok
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: bench-node-${i}
    topology.kubernetes.io/zone: "${(i % 3) + 1}"
    katacontainers.io/kata-runtime: "true"
status:
  capacity: {cpu: "4000", memory: 16Ti, pods: "3000"}
  allocatable: {cpu: "4000", memory: 16Ti, pods: "3000"}
`,
  ).join("---\n");
}
