import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, type LogLevel, REDACTED, redact } from "../../../src/runtime/logger.js";

/** A logger writing into memory, and a function returning the parsed lines so far. */
function memoryLogger(level: LogLevel = "info") {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
  const logger = createLogger({ level, stream });
  const lines = (): Array<Record<string, unknown>> =>
    chunks
      .join("")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines };
}

describe("createLogger", () => {
  it("writes one JSON object per line with level, message, timestamp and fields", () => {
    const { logger, lines } = memoryLogger();
    logger.info("reconciled", { durationMs: 12 });
    expect(lines()).toEqual([
      expect.objectContaining({
        level: "info",
        message: "reconciled",
        durationMs: 12,
        timestamp: expect.any(String),
      }),
    ]);
  });

  it("drops lines below the configured level", () => {
    const { logger, lines } = memoryLogger("warn");
    logger.debug("noise");
    logger.info("noise");
    logger.warn("kept");
    logger.error("kept too");
    expect(lines().map((line) => line.message)).toEqual(["kept", "kept too"]);
  });

  it("adds the context of a child logger to each of its lines", () => {
    const { logger, lines } = memoryLogger();
    logger.child({ controller: "groups" }).child({ key: "ns/a" }).info("start");
    expect(lines()[0]).toMatchObject({ controller: "groups", key: "ns/a", message: "start" });
  });

  it("redacts secret-named fields at any depth, whatever their case", () => {
    const { logger, lines } = memoryLogger();
    logger.child({ token: "child-token" }).info("creating share", {
      share: { name: "data", storageAccountKey: "c2VjcmV0", accountName: "acct" },
      env: [
        { name: "DB", secureValue: "hunter2" },
        { name: "MODE", value: "fast" },
      ],
      Password: "p@ss",
      clientSecret: "shh",
    });
    const line = lines()[0];
    expect(line).toMatchObject({
      token: REDACTED,
      share: { name: "data", storageAccountKey: REDACTED, accountName: "acct" },
      env: [
        { name: "DB", secureValue: REDACTED },
        { name: "MODE", value: "fast" },
      ],
      Password: REDACTED,
      clientSecret: REDACTED,
    });
    expect(JSON.stringify(line)).not.toMatch(/hunter2|c2VjcmV0|p@ss|shh|child-token/);
  });

  it("logs errors with message and stack, redacting their secret fields", () => {
    const { logger, lines } = memoryLogger();
    const error = Object.assign(new Error("create failed"), { password: "p@ss", code: 409 });
    logger.error("reconcile failed", { error });
    expect(lines()[0]).toMatchObject({
      error: {
        message: "create failed",
        name: "Error",
        code: 409,
        password: REDACTED,
        stack: expect.any(String),
      },
    });
  });
});

describe("redact", () => {
  it("does not modify the object it is given", () => {
    const input = { auth: { token: "abc" } };
    expect(redact(input)).toEqual({ auth: { token: REDACTED } });
    expect(input.auth.token).toBe("abc");
  });

  it("hides the data of a Kubernetes Secret", () => {
    const secret = { kind: "Secret", metadata: { name: "share" }, data: { azurestorageaccountkey: "a2V5" } };
    expect(redact(secret)).toEqual({ kind: "Secret", metadata: { name: "share" }, data: REDACTED });
  });

  it("survives circular references and keeps repeated ones", () => {
    const shared = { name: "x" };
    const cyclic: Record<string, unknown> = { a: shared, b: shared };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ a: { name: "x" }, b: { name: "x" }, self: "[circular]" });
  });

  it("accepts a pattern of its own, even one with the global flag", () => {
    const options = { secretKeyPattern: /apikey/gi };
    expect(redact({ apiKey: "1", other: "2", nested: { APIKEY: "3" } }, options)).toEqual({
      apiKey: REDACTED,
      other: "2",
      nested: { APIKEY: REDACTED },
    });
  });
});
