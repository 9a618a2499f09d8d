/**
 * Gateway topics the Weige nodes use (the gateway's docs/CONTRACT.md and
 * gateway/src/detectors/rules/flow-bridge.ts). Kept in one place so both nodes agree.
 */
'use strict';

const SEGMENT_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** What a weige-in node can listen to, and the topic filter for it. */
const STREAMS = {
  readings: (site, filter) => `weige/sites/${site}/readings/${filter || '+'}`,
  events: (site, filter) => `weige/sites/${site}/events/${filter || '+'}`,
  alerts: (site, filter) => `weige/alerts/${site}/${filter || '+'}`,
  incidents: (site) => `weige/incidents/${site}/+`,
};

function flowDetectionTopic(flowId) {
  return `weige/flows/${flowId}/detection`;
}

/** A flow id usable as one topic level: the node's own id when none is set. */
function sanitizeFlowId(raw, fallback) {
  const id = String(raw || fallback || '')
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 64);
  return SEGMENT_RE.test(id) ? id : 'flow';
}

module.exports = { STREAMS, flowDetectionTopic, sanitizeFlowId, SEGMENT_RE };
