// Every request names its program, as client-go's do ("kube-controller-manager/v1.35.4 ..."): audit
// logs, API Priority and Fairness flow schemas and rate-limit reports tell who sent it.
// client-node 2 sends undici's bare "undici" otherwise (1.4 sent "node-fetch/1.0").
import { readFileSync } from "node:fs";
import type { KubeConfig } from "@kubernetes/client-node";

/** The project's version, from package.json beside src/ and dist/ (and in the image's /app). */
export function projectVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** `program/version (os/arch; node/vX)`, the shape of kubectl's own agent. */
export function userAgent(program: string, version = projectVersion()): string {
  return `${program}/${version} (${process.platform}/${process.arch}; node/${process.version})`;
}

/**
 * Adds the User-Agent to every request the KubeConfig authenticates: KubeClient's (through
 * keep-alive.ts), and client-node's Watch and Log, which all call applySecurityAuthentication.
 */
export function identifyAs(kc: KubeConfig, agent: string): KubeConfig {
  const authenticate = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (context) => {
    await authenticate(context);
    context.setHeaderParam("User-Agent", agent);
  };
  return kc;
}
