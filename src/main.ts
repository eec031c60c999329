// Wiring only: settings, logging, metrics, the API client, health, leader election and the
// ContainerGroup controller. Every decision lives in the modules it wires.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { CoordinationV1Api, KubeConfig } from "@kubernetes/client-node";
import type { Registry } from "prom-client";
import { CRD_NAME, GROUP, OLDEST_TESTED_KUBERNETES, PLURAL, VERSION } from "./api/constants.js";
import {
  parseOperatorSettings,
  renderSettings,
  type Settings,
  settingSpecs,
  watchNamespaces,
} from "./config.js";
import { ContainerGroupController } from "./controller/controller.js";
import { apiReviewer } from "./runtime/api-reviewer.js";
import { errorCode, errorMessage, KubeClient } from "./runtime/apply.js";
import { HealthServer } from "./runtime/health.js";
import { resourcePath } from "./runtime/informer.js";
import { LeaderElector } from "./runtime/leader-election.js";
import { createLogger, type Logger } from "./runtime/logger.js";
import { createMetrics } from "./runtime/metrics.js";
import { MetricsAccess } from "./runtime/metrics-auth.js";
import { MetricsServer } from "./runtime/metrics-server.js";
import { TokenBucketRateLimiter } from "./runtime/rate-limiter.js";
import { olderServerWarning, type ServerVersion } from "./runtime/server-version.js";
import { renderHelp, wantsHelp } from "./runtime/settings.js";
import { identifyAs, userAgent } from "./runtime/user-agent.js";

const PROGRAM = "container-instances-operator";

function loadKubeConfig(settings: Settings, log: Logger): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (settings.kubeconfig) kc.loadFromFile(settings.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    log.error(
      `cannot read the kubeconfig ${settings.kubeconfig ?? "(default)"}: ${errorMessage(e)}; set --kubeconfig or KUBECONFIG to a readable file, or run in a cluster`,
    );
    process.exit(1);
  }
  return kc;
}

/** Fails fast, with what to do, when the API server is unreachable or the CRD is not installed. */
async function checkApi(client: KubeClient, kc: KubeConfig, log: Logger, namespace?: string): Promise<void> {
  const server = kc.getCurrentCluster()?.server ?? "(no cluster in the kubeconfig)";
  try {
    // In a watched namespace when there are some: a namespaced install may not list cluster-wide.
    await client.getPath(resourcePath({ group: GROUP, version: VERSION, plural: PLURAL }, namespace), {
      limit: 1,
    });
  } catch (e) {
    const hint =
      errorCode(e) === 404
        ? `the ContainerGroup CRD (${CRD_NAME}) is not installed: kubectl apply --server-side -f crds/`
        : errorCode(e) === 403
          ? "the operator's identity may not list containergroups: install the RBAC from manifests/"
          : "check KUBECONFIG (or --kubeconfig) and that the cluster is up";
    log.error(`cannot use the Kubernetes API at ${server}: ${errorMessage(e)}; ${hint}`);
    process.exit(1);
  }
  // Older servers are not refused (a field they lack is dropped or rejected, per object), only named.
  const version = await client.getPath<ServerVersion>("/version").catch(() => undefined);
  const warning = version && olderServerWarning(version, OLDEST_TESTED_KUBERNETES);
  if (warning) log.warn(warning);
  else if (version) log.info("Kubernetes API", { server, version: version.gitVersion });
}

/** /metrics on its own port: authenticated HTTPS unless the settings ask for plain HTTP. */
async function serveMetrics(settings: Settings, registry: Registry, kc: KubeConfig, log: Logger) {
  // Its own client and budget: a scrape storm of bad tokens must not eat the reconciler's QPS.
  const reviews = new KubeClient(kc, { rateLimiter: new TokenBucketRateLimiter({ qps: 10, burst: 20 }) });
  const server = new MetricsServer({
    registry,
    secure: settings.metricsSecure,
    ...(settings.metricsSecure ? { access: new MetricsAccess(apiReviewer(reviews)) } : {}),
    certDir: settings.metricsCertDir,
    selfSignedHosts: ["localhost", "127.0.0.1", ...(process.env.POD_IP ? [process.env.POD_IP] : [])],
    onCertificateReloaded: (fingerprint) => log.info("metrics certificate reloaded", { fingerprint }),
    onCertificateError: (error) =>
      log.warn("metrics certificate not reloaded; serving the previous one", { error }),
  });
  try {
    const port = await server.start(settings.metricsPort, settings.metricsBindAddress);
    log.info("serving /metrics", {
      port,
      scheme: settings.metricsSecure ? "https" : "http",
      certificate: settings.metricsCertDir || (settings.metricsSecure ? "self-signed" : "none"),
    });
  } catch (e) {
    log.error(
      `cannot serve /metrics: ${errorMessage(e)}; check --metrics-port and --metrics-cert-dir (tls.crt and tls.key, a matching pair)`,
    );
    process.exit(1);
  }
  return server;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(renderHelp(settingSpecs, PROGRAM));
    return;
  }
  const parsed = parseOperatorSettings(argv, process.env);
  if (!parsed.ok) {
    process.stderr.write(
      `${PROGRAM}: invalid settings:\n${parsed.errors.map((e) => `  - ${e}`).join("\n")}\n`,
    );
    process.stderr.write(`Run ${PROGRAM} --help for every setting.\n`);
    process.exit(2);
  }
  const settings = parsed.values;
  const identity = process.env.POD_NAME || `${hostname()}-${randomBytes(3).toString("hex")}`;
  const log = createLogger({ level: settings.logLevel, defaultMeta: { instance: identity } });
  const metrics = createMetrics();
  const kc = identifyAs(loadKubeConfig(settings, log), userAgent(PROGRAM));
  // 0 turns the client-side limit off (the API server's priority and fairness still applies).
  const limits = { qps: settings.kubeApiQps || Number.POSITIVE_INFINITY, burst: settings.kubeApiBurst };
  const rateLimiter = new TokenBucketRateLimiter(limits);
  const client = new KubeClient(kc, { rateLimiter, metrics });
  const eventLimiter = new TokenBucketRateLimiter(limits);
  const eventClient = new KubeClient(kc, { rateLimiter: eventLimiter, metrics });
  const namespaces = watchNamespaces(settings);
  await checkApi(client, kc, log, namespaces[0]);

  const controller = new ContainerGroupController({
    kubeConfig: kc,
    client,
    eventClient,
    settings: renderSettings(settings),
    logger: log,
    metrics,
    workers: settings.workers,
    usageIntervalSeconds: settings.usageIntervalSeconds,
    resyncIntervalMs: settings.resyncSeconds * 1000,
    namespaces,
    operatorNamespace: settings.operatorNamespace,
    identity,
  });

  const health = new HealthServer();
  health.addReadinessCheck("informers-synced", () => controller.caches.hasSynced());
  const port = await health.start(settings.healthPort, settings.healthBindAddress);
  log.info("serving /healthz and /readyz", { port });
  const metricsServer = await serveMetrics(settings, metrics.registry, kc, log);

  let elector: LeaderElector | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    // Release first, so another replica takes over while this one drains.
    await elector
      ?.release()
      .catch((e: unknown) => log.warn("could not release the lease", { error: errorMessage(e) }));
    await controller.stop();
    await Promise.all([health.close(), metricsServer.close()]);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  await controller.startCaches();
  log.info("caches synced", { groups: controller.caches.groups.list().length });

  if (!settings.leaderElect) {
    controller.startWorkers();
    log.info("reconciling", { workers: settings.workers, namespaces: namespaces.join(",") || "(all)" });
    return;
  }
  elector = new LeaderElector({
    api: kc.makeApiClient(CoordinationV1Api),
    namespace: settings.leaderElectionNamespace || process.env.POD_NAMESPACE || "default",
    name: settings.leaderElectionId,
    identity,
    leaseDurationMs: settings.leaseDurationSeconds * 1000,
    renewDeadlineMs: settings.renewDeadlineSeconds * 1000,
    retryPeriodMs: settings.retryPeriodSeconds * 1000,
    metrics,
    logger: log,
    onStartedLeading: () => {
      log.info("became leader; reconciling", { workers: settings.workers });
      controller.startWorkers();
    },
    onStoppedLeading: () => {
      // Another replica may already be reconciling: stop at once rather than race it.
      log.error("lost the lease; exiting so that only the new leader reconciles");
      process.exit(1);
    },
    onNewLeader: (leader) => log.info("leader observed", { leader }),
  });
  void elector.run();
}

await main();
