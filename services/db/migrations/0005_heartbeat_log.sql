-- Keeps the recent heartbeats, not only the last one. reconcile needs the first heartbeat the failed primary wrote
-- after the cut (the last heartbeat the new primary received): replication stopped somewhere between the two, so a
-- write committed in between may have replicated (and been deleted by the new primary since), while one committed
-- after it cannot have. replication_heartbeat holds one row that every beat overwrites, so that heartbeat is gone
-- by the time anyone looks; this log keeps a day of them (one row a second). The trigger fires on the writer only:
-- triggers do not fire during physical replication, where the log arrives as the writer's WAL.
CREATE TABLE replication_heartbeat_log (
  ts      timestamptz PRIMARY KEY,
  region  text NOT NULL
);

CREATE FUNCTION shop_log_heartbeat() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO replication_heartbeat_log (ts, region) VALUES (NEW.ts, NEW.region) ON CONFLICT (ts) DO NOTHING;
  DELETE FROM replication_heartbeat_log WHERE ts < NEW.ts - interval '1 day';
  RETURN NEW;
END
$$;

CREATE TRIGGER replication_heartbeat_log AFTER INSERT OR UPDATE ON replication_heartbeat
  FOR EACH ROW EXECUTE FUNCTION shop_log_heartbeat();
