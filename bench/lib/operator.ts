// The operator as a child process: built once into .local/bench-dist (a snapshot of src/ taken when
// the run starts, so other engineers' edits mid-run change nothing), started with flags, watched
// for unexpected exits, measured through /proc (RSS) and its own /metrics (V8 heap, work queue).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { sleep } from "./kube.js";
import { ROOT, rssBytes } from "./plane.js";

export const DIST = join(ROOT, ".local", "bench-dist");

/** Compiles src/ into .local/bench-dist; returns the commit and whether the tree had changes. */
export function buildOperator(outDir = DIST): { commit: string; dirty: boolean } {
  execFileSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json", "--outDir", outDir], {
    cwd: ROOT,
    stdio: "inherit",
  });
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).toString().trim();
  const dirty = execFileSync("git", ["status", "--porcelain", "src"], { cwd: ROOT }).toString().trim() !== "";
  return { commit, dirty };
}

/** A free loopback port (the operator logs the port it took at level info, which runs may silence). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface OperatorOptions {
  /** Health port (see freePort). */
  port: number;
  /** Metrics port, plain HTTP by explicit setting (the bench reads it without a token). */
  metricsPort: number;
  kubeconfig: string;
  args?: string[];
  logFile: string;
  /** Where the operator was built (buildOperator's outDir); default .local/bench-dist. */
  dist?: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

export class OperatorProcess {
  readonly child: ChildProcess;
  readonly startedAt = Date.now();
  readonly port: number;
  instance: string | undefined;
  exit: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
  /** Set before a deliberate kill, so the exit is not taken for a crash. */
  expectedExit = false;
  private readonly log: WriteStream;
  private readonly lines: string[] = [];

  constructor(readonly options: OperatorOptions) {
    this.port = options.port;
    mkdirSync(join(options.logFile, ".."), { recursive: true });
    this.log = createWriteStream(options.logFile, { flags: "a" });
    this.child = spawn(
      process.execPath,
      [
        ...(options.nodeArgs ?? []),
        join(options.dist ?? DIST, "main.js"),
        `--kubeconfig=${options.kubeconfig}`,
        `--health-port=${options.port}`,
        "--health-bind-address=127.0.0.1",
        `--metrics-port=${options.metricsPort}`,
        "--metrics-bind-address=127.0.0.1",
        "--metrics-secure=false",
        ...(options.args ?? []),
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env }, cwd: ROOT },
    );
    let buf = "";
    const onData = (chunk: Buffer) => {
      this.log.write(chunk);
      buf += chunk.toString();
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.onLine(line);
        nl = buf.indexOf("\n");
      }
    };
    this.child.stdout?.on("data", onData);
    this.child.stderr?.on("data", (c: Buffer) => this.log.write(c));
    this.child.on("exit", (code, signal) => {
      this.exit = { code, signal, at: Date.now() };
      this.log.end();
    });
  }

  private onLine(line: string): void {
    if (this.lines.length < 2000) this.lines.push(line);
    try {
      const j = JSON.parse(line) as { instance?: string };
      if (j.instance && !this.instance) this.instance = j.instance;
    } catch {
      // not JSON: stderr-ish output, kept in the log file only
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Seconds from spawn until /readyz answers 200 (caches synced). */
  async waitReady(timeoutMs = 120_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exit)
        throw new Error(`the operator exited (${JSON.stringify(this.exit)}); see ${this.options.logFile}`);
      {
        const ok = await fetch(`http://127.0.0.1:${this.port}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return (Date.now() - this.startedAt) / 1000;
      }
      await sleep(50);
    }
    throw new Error(`the operator was not ready within ${timeoutMs / 1000} s`);
  }

  async metrics(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const text = await fetch(`http://127.0.0.1:${this.options.metricsPort}/metrics`).then(
      (r) => r.text(),
      () => "",
    );
    for (const line of text.split("\n")) {
      if (!line || line.startsWith("#")) continue;
      const sp = line.lastIndexOf(" ");
      const key = line.slice(0, sp);
      out.set(key, (out.get(key) ?? 0) + Number(line.slice(sp + 1)));
    }
    return out;
  }

  /** RSS from /proc, V8 heap used and total from prom-client's default metrics. */
  async memory(): Promise<{ rss: number; heapUsed: number; heapTotal: number }> {
    const m = await this.metrics();
    return {
      rss: rssBytes(this.pid) ?? Number.NaN,
      heapUsed: m.get("nodejs_heap_size_used_bytes") ?? Number.NaN,
      heapTotal: m.get("nodejs_heap_size_total_bytes") ?? Number.NaN,
    };
  }

  /** Sum of a metric over its labels whose name (with labels) starts with `prefix`. */
  static sum(m: Map<string, number>, prefix: string): number {
    let s = 0;
    for (const [k, v] of m) if (k.startsWith(prefix)) s += v;
    return s;
  }

  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 20_000): Promise<void> {
    if (!this.alive) return;
    this.expectedExit = true;
    this.child.kill(signal);
    const deadline = Date.now() + timeoutMs;
    while (this.alive && Date.now() < deadline) await sleep(50);
    if (this.alive) {
      this.child.kill("SIGKILL");
      while (this.alive) await sleep(50);
    }
  }

  /** An exit nobody asked for: a crash. */
  get crashed(): boolean {
    return this.exit !== undefined && !this.expectedExit;
  }

  tail(n = 20): string[] {
    return this.lines.slice(-n);
  }
}
