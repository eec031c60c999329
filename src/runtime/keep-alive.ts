// One keep-alive HTTPS agent per API server for request/response calls. @kubernetes/client-node
// 1.4 builds a new agent in applySecurityAuthentication for every request, so every request
// parses the CA, certificate and key again and does a full TLS handshake: measured (make bench),
// over half the operator's CPU while converging groups, and most of its native memory. Watches keep
// their own agents (client-node's Watch destroys its agent's sockets when a watch is aborted).
import { Agent } from "node:https";
import type { KubeConfig, RequestContext, SecurityAuthentication } from "@kubernetes/client-node";

/** Sockets kept per API server; the client-side rate limiter keeps far fewer requests in flight. */
const MAX_SOCKETS = 64;

/**
 * The kubeconfig's authentication (headers, tokens, exec plugins, client certificates), with the
 * per-request agent it makes replaced by one shared keep-alive agent built from the same TLS
 * options. Exec-plugin and token credentials are still applied per request, as headers.
 */
export function keepAliveAuthentication(kc: KubeConfig): SecurityAuthentication {
  let shared: Agent | undefined;
  return {
    getName: () => "keep-alive kubeconfig",
    async applySecurityAuthentication(context: RequestContext): Promise<void> {
      await kc.applySecurityAuthentication(context);
      const agent = context.getAgent();
      // Proxies and plain HTTP keep client-node's agent.
      if (!(agent instanceof Agent) || agent.constructor !== Agent) return;
      shared ??= new Agent({ ...agent.options, keepAlive: true, maxSockets: MAX_SOCKETS });
      context.setAgent(shared);
    },
  };
}
