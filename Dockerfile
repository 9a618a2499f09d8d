# Weige gateway image. Build context: the repository root.
FROM node:20-bookworm-slim

# better-sqlite3 builds its native addon with node-gyp.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Sources first: the install step also builds the dashboards from them.
COPY . .
RUN npm ci --no-audit --no-fund && chown -R node:node /app
# A new named volume takes the owner of the image's mount point: without this, /data is root's
# and the gateway (running as node) cannot write its database.
RUN mkdir -p /data && chown node:node /data

USER node
ENV WEIGE_DATA_DIR=/data \
    WEIGE_HTTP_PORT=8080 \
    WEIGE_MQTT_PORT=1883
VOLUME ["/data"]
EXPOSE 1883 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["npm", "start"]
