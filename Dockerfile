# syntax=docker/dockerfile:1

# Build: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime: production dependencies and the compiled code only, as the unprivileged node user.
FROM node:20-bookworm-slim
# Both commands listen on all interfaces and keep their data on the volume: `serve` (the default)
# and `konnect` (the stand-in, docs/konnect-stand-in.md).
ENV NODE_ENV=production \
    AUDIT_RELAY_LISTEN=0.0.0.0:8080 \
    AUDIT_RELAY_SINKS=stdout,file:/data/audit-events.ndjson \
    AUDIT_RELAY_DEAD_LETTER=/data/dead-letter.ndjson \
    AUDIT_RELAY_KONNECT_LISTEN=0.0.0.0:8081 \
    AUDIT_RELAY_KONNECT_DATA_DIR=/data/konnect
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY scripts/healthcheck.js ./scripts/
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080 8081
# Asks /healthz on the ports the environment configures, over HTTP or HTTPS, whichever command runs.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "scripts/healthcheck.js"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve"]
