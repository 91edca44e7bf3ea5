-- Catalog schema: same rules as orders (uuid keys, trigger-kept updated_at/version, soft deletes, heartbeat)
-- so the failover report can compare it the same way.

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

CREATE TABLE products (
  id           uuid PRIMARY KEY,
  name         text NOT NULL,
  description  text NOT NULL,
  price        numeric(12, 2) NOT NULL CHECK (price >= 0),
  image_url    text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  deleted_at   timestamptz
);
CREATE INDEX products_updated_at ON products (updated_at);
CREATE INDEX products_name ON products (name) WHERE deleted_at IS NULL;

CREATE TABLE tags (
  id            uuid PRIMARY KEY,
  name          text NOT NULL UNIQUE,
  display_name  text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  deleted_at    timestamptz
);
CREATE INDEX tags_updated_at ON tags (updated_at);

CREATE TABLE product_tags (
  id          uuid PRIMARY KEY,
  product_id  uuid NOT NULL REFERENCES products (id),
  tag_id      uuid NOT NULL REFERENCES tags (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  deleted_at  timestamptz,
  UNIQUE (product_id, tag_id)
);
CREATE INDEX product_tags_updated_at ON product_tags (updated_at);
CREATE INDEX product_tags_tag ON product_tags (tag_id);

CREATE TRIGGER products_touch BEFORE INSERT OR UPDATE ON products FOR EACH ROW EXECUTE FUNCTION shop_touch_row();
CREATE TRIGGER tags_touch BEFORE INSERT OR UPDATE ON tags FOR EACH ROW EXECUTE FUNCTION shop_touch_row();
CREATE TRIGGER product_tags_touch BEFORE INSERT OR UPDATE ON product_tags FOR EACH ROW EXECUTE FUNCTION shop_touch_row();

CREATE TABLE replication_heartbeat (
  id      smallint PRIMARY KEY CHECK (id = 1),
  ts      timestamptz NOT NULL,
  region  text NOT NULL
);
