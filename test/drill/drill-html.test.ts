import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { layoutMarkerLabels, renderDrillHtml } from '../../drill/report/drill-html';
import { fillLostOrders, lostOrders } from '../../drill/report/lost-orders';
import { summaryTable } from '../../drill/report/summary-table';
import { scoreRun } from '../../runbooks/scoring';
import { absent, ack, input, orderRows, present, report as scoredReport } from '../runbooks/scoring/score-fixture';
import { fixtureDrillReport, LOST_ORDER_IDS } from './drill-report-fixture';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
const headlineOf = (html: string) => text(/<p class="headline[^"]*">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '');

// Issue 15 (review newcomer-run F9, F10): drill.html and the terminal summary say in one sentence what happened
// and whether anything was lost, with the exact next command; lost orders with customer, amount and time; the
// failback's errors as their own figure; timeline labels at their lines, never overlapping.
describe('drill.html and the terminal summary for the person on call', () => {
  test('GIVEN a drill that lost 5 acknowledged orders and replayed them WHEN rendered THEN the headline says so in one sentence', () => {
    const report = fixtureDrillReport();
    const headline = headlineOf(renderDrillHtml(report));
    expect(headline).toBe(
      'us-east-1 failed and us-west-2 took over (shoppers could not buy for 0.9 s); 5 acknowledged orders (20 rows) were lost; 5 were replayed by apply; the failback moved the shop back to us-east-1.',
    );
    // AND the terminal summary carries the same sentence
    expect(summaryTable(report)).toContain(headline);
  });

  test('GIVEN lost orders and no --apply WHEN rendered THEN the headline gives the exact apply command, and the next steps the failback', () => {
    const report = fixtureDrillReport({ apply: false, failback: false });
    const html = renderDrillHtml(report);
    const command =
      'npm run runbook -- apply --report /tmp/drill-out/reconcile/orders --new-url <writer URL of the new primary> --replay-possibly-lost';
    expect(headlineOf(html)).toBe(
      `us-east-1 failed and us-west-2 took over (shoppers could not buy for 0.9 s); 5 acknowledged orders (20 rows) were lost and can be replayed — run ${command}.`,
    );
    const next = text(/<ol class="next">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? '');
    expect(next).toContain(`Replay the lost rows of orders: ${command}`);
    expect(next).toContain(
      'fail back (planned, RPO 0): npm run runbook -- failback --adapter aws --target-region us-east-1 --reason "us-east-1 is healthy again"',
    );
    const lines = summaryTable(report).join('\n');
    expect(lines).toContain(`can be replayed — run ${command}`);
    expect(lines).toContain('next: Replay the lost rows of orders:');
    expect(lines).toContain('next: Once us-east-1 is back');
  });

  test('GIVEN a failed drill WHEN rendered THEN the headline starts with the verdict', () => {
    const report = fixtureDrillReport({ apply: false });
    report.status = 'failed';
    report.failures.push('reconcile reports 1 unexplained difference(s)');
    expect(headlineOf(renderDrillHtml(report))).toMatch(/^Drill FAILED: us-east-1 failed and us-west-2 took over/);
  });

  test('GIVEN lost orders WHEN rendered THEN each is listed with customer, amount and time, not by id alone', () => {
    const html = renderDrillHtml(fixtureDrillReport());
    const table = /<table class="lost-orders">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    const rows = table.split('<tr').slice(2).map(text);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toContain('Annie Jackson <customer0@example.com>');
    expect(rows[0]).toContain('42.80 USD');
    expect(rows[0]).toContain('2026-12-07 02:39:11.900 UTC');
    expect(rows[0]).toContain('1 × Merino Wool Socks');
    expect(rows[0]).toContain(LOST_ORDER_IDS[0]);
    expect(rows[4]).toContain('possibly lost');
  });

  test('GIVEN a failback with failed requests WHEN rendered THEN they are a key figure of their own, apart from the failover', () => {
    const report = fixtureDrillReport();
    const html = renderDrillHtml(report);
    const figure = (name: string) =>
      text(new RegExp(`<tr><th>${name}</th>([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? 'missing');
    expect(figure('failed requests: failback \\(planned\\)')).toContain(
      '90 of 910 requests failed, errors in 6 seconds (seconds 46–51)',
    );
    expect(figure('failed requests: failover \\(unplanned\\)')).toContain('12 of');
    const lines = summaryTable(report).join('\n');
    expect(lines).toMatch(/failed requests, failback\s+90\s+90 of 910 requests failed, errors in 6 seconds/);
  });

  test('GIVEN a failback whose readiness conditions the drill waived (canary skipped) WHEN rendered THEN drill.html and the summary name them and why; none waived, no such line', () => {
    const report = fixtureDrillReport();
    const html = renderDrillHtml(report);
    const figure = text(/<tr><th>failback readiness<\/th>([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? 'missing');
    const said =
      'canary skipped (no Chromium: CHROMIUM_PATH=/opt/chromium does not exist): healthy-long-enough, canaries-green overridden';
    expect(figure).toBe(`overridden${said}`);
    expect(summaryTable(report).join('\n')).toMatch(
      new RegExp(`^failback readiness +overridden +${said.replace(/[()]/g, '\\$&')}$`, 'm'),
    );
    report.failback!.readiness_overrides = null;
    expect(renderDrillHtml(report)).not.toContain('failback readiness');
    expect(summaryTable(report).join('\n')).not.toContain('failback readiness');
  });

  test('GIVEN the canary skipped WHEN rendered THEN the readiness preflight says canaries-green had no canary alarm to check; a canary that ran, no such note', () => {
    const report = fixtureDrillReport();
    const note = 'canaries-green checked no canary alarm (canary skipped)';
    const figure = () =>
      text(/<tr><th>readiness preflight<\/th>([\s\S]*?)<\/tr>/.exec(renderDrillHtml(report))?.[1] ?? 'missing');
    const row = () => summaryTable(report).find((l) => l.startsWith('readiness preflight')) ?? 'missing';
    expect(figure()).toBe(`GREENus-east-1 GREEN, us-west-2 GREEN; ${note}`);
    expect(row()).toMatch(
      new RegExp(`us-west-2 GREEN \\(\\d+/\\d+ checks green\\); ${note.replace(/[()]/g, '\\$&')}$`),
    );
    report.canary = { status: 'passed', reason: null, runs: [] };
    expect(figure()).toBe('GREENus-east-1 GREEN, us-west-2 GREEN');
    expect(row()).not.toContain('canaries-green');
  });

  test('GIVEN markers a few ms apart WHEN their labels are laid out THEN each sits at its line, none overlaps another, no line crosses a label', () => {
    const xs = [300, 301, 302, 302, 305, 310, 320, 700, 701, 702, 900, 905];
    const boxes = layoutMarkerLabels(
      xs.map((x, i) => ({ x, width: 150 + i * 20 })),
      { left: 150, right: 1080 },
    );
    for (const [i, b] of boxes.entries()) {
      // at its line: the label starts or ends 2 px from its marker
      expect(Math.min(Math.abs(b.from - 2 - xs[i]!), Math.abs(b.to + 2 - xs[i]!))).toBeLessThan(0.01);
      for (const [j, o] of boxes.entries()) {
        if (i === j) continue;
        const sameRow = b.row === o.row;
        expect(sameRow && b.from < o.to && o.from < b.to).toBe(false);
        // marker j's line runs from the plot down to its own label's row: it must cross no label above it
        if (o.row > b.row) expect(xs[j]! >= b.from && xs[j]! <= b.to).toBe(false);
      }
    }
  });

  test('GIVEN the reconcile report rows WHEN the lost orders are read THEN customer, amount, time and items come from the old values', async () => {
    const id = LOST_ORDER_IDS[0]!;
    const reconcile = {
      tables: {
        orders: {
          rows: [
            {
              class: 'lost_insert',
              id,
              old: { id, customer_id: 'c-1', total: 42.8, currency: 'USD', created_at: '2026-12-07T02:39:57.4+00:00' },
            },
            { class: 'identical', id: 'x', old: { id: 'x', total: 1 } },
          ],
        },
        order_items: {
          rows: [{ class: 'possibly_lost', id: 'i1', old: { order_id: id, quantity: 2, name: 'Socks' } }],
        },
        shipping_addresses: {
          rows: [
            {
              class: 'lost_insert',
              id: 'a1',
              old: { order_id: id, first_name: 'Annie', last_name: 'Jackson', email: 'a@example.com' },
            },
          ],
        },
      },
    };
    const lost = lostOrders({ acknowledged_lost_ids: [id, LOST_ORDER_IDS[1]!] }, reconcile);
    expect(lost).toEqual([
      {
        id,
        class: 'lost_insert',
        acknowledged: true,
        customer_id: 'c-1',
        customer_name: 'Annie Jackson <a@example.com>',
        amount: '42.80 USD',
        placed_at: '2026-12-07T02:39:57.4+00:00',
        items: ['2 × Socks'],
      },
      {
        id: LOST_ORDER_IDS[1],
        class: null,
        acknowledged: true,
        customer_id: null,
        customer_name: null,
        amount: null,
        placed_at: null,
        items: [],
      },
    ]);
    // AND the report written to disk is read from the folder the drill copied it to
    const dir = await mkdtemp(path.join(tmpdir(), 'drill-html-'));
    try {
      await writeFile(path.join(dir, 'report.json'), JSON.stringify(reconcile));
      const report = fixtureDrillReport();
      report.acknowledged_lost_ids = [id];
      report.reconcile.databases['orders'] = { ...report.reconcile.databases['orders']!, report_dir: dir };
      await fillLostOrders(report);
      expect(report.lost_orders.map((o) => [o.id, o.customer_name, o.amount])).toEqual([
        [id, 'Annie Jackson <a@example.com>', '42.80 USD'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the terminal summary names the score and the evidence pack', () => {
  test('GIVEN a scored drill with its evidence pack WHEN summarised THEN a score row gives the verdict, recall, precision and each class, and a line names evidence.html and how to check it', () => {
    const report = fixtureDrillReport();
    report.score = scoreRun(
      input(
        [ack('order_placed', 1, 20), ack('order_placed', 2, 31), ack('order_placed', 3, 40)],
        {
          [`${'00000000-0000-4000-8000-'}000000000001`]: present(),
          ['00000000-0000-4000-8000-000000000002']: absent,
          ['00000000-0000-4000-8000-000000000003']: present(),
        },
        scoredReport([orderRows(2, 'lost_insert')]),
      ),
    );
    report.evidence = {
      json: '/tmp/drill-out/evidence.json',
      html: '/tmp/drill-out/evidence.html',
      sha256: '/tmp/drill-out/evidence.sha256',
    };
    const lines = summaryTable(report);
    const row = lines.find((line) => line.startsWith('score'));
    expect(row).toMatch(
      /^score\s+PASSED\s+recall 100 %, precision 100 %: lost insert 1\/1, lost update 0\/0, possible duplicate 0\/0, conflict 0\/0 \(runbooks\/scoring, as on a game day\)$/,
    );
    expect(lines).toContain(
      'evidence: /tmp/drill-out/evidence.html (check it: cd /tmp/drill-out && sha256sum -c evidence.sha256)',
    );
    // AND drill.html shows recall and precision as percentages
    expect(renderDrillHtml(report)).toContain('recall 100 %, precision 100 %');
  });
});
