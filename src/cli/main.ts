// kubectl-container_group (kubectl container-group, kubectl cg): az container's verbs on
// ContainerGroups. Wiring only: flags to commands, results to stdout, errors to stderr with exit
// code 1 (exec: the remote process's exit code).
import { Command, Option } from "@commander-js/extra-typings";
import { AciImportError, CreateFlagError } from "../aci/errors.js";
import { splitShellWords } from "../aci/shell-words.js";
import { errorCode, errorMessage } from "../runtime/apply.js";
import { attach } from "./commands/attach.js";
import { create, exportCommand, importCommand } from "./commands/documents.js";
import { exec } from "./commands/exec.js";
import { remove, restart, start, stop } from "./commands/lifecycle.js";
import { logs } from "./commands/logs.js";
import { list, show } from "./commands/show.js";
import { usage } from "./commands/usage.js";
import { NotFoundError } from "./groups.js";
import { OUTPUT_FORMATS, type OutputFormat, outputFormat } from "./output.js";
import { type GlobalFlags, openSession, parseRequestTimeout, type Session, UsageError } from "./session.js";

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
    .showHelpAfterError("(run with -h for usage)");

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

  /** A command that answers at once: a session from the flags, its text on stdout, timed. */
  const answer = async (
    cmd: { optsWithGlobals(): object },
    work: (session: Session, format: OutputFormat) => Promise<string>,
  ): Promise<void> => {
    const flags = globals(cmd);
    write(await timed(flags, work(openSession(flags), outputFormat(flags.output))));
  };

  const number = (flag: string) => (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new UsageError(`${flag} ${value}: expected a number`);
    return n;
  };
  const numbers = (flag: string) => (value: string, previous: number[] | undefined) => [
    ...(previous ?? []),
    number(flag)(value),
  ];
  program
    .command("create")
    .description(
      "Create a container group from az container create's flags, or from an ACI YAML file (-f); again on the same name, update it",
    )
    .argument("[name]", "the group's name (az's -n; here -n is the namespace, as in kubectl)")
    .option("--name <name>", "the group's name, as az's --name")
    .option("-f, --file <file>", "an ACI YAML file (az container create -f), or - for stdin")
    .option("--image <image>", "the container image")
    .option("--cpu <cores>", "cores (default 1)", number("--cpu"))
    .option("--memory <GB>", "memory in GB (default 1.5)", number("--memory"))
    .option("--ports <ports...>", "ports to open (default 80)", numbers("--ports"))
    .option("--protocol <protocol>", "TCP or UDP")
    .option("--ip-address <type>", "Public or Private")
    .option("--dns-name-label <label>", "the DNS name label (implies --ip-address Public)")
    .option("-e, --environment-variables <KEY=VALUE...>", "environment variables")
    .option(
      "--secure-environment-variables <KEY=VALUE...>",
      "secure environment variables (kept in a Secret)",
    )
    .option("--command-line <line>", "the command to run, split like a shell")
    .option("--restart-policy <policy>", "Always, OnFailure or Never (default Always)")
    .option("--os-type <os>", "Linux or Windows (default Linux)")
    .option("--registry-login-server <server>", "the private registry's server")
    .option("--registry-username <user>", "the registry user")
    .option("--registry-password <password>", "the registry password (kept in a Secret)")
    .option("--azure-file-volume-share-name <name>", "an Azure Files share to mount")
    .option("--azure-file-volume-account-name <name>", "its storage account")
    .option("--azure-file-volume-account-key <key>", "its storage account key (kept in a Secret)")
    .option("--azure-file-volume-mount-path <path>", "where to mount it")
    .option("--gitrepo-url <url>", "a git repository to clone into a volume")
    .option("--gitrepo-dir <dir>", "the directory to clone into (default .)")
    .option("--gitrepo-revision <revision>", "the commit, branch or tag")
    .option("--gitrepo-mount-path <path>", "where to mount the clone")
    .option("--secrets <NAME=CONTENT...>", "secret files")
    .option("--secrets-mount-path <path>", "where to mount the secret files")
    .option("--zone <zone>", "the availability zone")
    .option("--priority <priority>", "Regular or Spot")
    .option("--sku <sku>", "Standard, Dedicated or Confidential")
    .action(async (positional, opts, cmd) => {
      const flags = globals(cmd);
      if (positional && opts.name && positional !== opts.name) {
        throw new UsageError(`the name is given twice (${positional} and --name ${opts.name}): pass one`);
      }
      const { name, ...createFlags } = opts;
      write(
        await create(openSession(flags), positional ?? name, { image: "", ...createFlags }, (t) =>
          process.stderr.write(t),
        ),
      );
    });

  program
    .command("import")
    .description(
      "Convert ACI YAML files, ARM templates or REST bodies to ContainerGroups: print them, or --apply",
    )
    .requiredOption("-f, --file <file>", "the document, or - for stdin")
    .option(
      "-p, --parameter <NAME=VALUE...>",
      "an ARM template parameter's value (default: its defaultValue)",
    )
    .option("--apply", "apply the groups instead of printing them (all are checked by the API server first)")
    .action(async (opts, cmd) => {
      const flags = globals(cmd);
      const session = opts.apply || !flags.namespace ? safeSession(flags) : undefined;
      const namespace = session?.namespace ?? flags.namespace ?? "default";
      write(
        await importCommand(session, namespace, opts, outputFormat(flags.output), (t) =>
          process.stderr.write(t),
        ),
      );
    });

  program
    .command("export")
    .description("Print a group as the ACI YAML document az container export writes (secure values left out)")
    .argument("<name>")
    .action((name, _opts, cmd) => answer(cmd, (session, format) => exportCommand(session, name, format)));

  program
    .command("show")
    .description("Show a container group: state, IP, containers, conditions, usage (az container show)")
    .argument("<name>")
    .action((name, _opts, cmd) => answer(cmd, (session, format) => show(session, name, format)));

  program
    .command("list")
    .alias("ls")
    .description("List container groups (az container list)")
    .action((_opts, cmd) => answer(cmd, (session, format) => list(session, format)));

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
      .action((name, _opts, cmd) => answer(cmd, (session) => run(session, name)));
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
      const argv = opts.execCommand ? splitShellWords(opts.execCommand, "--exec-command") : command;
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
    .action((name, opts, cmd) => answer(cmd, (session, format) => usage(session, name, opts, format)));

  return program;
}

/** import without --apply needs no cluster: the kubeconfig only says the default namespace. */
function safeSession(flags: GlobalFlags) {
  try {
    return openSession(flags);
  } catch (e) {
    if (flags.allNamespaces || !(e instanceof UsageError)) throw e;
    return undefined;
  }
}

/** The message a user sees for a failure: the API server's words, or what was wrong with the call. */
export function failureMessage(e: unknown): string {
  if (e instanceof UsageError || e instanceof NotFoundError || e instanceof CreateFlagError) return e.message;
  if (e instanceof AciImportError) return `the document cannot be imported: ${e.message}`;
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
