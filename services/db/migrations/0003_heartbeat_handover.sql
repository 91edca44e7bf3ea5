-- Keeps the last replicated moment (the cut) after a failover. Within a second of a promotion the new Region's
-- heartbeat writer overwrites replication_heartbeat, and with it the value reconcile needs. This trigger copies
-- the row being replaced whenever the writing Region changes, on the new primary, at its first write: no runbook
-- step, clock or timing is involved, and a failover started from the console or the CLI is recorded the same way.
-- Triggers do not fire during physical replication, so only a database that has become the writer records one.
CREATE TABLE replication_heartbeat_handover (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The last heartbeat the previous writer's Region sent: the cut for a failover away from it.
  prev_ts      timestamptz NOT NULL,
  prev_region  text NOT NULL,
  -- The first heartbeat of the new writer's Region (its clock; after the promotion).
  next_ts      timestamptz NOT NULL,
  next_region  text NOT NULL
);

CREATE FUNCTION shop_record_heartbeat_handover() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO replication_heartbeat_handover (prev_ts, prev_region, next_ts, next_region)
  VALUES (OLD.ts, OLD.region, NEW.ts, NEW.region);
  RETURN NEW;
END
$$;

CREATE TRIGGER replication_heartbeat_handover AFTER UPDATE ON replication_heartbeat
  FOR EACH ROW WHEN (OLD.region IS DISTINCT FROM NEW.region)
  EXECUTE FUNCTION shop_record_heartbeat_handover();
