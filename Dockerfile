# syntax=docker/dockerfile:1
# container-instances-operator: `make image` builds it, `make e2e-kind` builds and loads it into kind.
# Three stages: compile TypeScript with the dev dependencies, install the production dependencies
# alone, then copy both onto distroless Node.js 24 (no shell, no package manager, uid 65532): the
# major that .node-version pins for every test (test/unit/node-version.test.ts keeps them equal).
# The build stages use Debian (glibc) like the distroless runtime, so any native module matches.

ARG NODE_IMAGE=node:24.22.3-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /src
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${RUNTIME_IMAGE}
ARG VERSION=dev
LABEL org.opencontainers.image.title="container-instances-operator" \
      org.opencontainers.image.description="ContainerGroup (Azure Container Instances) operator for Kubernetes" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps --chown=0:0 /src/node_modules ./node_modules
COPY --from=build --chown=0:0 /src/dist ./dist
COPY --chown=0:0 package.json ./
# Files owned by root, process run as 65532: the operator cannot change its own code.
USER 65532:65532
EXPOSE 8081
ENTRYPOINT ["/nodejs/bin/node", "--enable-source-maps", "dist/main.js"]
