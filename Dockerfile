# syntax=docker/dockerfile:1
# The same steps as `.ci/production-check`, which stands in for this image in CI: build dist/,
# install the production dependencies alone (`npm ci --omit=dev` of the same lockfile), run
# `node dist/main.js`, check GET /health-check.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8000 \
    MEDIA_DIR=/app/media
WORKDIR /app
COPY package.json package-lock.json ./
# Native dependencies (bcrypt, sharp) ship prebuilt binaries for linux x64/arm64 (glibc), so no
# compiler is needed here.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/media && chown node:node /app/media
USER node
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health-check').then(r=>process.exit(r.status===200?0:1)).catch(()=>process.exit(1))"
# Operators run the compiled CLIs the same way, e.g.
#   docker compose exec api node dist/cli/create-admin.js --email admin@example.com --password '...'
CMD ["node", "dist/main.js"]
