// The cluster a command talks to, chosen the way kubectl chooses it: --kubeconfig, else KUBECONFIG,
// else ~/.kube/config (or in-cluster); then --context, --cluster and --user; the namespace from
// -n, else the context's, else "default".
import { KubeConfig } from "@kubernetes/client-node";
import { KubeClient } from "../runtime/apply.js";
import { identifyAs, userAgent } from "../runtime/user-agent.js";

/** The flags every subcommand takes, as kubectl passes them through to a plugin. */
export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  allNamespaces?: boolean;
  requestTimeout?: string;
}

export interface Session {
  kubeConfig: KubeConfig;
  client: KubeClient;
  /** The namespace a command acts in. */
  namespace: string;
  /** -A: list commands span every namespace. */
  allNamespaces: boolean;
}

/** A mistake in how the command was called: printed with the command's help hint, exit code 1. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** kubectl's --request-timeout: "0" (none), a bare number of seconds, or a duration like 30s, 2m, 1h. */
export function parseRequestTimeout(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new UsageError(`--request-timeout=${value}: expected a duration such as 30s, 2m or 0 (none)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * unit;
}

export function loadKubeConfig(flags: GlobalFlags): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new UsageError(
      `cannot read the kubeconfig ${flags.kubeconfig ?? process.env.KUBECONFIG ?? "~/.kube/config"}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (flags.context) {
    if (!kc.getContextObject(flags.context)) {
      throw new UsageError(
        `--context=${flags.context}: no such context in the kubeconfig (kubectl config get-contexts)`,
      );
    }
    kc.setCurrentContext(flags.context);
  }
  // --cluster and --user override the current context's, as in kubectl.
  if (flags.cluster || flags.user) {
    const current = kc.getContextObject(kc.getCurrentContext());
    if (flags.cluster && !kc.getCluster(flags.cluster)) {
      throw new UsageError(`--cluster=${flags.cluster}: no such cluster in the kubeconfig`);
    }
    if (flags.user && !kc.getUser(flags.user))
      throw new UsageError(`--user=${flags.user}: no such user in the kubeconfig`);
    const name = "kubectl-cg-override";
    kc.addContext({
      name,
      cluster: flags.cluster ?? current?.cluster ?? "",
      user: flags.user ?? current?.user ?? "",
      ...(current?.namespace ? { namespace: current.namespace } : {}),
    });
    kc.setCurrentContext(name);
  }
  if (!kc.getCurrentCluster()) {
    throw new UsageError("the kubeconfig names no current cluster: pass --kubeconfig or --context");
  }
  return kc;
}

export function openSession(flags: GlobalFlags): Session {
  const kubeConfig = identifyAs(loadKubeConfig(flags), userAgent("kubectl-container-group"));
  if (flags.requestTimeout) parseRequestTimeout(flags.requestTimeout); // validated; applied per call below
  const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return {
    kubeConfig,
    client: new KubeClient(kubeConfig),
    namespace: flags.namespace || contextNamespace || "default",
    allNamespaces: flags.allNamespaces ?? false,
  };
}
