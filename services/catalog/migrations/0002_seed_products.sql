-- The catalog's seed data: 14 products in 6 tags, with fixed uuid keys so every Region and every
-- run has the same ids. Images are paths the ui serves (generated SVGs), so nothing is downloaded.
-- ON CONFLICT keeps the file safe to apply to a database that already holds some of these rows.

INSERT INTO tags (id, name, display_name) VALUES
  ('01a21b3d-b6b9-739d-8f52-30f180f15ced', 'accessories', 'Accessories'),
  ('01a21b3d-b6ba-707b-9b8d-dfd9c7eadca1', 'apparel', 'Apparel'),
  ('01a21b3d-b6ba-707b-9b8d-e38120b363a6', 'featured', 'Featured'),
  ('01a21b3d-b6ba-707b-9b8d-e6c349d84c68', 'kitchen', 'Kitchen'),
  ('01a21b3d-b6ba-707b-9b8d-e86777d51c1c', 'outdoor', 'Outdoor'),
  ('01a21b3d-b6ba-707b-9b8d-eef5824df8b2', 'travel', 'Travel')
ON CONFLICT DO NOTHING;

INSERT INTO products (id, name, description, price, image_url) VALUES
  ('01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed', 'Trail Runner Backpack', 'A 22-litre pack with a ventilated back panel, hip-belt pockets and a hydration sleeve.', 89.00, '/assets/products/trail-backpack.svg'),
  ('01a21b3d-b6ba-707b-9b8e-02702e5a9d1b', 'Insulated Water Bottle', 'Double-walled stainless steel; keeps drinks cold for 24 hours and hot for 12.', 24.50, '/assets/products/water-bottle.svg'),
  ('01a21b3d-b6ba-707b-9b8e-0d4ffe343f14', 'Merino Wool Socks', 'Cushioned hiking socks that stay warm when wet and do not hold odour.', 18.00, '/assets/products/merino-socks.svg'),
  ('01a21b3d-b6ba-707b-9b8e-148fae29e3ad', 'Enamel Camp Mug', 'A 350 ml enamelled steel mug that goes from the campfire to the breakfast table.', 14.00, '/assets/products/camp-mug.svg'),
  ('01a21b3d-b6ba-707b-9b8e-22be44e6b947', 'Pour-Over Coffee Kit', 'Ceramic dripper, glass carafe and 100 paper filters for a slow, clean cup.', 42.00, '/assets/products/pour-over-kit.svg'),
  ('01a21b3d-b6ba-707b-9b8e-2da2e3db665d', 'Packable Rain Jacket', 'Three-layer waterproof shell with taped seams that packs into its own pocket.', 129.00, '/assets/products/rain-jacket.svg'),
  ('01a21b3d-b6ba-707b-9b8e-3d03646651b6', 'Canvas Tote Bag', 'Heavy waxed canvas with leather handles and an inner zip pocket.', 32.00, '/assets/products/canvas-tote.svg'),
  ('01a21b3d-b6ba-707b-9b8e-4adc772170fc', 'Cast Iron Skillet', 'A pre-seasoned 26 cm skillet for searing, baking and everything between.', 55.00, '/assets/products/cast-iron-skillet.svg'),
  ('01a21b3d-b6bb-731f-ae19-343914b471d4', 'LED Headlamp', '300 lumens, red night mode and a USB-C rechargeable battery.', 29.99, '/assets/products/led-headlamp.svg'),
  ('01a21b3d-b6bb-731f-ae19-3ffd3dbbf7e0', 'Travel Pillow', 'Memory-foam neck pillow with a washable cover and a compression bag.', 22.00, '/assets/products/travel-pillow.svg'),
  ('01a21b3d-b6bb-731f-ae19-44b52cd20cb9', 'Leather Card Wallet', 'Slim full-grain leather wallet holding six cards and folded notes.', 38.00, '/assets/products/card-wallet.svg'),
  ('01a21b3d-b6bb-731f-ae19-50260bbe0226', 'Wool Beanie', 'A rib-knit beanie in soft lambswool, one size.', 26.00, '/assets/products/wool-beanie.svg'),
  ('01a21b3d-b6bb-731f-ae19-5e7ab5abf765', 'Bamboo Cutting Board', 'A large end-grain board with a juice groove, gentle on knife edges.', 34.00, '/assets/products/cutting-board.svg'),
  ('01a21b3d-b6bb-731f-ae19-6622e8a441bb', 'Compact Binoculars', '8x25 roof-prism binoculars, waterproof and light enough for any pocket.', 149.00, '/assets/products/binoculars.svg')
ON CONFLICT DO NOTHING;

INSERT INTO product_tags (id, product_id, tag_id) VALUES
  ('01a21b3d-b6ba-707b-9b8d-f4cbb48fce1e', '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed', '01a21b3d-b6ba-707b-9b8d-e86777d51c1c'),
  ('01a21b3d-b6ba-707b-9b8d-fb0f296725c9', '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed', '01a21b3d-b6ba-707b-9b8d-eef5824df8b2'),
  ('01a21b3d-b6ba-707b-9b8d-ff425f499787', '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed', '01a21b3d-b6ba-707b-9b8d-e38120b363a6'),
  ('01a21b3d-b6ba-707b-9b8e-065fa636a0e0', '01a21b3d-b6ba-707b-9b8e-02702e5a9d1b', '01a21b3d-b6ba-707b-9b8d-e86777d51c1c'),
  ('01a21b3d-b6ba-707b-9b8e-0b260ddbf6bb', '01a21b3d-b6ba-707b-9b8e-02702e5a9d1b', '01a21b3d-b6ba-707b-9b8d-e6c349d84c68'),
  ('01a21b3d-b6ba-707b-9b8e-1109c1f81f27', '01a21b3d-b6ba-707b-9b8e-0d4ffe343f14', '01a21b3d-b6ba-707b-9b8d-dfd9c7eadca1'),
  ('01a21b3d-b6ba-707b-9b8e-1b8684e2e7ee', '01a21b3d-b6ba-707b-9b8e-148fae29e3ad', '01a21b3d-b6ba-707b-9b8d-e6c349d84c68'),
  ('01a21b3d-b6ba-707b-9b8e-1f1ebd903f12', '01a21b3d-b6ba-707b-9b8e-148fae29e3ad', '01a21b3d-b6ba-707b-9b8d-e86777d51c1c'),
  ('01a21b3d-b6ba-707b-9b8e-26ac6d045235', '01a21b3d-b6ba-707b-9b8e-22be44e6b947', '01a21b3d-b6ba-707b-9b8d-e6c349d84c68'),
  ('01a21b3d-b6ba-707b-9b8e-29780b3c975d', '01a21b3d-b6ba-707b-9b8e-22be44e6b947', '01a21b3d-b6ba-707b-9b8d-e38120b363a6'),
  ('01a21b3d-b6ba-707b-9b8e-3300a8272711', '01a21b3d-b6ba-707b-9b8e-2da2e3db665d', '01a21b3d-b6ba-707b-9b8d-dfd9c7eadca1'),
  ('01a21b3d-b6ba-707b-9b8e-3579505eca64', '01a21b3d-b6ba-707b-9b8e-2da2e3db665d', '01a21b3d-b6ba-707b-9b8d-e86777d51c1c'),
  ('01a21b3d-b6ba-707b-9b8e-3a8b812d144c', '01a21b3d-b6ba-707b-9b8e-2da2e3db665d', '01a21b3d-b6ba-707b-9b8d-e38120b363a6'),
  ('01a21b3d-b6ba-707b-9b8e-4352a54f1ea5', '01a21b3d-b6ba-707b-9b8e-3d03646651b6', '01a21b3d-b6b9-739d-8f52-30f180f15ced'),
  ('01a21b3d-b6ba-707b-9b8e-4453f2bb1d82', '01a21b3d-b6ba-707b-9b8e-3d03646651b6', '01a21b3d-b6ba-707b-9b8d-eef5824df8b2'),
  ('01a21b3d-b6ba-707b-9b8e-4e8462892cf2', '01a21b3d-b6ba-707b-9b8e-4adc772170fc', '01a21b3d-b6ba-707b-9b8d-e6c349d84c68'),
  ('01a21b3d-b6bb-731f-ae19-398e5c27595a', '01a21b3d-b6bb-731f-ae19-343914b471d4', '01a21b3d-b6ba-707b-9b8d-e86777d51c1c'),
  ('01a21b3d-b6bb-731f-ae19-423495218217', '01a21b3d-b6bb-731f-ae19-3ffd3dbbf7e0', '01a21b3d-b6ba-707b-9b8d-eef5824df8b2'),
  ('01a21b3d-b6bb-731f-ae19-4b6fb6424f69', '01a21b3d-b6bb-731f-ae19-44b52cd20cb9', '01a21b3d-b6b9-739d-8f52-30f180f15ced'),
  ('01a21b3d-b6bb-731f-ae19-4c1d69378ea9', '01a21b3d-b6bb-731f-ae19-44b52cd20cb9', '01a21b3d-b6ba-707b-9b8d-e38120b363a6'),
  ('01a21b3d-b6bb-731f-ae19-558650524103', '01a21b3d-b6bb-731f-ae19-50260bbe0226', '01a21b3d-b6ba-707b-9b8d-dfd9c7eadca1'),
  ('01a21b3d-b6bb-731f-ae19-59e2f70c98c5', '01a21b3d-b6bb-731f-ae19-50260bbe0226', '01a21b3d-b6b9-739d-8f52-30f180f15ced'),
  ('01a21b3d-b6bb-731f-ae19-6103db57acdc', '01a21b3d-b6bb-731f-ae19-5e7ab5abf765', '01a21b3d-b6ba-707b-9b8d-e6c349d84c68'),
  ('01a21b3d-b6bb-731f-ae19-693fe46a3387', '01a21b3d-b6bb-731f-ae19-6622e8a441bb', '01a21b3d-b6ba-707b-9b8d-e86777d51c1c'),
  ('01a21b3d-b6bb-731f-ae19-6dc08c9b4c34', '01a21b3d-b6bb-731f-ae19-6622e8a441bb', '01a21b3d-b6ba-707b-9b8d-eef5824df8b2')
ON CONFLICT DO NOTHING;
