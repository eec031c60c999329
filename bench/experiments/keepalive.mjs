// Experiment, not product code: load with `node --import ./bench/experiments/keepalive.mjs` to give
// the operator's API requests one keep-alive HTTPS agent instead of the new agent (and so a new TLS
// context and handshake) that @kubernetes/client-node 1.4 creates in applySecurityAuthentication
// for every request. Watches (applyToFetchOptions) keep their own agents: client-node's Watch
// destroys its agent's sockets on abort, which must not hit requests in flight.
// `BENCH_OPERATOR_IMPORT=bench/experiments/keepalive.mjs make bench` measures the difference.
import { Agent } from "node:https";
import { KubeConfig } from "@kubernetes/client-node";

const shared = new Map();
const original = KubeConfig.prototype.applySecurityAuthentication;
KubeConfig.prototype.applySecurityAuthentication = async function (context) {
  await original.call(this, context);
  const agent = context.getAgent();
  if (!(agent instanceof Agent)) return;
  const key = this.getCurrentCluster()?.server ?? "";
  let keep = shared.get(key);
  if (!keep) {
    keep = new Agent({ ...agent.options, keepAlive: true, maxSockets: 64 });
    shared.set(key, keep);
  }
  context.setAgent(keep);
};
