# syntax=docker/dockerfile:1.7
# One image for the five jobdesk apps; the command picks the app:
#   docker run jobdesk dist/apps/job-tracker/src/main.js
#   docker run jobdesk dist/apps/job-tracker/src/migrate.js
# Debian (glibc) base on purpose: pdfjs-dist uses the prebuilt @napi-rs/canvas binary, built for glibc.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- deps: every dependency, to compile --------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

# ---- build: TypeScript -> dist/ ----------------------------------------------------------------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

# ---- prod-deps: runtime dependencies only ------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime -----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
# The official image's unprivileged "node" user (uid/gid 1000); numeric so that Kubernetes'
# runAsNonRoot can verify it. Files stay root-owned: the app never writes to its own tree.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER 1000:1000
EXPOSE 3000 3001 3002 3003 3004
# Each app serves /health/live on its own PORT.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node"]
CMD ["dist/apps/gateway/src/main.js"]
