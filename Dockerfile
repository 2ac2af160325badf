# syntax=docker/dockerfile:1
# NovaGate images: one build, one target per program (the workspaces share a lockfile and the control
# plane imports the gateway package at run time, so they build together):
#   docker build --target control-plane -t ghcr.io/novagate/control-plane:0.1.0 .
#   docker build --target gateway       -t ghcr.io/novagate/gateway:0.1.0 .
#   docker build --target operator      -t ghcr.io/novagate/operator:0.1.0 .
# Runtime images hold production dependencies and compiled JavaScript only, run as the image's `node`
# user (uid 1000) and write nothing at run time, so they run with a read-only root filesystem (the chart
# mounts an emptyDir on /tmp). No HEALTHCHECK: Kubernetes probes /healthz and /readyz. No init process:
# node is PID 1 and each program handles SIGTERM itself (the gateway drains for DRAIN_TIMEOUT_MS).
ARG NODE_IMAGE=node:22-bookworm-slim

# --- the workspace manifests, the input of every npm ci below ---------------------------------------
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY package.json package-lock.json ./
COPY control-plane/package.json control-plane/
COPY gateway/package.json gateway/
COPY operator/package.json operator/
COPY e2e/package.json e2e/
COPY deploy/package.json deploy/
COPY console/package.json console/

# --- compile TypeScript with the full dependency tree ---------------------------------------------
FROM manifests AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY hack/copy-assets.mjs hack/
COPY gateway/ gateway/
COPY control-plane/ control-plane/
COPY operator/ operator/
COPY console/ console/
RUN npm run build --if-present --workspace gateway --workspace control-plane --workspace operator --workspace console

# --- production dependencies of each program (bcrypt loads its prebuilt binary via node-gyp-build) ---
FROM manifests AS gateway-deps
RUN npm ci --omit=dev --no-audit --no-fund --workspace gateway

FROM manifests AS control-plane-deps
RUN npm ci --omit=dev --no-audit --no-fund --workspace control-plane

FROM manifests AS operator-deps
RUN npm ci --omit=dev --no-audit --no-fund --workspace operator

# --- what every runtime image shares ---------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Files stay owned by root: the node user can read them, not change them.
USER 1000:1000

FROM runtime AS gateway
COPY --from=gateway-deps /src/node_modules/ node_modules/
COPY --from=build /src/gateway/package.json gateway/
COPY --from=build /src/gateway/dist/ gateway/dist/
EXPOSE 8000 9100
ENTRYPOINT ["node", "gateway/dist/main.js"]

FROM runtime AS operator
COPY --from=operator-deps /src/node_modules/ node_modules/
# The operator provisions tenants with the control plane's tenancy module, which uses the gateway's
# config schema.
COPY --from=build /src/gateway/package.json gateway/
COPY --from=build /src/gateway/dist/ gateway/dist/
COPY --from=build /src/control-plane/package.json control-plane/
COPY --from=build /src/control-plane/dist/ control-plane/dist/
COPY --from=build /src/operator/package.json operator/
COPY --from=build /src/operator/dist/ operator/dist/
EXPOSE 8081
ENTRYPOINT ["node", "operator/dist/main.js"]

# Last, so that a plain `docker build .` makes the control plane.
FROM runtime AS control-plane
COPY --from=control-plane-deps /src/node_modules/ node_modules/
COPY --from=build /src/gateway/package.json gateway/
COPY --from=build /src/gateway/dist/ gateway/dist/
COPY --from=build /src/control-plane/package.json control-plane/
COPY --from=build /src/control-plane/dist/ control-plane/dist/
# The web console's static build, served under /console (control-plane/src/http/console-files.ts finds it here).
COPY --from=build /src/console/dist/ console/dist/
EXPOSE 8080
ENTRYPOINT ["node", "control-plane/dist/main.js"]
