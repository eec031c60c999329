// Secret hygiene: a secure environment value, registry passwords (inline and referenced), an Azure
// Files storage key and a secret volume's content, each a distinct random marker, never appear in
// the Pod, in the group's status, in any Event of the cluster or in the operator's (debug) log,
// across creation, a missing-Secret failure, an update and deletion.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCrds, createNamespace, deleteNamespace, eventually, kubectlOk } from "../harness.js";
import { applyAll, eventWith, groupWhen, manifest, podWhen, readyBecause } from "../operator/support.js";
import { type RunningOperator, startOperator } from "../operator.js";

const marker = (what: string) => `hyg-${what}-${randomBytes(6).toString("hex")}`;
const M = {
  env: marker("env"),
  envUpdated: marker("env2"),
  registry: marker("registry"),
  referenced: marker("referenced"),
  storageKey: marker("storagekey"),
  file: marker("file"),
};
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** Every form in which a marker could leak: as written, base64 (Secret data), in a docker auth. */
const forbidden = [
  ...Object.values(M),
  ...Object.values(M).map(b64),
  b64(`bot:${M.registry}`),
  b64(`robot:${M.referenced}`),
];

let ns = "";
let operator: RunningOperator | undefined;

beforeAll(async () => {
  await applyCrds();
  ns = await createNamespace("hygiene");
  operator = await startOperator({
    namespace: ns,
    args: ["--log-level=debug", `--operator-namespace=${ns}`],
  });
});

afterAll(async () => {
  await operator?.stop();
  if (ns) await deleteNamespace(ns);
});

function group(envValue: string) {
  return manifest("vault", {
    containers: [
      {
        name: "app",
        image: "registry.it.example.test/team/app:1.0",
        ports: [{ port: 443 }],
        environmentVariables: [
          { name: "MODE", value: "visible" },
          { name: "API_TOKEN", secureValue: envValue },
        ],
        volumeMounts: [
          { name: "share", mountPath: "/share" },
          { name: "config", mountPath: "/etc/app", readOnly: true },
        ],
        resources: { requests: { cpu: 0.1, memoryInGB: 0.1 } },
      },
    ],
    imageRegistryCredentials: [
      { server: "registry.it.example.test", username: "bot", password: M.registry },
      {
        server: "other.it.example.test",
        username: "robot",
        passwordSecretRef: { name: "reg", key: "password" },
      },
    ],
    ipAddress: {
      type: "Public",
      ports: [{ port: 443 }],
      dnsNameLabel: `vault-${randomBytes(3).toString("hex")}`,
    },
    volumes: [
      {
        name: "share",
        azureFile: {
          shareName: "vault",
          storageAccountName: "itaccount",
          storageAccountKey: M.storageKey,
          readOnly: false,
        },
      },
      { name: "config", secret: { "app.conf": b64(M.file) } },
    ],
  });
}

function leaks(where: string, text: string): string[] {
  return forbidden.filter((m) => text.includes(m)).map((m) => `${where} contains ${m}`);
}

async function everyLeak(): Promise<string[]> {
  const pod = await kubectlOk(["get", "pod", "vault", "-n", ns, "-o", "json", "--ignore-not-found"]);
  const status = await kubectlOk([
    "get",
    "containergroup",
    "vault",
    "-n",
    ns,
    "-o",
    "jsonpath={.status}",
    "--ignore-not-found",
  ]);
  const events = await kubectlOk(["get", "events", "-A", "-o", "json"]);
  const eventsV1 = await kubectlOk(["get", "events.events.k8s.io", "-A", "-o", "json"]);
  return [
    ...leaks("the Pod", pod),
    ...leaks("the group's status", status),
    ...leaks("an Event", events + eventsV1),
    ...leaks("the operator's log", operator?.logs() ?? ""),
  ];
}

describe("secure values", () => {
  it("the group runs with every kind of secret, whose values sit only in Secrets", async () => {
    // First without the referenced Secret: a failure path that writes a condition, an Event and logs.
    await applyAll(ns, [group(M.env)]);
    await groupWhen(ns, "vault", "SecretNotFound", readyBecause("SecretNotFound"));
    await eventWith(ns, "vault", "SecretNotFound");
    await kubectlOk([
      "create",
      "secret",
      "generic",
      "reg",
      "-n",
      ns,
      `--from-literal=password=${M.referenced}`,
    ]);
    const pod = await podWhen(ns, "vault", "created", () => true, 60_000);
    // The values exist where they belong: in the group's own Secrets.
    const secrets = await kubectlOk([
      "get",
      "secrets",
      "-n",
      ns,
      "-l",
      "containerinstances.dev/group=vault",
      "-o",
      "json",
    ]);
    for (const value of [b64(M.env), b64(M.storageKey), b64(M.file)]) expect(secrets).toContain(value);
    // And the Pod refers to them by name and key only.
    const token = pod.spec?.containers?.[0]?.env?.find((e) => e.name === "API_TOKEN");
    expect(token?.value).toBeUndefined();
    expect(token?.valueFrom?.secretKeyRef?.name).toBe("vault-env");
  });

  it("no marker appears in the Pod, the status, any Event or the log while it runs", async () => {
    await groupWhen(ns, "vault", "a status for its Pod", (g) => g.status?.state !== undefined);
    expect(await everyLeak()).toEqual([]);
  });

  it("nor after a secure value changes (the Secret is updated)", async () => {
    await applyAll(ns, [group(M.envUpdated)]);
    await eventually("the env Secret updated", async () => {
      const data = await kubectlOk(["get", "secret", "vault-env", "-n", ns, "-o", "jsonpath={.data}"]);
      return data.includes(b64(M.envUpdated)) ? true : undefined;
    });
    expect(await everyLeak()).toEqual([]);
  });

  it("nor after the group is deleted", async () => {
    await kubectlOk(["delete", "containergroup", "vault", "-n", ns, "--wait=true", "--timeout=60s"]);
    // Let the recorder flush what it has.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await everyLeak()).toEqual([]);
    // The log is not empty: it did talk about this group (so the check above means something).
    expect(operator?.logs()).toContain("vault");
  });
});
