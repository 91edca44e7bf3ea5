import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { Timeline } from '../aws-model/model-timeline';

describe('the model timeline', () => {
  test('GIVEN a due action that makes the timeline run its due actions again WHEN it reads the time after that THEN it still reads its own scheduled time', () => {
    const clock = new ManualClock('2026-12-07T05:00:00.000Z');
    const timeline = new Timeline(clock);
    const seen: string[] = [];
    timeline.after(10, () => {
      // e.g. a FIS fault that takes a Region down: AwsModel.regionDown runs the due transitions first.
      timeline.runDue();
      seen.push(timeline.date().toISOString());
    });
    timeline.after(20, () => undefined);
    clock.advance(60_000);
    timeline.runDue();
    expect(seen).toEqual(['2026-12-07T05:00:10.000Z']);
  });
});
