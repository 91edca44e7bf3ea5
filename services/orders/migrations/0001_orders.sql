-- Orders schema. Every rule here exists for the failover report (DESIGN §6): uuid keys, a primary key on
-- every table, updated_at/version kept by a trigger (indexed, so the reconcile window is a range scan),
-- soft deletes (a lost delete is visible as a row difference), a transactional outbox and a heartbeat.

-- Keeps updated_at and version honest. A replay of recovered rows (runbooks' apply step) sets
-- `shop.replay = on` for its transaction so the recovered row keeps the values it had in the old Region.
CREATE OR REPLACE FUNCTION shop_touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('shop.replay', true), '') = 'on' THEN
    RETURN NEW;
  END IF;
  NEW.updated_at := now();
  IF TG_OP = 'INSERT' THEN
    NEW.version := 1;
  ELSE
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END
$$;

CREATE TABLE orders (
  id              uuid PRIMARY KEY,
  customer_id     text NOT NULL CHECK (length(customer_id) BETWEEN 1 AND 64),
  status          text NOT NULL CHECK (status IN ('placed', 'paid', 'shipped', 'cancelled')),
  total           numeric(12, 2) NOT NULL CHECK (total >= 0),
  currency        text NOT NULL DEFAULT 'USD',
  idempotency_key text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 128),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  version         integer NOT NULL DEFAULT 1,
  deleted_at      timestamptz
);
CREATE INDEX orders_updated_at ON orders (updated_at);
CREATE INDEX orders_customer ON orders (customer_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE order_items (
  id          uuid PRIMARY KEY,
  order_id    uuid NOT NULL REFERENCES orders (id),
  product_id  uuid NOT NULL,
  name        text NOT NULL,
  quantity    integer NOT NULL CHECK (quantity > 0),
  unit_price  numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  deleted_at  timestamptz
);
CREATE INDEX order_items_updated_at ON order_items (updated_at);
CREATE INDEX order_items_order ON order_items (order_id);

CREATE TABLE shipping_addresses (
  id          uuid PRIMARY KEY,
  order_id    uuid NOT NULL UNIQUE REFERENCES orders (id),
  first_name  text NOT NULL,
  last_name   text NOT NULL,
  email       text NOT NULL,
  address1    text NOT NULL,
  address2    text,
  city        text NOT NULL,
  state       text NOT NULL,
  zip_code    text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  deleted_at  timestamptz
);
CREATE INDEX shipping_addresses_updated_at ON shipping_addresses (updated_at);

-- Transactional outbox: written in the same transaction as the order change it describes.
CREATE TABLE order_events (
  id            uuid PRIMARY KEY,
  order_id      uuid NOT NULL REFERENCES orders (id),
  type          text NOT NULL,
  payload       jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  published_at  timestamptz
);
CREATE INDEX order_events_updated_at ON order_events (updated_at);
CREATE INDEX order_events_unpublished ON order_events (created_at) WHERE published_at IS NULL;

CREATE TRIGGER orders_touch BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION shop_touch_row();
CREATE TRIGGER order_items_touch BEFORE INSERT OR UPDATE ON order_items FOR EACH ROW EXECUTE FUNCTION shop_touch_row();
CREATE TRIGGER shipping_addresses_touch BEFORE INSERT OR UPDATE ON shipping_addresses FOR EACH ROW EXECUTE FUNCTION shop_touch_row();
CREATE TRIGGER order_events_touch BEFORE INSERT OR UPDATE ON order_events FOR EACH ROW EXECUTE FUNCTION shop_touch_row();

-- The last moment this database's writer was alive, as seen by whatever replica has this row.
-- One row (id = 1), updated every second by the single service instance holding the heartbeat lock.
CREATE TABLE replication_heartbeat (
  id      smallint PRIMARY KEY CHECK (id = 1),
  ts      timestamptz NOT NULL,
  region  text NOT NULL
);
