// `make run`'s walkthrough (hack/run.sh, README's quick start), command by command, against an
// operator started as make run starts it: the example runs on the real node, serves its page at
// the address in its status, and its logs and a shell come through kubectl.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { kubeconfigPath, kubectlBinary, repoRoot } from "../env.js";
import { kubectlOk, run } from "../harness.js";
import { realNode, realNodeTitle } from "../plane.js";
import { hostHas, realNodeOperator } from "./support.js";

const node = realNode;
const hasScript = hostHas("script");

describe.skipIf(!node)(realNodeTitle("make run's walkthrough"), () => {
  const file = realNodeOperator("walkthrough", { groupsLiveFor: "file" });
  const k = (...args: string[]) => kubectlOk(["-n", file.ns, ...args]);

  it("applies the example, which runs, serves its page at its status address, logs and opens a shell", async () => {
    await k("apply", "-f", `${repoRoot}/examples/local-web-server.yaml`);
    await k("wait", "cg/hello-local", "--for=jsonpath={.status.state}=Running", "--timeout=90s");
    expect(await k("get", "cg", "hello-local")).toMatch(/hello-local\s+Running/);

    const ip = await k("get", "cg", "hello-local", "-o", "jsonpath={.status.ipAddress.ip}");
    const page = await run("curl", [
      "-sS",
      "--max-time",
      "5",
      "--retry",
      "5",
      "--retry-all-errors",
      `http://${ip}/`,
    ]);
    expect(page.stdout).toMatch(/^<h1>Hello from hello-local, running in \S+-gvisor<\/h1>/);

    expect(await k("logs", "hello-local")).toContain("serving /www on port 80");

    const shell = await run(
      kubectlBinary(),
      ["--kubeconfig", kubeconfigPath(), "-n", file.ns, "exec", "-i", "hello-local", "--", "sh"],
      {
        input: "dmesg | head -1\nexit\n",
      },
    );
    expect(shell.stdout).toContain("Starting gVisor...");

    expect(await k("describe", "cg", "hello-local")).toMatch(/Ready/);
  });

  // `-it` needs a terminal: script(1) gives kubectl one, as a user's terminal would. Its stdin
  // stays open until the shell has answered: an early end of input would reach the remote shell
  // as ^D before it read the command.
  it.skipIf(!hasScript)("opens an interactive shell with a terminal (kubectl exec -it)", async () => {
    const cmd = `${kubectlBinary()} --kubeconfig ${kubeconfigPath()} -n ${file.ns} exec -it hello-local -- sh`;
    const out = await new Promise<string>((resolve) => {
      const child = spawn("script", ["-qec", cmd, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
      let text = "";
      const timer = setTimeout(() => child.kill("SIGTERM"), 20_000);
      child.stdout.on("data", (d: Buffer) => {
        text += d.toString();
        if (/^done-42\r?$/m.test(text)) child.stdin.end("exit\n");
      });
      child.on("close", () => {
        clearTimeout(timer);
        resolve(text);
      });
      child.stdin.write("[ -t 0 ] && echo is-a-terminal; echo done-$((40+2))\n");
    });
    // A terminal, as the shell sees its stdin (gVisor's ttyname() cannot name it, so not `tty`).
    expect(out).toMatch(/^is-a-terminal\r?$/m);
    expect(out).toMatch(/^done-42\r?$/m);
  });
});
