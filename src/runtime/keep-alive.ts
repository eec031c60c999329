// One keep-alive connection pool per API server for request/response calls. @kubernetes/client-node
// (1.4 with an https.Agent, 2.0 with an undici Agent) builds a new agent in
// applySecurityAuthentication for every request, so every request opens a new TCP connection and
// does a full TLS handshake: in 1.4, measured by make bench, over half the operator's CPU while
// converging groups. test/integration/runtime/connections.test.ts shows that 2.0 still does it.
// Watches keep their own connections (client-node's Watch aborts its request to stop a watch).
import type { KubeConfig, RequestContext, SecurityAuthentication } from "@kubernetes/client-node";

type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

/**
 * The kubeconfig's authentication (headers, tokens, exec plugins, client certificates), with the
 * per-request dispatcher it makes replaced by the first one it made, which keeps its connections
 * alive. Exec-plugin and token credentials are still applied per request, as headers; the TLS
 * material (CA, client certificate) is the kubeconfig's at the first request.
 */
export function keepAliveAuthentication(kc: KubeConfig): SecurityAuthentication {
  let shared: Dispatcher | undefined;
  return {
    getName: () => "keep-alive kubeconfig",
    async applySecurityAuthentication(context: RequestContext): Promise<void> {
      await kc.applySecurityAuthentication(context);
      // Proxied clusters keep client-node's dispatcher; plain HTTP gets none (undici's global).
      if (kc.getCurrentCluster()?.proxyUrl) return;
      const fresh = context.getDispatcher();
      if (!fresh) return;
      if (!shared) {
        shared = fresh;
        return;
      }
      context.setDispatcher(shared);
      // Never used: it has no connection to close, only its bookkeeping to drop.
      void fresh.close().catch(() => {});
    },
  };
}
