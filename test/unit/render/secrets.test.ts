import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { registryPasswordRefs, renderSecrets } from "../../../src/render/secrets.js";
import { aGroup, SECRETS, theContractExample } from "../fixtures.js";

function decode(value: string | undefined): string {
  return Buffer.from(value ?? "", "base64").toString("utf8");
}

function byName(secrets: V1Secret[], name: string): V1Secret {
  const found = secrets.find((s) => s.metadata?.name === name);
  if (!found) throw new Error(`no Secret ${name}; have ${secrets.map((s) => s.metadata?.name).join(", ")}`);
  return found;
}

describe("renderSecrets", () => {
  const resolved = { registryPasswords: { "other.example.net": SECRETS.resolvedRegistryPassword } };

  it("renders one Secret per purpose, owned by the group and labelled as its child", () => {
    const secrets = renderSecrets(theContractExample(), resolved);
    expect(secrets.map((s) => s.metadata?.name)).toEqual([
      "hello-env",
      "hello-registry",
      "hello-secret-config",
      "hello-azurefile-share",
    ]);
    for (const secret of secrets) {
      expect(secret.apiVersion).toBe("v1");
      expect(secret.kind).toBe("Secret");
      expect(secret.metadata?.namespace).toBe("demo");
      expect(secret.metadata?.labels?.["containerinstances.dev/group"]).toBe("hello");
      expect(secret.metadata?.ownerReferences?.[0]?.controller).toBe(true);
    }
  });

  it("keeps secure environment values of containers and init containers under <container>.<name>", () => {
    const env = byName(renderSecrets(theContractExample()), "hello-env");
    expect(env.type).toBe("Opaque");
    expect(Object.keys(env.data ?? {}).sort()).toEqual(["migrate.INIT_TOKEN", "web.TOKEN"]);
    expect(decode(env.data?.["web.TOKEN"])).toBe(SECRETS.env);
    expect(decode(env.data?.["migrate.INIT_TOKEN"])).toBe(SECRETS.initEnv);
  });

  it("writes registry credentials as a dockerconfigjson, with passwords the controller resolved", () => {
    const registry = byName(renderSecrets(theContractExample(), resolved), "hello-registry");
    expect(registry.type).toBe("kubernetes.io/dockerconfigjson");
    const config = JSON.parse(decode(registry.data?.[".dockerconfigjson"]));
    expect(config).toEqual({
      auths: {
        "registry.example.net": {
          username: "bot",
          password: SECRETS.registryPassword,
          auth: Buffer.from(`bot:${SECRETS.registryPassword}`).toString("base64"),
        },
        "other.example.net": {
          username: "bot",
          password: SECRETS.resolvedRegistryPassword,
          auth: Buffer.from(`bot:${SECRETS.resolvedRegistryPassword}`).toString("base64"),
        },
      },
    });
  });

  it("leaves out a credential whose password could not be resolved", () => {
    const registry = byName(renderSecrets(theContractExample()), "hello-registry");
    const config = JSON.parse(decode(registry.data?.[".dockerconfigjson"]));
    expect(Object.keys(config.auths)).toEqual(["registry.example.net"]);
  });

  it("lists the password references the controller must read", () => {
    expect(registryPasswordRefs(theContractExample())).toEqual([
      { server: "other.example.net", ref: { name: "reg", key: "password" } },
    ]);
  });

  it("copies secret volume files, which ACI already gives in base64", () => {
    const volume = byName(renderSecrets(theContractExample()), "hello-secret-config");
    expect(volume.data).toEqual({ "app.conf": SECRETS.secretFile });
  });

  it("stores an azureFile account as the CSI driver's node-stage secret", () => {
    const account = byName(renderSecrets(theContractExample()), "hello-azurefile-share");
    expect(decode(account.data?.azurestorageaccountname)).toBe("acct");
    expect(decode(account.data?.azurestorageaccountkey)).toBe(SECRETS.accountKey);
  });

  it("renders no Secret for a group with nothing secret", () => {
    expect(renderSecrets(aGroup())).toEqual([]);
  });
});
