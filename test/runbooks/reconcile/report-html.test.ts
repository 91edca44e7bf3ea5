import { emptyCounts, type ReconcileReport } from '../../../runbooks/reconcile/report';
import { sha256Line, tableCsv } from '../../../runbooks/reconcile/report-files';
import { renderReportHtml } from '../../../runbooks/reconcile/report-html';

function reportWith(customer: string): ReconcileReport {
  return {
    format: 'multi-region-shop/reconcile-report@2',
    status: 'complete',
    generatedAt: '2026-01-10T13:00:00.000Z',
    cut: '2026-01-10T12:00:00.000000Z',
    cutSource: 'heartbeat',
    windowStart: '2026-01-10T11:55:00.000000Z',
    failoverAt: '2026-01-10T12:01:00.000000Z',
    marginSeconds: 300,
    verify: true,
    databases: {
      old: { url: 'postgres://u:***@old/orders', database: 'orders', serverVersion: '160014', heartbeat: null },
      new: { url: 'postgres://u:***@new/orders', database: 'orders', serverVersion: '160014', heartbeat: null },
    },
    gaps: [],
    otherTables: {},
    tables: {
      orders: {
        columns: [{ name: 'id', type: 'uuid' }],
        rowHash: 'hash_record_extended(t.*, 0)',
        counts: { ...emptyCounts(), lost_insert: 1 },
        candidates: 1,
        newWindowRows: 0,
        newSideWrites: 0,
        verify: null,
        rows: [
          {
            class: 'lost_insert',
            id: '0190a000-0000-7000-8000-000000000001',
            detail: 'exists only on old',
            old: { id: '0190a000-0000-7000-8000-000000000001', customer_id: customer },
            new: null,
            oldRecord: `(0190a000-0000-7000-8000-000000000001,${customer})`,
            oldHash: '1',
            newHash: null,
            newVersion: null,
            duplicateOf: null,
            proposedSql: 'INSERT ...;',
          },
        ],
      },
    },
    totals: { ...emptyCounts(), lost_insert: 1 },
    applyPreamble: "BEGIN; SET LOCAL shop.replay = 'on';",
    timings: [{ step: 'connect', ms: 3 }],
    lostWriteReportMs: 10,
    totalMs: 20,
    error: null,
  };
}

describe('report.html', () => {
  test('escapes every value taken from the databases', () => {
    const html = renderReportHtml(reportWith('<script>alert(1)</script>'));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  test('summarises counts, the timeline in time order, and the apply command', () => {
    const html = renderReportHtml(reportWith('c1'));
    expect(html).toContain(
      '<p class="headline warn" data-status="complete">Report complete — 1 lost row (in 1 order) can be replayed; 0 rows need a person.</p>',
    );
    expect(html).toContain('npm run runbook -- apply --report &lt;this folder&gt;');
    const order = [
      'window start',
      'cut: last replicated moment',
      'failover (new primary promoted)',
      'report generated',
    ].map((s) => html.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});

describe('report files', () => {
  test('the checksum line is what sha256sum -c expects', () => {
    expect(sha256Line('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  report.json\n');
  });

  test('the CSV quotes JSON and commas', () => {
    const csv = tableCsv(reportWith('a,"b"').tables.orders!.rows);
    expect(csv).toBe(
      'class,id,detail,duplicate_of,old_row,new_row,proposed_sql\n' +
        'lost_insert,0190a000-0000-7000-8000-000000000001,exists only on old,,"{""id"":""0190a000-0000-7000-8000-000000000001"",""customer_id"":""a,\\""b\\""""}",,INSERT ...;\n',
    );
  });
});

describe('report.html of an incomplete report', () => {
  test('says in the heading that not everything was compared, lists every gap and the tables compared whole', () => {
    const report: ReconcileReport = {
      ...reportWith('c1'),
      status: 'incomplete',
      gaps: [{ table: 'gift_notes', reason: 'table "gift_notes" cannot be reconciled row by row <and differs>' }],
      otherTables: {
        gift_notes: { why: 'no integer column "version"', result: 'differs', oldRows: 1, newRows: 0 },
        settings: { why: 'no uuid column "id"', result: 'identical', oldRows: 2, newRows: 2 },
      },
    };
    const html = renderReportHtml(report);
    expect(html).toContain(
      '<p class="headline bad" data-status="incomplete">Report INCOMPLETE — not everything was compared (listed below), so this does not show that nothing else was lost; so far 1 lost row (in 1 order) can be replayed; 0 rows need a person.</p>',
    );
    expect(html).toContain('<h2>Not compared</h2>');
    expect(html).toContain('<li>table &quot;gift_notes&quot; cannot be reconciled row by row &lt;and differs&gt;</li>');
    expect(html).toContain(
      '<tr><td>settings</td><td class="">identical</td><td class="n">2</td><td class="n">2</td><td>no uuid column &quot;id&quot;</td></tr>',
    );
    expect(html).toContain('<td class="hot">differs</td>');
  });
});

describe('report.html headline (issue 15: "complete" never alone above lost rows)', () => {
  test.each([
    [
      'nothing lost',
      { status: 'complete' as const, totals: emptyCounts(), rows: 0 },
      /^Report complete — nothing was lost/,
      'ok',
    ],
    [
      'a failed report',
      { status: 'failed' as const, totals: emptyCounts(), rows: 0 },
      /^Reconcile FAILED at step cut — this report proves nothing/,
      'bad',
    ],
    [
      'possibly lost rows only',
      { status: 'complete' as const, totals: { ...emptyCounts(), possibly_lost: 2 }, rows: 0 },
      /^Report complete — 0 lost rows can be replayed; 2 rows need a person\.$/,
      'warn',
    ],
  ])('%s', (_name, given, text, tone) => {
    const report: ReconcileReport = {
      ...reportWith('c1'),
      status: given.status,
      totals: given.totals,
      error: given.status === 'failed' ? { step: 'cut', message: 'no heartbeat' } : null,
      tables: {},
    };
    const html = renderReportHtml(report);
    const headline = /<p class="headline (\w+)"[^>]*>([^<]*)<\/p>/.exec(html);
    expect(headline?.[1]).toBe(tone);
    expect(headline?.[2]).toMatch(text);
  });
});
