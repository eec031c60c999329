// Entry point. Until the reconciler is wired in, it proves the connection: lists the cluster's
// nodes and exits non-zero with a clear message on failure.
import * as k8s from "@kubernetes/client-node";

async function main(): Promise<void> {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const server = kc.getCurrentCluster()?.server ?? "(no cluster in kubeconfig)";
  try {
    const nodes = await kc.makeApiClient(k8s.CoreV1Api).listNode();
    console.log(`connected to ${server}: ${nodes.items.length} nodes`);
    for (const n of nodes.items) console.log(`  ${n.metadata?.name}`);
  } catch (e) {
    console.error(
      `cannot reach the Kubernetes API at ${server}: ${e instanceof Error ? e.message : String(e)}`,
    );
    console.error("Check KUBECONFIG (make run sets it to .local/kubeconfig) and that the cluster is up.");
    process.exit(1);
  }
}

await main();
