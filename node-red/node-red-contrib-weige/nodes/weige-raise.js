/**
 * weige-raise: raises an alert in the Weige gateway from a flow. It publishes a detection to
 * `weige/flows/{flowId}/detection` (QoS 1), which the site's ACL lets the `node-red` service
 * account publish; the gateway validates it and raises it with source.rule `node-red:{flowId}`.
 *
 * The detection is built from the node's settings, overridden by `msg.detection` (an object) or
 * by `msg.payload` when that is an object with a `kind` and a `severity` or `title` (a detection).
 * A canonical reading or event (which also has a `kind`: the device kind) from a
 * weige-in node may be passed straight in: its deviceId and ts locate and time the alert.
 */
'use strict';

const { flowDetectionTopic, sanitizeFlowId } = require('./topics.js');

// The gateway's own schema for a flow detection, generated (scripts/generate-node-red-schema.ts).
const SCHEMA = require('./flow-detection.schema.json');

/** @type {string[]} */
const SEVERITIES = SCHEMA.properties.severity.enum;
const KIND_RE = new RegExp(SCHEMA.properties.kind.pattern);
const FIELDS = Object.keys(SCHEMA.properties);

/** Builds the detection; returns [detection, null] or [null, error key]. */
function buildDetection(config, msg) {
  const out = {
    kind: config.kind,
    severity: config.severity || 'minor',
    title: { 'zh-CN': config.titleZh || config.titleEn, en: config.titleEn || config.titleZh },
  };
  if (config.messageZh || config.messageEn)
    out.message = { 'zh-CN': config.messageZh || config.messageEn, en: config.messageEn || config.messageZh };
  const p = msg.payload;
  const isObject = p && typeof p === 'object' && !Array.isArray(p);
  const isDetection =
    isObject && typeof p.kind === 'string' && (p.severity !== undefined || p.title !== undefined);
  if (isObject && !isDetection) {
    // A canonical reading or event: locate and time the alert by it, keep it as evidence.
    if (typeof p.deviceId === 'string') out.deviceId = p.deviceId;
    if (typeof p.ts === 'string' || typeof p.ts === 'number') out.eventTs = p.ts;
    out.evidence = { input: p };
  }
  const override =
    msg.detection && typeof msg.detection === 'object' ? msg.detection : isDetection ? p : null;
  if (override) for (const f of FIELDS) if (override[f] !== undefined) out[f] = override[f];
  if (typeof out.title === 'string') out.title = { 'zh-CN': out.title, en: out.title };
  if (typeof out.message === 'string') out.message = { 'zh-CN': out.message, en: out.message };
  if (!out.kind || !KIND_RE.test(out.kind)) return [null, 'weige-raise.errors.bad-kind'];
  if (!SEVERITIES.includes(out.severity)) return [null, 'weige-raise.errors.bad-severity'];
  if (!out.title || !out.title['zh-CN']) return [null, 'weige-raise.errors.no-title'];
  return [out, null];
}

module.exports = function (RED) {
  function WeigeRaiseNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.flowId = sanitizeFlowId(config.flowId, config.z || node.id);
    node.topic = flowDetectionTopic(node.flowId);
    node.brokerConn = RED.nodes.getNode(config.broker);
    if (!node.brokerConn) {
      node.error(RED._('weige-raise.errors.missing-broker'));
      node.status({ fill: 'red', shape: 'ring', text: 'weige-raise.status.no-broker' });
      return;
    }
    node.brokerConn.register(node);
    let raised = 0;

    node.on('input', function (msg, send, done) {
      const [detection, errorKey] = buildDetection(config, msg);
      if (!detection) {
        node.status({ fill: 'red', shape: 'ring', text: errorKey });
        done(new Error(RED._(errorKey)));
        return;
      }
      if (!node.brokerConn.connected) {
        done(new Error(RED._('weige-raise.errors.not-connected')));
        return;
      }
      node.brokerConn.publish(
        { topic: node.topic, payload: JSON.stringify(detection), qos: 1, retain: false },
        (err) => {
          if (err) {
            done(err instanceof Error ? err : new Error(String(err)));
            return;
          }
          raised++;
          node.status({
            fill: 'green',
            shape: 'dot',
            text: RED._('weige-raise.status.raised', { count: raised }),
          });
          send(Object.assign(msg, { detection, topic: node.topic }));
          done();
        },
      );
    });

    node.on('close', function (removed, done) {
      node.brokerConn.deregister(node, done, removed);
    });
  }

  RED.nodes.registerType('weige-raise', WeigeRaiseNode);
};

module.exports.buildDetection = buildDetection;
