-- What the customer pays besides the items: the order total is items + shipping + tax, as the checkout priced it.
-- Defaults keep existing rows and older writers valid (their orders had neither).
ALTER TABLE orders
  ADD COLUMN shipping numeric(12, 2) NOT NULL DEFAULT 0 CHECK (shipping >= 0),
  ADD COLUMN tax      numeric(12, 2) NOT NULL DEFAULT 0 CHECK (tax >= 0);
