// imageRegistryCredentials: an owned kubernetes.io/dockerconfigjson Secret the Pod names in
// imagePullSecrets; passwords inline or read from a named Secret (passwordSecretRef). A changed
// password updates the Secret in place: the Pod keeps its reference and is not replaced.
import type { V1Secret } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCrds, createNamespace, deleteNamespace, eventually, kubectlOk } from "../harness.js";
import {
  applyAll,
  condition,
  getObject,
  getPod,
  groupWhen,
  manifest,
  podWhen,
  readyBecause,
} from "../operator/support.js";
import { type RunningOperator, startOperator } from "../operator.js";

let ns = "";
let operator: RunningOperator | undefined;

beforeAll(async () => {
  await applyCrds();
  ns = await createNamespace("registry");
  // A short usage interval re-reads running groups often, so a changed referenced Secret (which
  // the operator does not watch) is picked up within seconds.
  operator = await startOperator({ namespace: ns, args: ["--usage-interval-seconds=2"] });
});

afterAll(async () => {
  await operator?.stop();
  if (ns) await deleteNamespace(ns);
});

const privateImage = (name: string, credentials: unknown[]) =>
  manifest(name, {
    containers: [
      {
        name: "app",
        image: "registry.it.example.test/team/app:1.0",
        resources: { requests: { cpu: 0.1, memoryInGB: 0.1 } },
      },
    ],
    imageRegistryCredentials: credentials,
  });

interface DockerConfig {
  auths: Record<string, { username: string; password: string; auth: string }>;
}

async function dockerConfig(name: string): Promise<{ secret: V1Secret; config: DockerConfig } | undefined> {
  const secret = await getObject<V1Secret>("v1", "Secret", ns, name);
  const data = secret?.data?.[".dockerconfigjson"];
  if (!secret || !data) return undefined;
  return { secret, config: JSON.parse(Buffer.from(data, "base64").toString("utf8")) as DockerConfig };
}

async function dockerConfigWhen(name: string, what: string, ok: (c: DockerConfig) => boolean) {
  return eventually(`${name}: ${what}`, async () => {
    const found = await dockerConfig(name);
    return found && ok(found.config) ? found : undefined;
  });
}

const setRefPassword = (password: string) =>
  kubectlOk(["apply", "-n", ns, "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "reg" },
      stringData: { password },
    }),
  });

describe("imageRegistryCredentials", () => {
  it("become an owned dockerconfigjson Secret that the Pod pulls with", async () => {
    await setRefPassword("from-secret-1");
    await applyAll(ns, [
      privateImage("puller", [
        { server: "registry.it.example.test", username: "bot", password: "inline-1" },
        {
          server: "other.it.example.test",
          username: "robot",
          passwordSecretRef: { name: "reg", key: "password" },
        },
      ]),
    ]);
    const { secret, config } = await dockerConfigWhen("puller-registry", "both registries", (c) =>
      Boolean(c.auths["other.it.example.test"]),
    );
    expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
    expect(secret.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: "ContainerGroup",
      name: "puller",
      controller: true,
    });
    expect(config.auths["registry.it.example.test"]).toEqual({
      username: "bot",
      password: "inline-1",
      auth: Buffer.from("bot:inline-1").toString("base64"),
    });
    expect(config.auths["other.it.example.test"]?.password).toBe("from-secret-1");
    const pod = await podWhen(ns, "puller", "created", () => true);
    expect(pod.spec?.imagePullSecrets).toEqual([{ name: "puller-registry" }]);
  });

  it("a changed inline password updates the Secret; the Pod keeps its reference and is not replaced", async () => {
    const before = await getPod(ns, "puller");
    await applyAll(ns, [
      privateImage("puller", [
        { server: "registry.it.example.test", username: "bot", password: "inline-2" },
        {
          server: "other.it.example.test",
          username: "robot",
          passwordSecretRef: { name: "reg", key: "password" },
        },
      ]),
    ]);
    await dockerConfigWhen(
      "puller-registry",
      "the new password",
      (c) => c.auths["registry.it.example.test"]?.password === "inline-2",
    );
    const after = await getPod(ns, "puller");
    expect(after?.metadata?.uid).toBe(before?.metadata?.uid);
    expect(after?.spec?.imagePullSecrets).toEqual([{ name: "puller-registry" }]);
  });

  it("a changed password in the referenced Secret updates the pull Secret, the Pod untouched", async () => {
    const before = await getPod(ns, "puller");
    await setRefPassword("from-secret-2");
    await dockerConfigWhen(
      "puller-registry",
      "the referenced password",
      (c) => c.auths["other.it.example.test"]?.password === "from-secret-2",
    );
    const after = await getPod(ns, "puller");
    expect(after?.metadata?.uid).toBe(before?.metadata?.uid);
    expect(after?.spec?.imagePullSecrets).toEqual([{ name: "puller-registry" }]);
  });

  it("a passwordSecretRef to a missing Secret is SecretNotFound, naming the Secret and key, until it exists", async () => {
    await applyAll(ns, [
      privateImage("waiting", [
        {
          server: "registry.it.example.test",
          username: "bot",
          passwordSecretRef: { name: "later", key: "pw" },
        },
      ]),
    ]);
    const group = await groupWhen(ns, "waiting", "SecretNotFound", readyBecause("SecretNotFound"));
    expect(condition(group, "Ready")?.message).toContain('key "pw" of Secret "later"');
    expect(await getPod(ns, "waiting")).toBeUndefined();
    await kubectlOk(["create", "secret", "generic", "later", "-n", ns, "--from-literal=pw=finally"]);
    const { config } = await dockerConfigWhen("waiting-registry", "the password", (c) =>
      Boolean(c.auths["registry.it.example.test"]),
    );
    expect(config.auths["registry.it.example.test"]?.password).toBe("finally");
    const pod = await podWhen(ns, "waiting", "created", () => true, 60_000);
    expect(pod.spec?.imagePullSecrets).toEqual([{ name: "waiting-registry" }]);
  });
});
