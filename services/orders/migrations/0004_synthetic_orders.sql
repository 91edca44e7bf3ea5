-- Orders the canary's synthetic shopper places (stacks/observability/canary/journey.js): real writes, kept apart from
-- the business's orders by this mark, which the orders log line, the OrderPlaced event and the API carry too.
-- Forward-compatible: older writers name no `synthetic` column and get the default, a real order; a constant
-- default adds the column without rewriting the table (Postgres 11 and later).
ALTER TABLE orders ADD COLUMN synthetic boolean NOT NULL DEFAULT false;

-- The retention job deletes old synthetic orders (services/orders/synthetic-order-retention.ts): it finds them here.
CREATE INDEX orders_synthetic_created ON orders (created_at) WHERE synthetic;
