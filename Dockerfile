# syntax=docker/dockerfile:1
# Groove: the `mr` command (master, worker, client) in one image, in two stages. The build
# stage installs every dependency and compiles (npm ci, npm run build, as the README
# does); the runtime stage holds only what `mr` runs (dist/, the production node_modules,
# groove.proto) and runs as the unprivileged user groove (uid 10001). See docs/deploy.md.
#   docker build -t groove .
#   docker run --rm groove --version
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# The lock file alone first: the dependency layer is rebuilt only when it changes.
COPY package.json package-lock.json ./
# better-sqlite3 (the master's journal) compiles from source when its prebuilt binary cannot be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# A fixed uid, so that token files and volumes can be given to it from outside the image.
RUN groupadd --system --gid 10001 groove \
 && useradd --system --uid 10001 --gid groove --home-dir /var/lib/groove --shell /usr/sbin/nologin groove \
 && install -d -o groove -g groove -m 0750 /var/lib/groove
WORKDIR /opt/groove
# The package's own files (package.json "files"): no tests, benchmarks or TypeScript sources.
COPY --from=build /src/package.json ./
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist/common ./dist/common
COPY --from=build /src/dist/master ./dist/master
COPY --from=build /src/dist/proto ./dist/proto
COPY --from=build /src/dist/sdk ./dist/sdk
COPY --from=build /src/dist/storage ./dist/storage
COPY --from=build /src/dist/worker ./dist/worker
COPY --from=build /src/proto/wire/groove.proto ./proto/wire/groove.proto
COPY --from=build /src/sdk/pack-file-modules.d.ts ./sdk/pack-file-modules.d.ts
COPY --from=build /src/web ./web
COPY --from=build /src/node_modules ./node_modules
# The example jobs, to try the cluster with (mr submit jobs/wordcount.ts ...).
COPY --from=build /src/jobs ./jobs
RUN ln -s /opt/groove/bin/mr.js /usr/local/bin/mr
USER groove:groove
# Masters keep job packs here, workers map outputs and results: mount a volume on it.
VOLUME ["/var/lib/groove"]
# 7070 master gRPC, 8080 the master's web page, 7071 and 7072 a worker's gRPC and bulk
# ports as compose.yaml and deploy/k8s/ set them (every port is a flag: mr master --help).
EXPOSE 7070 7071 7072 8080
ENTRYPOINT ["mr"]
CMD ["--help"]
