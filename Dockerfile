# Groove: the `mr` command (master, worker, client) in one image.
# Built the same way the README installs: npm ci, npm run build.
#   docker build -t groove .
#   docker run --rm -v groove:/var/lib/groove groove token /var/lib/groove/token   (once)
#   docker run --rm -p 7070:7070 -v groove:/var/lib/groove groove master --host 0.0.0.0 \
#       --token-file /var/lib/groove/token --data-dir /var/lib/groove/master
FROM node:20-bookworm-slim

WORKDIR /opt/groove
COPY package.json package-lock.json ./
# better-sqlite3 (the master's journal) compiles from source when its prebuilt binary cannot be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm ci
COPY . .
RUN npm run build \
 && npm prune --omit=dev \
 && ln -s /opt/groove/bin/mr.js /usr/local/bin/mr

# Workers keep map outputs and results here; mount a volume for it.
VOLUME ["/var/lib/groove"]
EXPOSE 7070
ENTRYPOINT ["mr"]
CMD ["--help"]
