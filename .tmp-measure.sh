#!/bin/bash
# usage: .tmp-measure.sh <scene-dir> <tag>
set -e
cd /work/wt-sheds
scene=$1; tag=$2
rm -rf .tmp/gw-$tag; mkdir -p .tmp/gw-$tag
WEIGE_HTTP_PORT=0 WEIGE_MQTT_PORT=0 WEIGE_DATA_DIR=.tmp/gw-$tag nice -n 10 node_modules/.bin/tsx gateway/src/main.ts > .tmp/gw-$tag.log 2>&1 &
gwpid=$!
for i in $(seq 1 120); do grep -q '"gateway started"' .tmp/gw-$tag.log && break; sleep 1; done
line=$(grep '"gateway started"' .tmp/gw-$tag.log)
http=$(echo "$line" | grep -o '"httpPort":[0-9]*' | cut -d: -f2)
mqtt=$(echo "$line" | grep -o '"mqttPort":[0-9]*' | cut -d: -f2)
echo "gateway pid $gwpid http $http mqtt $mqtt"
pw=$(WEIGE_DATA_DIR=.tmp/gw-$tag npm run -s credentials -- show simulator 2>/dev/null || echo weige-service)
nice -n 10 npx tsx field/cli.ts replay --dir $scene --broker mqtt://127.0.0.1:$mqtt --user simulator --password "$pw"
nice -n 10 npx tsx field/cli.ts score --dir $scene --api http://127.0.0.1:$http
kill $gwpid
