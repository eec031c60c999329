import {
  ApiException,
  createConfiguration,
  HttpMethod,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type RequestContext,
  type ResponseContext,
  ServerConfiguration,
} from "@kubernetes/client-node";
import { foldIntoApplyEntry } from "./field-ownership.js";
import { keepAliveAuthentication } from "./keep-alive.js";

/**
 * A small typed client for what controllers do: server-side apply (of objects and of the status
 * subresource), get, create, patch, delete. Every call waits for the injected rate limiter and is
 * counted as `rest_client_requests_total{code,method}`.
 *
 * Objects travel as plain JSON, exactly as written and exactly as the API server answers. client-node's
 * own `KubernetesObjectApi` passes bodies through its model serializer, which silently drops any field
 * its models do not know (a field newer than the models, or one of a custom resource nested in a known
 * type) and turns timestamps into `Date`s. For server-side apply that loss matters: a field left out of
 * an apply is a field the manager gives up. So this client reuses client-node for what it does well
 * (auth, TLS, discovery of paths, `ApiException`) and sends and parses the bytes itself.
 * Timestamps are therefore RFC 3339 strings at runtime, whatever a model's TypeScript type says.
 *
 * Failures surface as client-node's `ApiException` with the HTTP status in `.code` and the API
 * server's Status in `.body` (a JSON string); see `isNotFound`, `errorMessage` and friends below.
 */

/** Anything that paces requests, like `TokenBucketRateLimiter`. */
export interface RequestRateLimiter {
  acquire(): Promise<void>;
}

/** The slice of `RuntimeMetrics` this client reports to. */
export interface RestClientMetrics {
  recordRestClientRequest(method: string, code: number | string): void;
}

export interface KubeClientOptions {
  rateLimiter?: RequestRateLimiter;
  metrics?: RestClientMetrics;
}

/**
 * Enough to name one object (any object will do): the path is found by discovery from apiVersion
 * and kind, which are therefore required at runtime even though client-node's models make them optional.
 */
export interface ObjectRef {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

export interface ApplyOptions {
  fieldManager: string;
  /** Take fields other managers own. Controllers own their objects' fields outright: default true. */
  force?: boolean;
  dryRun?: boolean;
}

export interface CreateOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

export type PropagationPolicy = "Foreground" | "Background" | "Orphan";

export interface DeleteOptions {
  /** Delete only if the object still has this uid: never delete a successor with the same name. */
  uid?: string;
  /** Delete only if the object still has this resourceVersion. */
  resourceVersion?: string;
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
}

export type PatchType = "merge" | "json" | "strategic";

export interface PatchOptions {
  type: PatchType;
  fieldManager?: string;
  subresource?: string;
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: PatchStrategy.MergePatch,
  json: PatchStrategy.JsonPatch,
  strategic: PatchStrategy.StrategicMergePatch,
};

type Query = Record<string, string | number | boolean | undefined>;

interface SendOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
}

/**
 * client-node's object API with the serializer taken out: JSON in, JSON out. Subclassing keeps its
 * auth, its discovery cache (`resource`) and its middleware chain, which are protected members.
 */
class JsonObjectApi extends KubernetesObjectApi {
  /** The HTTP status of each parsed body, read back by `send`: requestPromise returns only the body. */
  private readonly statusCodes = new WeakMap<object, number>();

  static forConfig(kc: KubeConfig): JsonObjectApi {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig names no current cluster");
    // As kc.makeApiClient, but with one keep-alive connection pool instead of a new TLS
    // connection per request (see keep-alive.ts).
    const config = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: keepAliveAuthentication(kc) },
    });
    return new JsonObjectApi(config);
  }

  /**
   * The object's path (`/api/v1/namespaces/ns/configmaps/name`), from discovery (cached per
   * apiVersion). Built here rather than by `specUriPath`, which lowercases the whole path (names of
   * some kinds, RBAC roles say, may hold capitals) and quietly puts a namespaced object that has no
   * namespace into "default".
   */
  async objectPath(ref: ObjectRef, action: "read" | "create"): Promise<string> {
    const { apiVersion, kind } = ref;
    if (!apiVersion || !kind) throw new Error("an object reference needs apiVersion and kind");
    await this.resource(apiVersion, kind); // fills the cache, re-fetching when the kind is new
    // Subresources (`namespaces/status`) share their parent's kind: skip them.
    const resource = this.apiVersionResourceCache[apiVersion]?.resources.find(
      (r) => r.kind === kind && !r.name.includes("/"),
    );
    if (!resource) throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
    const parts = [apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`];
    if (resource.namespaced) {
      const namespace = ref.metadata?.namespace;
      if (!namespace) throw new Error(`${kind} is namespaced: metadata.namespace is required`);
      parts.push("namespaces", encodeURIComponent(namespace));
    }
    parts.push(resource.name);
    if (action === "read") {
      const name = ref.metadata?.name;
      if (!name) throw new Error(`metadata.name is required to address a ${kind}`);
      parts.push(encodeURIComponent(name));
    }
    return parts.join("/");
  }

  async send<R>(
    method: HttpMethod,
    path: string,
    options: SendOptions = {},
  ): Promise<{ body: R; code: number }> {
    const ctx: RequestContext = this.configuration.baseServer.makeRequestContext(path, method);
    ctx.setHeaderParam("Accept", "application/json");
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) ctx.setQueryParam(key, String(value));
    }
    if (options.body !== undefined) {
      ctx.setHeaderParam("Content-Type", options.contentType ?? "application/json");
      ctx.setBody(JSON.stringify(options.body));
    }
    const body: object = await this.requestPromise(ctx);
    return { body: body as R, code: this.statusCodes.get(body) ?? 200 };
  }

  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
  ): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      const body = (text === "" ? {} : JSON.parse(text)) as T;
      this.statusCodes.set(body, response.httpStatusCode);
      return body;
    }
    throw new ApiException(response.httpStatusCode, statusMessageFromText(text), text, response.headers);
  }
}

export class KubeClient {
  private readonly api: JsonObjectApi;
  private readonly rateLimiter: RequestRateLimiter | undefined;
  private readonly metrics: RestClientMetrics | undefined;

  constructor(kubeConfig: KubeConfig, options: KubeClientOptions = {}) {
    this.api = JsonObjectApi.forConfig(kubeConfig);
    this.rateLimiter = options.rateLimiter;
    this.metrics = options.metrics;
  }

  /**
   * Server-side apply of a full object (any kind). `obj` is the whole intent of `fieldManager`:
   * fields it applied before and leaves out now are removed. Applying the same object twice writes
   * nothing the second time (the resourceVersion does not change).
   */
  async apply<T extends KubernetesObject>(obj: T, options: ApplyOptions): Promise<T> {
    return this.applyAt(obj, undefined, options);
  }

  /**
   * Server-side apply on the `/status` subresource (a custom resource with `subresources.status`).
   * Send `apiVersion`, `kind`, `metadata.name`/`namespace` and `status`; spec fields are ignored there.
   */
  async applyStatus<T extends KubernetesObject>(obj: T, options: ApplyOptions): Promise<T> {
    return this.applyAt(obj, "status", options);
  }

  async get<T extends KubernetesObject>(ref: ObjectRef): Promise<T> {
    const path = await this.api.objectPath(ref, "read");
    return this.call(HttpMethod.GET, path, {});
  }

  /** Like `get`, but `undefined` when the object does not exist. */
  async getIfExists<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.get<T>(ref);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async create<T extends KubernetesObject>(obj: T, options: CreateOptions = {}): Promise<T> {
    const path = await this.api.objectPath(obj, "create");
    return this.call(HttpMethod.POST, path, {
      query: { fieldManager: options.fieldManager, dryRun: options.dryRun ? "All" : undefined },
      body: obj,
    });
  }

  /**
   * Makes `fieldManager`'s later applies own what its creates and updates wrote, so that an apply
   * that drops a field removes it (see field-ownership.ts). One read; one write only when needed,
   * guarded by the resourceVersion read.
   */
  async adoptFieldsForApply(ref: ObjectRef, fieldManager: string): Promise<void> {
    const live = await this.get<KubernetesObject>(ref);
    const folded = foldIntoApplyEntry(live.metadata?.managedFields ?? [], fieldManager);
    if (!folded) return;
    await this.patch(
      ref,
      [
        { op: "test", path: "/metadata/resourceVersion", value: live.metadata?.resourceVersion },
        { op: "replace", path: "/metadata/managedFields", value: folded },
      ],
      { type: "json" },
    );
  }

  async patch<T extends KubernetesObject>(ref: ObjectRef, patch: unknown, options: PatchOptions): Promise<T> {
    const base = await this.api.objectPath(ref, "read");
    const path = options.subresource ? `${base}/${options.subresource}` : base;
    return this.call(HttpMethod.PATCH, path, {
      query: { fieldManager: options.fieldManager },
      body: patch,
      contentType: PATCH_CONTENT_TYPES[options.type],
    });
  }

  /**
   * Deletes the object. With `uid`, the API server refuses (409 Conflict) if the name now belongs
   * to a different object. A missing object is an error (404); callers that do not care use `isNotFound`.
   */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<void> {
    const path = await this.api.objectPath(ref, "read");
    const preconditions =
      options.uid !== undefined || options.resourceVersion !== undefined
        ? { uid: options.uid, resourceVersion: options.resourceVersion }
        : undefined;
    await this.call(HttpMethod.DELETE, path, {
      body: {
        apiVersion: "v1",
        kind: "DeleteOptions",
        preconditions,
        propagationPolicy: options.propagationPolicy,
        gracePeriodSeconds: options.gracePeriodSeconds,
      },
    });
  }

  /**
   * A GET of any API path (`/api/v1/namespaces/x/configmaps`), for lists and other reads the typed
   * calls above do not cover. Rate-limited and counted like every other call.
   */
  async getPath<R>(path: string, query: Query = {}): Promise<R> {
    return this.call(HttpMethod.GET, path, { query });
  }

  /**
   * A POST of a JSON body to any API path, for create-only APIs that answer in the body
   * (TokenReview, SubjectAccessReview). Rate-limited and counted like every other call.
   */
  async postPath<R>(path: string, body: unknown): Promise<R> {
    return this.call(HttpMethod.POST, path, { body });
  }

  private async applyAt<T extends KubernetesObject>(
    obj: T,
    subresource: string | undefined,
    options: ApplyOptions,
  ): Promise<T> {
    const base = await this.api.objectPath(obj, "read");
    const path = subresource ? `${base}/${subresource}` : base;
    return this.call(HttpMethod.PATCH, path, {
      query: {
        fieldManager: options.fieldManager,
        force: options.force ?? true,
        dryRun: options.dryRun ? "All" : undefined,
      },
      // JSON is YAML, so the JSON body is a valid apply-patch+yaml document.
      body: obj,
      contentType: PatchStrategy.ServerSideApply,
    });
  }

  private async call<R>(method: HttpMethod, path: string, options: SendOptions): Promise<R> {
    if (this.rateLimiter) await this.rateLimiter.acquire();
    try {
      const { body, code } = await this.api.send<R>(method, path, options);
      this.metrics?.recordRestClientRequest(method, code);
      return body;
    } catch (e) {
      this.metrics?.recordRestClientRequest(method, e instanceof ApiException ? e.code : "<error>");
      throw e;
    }
  }
}

function statusMessageFromText(text: string): string {
  try {
    const status: unknown = JSON.parse(text);
    if (isRecord(status) && typeof status.message === "string") return status.message;
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 200) || "Unsuccessful HTTP Request";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The HTTP status of a failed call, or undefined when it never got an answer. */
export function errorCode(e: unknown): number | undefined {
  if (e instanceof ApiException) return e.code;
  // client-node's Watch rejects with a plain Error carrying `statusCode`.
  if (isRecord(e) && typeof e.statusCode === "number") return e.statusCode;
  return undefined;
}

export const isNotFound = (e: unknown): boolean => errorCode(e) === 404;
export const isConflict = (e: unknown): boolean => errorCode(e) === 409;
export const isForbidden = (e: unknown): boolean => errorCode(e) === 403;
/** 422: the object failed validation (OpenAPI schema, CEL rules, admission). */
export const isInvalid = (e: unknown): boolean => errorCode(e) === 422;
export const isGone = (e: unknown): boolean => errorCode(e) === 410;
/**
 * A 403 from authorization (the caller's RBAC lacks a rule), as opposed to one from admission
 * (a quota, a policy): the API server words the former "cannot <verb> resource".
 */
export const isRbacDenial = (e: unknown): boolean =>
  errorCode(e) === 403 && /cannot [a-z]+ resource/.test(errorMessage(e));

/**
 * The API server's own words (`Status.message`), e.g. `configmaps "x" not found`, without the
 * headers and body dump that `ApiException.message` carries. Works for any thrown value.
 */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiException) {
    const body: unknown = e.body;
    if (typeof body === "string") return statusMessageFromText(body);
    if (isRecord(body) && typeof body.message === "string") return body.message;
    return `HTTP ${e.code}`;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}
