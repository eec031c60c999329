// kubectl-container_group (kubectl container-group, kubectl cg): az container's verbs on
// ContainerGroups. Wiring only: flags to commands, results to stdout, errors to stderr with exit
// code 1 (exec: the remote process's exit code).
import { Command, Option } from "@commander-js/extra-typings";
import { errorCode, errorMessage } from "../runtime/apply.js";
import { attach } from "./commands/attach.js";
import { exec } from "./commands/exec.js";
import { remove, restart, start, stop } from "./commands/lifecycle.js";
import { logs } from "./commands/logs.js";
import { list, show } from "./commands/show.js";
import { usage } from "./commands/usage.js";
import { NotFoundError } from "./groups.js";
import { OUTPUT_FORMATS, outputFormat } from "./output.js";
import { type GlobalFlags, openSession, parseRequestTimeout, UsageError } from "./session.js";

export function buildProgram(write: (text: string) => void, setExitCode: (code: number) => void) {
  const program = new Command("kubectl cg")
    .description(
      "Azure Container Instances' az container commands, on ContainerGroups in any Kubernetes cluster.",
    )
    .option("-n, --namespace <namespace>", "the namespace (default: the context's, else default)")
    .option("-A, --all-namespaces", "list across every namespace")
    .option("--kubeconfig <file>", "the kubeconfig (default: KUBECONFIG, else ~/.kube/config)")
    .option("--context <name>", "the kubeconfig context to use")
    .option("--cluster <name>", "the kubeconfig cluster to use")
    .option("--user <name>", "the kubeconfig user to use")
    .option("--request-timeout <duration>", "give up on a request after this long (30s, 2m; 0: never)")
    .addOption(new Option("-o, --output <format>", "output format").choices(OUTPUT_FORMATS))
    .showHelpAfterError("(run with -h for usage)")
    .configureOutput({ outputError: (text, w) => w(text) });

  const globals = (cmd: { optsWithGlobals(): object }): GlobalFlags & { output?: string } =>
    cmd.optsWithGlobals() as GlobalFlags & { output?: string };
  // Requests that answer at once get --request-timeout; streams (logs -f, exec, attach) do not.
  const timed = async <T>(flags: GlobalFlags, work: Promise<T>): Promise<T> => {
    const ms = flags.requestTimeout ? parseRequestTimeout(flags.requestTimeout) : 0;
    if (!ms) return work;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new UsageError(`no answer within --request-timeout=${flags.requestTimeout}`)),
        ms,
      );
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  program
    .command("show")
    .description("Show a container group: state, IP, containers, conditions, usage (az container show)")
    .argument("<name>")
    .action(async (name, _opts, cmd) => {
      const flags = globals(cmd);
      write(await timed(flags, show(openSession(flags), name, outputFormat(flags.output))));
    });

  program
    .command("list")
    .alias("ls")
    .description("List container groups (az container list)")
    .action(async (_opts, cmd) => {
      const flags = globals(cmd);
      write(await timed(flags, list(openSession(flags), outputFormat(flags.output))));
    });

  program
    .command("delete")
    .description("Delete container groups, after asking (az container delete)")
    .argument("<names...>")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (names, opts, cmd) => {
      const flags = globals(cmd);
      write(await remove(openSession(flags), names, opts.yes ?? false));
    });

  for (const [verb, description, run] of [
    [
      "start",
      "Start a stopped container group: a new deployment of the same configuration (az container start)",
      start,
    ],
    ["stop", "Stop a container group: its containers end and usage stops accruing (az container stop)", stop],
    [
      "restart",
      "Restart every container of a running group in a new Pod, pulling changed images (az container restart)",
      restart,
    ],
  ] as const) {
    program
      .command(verb)
      .description(description)
      .argument("<name>")
      .action(async (name, _opts, cmd) => {
        const flags = globals(cmd);
        write(await timed(flags, run(openSession(flags), name)));
      });
  }

  program
    .command("logs")
    .description("Print a container's logs; --follow streams them (az container logs)")
    .argument("<name>")
    .option("--container-name <name>", "the container (default: the first)")
    .option("-f, --follow", "stream new lines as they are written")
    .option("--tail <lines>", "only the last N lines (-1: all)")
    .option("--since <duration>", "only lines newer than this (30s, 5m, 2h)")
    .option("-p, --previous", "the previous instance's logs, after a restart")
    .option("--timestamps", "prefix each line with its time")
    .action(async (name, opts, cmd) => {
      await logs(openSession(globals(cmd)), name, opts, process.stdout);
    });

  program
    .command("exec")
    .description("Run a process in a container: --exec-command CMD, or -- CMD ARGS... (az container exec)")
    .argument("<name>")
    .argument("[command...]", "the command and its arguments, after --")
    .option("--exec-command <command>", "the command line to run (split like a shell)")
    .option("--container-name <name>", "the container (needed when the group has several)")
    .option("-i, --stdin", "pass stdin to the process (default: when stdin is a terminal)")
    .option("-t, --tty", "allocate a TTY (default: when stdin is a terminal)")
    .action(async (name, command, opts, cmd) => {
      if (opts.execCommand && command.length > 0) {
        throw new UsageError("pass the command either as --exec-command or after --, not both");
      }
      const argv = opts.execCommand ? opts.execCommand.split(" ") : command;
      setExitCode(await exec(openSession(globals(cmd)), name, argv, opts));
    });

  program
    .command("attach")
    .description("Show the state and events until the group runs, then its output (az container attach)")
    .argument("<name>")
    .option("--container-name <name>", "the container (default: the first)")
    .action(async (name, opts, cmd) => {
      await attach(openSession(globals(cmd)), name, opts.containerName, process.stdout, process.stderr);
    });

  program
    .command("usage")
    .description("Per-second usage to the second, per group or summed per namespace, optionally priced")
    .argument("[name]", "one group (default: every group in the namespace, or with -A in all)")
    .option("--by-namespace", "only the sums per namespace")
    .option("--price-per-core-second <price>", "price one core-second")
    .option("--price-per-gb-second <price>", "price one GB-second of memory")
    .option("--price-per-gpu-second <price>", "price one GPU-second")
    .option("--currency <code>", "the currency the prices are in, for the header")
    .action(async (name, opts, cmd) => {
      const flags = globals(cmd);
      write(await timed(flags, usage(openSession(flags), name, opts, outputFormat(flags.output))));
    });

  return program;
}

/** The message a user sees for a failure: the API server's words, or what was wrong with the call. */
export function failureMessage(e: unknown): string {
  if (e instanceof UsageError || e instanceof NotFoundError) return e.message;
  const code = errorCode(e);
  if (code === 401) return `the API server refused the credentials (HTTP 401): ${errorMessage(e)}`;
  if (code === 403) return `forbidden (HTTP 403): ${errorMessage(e)}`;
  return errorMessage(e);
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(
    (text) => process.stdout.write(text),
    (code) => {
      exitCode = code;
    },
  );
  program.exitOverride();
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    // Commander has printed its own message (unknown flag, missing argument, --help).
    if (e instanceof Error && "exitCode" in e && typeof e.exitCode === "number" && "code" in e) {
      return e.exitCode;
    }
    process.stderr.write(`error: ${failureMessage(e)}\n`);
    return 1;
  }
  return exitCode;
}
