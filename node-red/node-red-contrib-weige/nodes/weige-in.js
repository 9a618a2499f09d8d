/**
 * weige-in: receives canonical readings, device events, alerts or incidents from a Weige
 * gateway over MQTT (through a standard mqtt-broker config node, logged in as the site's
 * `node-red` service account). One message per MQTT message, payload parsed from JSON.
 */
'use strict';

const { STREAMS, SEGMENT_RE } = require('./topics.js');

module.exports = function (RED) {
  function WeigeInNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.stream = STREAMS[config.stream] ? config.stream : 'readings';
    node.site = config.site || 'chunjiang';
    node.filter = config.filter || '';
    node.brokerConn = RED.nodes.getNode(config.broker);
    if (!node.brokerConn) {
      node.error(RED._('weige-in.errors.missing-broker'));
      node.status({ fill: 'red', shape: 'ring', text: 'weige-in.status.no-broker' });
      return;
    }
    if (!SEGMENT_RE.test(node.site) || (node.filter && !SEGMENT_RE.test(node.filter))) {
      node.error(RED._('weige-in.errors.bad-filter'));
      node.status({ fill: 'red', shape: 'ring', text: 'weige-in.status.bad-filter' });
      return;
    }
    node.topic = STREAMS[node.stream](node.site, node.filter);

    const onMessage = (topic, payload) => {
      let body;
      try {
        body = JSON.parse(payload.toString('utf8'));
      } catch {
        node.warn(RED._('weige-in.errors.bad-json', { topic }));
        return;
      }
      const parts = topic.split('/');
      node.send({
        topic,
        payload: body,
        weige: { stream: node.stream, site: node.site, key: parts[parts.length - 1] },
      });
    };

    node.brokerConn.register(node);
    node.brokerConn.subscribe(node.topic, { qos: 1 }, onMessage, node.id);
    node.status({ fill: 'grey', shape: 'dot', text: node.topic });

    node.on('close', function (removed, done) {
      node.brokerConn.unsubscribe(node.topic, node.id, removed);
      node.brokerConn.deregister(node, done, removed);
    });
  }

  RED.nodes.registerType('weige-in', WeigeInNode);
};
