import { applyReport } from '../../../runbooks/reconcile';
import { atTimes, childIds, createItemNotes, IDS, plus, query, TIMELINE, uid, useScenarioCopies } from './shop-fixture';

const { orders: O } = IDS;
const { cut } = TIMELINE;

/**
 * Issue 13, review 13 (D3, D4, D5, D6, D9, D12, probe i, item 19): apply's units are all or nothing, hold back what
 * belongs to a row a person must decide, go on after a failed unit, and never re-create a row new deleted.
 */
describe('apply: units, held-back rows and rows never re-created', () => {
  const { copy, run, onBoth } = useScenarioCopies('unit');

  test('GIVEN an AFTER INSERT trigger on new that changes the order of a replayed line WHEN apply runs THEN the whole order is rolled back and listed, not applied (D3)', async () => {
    const urls = await copy();
    await query(
      urls.newUrl,
      `CREATE FUNCTION bump_total() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN UPDATE orders SET total = total + NEW.quantity * NEW.unit_price WHERE id = NEW.order_id; RETURN NEW; END $$;
       CREATE TRIGGER items_total AFTER INSERT ON order_items FOR EACH ROW EXECUTE FUNCTION bump_total();`,
    );
    const { dir } = await run(urls);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.error).toBeNull();
    expect(applied.status).toBe('partial');
    // L1 is rolled back whole: absent on new, every row of it listed.
    expect(await query(urls.newUrl, 'SELECT id FROM orders WHERE id = $1', [O.L1])).toEqual([]);
    const l1 = applied.notApplied.filter((n) => n.unit === `order ${O.L1}`);
    expect(l1.map((n) => n.id)).toContain(O.L1);
    expect(l1.find((n) => n.id === O.L1)!.reason).toMatch(/before COMMIT.*hash .* not old's/);
    // Its other rows were tried and rolled back with it: counted apart from rows held back for a person (item 5).
    const total = (field: 'rolledBack' | 'heldBack') =>
      Object.values(applied.tables).reduce((sum, t) => sum + t[field], 0);
    const rolledBack = applied.notApplied.filter((n) => n.reason.startsWith('rolled back with '));
    expect(rolledBack.length).toBeGreaterThanOrEqual(l1.length - 1);
    expect(total('rolledBack')).toBe(rolledBack.length);
    expect(total('heldBack')).toBe(applied.notApplied.filter((n) => /held back/.test(n.reason)).length);
    expect(l1.filter((n) => n.id !== O.L1).every((n) => n.reason.startsWith(`rolled back with order ${O.L1}`))).toBe(
      true,
    );
    // Units the trigger does not touch (A1's lost update, no line) still commit.
    expect(applied.applied.some((a) => a.id === O.A1)).toBe(true);
  });

  test('GIVEN a lost line of an order that is a conflict (paid on old, cancelled on new) WHEN apply runs THEN the line is held back with its order, naming the class (D4)', async () => {
    const urls = await copy();
    const line = uid(0x6100);
    await atTimes(urls.oldUrl, (c) =>
      c.query(
        `INSERT INTO order_items (id, order_id, product_id, name, quantity, unit_price, created_at, updated_at, version)
         VALUES ($1, $2, $3, 'late line on A3', 2, 10, $4, $4, 1)`,
        [line, O.A3, IDS.products.Y, plus(cut, 8)],
      ),
    );
    const { report, dir } = await run(urls);
    expect(report.tables.orders!.rows.find((r) => r.id === O.A3)!.class).toBe('conflict');
    // The report says what apply will do with the lost line (rv13c): held back with its order.
    expect(report.tables.order_items!.rows.find((r) => r.id === line)!.detail).toMatch(
      new RegExp(`; apply holds it back: its order ${O.A3} is a conflict, which a person decides first`),
    );
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(await query(urls.newUrl, 'SELECT id FROM order_items WHERE id = $1', [line])).toEqual([]);
    expect(
      await query(urls.newUrl, `SELECT id FROM order_events WHERE order_id = $1 AND type = 'order.recovered'`, [O.A3]),
    ).toEqual([]);
    const held = applied.notApplied.find((n) => n.id === line);
    expect(held?.reason).toMatch(new RegExp(`order ${O.A3} is a conflict`));
    expect(applied.tables.order_items!.heldBack).toBe(1);
    expect(applied.status).toBe('partial');
  });

  test('GIVEN a lost grandchild row (no order_id, a foreign key to a lost line) WHEN the line is held back THEN the grandchild is held back with it; with its order replayed it joins that order (D4)', async () => {
    const urls = await copy();
    await createItemNotes(urls);
    const line = uid(0x6110);
    const noteOnA3 = uid(0x6111);
    const noteOnL1 = uid(0x6112);
    await atTimes(urls.oldUrl, async (c) => {
      await c.query(
        `INSERT INTO order_items (id, order_id, product_id, name, quantity, unit_price, created_at, updated_at, version)
         VALUES ($1, $2, $3, 'late line on A3', 2, 10, $4, $4, 1)`,
        [line, O.A3, IDS.products.Y, plus(cut, 8)],
      );
      await c.query(`INSERT INTO item_notes VALUES ($1, $2, 'gift', $3, $3, 1)`, [noteOnA3, line, plus(cut, 9)]);
      await c.query(`INSERT INTO item_notes VALUES ($1, $2, 'gift', $3, $3, 1)`, [
        noteOnL1,
        childIds(O.L1).item(0),
        plus(cut, 11),
      ]);
    });
    const { dir } = await run(urls);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(await query(urls.newUrl, 'SELECT id FROM item_notes WHERE id = $1', [noteOnA3])).toEqual([]);
    expect(applied.notApplied.find((n) => n.id === noteOnA3)).toMatchObject({ unit: `order ${O.A3}` });
    expect(applied.applied.find((a) => a.id === noteOnL1)).toMatchObject({ unit: `order ${O.L1}` });
  });

  test('GIVEN a lost note on an order line the report found unchanged (replicated before the cut), whose order is a conflict WHEN apply runs THEN the note joins that order and is held back with it (rv13c N4)', async () => {
    const urls = await copy();
    await createItemNotes(urls);
    // A3 is a conflict (paid on old, cancelled on new); its line 0 replicated long ago and is identical.
    const note = uid(0x6113);
    await atTimes(urls.oldUrl, (c) =>
      c.query(`INSERT INTO item_notes VALUES ($1, $2, 'gift wrap', $3, $3, 1)`, [
        note,
        childIds(O.A3).item(0),
        plus(cut, 9),
      ]),
    );
    const { dir } = await run(urls);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(await query(urls.newUrl, 'SELECT id FROM item_notes WHERE id = $1', [note])).toEqual([]);
    expect(applied.notApplied.find((n) => n.id === note)).toMatchObject({
      unit: `order ${O.A3}`,
      reason: expect.stringMatching(new RegExp(`^its order ${O.A3} is a conflict`)),
    });
  });

  test('GIVEN one unit whose order.recovered event cannot be written WHEN apply runs THEN that unit is rolled back and listed, and later units are still applied (D5)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      `CREATE TABLE payments (id uuid PRIMARY KEY, order_id uuid NOT NULL, amount numeric(12,2) NOT NULL,
         created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL)`,
    );
    const orphan = uid(0x6700);
    // A2 (soft-deleted on old): none of its rows is left for a person, so its unit is replayed.
    const onA2 = uid(0x6701);
    await atTimes(urls.oldUrl, async (c) => {
      await c.query(`INSERT INTO payments VALUES ($1, $2, 10, $3, $3, 1)`, [orphan, uid(0xdead), plus(cut, 6)]);
      await c.query(`INSERT INTO payments VALUES ($1, $2, 10, $3, $3, 1)`, [onA2, O.A2, plus(cut, 7)]);
    });
    const { dir } = await run(urls);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.error).toBeNull();
    expect(applied.status).toBe('partial');
    expect(await query(urls.newUrl, 'SELECT id FROM payments WHERE id = $1', [onA2])).toHaveLength(1);
    expect(await query(urls.newUrl, 'SELECT id FROM payments WHERE id = $1', [orphan])).toEqual([]);
    expect(applied.notApplied).toEqual([
      expect.objectContaining({
        table: 'payments',
        id: orphan,
        reason: expect.stringMatching(/order\.recovered event .*order_events_order_id_fkey/),
      }),
    ]);
    expect(applied.unitsNotApplied).toBe(1);
  });

  test('GIVEN a deferred constraint that fails at COMMIT WHEN apply runs THEN that unit is listed with the reason and the next one commits (D5)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      `CREATE TABLE vouchers (id uuid PRIMARY KEY, code text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL, version integer NOT NULL)`,
    );
    await query(
      urls.newUrl,
      `CREATE FUNCTION no_bad_code() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF NEW.code = 'bad' THEN RAISE EXCEPTION 'voucher code bad refused at commit'; END IF; RETURN NULL; END $$;
       CREATE CONSTRAINT TRIGGER vouchers_check AFTER INSERT ON vouchers DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW EXECUTE FUNCTION no_bad_code();`,
    );
    const bad = uid(0x6710);
    const good = uid(0x6711);
    await atTimes(urls.oldUrl, async (c) => {
      await c.query(`INSERT INTO vouchers VALUES ($1, 'bad', $2, $2, 1)`, [bad, plus(cut, 6)]);
      await c.query(`INSERT INTO vouchers VALUES ($1, 'good', $2, $2, 1)`, [good, plus(cut, 7)]);
    });
    const { report, dir } = await run(urls);
    expect(report.tables.vouchers!.rows.map((r) => r.class)).toEqual(['lost_insert', 'lost_insert']);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.status).toBe('partial');
    expect(await query(urls.newUrl, 'SELECT code FROM vouchers ORDER BY code')).toEqual([{ code: 'good' }]);
    expect(applied.notApplied).toEqual([
      expect.objectContaining({
        id: bad,
        reason: expect.stringMatching(/deferred constraint .*failed .*before COMMIT.*voucher code bad refused/),
      }),
    ]);
  });

  test('GIVEN a deferred constraint trigger on new that rewrites a replayed row at COMMIT WHEN apply runs THEN the unit is rolled back with the reason, not called applied (rv13b P3)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      `CREATE TABLE notes (id uuid PRIMARY KEY, body text, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL)`,
    );
    await query(
      urls.newUrl,
      `CREATE FUNCTION scrub() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN UPDATE notes SET body = 'scrubbed' WHERE id = NEW.id AND body <> 'scrubbed'; RETURN NULL; END $$;
       CREATE CONSTRAINT TRIGGER notes_scrub AFTER INSERT ON notes DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW EXECUTE FUNCTION scrub();`,
    );
    const note = uid(0x6720 + 0x10);
    await atTimes(urls.oldUrl, (c) =>
      c.query(`INSERT INTO notes VALUES ($1, 'secret', $2, $2, 1)`, [note, plus(cut, 5)]),
    );
    const { dir } = await run(urls);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.status).toBe('partial');
    expect(await query(urls.newUrl, 'SELECT body FROM notes WHERE id = $1', [note])).toEqual([]);
    expect(applied.notApplied.find((n) => n.id === note)?.reason).toMatch(/before COMMIT.*not old's/);
    expect(applied.applied.some((a) => a.id === note)).toBe(false);
  });

  test('GIVEN an order whose lost update is replayable while one of its own lines is a conflict WHEN apply runs THEN the whole order is held back, naming the line left for a person (rv13b P7)', async () => {
    const urls = await copy();
    const line = childIds(O.A1).item(0);
    await atTimes(urls.oldUrl, (c) =>
      c.query('UPDATE order_items SET quantity = 9, updated_at = $2, version = version + 1 WHERE id = $1', [
        line,
        plus(cut, 6),
      ]),
    );
    await atTimes(urls.newUrl, (c) =>
      c.query('UPDATE order_items SET quantity = 3, updated_at = $2, version = version + 1 WHERE id = $1', [
        line,
        plus(TIMELINE.failoverAt, 30),
      ]),
    );
    const { report, dir } = await run(urls);
    expect(report.tables.orders!.rows.find((r) => r.id === O.A1)!.class).toBe('lost_update');
    expect(report.tables.order_items!.rows.find((r) => r.id === line)!.class).toBe('conflict');
    const before = await query(urls.newUrl, 'SELECT status, version FROM orders WHERE id = $1', [O.A1]);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(await query(urls.newUrl, 'SELECT status, version FROM orders WHERE id = $1', [O.A1])).toEqual(before);
    expect(applied.applied.some((a) => a.id === O.A1)).toBe(false);
    const a1 = applied.notApplied.find((n) => n.id === O.A1);
    expect(a1).toMatchObject({ unit: `order ${O.A1}` });
    expect(a1!.reason).toMatch(new RegExp(`order_items ${line}.*conflict.*left for a person`));
    expect(applied.tables.orders!.heldBack).toBe(1);
    expect(applied.tables.orders!.rolledBack).toBe(0);
    expect(applied.status).toBe('partial');
  });

  test('GIVEN a self-referencing table (nodes.parent_id → nodes.id) with a lost parent and a lost child whose id sorts first WHEN apply runs THEN both are replayed in one unit, parent first (rv13b P4)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      `CREATE TABLE nodes (id uuid PRIMARY KEY, parent_id uuid REFERENCES nodes (id), created_at timestamptz NOT NULL,
         updated_at timestamptz NOT NULL, version integer NOT NULL)`,
    );
    const parent = uid(0x6a02);
    const child = uid(0x6a01);
    const grandchild = uid(0x6a00);
    await atTimes(urls.oldUrl, (c) =>
      c.query('INSERT INTO nodes VALUES ($1, NULL, $4, $4, 1), ($2, $1, $4, $4, 1), ($3, $2, $4, $4, 1)', [
        parent,
        child,
        grandchild,
        plus(cut, 5),
      ]),
    );
    const { report, dir } = await run(urls);
    expect(report.tables.nodes!.rows.map((r) => `${r.class} ${r.id}`).sort()).toEqual(
      [grandchild, child, parent].map((id) => `lost_insert ${id}`),
    );
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.notApplied).toEqual([]);
    expect(applied.status).toBe('applied');
    expect(await query(urls.newUrl, 'SELECT count(*)::int AS n FROM nodes')).toEqual([{ n: 3 }]);
    const nodes = applied.applied.filter((a) => a.table === 'nodes');
    expect(nodes.map((a) => a.id)).toEqual([parent, child, grandchild]);
    expect(new Set(nodes.map((a) => a.unit))).toEqual(new Set([`nodes ${parent}`]));
  });

  test('GIVEN lost rows referencing a conflict row through a foreign key to a UNIQUE non-id column and through a two-column foreign key WHEN apply runs THEN both are held back, naming the row left for a person, and a row referencing another account is replayed (rv13b P5)', async () => {
    const urls = await copy();
    const acc1 = uid(0x6b01);
    const acc2 = uid(0x6b02);
    await onBoth(
      urls,
      `CREATE TABLE accounts (id uuid PRIMARY KEY, code text UNIQUE, region text, owner text,
         created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL, UNIQUE (code, region));
       CREATE TABLE grants (id uuid PRIMARY KEY, account_code text REFERENCES accounts (code), what text,
         created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL);
       CREATE TABLE limits (id uuid PRIMARY KEY, account_code text, account_region text, amount integer,
         created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL,
         FOREIGN KEY (account_code, account_region) REFERENCES accounts (code, region));`,
    );
    await onBoth(
      urls,
      `INSERT INTO accounts VALUES ($1, 'ACC1', 'eu', 'alice', $3, $3, 1), ($2, 'ACC2', 'eu', 'carol', $3, $3, 1)`,
      [acc1, acc2, TIMELINE.base],
    );
    const grant = uid(0x6b10);
    const limit = uid(0x6b11);
    const other = uid(0x6b12);
    await atTimes(urls.oldUrl, async (c) => {
      await c.query(`UPDATE accounts SET owner = 'mallory', updated_at = $2, version = 2 WHERE id = $1`, [
        acc1,
        plus(cut, 5),
      ]);
      await c.query(`INSERT INTO grants VALUES ($1, 'ACC1', 'admin', $2, $2, 1)`, [grant, plus(cut, 6)]);
      await c.query(`INSERT INTO limits VALUES ($1, 'ACC1', 'eu', 100, $2, $2, 1)`, [limit, plus(cut, 6)]);
      await c.query(`INSERT INTO grants VALUES ($1, 'ACC2', 'read', $2, $2, 1)`, [other, plus(cut, 6)]);
    });
    await atTimes(urls.newUrl, (c) =>
      c.query(`UPDATE accounts SET owner = 'bob', updated_at = $2, version = 2 WHERE id = $1`, [
        acc1,
        plus(TIMELINE.failoverAt, 7),
      ]),
    );
    const { report, dir } = await run(urls);
    expect(report.tables.accounts!.rows.map((r) => `${r.class} ${r.id}`)).toEqual([`conflict ${acc1}`]);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(await query(urls.newUrl, 'SELECT id FROM grants WHERE id = $1', [grant])).toEqual([]);
    expect(await query(urls.newUrl, 'SELECT id FROM limits WHERE id = $1', [limit])).toEqual([]);
    expect(applied.notApplied.find((n) => n.id === grant)?.reason).toMatch(
      new RegExp(`references accounts ${acc1} \\(account_code → code\\), a conflict left for a person`),
    );
    expect(applied.notApplied.find((n) => n.id === limit)?.reason).toMatch(
      new RegExp(`references accounts ${acc1} \\(account_code, account_region → code, region\\), a conflict`),
    );
    expect(applied.tables.grants!.heldBack).toBe(1);
    expect(applied.tables.limits!.heldBack).toBe(1);
    expect(applied.applied.some((a) => a.id === other)).toBe(true);
  });

  test('GIVEN a table without created_at whose shop_touch_row trigger on new fires only in replica sessions (ENABLE REPLICA TRIGGER) WHEN old inserted a row after the cut THEN nothing enforces versions from 1 in normal sessions: a conflict, while the same table with the trigger enabled gives a lost insert (item 5)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      `CREATE TABLE tallies_on (id uuid PRIMARY KEY, n integer, updated_at timestamptz NOT NULL, version integer NOT NULL);
       CREATE TABLE tallies_replica (id uuid PRIMARY KEY, n integer, updated_at timestamptz NOT NULL, version integer NOT NULL);
       CREATE TRIGGER tallies_on_touch BEFORE INSERT OR UPDATE ON tallies_on FOR EACH ROW EXECUTE FUNCTION shop_touch_row();
       CREATE TRIGGER tallies_replica_touch BEFORE INSERT OR UPDATE ON tallies_replica FOR EACH ROW EXECUTE FUNCTION shop_touch_row();`,
    );
    await query(urls.newUrl, 'ALTER TABLE tallies_replica ENABLE REPLICA TRIGGER tallies_replica_touch');
    const on = uid(0x6c01);
    const replica = uid(0x6c02);
    await atTimes(urls.oldUrl, async (c) => {
      await c.query('INSERT INTO tallies_on VALUES ($1, 1, $2, 1)', [on, plus(cut, 5)]);
      await c.query('INSERT INTO tallies_replica VALUES ($1, 1, $2, 1)', [replica, plus(cut, 5)]);
    });
    const { report } = await run(urls);
    expect(report.tables.tallies_on!.rows.map((r) => `${r.class} ${r.id}`)).toEqual([`lost_insert ${on}`]);
    expect(report.tables.tallies_replica!.rows.map((r) => `${r.class} ${r.id}`)).toEqual([`conflict ${replica}`]);
  });

  test('GIVEN a row id Postgres accepts that is not an RFC 9562 uuid (md5(…)::uuid) WHEN apply reads the report THEN it accepts it (D6)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      `CREATE TABLE ledger (id uuid PRIMARY KEY, amount int, updated_at timestamptz NOT NULL, version int NOT NULL)`,
    );
    await onBoth(urls, `INSERT INTO ledger VALUES (md5('7')::uuid, 1, $1, 1)`, [TIMELINE.base]);
    await query(urls.newUrl, 'UPDATE ledger SET amount = 2');
    const { report, dir } = await run(urls);
    expect(report.tables.ledger!.rows.map((r) => r.class)).toEqual(['unexplained']);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.error).toBeNull();
    expect(applied.leftForPerson.some((r) => r.table === 'ledger')).toBe(true);
  });

  test('GIVEN plain inheritance (express_parcels INHERITS parcels) and a lost insert into the child WHEN reconciling and applying THEN it is reported and replayed once, in the child (D9)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      `CREATE TABLE parcels (id uuid PRIMARY KEY, carrier text, created_at timestamptz NOT NULL,
         updated_at timestamptz NOT NULL, version integer NOT NULL);
       CREATE TABLE express_parcels (PRIMARY KEY (id)) INHERITS (parcels);`,
    );
    const parcel = uid(0x6800);
    await onBoth(urls, `INSERT INTO parcels VALUES ($1, 'ups', $2, $2, 1)`, [uid(0x6801), TIMELINE.base]);
    await atTimes(urls.oldUrl, (c) =>
      c.query(`INSERT INTO express_parcels VALUES ($1, 'dhl', $2, $2, 1)`, [parcel, plus(cut, 5)]),
    );
    const { report, dir } = await run(urls);
    expect(report.status).toBe('complete');
    expect(report.tables.parcels!.rows).toEqual([]);
    expect(report.tables.express_parcels!.rows.map((r) => `${r.class} ${r.id}`)).toEqual([`lost_insert ${parcel}`]);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.status).toBe('applied');
    expect(await query(urls.newUrl, 'SELECT count(*)::int AS n FROM parcels WHERE id = $1', [parcel])).toEqual([
      { n: 1 },
    ]);
    expect(await query(urls.newUrl, 'SELECT count(*)::int AS n FROM ONLY parcels WHERE id = $1', [parcel])).toEqual([
      { n: 0 },
    ]);
  });

  test('GIVEN plain inheritance and a write on new outside the window into a child row WHEN verify runs THEN it is unexplained in the child only, not again in the parent (D9)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      `CREATE TABLE parcels (id uuid PRIMARY KEY, carrier text, created_at timestamptz NOT NULL,
         updated_at timestamptz NOT NULL, version integer NOT NULL);
       CREATE TABLE express_parcels (PRIMARY KEY (id)) INHERITS (parcels);`,
    );
    const parcel = uid(0x6810);
    await onBoth(urls, `INSERT INTO express_parcels VALUES ($1, 'ups', $2, $2, 1)`, [parcel, TIMELINE.base]);
    await query(urls.newUrl, `UPDATE express_parcels SET carrier = 'split brain' WHERE id = $1`, [parcel]);
    const { report } = await run(urls);
    expect(report.error).toBeNull();
    expect(report.tables.parcels!.rows).toEqual([]);
    expect(report.tables.express_parcels!.rows.map((r) => `${r.class} ${r.id}`)).toEqual([`unexplained ${parcel}`]);
  });

  test('GIVEN the connection to new is lost while a unit replays WHEN apply stops THEN that unit and every later one are listed as not applied (D5)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      `CREATE TABLE aaa_first (id uuid PRIMARY KEY, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL)`,
    );
    // The first unit apply replays ends its own connection (aaa_first sorts before every order table).
    await query(
      urls.newUrl,
      `CREATE FUNCTION end_session() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$;
       CREATE TRIGGER aaa_first_end BEFORE INSERT ON aaa_first FOR EACH ROW EXECUTE FUNCTION end_session();`,
    );
    const first = uid(0x6720);
    await atTimes(urls.oldUrl, (c) => c.query('INSERT INTO aaa_first VALUES ($1, $2, $2, 1)', [first, plus(cut, 5)]));
    const { report, dir } = await run(urls);
    const lost = Object.entries(report.tables).flatMap(([table, t]) =>
      t.rows.filter((r) => r.class === 'lost_insert' || r.class === 'lost_update').map((r) => `${table} ${r.id}`),
    );
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.status).toBe('failed');
    expect(applied.error).not.toBeNull();
    expect(applied.applied).toEqual([]);
    expect(applied.notApplied.map((n) => `${n.table} ${n.id}`).sort()).toEqual(lost.sort());
    expect(applied.notApplied.find((n) => n.id === O.L1)?.reason).toMatch(/apply stopped before this unit committed/);
    expect(applied.unitsNotApplied).toBeGreaterThan(1);
    // The per-table counts include the units never tried (item 5): every lost row is counted once, as not tried.
    const notTried = Object.entries(applied.tables).flatMap(([table, t]) => Array(t.notTried).fill(table));
    expect(notTried.sort()).toEqual(lost.map((l) => l.split(' ')[0]).sort());
  });

  test('GIVEN a BEFORE INSERT trigger on new that cancels the insert WHEN apply runs THEN the reason says no row was written, not a unique-key conflict (item 19)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      `CREATE TABLE notes (id uuid PRIMARY KEY, body text, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL)`,
    );
    await query(
      urls.newUrl,
      `CREATE FUNCTION drop_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
       CREATE TRIGGER notes_drop BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION drop_note();`,
    );
    const note = uid(0x6900);
    await atTimes(urls.oldUrl, (c) => c.query(`INSERT INTO notes VALUES ($1, 'x', $2, $2, 1)`, [note, plus(cut, 5)]));
    const { dir } = await run(urls);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    const row = applied.notApplied.find((n) => n.id === note);
    expect(row?.reason).toMatch(/0 rows.*trigger/);
    expect(row?.reason).not.toMatch(/unique/);
    expect(applied.tables.notes!.failed).toBe(1);
  });

  test('GIVEN a BEFORE UPDATE trigger on new that cancels the update WHEN apply replays a lost update THEN the reason says no row was written, not that the row changed since the report (item 19, neighbour)', async () => {
    const urls = await copy();
    await query(
      urls.newUrl,
      `CREATE FUNCTION keep_order() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
       CREATE TRIGGER orders_keep BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION keep_order();`,
    );
    const { report, dir } = await run(urls);
    expect(report.tables.orders!.rows.find((r) => r.id === O.A1)!.class).toBe('lost_update');
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    const a1 = applied.notApplied.find((n) => n.id === O.A1);
    expect(a1?.reason).toMatch(/0 rows.*BEFORE UPDATE trigger/);
    expect(a1?.reason).not.toMatch(/changed on the new primary since the report/);
    expect(applied.tables.orders!.changedSinceReport).toBe(0);
  });

  test('GIVEN a real unique-key conflict WHEN apply runs THEN the row is blocked and the reason names the constraint (item 19, neighbour)', async () => {
    const urls = await copy();
    await onBoth(
      urls,
      `CREATE TABLE coupons (id uuid PRIMARY KEY, code text UNIQUE, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL)`,
    );
    const coupon = uid(0x6910);
    await atTimes(urls.oldUrl, (c) =>
      c.query(`INSERT INTO coupons VALUES ($1, 'X1', $2, $2, 1)`, [coupon, plus(cut, 5)]),
    );
    await atTimes(urls.newUrl, (c) =>
      c.query(`INSERT INTO coupons VALUES ($1, 'X1', $2, $2, 1)`, [uid(0x6911), plus(TIMELINE.failoverAt, 5)]),
    );
    const { dir } = await run(urls);
    const applied = await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(applied.notApplied.find((n) => n.id === coupon)?.reason).toMatch(/coupons_code_key/);
    expect(applied.tables.coupons!.blocked).toBe(1);
  });

  test('GIVEN a table whose version starts at 0 and has no created_at WHEN new deleted a row old updated after the cut THEN it is a conflict and apply does not re-create it (D12)', async () => {
    const urls = await copy();
    const id = uid(0x6500);
    await onBoth(
      urls,
      `CREATE TABLE counters (id uuid PRIMARY KEY, n integer NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL DEFAULT 0)`,
    );
    await onBoth(urls, 'INSERT INTO counters VALUES ($1, 1, $2, 0)', [id, TIMELINE.base]);
    await atTimes(urls.oldUrl, (c) =>
      c.query('UPDATE counters SET n = 2, updated_at = $2, version = 1 WHERE id = $1', [id, plus(cut, 5)]),
    );
    await query(urls.newUrl, 'DELETE FROM counters WHERE id = $1', [id]);
    const { report, dir } = await run(urls);
    expect(report.tables.counters!.rows.map((r) => r.class)).toEqual(['conflict']);
    await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(await query(urls.newUrl, 'SELECT id FROM counters WHERE id = $1', [id])).toEqual([]);
  });

  test('GIVEN a table whose version starts at 0 (no created_at) WHEN old hard-deleted a row and new updated it after the cut THEN it is a conflict, not a new write (D12, same root)', async () => {
    const urls = await copy();
    const id = uid(0x6501);
    await onBoth(
      urls,
      `CREATE TABLE counters (id uuid PRIMARY KEY, n integer NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL DEFAULT 0)`,
    );
    await onBoth(urls, 'INSERT INTO counters VALUES ($1, 1, $2, 0)', [id, TIMELINE.base]);
    await query(urls.oldUrl, 'DELETE FROM counters WHERE id = $1', [id]);
    await atTimes(urls.newUrl, (c) =>
      c.query('UPDATE counters SET n = 2, updated_at = $2, version = 1 WHERE id = $1', [
        id,
        plus(TIMELINE.failoverAt, 5),
      ]),
    );
    const { report } = await run(urls);
    expect(report.tables.counters!.rows.map((r) => `${r.class} ${r.id}`)).toEqual([`conflict ${id}`]);
    expect(report.tables.counters!.newSideWrites).toBe(0);
  });

  test('GIVEN old deleted and re-inserted a row after the cut (fresh created_at, an id generated before the cut) and new deleted it WHEN apply runs THEN it is not re-created (probe i)', async () => {
    const urls = await copy();
    // A uuid v7 whose time (2026-01-10T11:00Z) is before the cut: the row existed before the cut.
    const id = '019ba790-2380-7000-8000-000000006a00';
    await onBoth(
      urls,
      `INSERT INTO order_events (id, order_id, type, payload, created_at, updated_at, version) VALUES ($1, $2, 'order.note', '{}', $3, $3, 1)`,
      [id, O.A7, TIMELINE.base],
    );
    await atTimes(urls.oldUrl, async (c) => {
      await c.query('DELETE FROM order_events WHERE id = $1', [id]);
      await c.query(
        `INSERT INTO order_events (id, order_id, type, payload, created_at, updated_at, version) VALUES ($1, $2, 'order.note', '{"re": 1}', $3, $3, 1)`,
        [id, O.A7, plus(cut, 5)],
      );
    });
    await query(urls.newUrl, 'DELETE FROM order_events WHERE id = $1', [id]);
    const { report, dir } = await run(urls);
    expect(report.tables.order_events!.rows.find((r) => r.id === id)).toMatchObject({
      class: 'conflict',
      detail: expect.stringMatching(/id .* before the cut/),
    });
    await applyReport({ reportDir: dir, newUrl: urls.newUrl });
    expect(await query(urls.newUrl, 'SELECT id FROM order_events WHERE id = $1', [id])).toEqual([]);
  });
});
