# syntax=docker/dockerfile:1
# The one Stratus image. The chart runs a different entry point per Deployment (cmd/):
#   operator        node dist/cmd/operator.js
#   webhooks        node dist/cmd/webhooks.js
#   OpenStack API   node dist/cmd/openstack-api.js
# Only production code is copied: no simulator, test harness, scripts or tests.
# Build: docker build -t <registry>/stratus:<version> .
# Release builds should pin both FROM lines by digest (node:20-bookworm-slim@sha256:…).

# ---- build: compile TypeScript, then keep only the runtime dependencies -----------------
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY cmd ./cmd
COPY operator ./operator
COPY webhooks ./webhooks
RUN npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: node, the compiled code and production dependencies; no npm cache, no shell work
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /src/package.json ./package.json
COPY --from=build --chown=root:root /src/node_modules ./node_modules
COPY --from=build --chown=root:root /src/dist ./dist
# Files stay root-owned and read-only to the process; it runs as an unprivileged user
# (the chart sets the same ids and a read-only root filesystem).
USER 65532:65532
# 8081 health and metrics (all), 9443 admission (webhooks), 8080 OpenStack API.
EXPOSE 8081 9443 8080
CMD ["node", "dist/cmd/operator.js"]
