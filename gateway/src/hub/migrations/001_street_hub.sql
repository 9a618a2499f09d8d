-- The street hub's tables (issue 19). Times are epoch milliseconds (bigint), like the gateway's.

-- One row per community gateway of the street: its key, how far its uplink has been stored,
-- and its downlink sequence. Row locks on it serialise one gateway's pushes across replicas.
CREATE TABLE hub_communities (
  site_id        text PRIMARY KEY,
  street_id      text NOT NULL,
  name           jsonb NOT NULL,
  gateway_key    text NOT NULL,
  last_seq       bigint NOT NULL DEFAULT 0,
  last_seen_at   bigint,
  downlink_seq   bigint NOT NULL DEFAULT 0,
  downlink_acked bigint NOT NULL DEFAULT 0,
  mode           text NOT NULL DEFAULT 'normal'
);

-- Every uplink record, once, keyed by the gateway's sequence (the idempotency key).
CREATE TABLE hub_records (
  site_id     text NOT NULL,
  seq         bigint NOT NULL,
  kind        text NOT NULL,
  ref_id      text,
  at          bigint NOT NULL,
  received_at bigint NOT NULL,
  sig         text NOT NULL,
  body        jsonb NOT NULL,
  PRIMARY KEY (site_id, seq)
);
CREATE INDEX hub_records_ref ON hub_records (site_id, ref_id, seq);

-- The latest state of each incident of the street, as its community last reported it.
CREATE TABLE hub_incidents (
  site_id      text NOT NULL,
  incident_id  text NOT NULL,
  kind         text NOT NULL,
  severity     text NOT NULL,
  state        text NOT NULL,
  created_at   bigint NOT NULL,
  updated_at   bigint NOT NULL,
  accepted_at  bigint,
  disposition  text,
  street_since bigint,
  changes      integer NOT NULL,
  doc          jsonb NOT NULL,
  PRIMARY KEY (site_id, incident_id)
);
CREATE INDEX hub_incidents_state ON hub_incidents (state, site_id);

CREATE TABLE hub_devices (
  site_id    text NOT NULL,
  device_id  text NOT NULL,
  status     text NOT NULL,
  last_seen  bigint,
  battery    real,
  updated_at bigint NOT NULL,
  PRIMARY KEY (site_id, device_id)
);

-- What happened at the street: paged, reminded, escalated, accepted, handed back, mode switched.
CREATE TABLE hub_street_events (
  id          bigserial PRIMARY KEY,
  site_id     text,
  incident_id text,
  at          bigint NOT NULL,
  type        text NOT NULL,
  by          text,
  job_id      bigint UNIQUE,
  data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX hub_street_events_incident ON hub_street_events (site_id, incident_id, id);

-- Escalation timers as rows: any replica claims due ones with FOR UPDATE SKIP LOCKED and marks
-- them done in the transaction that does their work.
CREATE TABLE hub_jobs (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL,
  site_id     text NOT NULL,
  incident_id text NOT NULL,
  due_at      bigint NOT NULL,
  state       text NOT NULL DEFAULT 'pending',
  done_at     bigint,
  done_by     text
);
CREATE INDEX hub_jobs_due ON hub_jobs (due_at) WHERE state = 'pending';
CREATE INDEX hub_jobs_incident ON hub_jobs (site_id, incident_id) WHERE state = 'pending';

-- Street actions for one gateway, in its own sequence; it pulls them from its cursor.
CREATE TABLE hub_downlink (
  site_id    text NOT NULL,
  seq        bigint NOT NULL,
  kind       text NOT NULL,
  by         text NOT NULL,
  at         bigint NOT NULL,
  body       jsonb NOT NULL,
  outcome    text,
  message    text,
  PRIMARY KEY (site_id, seq)
);

-- Refused uplink requests and records, with the reason (the hub's dead letters; no payload kept).
CREATE TABLE hub_refusals (
  id         bigserial PRIMARY KEY,
  at         bigint NOT NULL,
  site_id    text,
  seq        bigint,
  reason     text NOT NULL,
  message    text NOT NULL
);

CREATE TABLE hub_sessions (
  token_hash text PRIMARY KEY,
  username   text NOT NULL,
  expires_at bigint NOT NULL
);
